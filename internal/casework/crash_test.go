package casework_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

func open(t testing.TB, dir string) (*casework.Service, *sqlite.DB) {
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	bs, _ := blob.Open(filepath.Join(dir, "blobs"))
	signer, v, err := keyfile.LoadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &casework.Service{Store: db, Blobs: bs, Signer: signer, LogKey: v, Origin: signer.Name()}, db
}

// TestCrashChild is the child process of TestCrash: it attaches evidence
// until killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("TAHQIQ_CRASH_DIR")
	if dir == "" {
		t.Skip("child process of TestCrash")
	}
	ctx := context.Background()
	s, db := open(t, dir)
	defer db.Close()
	admin, _ := db.FindUserByName(ctx, "amina")
	cs, _ := db.FindCases(ctx)
	for i := 0; ; i++ {
		ref, err := s.PutBlob("f", []byte(time.Now().String()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AttachBlobs(ctx, admin, tahqiq.Item{CaseID: cs[0].ID, Kind: tahqiq.ItemFile, Title: "f", Blobs: []tahqiq.BlobRef{ref}}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if i == 20 {
			os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644)
		}
	}
}

func TestCrash(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	f.db.Close()
	for round := 0; round < 3; round++ {
		os.Remove(filepath.Join(f.dir, "ready"))
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), "TAHQIQ_CRASH_DIR="+f.dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 6000; i++ { // wait for the child to be busy writing
			if _, err := os.Stat(filepath.Join(f.dir, "ready")); err == nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(7+round*13) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		s, db := open(t, f.dir)
		r, err := s.VerifyStore(ctx, casework.VerifyOptions{})
		n, _ := db.LogSize(ctx)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() || n < 25 {
			t.Fatalf("round %d: after kill, verify = %v with %d entries; want OK and > 25 entries", round, r.Problems, n)
		}
	}
}
