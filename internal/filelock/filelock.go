// Package filelock takes exclusive advisory locks on files, the same way
// on every platform the binary is built for: flock(2) on Unix,
// LockFileEx on Windows. The lock is held until the returned function
// is called or the process ends (the system drops it with the file).
package filelock

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked is returned by TryLock when another holder has the lock.
var ErrLocked = errors.New("locked by another process")

// Lock takes an exclusive lock on path (created if missing), waiting for
// it as long as another process holds it.
func Lock(path string) (unlock func(), err error) { return take(path, true) }

// TryLock takes an exclusive lock on path (created if missing) or
// returns an error wrapping ErrLocked at once if another holder has it.
func TryLock(path string) (unlock func(), err error) { return take(path, false) }

func take(path string, wait bool) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f, wait); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("lock %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { unlockFile(f); f.Close() }, nil
}
