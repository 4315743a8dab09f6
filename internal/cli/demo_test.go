package cli_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDemoCase: the demo ends by opening a case with the coordination run
// and a post, exporting it as a zip and verifying it; the zip verifies
// again through tahqiq verify.
func TestDemoCase(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole demo: not in -short (go test ./..., as CI runs it, does)")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	code, out, errs := run(t, data, "", "demo", "--out", filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("demo = %d: %s %s", code, out, errs)
	}
	for _, want := range []string{"== 4. A case", "created \"tahqiq demo\" with admin user demo", "attached analysis", "attached post", "recorded finding", ", 2 items,", ": OK (log key tahqiq/tahqiq-demo+", ", given)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out[strings.Index(out, "== 4."):])
		}
	}
	zip := regexp.MustCompile(`exported (\S+\.zip);`).FindStringSubmatch(out)
	if zip == nil {
		t.Fatalf("demo names no zip bundle")
	}
	if code, out, _ := run(t, data, "", "verify", zip[1], "--key", filepath.Join(data, "keys", "log.pub")); code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("verify %s = %d: %s", zip[1], code, out)
	}
	// In an initialised store, an unknown user skips the case step.
	code, out, _ = run(t, data, "", "demo", "--out", filepath.Join(dir, "out"), "--as", "nobody")
	if code != 0 || !strings.Contains(out, "skipped:") {
		t.Errorf("demo --as nobody = %d, want 0 and the case step skipped: %s", code, out[strings.Index(out, "== 4."):])
	}
}
