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
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// openAt opens the store of a crash test: PostgreSQL when url is set, else
// the embedded store in dir.
func openAt(t testing.TB, dir, url string) (*casework.Service, casework.Store, func()) {
	ctx := context.Background()
	var st casework.Store
	var closeFn func()
	if url != "" {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		st, closeFn = db, func() { db.Close() }
	} else {
		db, err := sqlite.OpenDir(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		st, closeFn = db, func() { db.Close() }
	}
	bs, _ := blob.Open(filepath.Join(dir, "blobs"))
	signer, v, err := keyfile.LoadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &casework.Service{Store: st, Blobs: bs, Signer: signer, LogKey: v, Origin: signer.Name()}, st, closeFn
}

// TestCrashBetweenChangeAndEntryChild is the child of
// TestCrashBetweenChangeAndEntry: it adds a note and stops for good between
// writing the note and appending its entry, where the parent kills it.
func TestCrashBetweenChangeAndEntryChild(t *testing.T) {
	dir := os.Getenv("TAHQIQ_CRASH_DIR")
	if dir == "" {
		t.Skip("child process of TestCrashBetweenChangeAndEntry")
	}
	ctx := context.Background()
	s, st, _ := openAt(t, dir, os.Getenv("TAHQIQ_CRASH_DB"))
	admin, _ := st.FindUserByName(ctx, "amina")
	cs, _ := st.FindCases(ctx)
	casework.SetAfterChange(func() {
		os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644)
		select {} // killed here
	})
	if os.Getenv("TAHQIQ_CRASH_WHAT") == "import" {
		imp := &ingest.Importer{Formats: ingest.Default()}
		sample := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
		s.Datasets = st.(tahqiq.DatasetStore)
		s.Import(ctx, admin, imp, st.(tahqiq.ImportStore), []string{sample}, ingest.Options{Dataset: "imported-never-logged"})
	} else {
		s.AddNote(ctx, admin, cs[0].ID, "written, never logged")
	}
	t.Fatal("the change went through")
}

// TestCrashBetweenChangeAndEntry kills a process after it wrote a change
// and before it logged it (SIGKILL: no defer, no rollback by the process):
// nothing of the change is visible afterwards, and the store verifies.
func TestCrashBetweenChangeAndEntry(t *testing.T) {
	for _, what := range []string{"note", "import"} {
		t.Run(what, func(t *testing.T) { crashBetween(t, what) })
	}
}

func crashBetween(t *testing.T, what string) {
	ctx := context.Background()
	for _, eng := range engines(t) {
		t.Run(eng.name, func(t *testing.T) {
			eng.setup(t)
			w := newWorld(t, eng)
			url := ""
			if pg, ok := w.store.(*postgres.DB); ok {
				url = pg.Path()
			}
			n0, _ := w.store.LogSize(ctx)
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashBetweenChangeAndEntryChild$")
			cmd.Env = append(os.Environ(), "TAHQIQ_CRASH_DIR="+w.dir, "TAHQIQ_CRASH_DB="+url, "TAHQIQ_CRASH_WHAT="+what)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			ready := false
			for !ready { // until the child stops mid-change (or dies before: the test fails)
				if _, err := os.Stat(filepath.Join(w.dir, "ready")); err == nil {
					ready = true
					break
				}
				select {
				case err := <-exited:
					t.Fatalf("the child ended (%v) before reaching the point between its change and its entry", err)
				case <-time.After(10 * time.Millisecond):
				}
			}
			cmd.Process.Kill()
			<-exited
			s, st, closeFn := openAt(t, w.dir, url)
			defer closeFn()
			v, err := s.Show(ctx, w.admin, w.c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range v.Notes {
				if n.Text == "written, never logged" {
					t.Errorf("the note written before the crash is visible without its entry")
				}
			}
			if _, err := st.(tahqiq.DatasetStore).FindDatasetByName(ctx, "imported-never-logged"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
				t.Errorf("the dataset imported before the crash: %v; want it absent with its entry", err)
			}
			if n1, _ := st.LogSize(ctx); n1 != n0+1 { // + the read just logged
				t.Errorf("log size %d after the crash and one read, want %d", n1, n0+1)
			}
			r, err := s.VerifyStore(ctx, casework.VerifyOptions{})
			if err != nil || !r.OK() {
				t.Errorf("after the crash: %v %v", err, r.Problems)
			}
		})
	}
}
