package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportErrorsAsFlags: the import errors that name a parameter say
// the CLI's flags (--format, --map); the API says the request's fields
// (httpapi's TestImportErrorsInFormTerms).
func TestImportErrorsAsFlags(t *testing.T) {
	dir := t.TempDir()
	posts := filepath.Join(dir, "posts.csv")
	if err := os.WriteFile(posts, []byte("user,created,body\nali,2024-02-08T10:00:00Z,hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not detected", []string{"import", posts}, "; name it with --format"},
		{"no column map", []string{"import", "--format", "generic_csv", posts}, "needs a column map: --map account=COL"},
	} {
		code, out, errs := run(t, filepath.Join(dir, "data-"+strings.ReplaceAll(tc.name, " ", "-")), "", tc.args...)
		if code == 0 || !strings.Contains(out+errs, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want it to say %q", tc.name, code, out, errs, tc.want)
		}
	}
}
