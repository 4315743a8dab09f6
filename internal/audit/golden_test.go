package audit_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq/internal/audit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// flags.csv of the template fixture, byte for byte.
func TestFlagsGolden(t *testing.T) {
	imp, err := audit.ReadFile(context.Background(), "testdata/na999-template.csv", "pk-long")
	if err != nil {
		t.Fatal(err)
	}
	res := audit.Check(imp, audit.CheckOptions{})
	var b bytes.Buffer
	if err := audit.WriteFlags(&b, res.Flags); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "na999-flags.golden.csv")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if d := cmp.Diff(string(want), b.String()); d != "" {
		t.Errorf("flags.csv (-want +got):\n%s", d)
	}
}
