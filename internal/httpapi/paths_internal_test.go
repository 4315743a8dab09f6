package httpapi

import "testing"

// TestReplacePaths: a server path in a message becomes its last element;
// a URL whose path happens to contain a server directory stays as it is.
func TestReplacePaths(t *testing.T) {
	re := serverPaths("/srv/data", "/srv/data/uploads", "/tmp")
	for in, want := range map[string]string{
		"/srv/data/uploads/u-1.part: bad":            "u-1.part: bad",
		"open /tmp/x/y.csv: no such file":            "open y.csv: no such file",
		"see https://example.org/tmp/x for details":  "see https://example.org/tmp/x for details",
		`file "/srv/data/runs/c-1/edges.csv" broken`: `file "edges.csv" broken`,
		"nothing here": "nothing here",
	} {
		if got := replacePaths(re, in); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}
