package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tahqiq/tahqiq/internal/audit"
)

// dataDir returns shared/data/elections ($TAHQIQ_TESTDATA or ../shared/data
// next to the repository root), or skips the test.
func dataDir(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TAHQIQ_TESTDATA")
	if base == "" {
		dir, _ := os.Getwd()
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			p := filepath.Dir(dir)
			if p == dir {
				t.Skip("repository root (go.mod) not found")
			}
			dir = p
		}
		base = filepath.Join(dir, "..", "shared", "data")
		if _, err := os.Stat(base); err != nil {
			// worktrees live one level deeper (/work/wt/NAME)
			base = filepath.Join(dir, "..", "..", "shared", "data")
		}
	}
	d := filepath.Join(base, "elections")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("election reference data not found at %s (set TAHQIQ_TESTDATA): skipping", d)
	}
	return d
}

// loaded keeps the imports the tests read, so that a file several tests
// use is read once per test binary (the tests only read them).
var loaded sync.Map // rel + "\x00" + map -> *audit.Import

func load(t testing.TB, rel, m string) *audit.Import {
	t.Helper()
	if v, ok := loaded.Load(rel + "\x00" + m); ok {
		return v.(*audit.Import)
	}
	imp, err := audit.ReadFile(context.Background(), filepath.Join(dataDir(t), rel), m)
	if err != nil {
		t.Fatal(err)
	}
	loaded.Store(rel+"\x00"+m, imp)
	return imp
}

// forensics runs audit.RunForensics and fails the test on an error.
func forensics(t testing.TB, imp *audit.Import, o audit.ForensicsOptions) *audit.Forensics {
	t.Helper()
	f, err := audit.RunForensics(imp, o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
