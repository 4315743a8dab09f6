package cli

import (
	"testing"

	"github.com/tahqiq/tahqiq"
)

// TestImportedBytes: a --dataset run's default budget is of the files
// imported into it, as --input's is of its files; unknown (-1, half the
// machine) for a compressed file or none.
func TestImportedBytes(t *testing.T) {
	f := func(name string, size int64) tahqiq.ImportFile { return tahqiq.ImportFile{Name: name, Size: size} }
	for _, tc := range []struct {
		files []tahqiq.ImportFile
		want  int64
	}{
		{nil, -1},
		{[]tahqiq.ImportFile{f("synth.csv", 65_000_000)}, 65_000_000},
		{[]tahqiq.ImportFile{f("a.csv", 10), f("dir/b.jsonl", 32)}, 42},
		{[]tahqiq.ImportFile{f("a.csv", 10), f("tweets.jsonl.GZ", 32)}, -1},
		{[]tahqiq.ImportFile{f("export.zip", 10)}, -1},
		{[]tahqiq.ImportFile{f("x.ndjson.zst", 10)}, -1},
	} {
		if got := importedBytes(tc.files); got != tc.want {
			t.Errorf("importedBytes(%+v) = %d, want %d", tc.files, got, tc.want)
		}
	}
}
