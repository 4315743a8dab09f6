package filelock_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq/internal/filelock"
)

// Locks are per open file on every platform, so a second TryLock from the
// same process stands for another process here.
func TestTryLockRefusesAHeldLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	unlock, err := filelock.Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := filelock.TryLock(path); !errors.Is(err, filelock.ErrLocked) {
		t.Fatalf("second lock while held: %v, want ErrLocked", err)
	}
	unlock()
	again, err := filelock.TryLock(path)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}

func TestLockWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	unlock, err := filelock.Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func())
	go func() {
		u, err := filelock.Lock(path)
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	unlock() // the waiting Lock can only return after this
	if u := <-got; u != nil {
		u()
	}
}

func TestLockNamesTheFile(t *testing.T) {
	_, err := filelock.Lock(filepath.Join(t.TempDir(), "missing", ".lock"))
	if err == nil {
		t.Fatal("lock in a missing directory: no error")
	}
}
