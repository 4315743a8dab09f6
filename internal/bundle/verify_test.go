package bundle_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
)

// TestVerifyNotABundle: a path that is not there is an error; a file that
// is not a zip, or a directory without a bundle's files, is a report
// whose problems say so. The bundles of real cases are verified by
// casework's tests (bundlezip_test.go, tamper_test.go, vectors_test.go),
// which export them first.
func TestVerifyNotABundle(t *testing.T) {
	dir := t.TempDir()
	if _, err := bundle.Verify(filepath.Join(dir, "missing.zip"), casework.VerifyOptions{}); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("missing path: %v, want %s", err, tahqiq.ENOTFOUND)
	}
	notZip := filepath.Join(dir, "case.zip")
	if err := os.WriteFile(notZip, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := bundle.Verify(notZip, casework.VerifyOptions{})
	if err != nil || r.OK() || r.Kind != "zip bundle" {
		t.Fatalf("not a zip: %+v, %v; want a zip bundle's report with problems", r, err)
	}
	empty := t.TempDir()
	r, err = bundle.Verify(empty, casework.VerifyOptions{})
	if err != nil || r.OK() || r.Kind != "bundle" {
		t.Fatalf("empty directory: %+v, %v; want a bundle's report with problems", r, err)
	}
	var msgs []string
	for _, p := range r.Problems {
		msgs = append(msgs, p.String())
	}
	if !strings.Contains(strings.Join(msgs, "\n"), "manifest.json") {
		t.Errorf("empty directory: problems %q, want manifest.json named", msgs)
	}
}
