// Package parsetest holds test helpers shared by the importer packages under
// internal/ingest: locating the real data, running a parser, checking the
// record invariants, and comparing golden files (with the -update flag). It
// is imported only from _test.go files.
package parsetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
)

var update = flag.Bool("update", false, "rewrite golden files")

// DataDir returns the shared real-data directory ($TAHQIQ_TESTDATA, else
// ../shared/data relative to the repository root) joined with elem, and
// skips the test when it is absent.
func DataDir(tb testing.TB, elem ...string) string {
	tb.Helper()
	root := os.Getenv("TAHQIQ_TESTDATA")
	if root == "" {
		dir, err := os.Getwd()
		if err != nil {
			tb.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				tb.Skip("no go.mod above the test directory; set TAHQIQ_TESTDATA")
			}
			dir = parent
		}
		root = filepath.Join(dir, "..", "shared", "data")
		if _, err := os.Stat(root); err != nil {
			// Worktrees live one level deeper than the main checkout.
			if alt := filepath.Join(dir, "..", "..", "shared", "data"); exists(alt) {
				root = alt
			}
		}
	}
	p := filepath.Join(append([]string{root}, elem...)...)
	if !exists(p) {
		tb.Skipf("real test data %s absent (set TAHQIQ_TESTDATA to the shared/data directory)", p)
	}
	return p
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// Result is everything a parser emitted for one input.
type Result struct {
	Parsed []*tahqiq.Parsed
	Err    error
}

// Counts returns the number of records (excluding header records),
// rejects, posts and accounts.
func (r Result) Counts() (records, rejects, posts, accounts int) {
	for _, p := range r.Parsed {
		if p.Reject != "" {
			rejects++
			continue
		}
		if p.Record.Kind == tahqiq.RecordHeader {
			continue
		}
		records++
		posts += len(p.Posts)
		accounts += len(p.Accounts)
	}
	return
}

// Run parses the named file (or data when name has no file) with options.
func Run(tb testing.TB, parse tahqiq.ParseFunc, name string, data []byte, opts map[string]string) Result {
	tb.Helper()
	var res Result
	var src tahqiq.Source
	src.Name, src.Options = name, opts
	if data != nil {
		src.R = bytes.NewReader(data)
	} else {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		defer f.Close()
		src.R = f
		src.Name = filepath.Base(name)
	}
	res.Err = parse(context.Background(), src, func(p *tahqiq.Parsed) error {
		res.Parsed = append(res.Parsed, p)
		return nil
	})
	return res
}

// Check verifies the invariants every emitted record must hold: Raw
// non-empty, SHA256 of Raw, a line or locator, offsets and entity offsets
// within the text, valid UTF-8 in post text and every post with a UID.
func Check(tb testing.TB, res Result) {
	tb.Helper()
	var lastOff int64 = -1
	for i, p := range res.Parsed {
		r := p.Record
		if len(r.Raw) == 0 {
			tb.Fatalf("record %d (%s): empty Raw", i, r.Locator)
		}
		if sha256.Sum256(r.Raw) != r.SHA256 {
			tb.Fatalf("record %d (%s): SHA256 does not match Raw", i, r.Locator)
		}
		if r.Locator == "" || r.Format == "" {
			tb.Fatalf("record %d: empty locator or format: %+v", i, r)
		}
		if r.Offset < lastOff {
			tb.Fatalf("record %d (%s): offset %d before previous %d", i, r.Locator, r.Offset, lastOff)
		}
		lastOff = r.Offset
		if p.Reject != "" && len(p.Posts) > 0 {
			tb.Fatalf("record %d (%s): reject with posts", i, r.Locator)
		}
		for _, post := range p.Posts {
			if post.UID == "" || post.Platform == "" || !strings.HasPrefix(post.UID, post.Platform+":") {
				tb.Fatalf("record %d (%s): bad UID %q platform %q", i, r.Locator, post.UID, post.Platform)
			}
			if !utf8.ValidString(post.Text) {
				tb.Fatalf("record %d (%s): invalid UTF-8 text", i, r.Locator)
			}
			n := utf8.RuneCountInString(post.Text)
			for _, e := range append(append([]tahqiq.Entity{}, post.Hashtags...), post.Mentions...) {
				if e.Start == -1 && e.End == -1 {
					continue
				}
				if e.Start < 0 || e.End < e.Start || e.End > n {
					tb.Fatalf("record %d (%s): entity %+v outside text of %d code points", i, r.Locator, e, n)
				}
			}
			for _, l := range post.Links {
				if l.Start == -1 && l.End == -1 {
					continue
				}
				if l.Start < 0 || l.End < l.Start || l.End > n {
					tb.Fatalf("record %d (%s): link %+v outside text of %d code points", i, r.Locator, l, n)
				}
			}
		}
	}
}

// Golden compares v, encoded as indented JSON, with testdata/<name>, and
// rewrites the file with -update.
func Golden(tb testing.TB, name string, v any) {
	tb.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				tb.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test -update if the change is intended)", path, i+1, gl[i], wl[i])
			}
		}
		tb.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

// Record is the golden form of one emitted record.
type Record struct {
	Format   string           `json:"format"`
	Line     int64            `json:"line"`
	Offset   int64            `json:"offset"`
	Locator  string           `json:"locator"`
	Kind     string           `json:"kind,omitempty"`
	SHA256   string           `json:"sha256"`
	Raw      string           `json:"raw"`
	Reject   string           `json:"reject,omitempty"`
	Posts    []tahqiq.Post    `json:"posts,omitempty"`
	Accounts []tahqiq.Account `json:"accounts,omitempty"`
}

// Normalise returns the golden form of res.
func Normalise(res Result) []Record {
	out := make([]Record, 0, len(res.Parsed))
	for _, p := range res.Parsed {
		r := p.Record
		out = append(out, Record{
			Format: r.Format, Line: r.Line, Offset: r.Offset, Locator: r.Locator, Kind: string(r.Kind),
			SHA256: hex.EncodeToString(r.SHA256[:]), Raw: string(r.Raw), Reject: p.Reject,
			Posts: p.Posts, Accounts: p.Accounts,
		})
	}
	return out
}

// Time is a helper for expected timestamps in tables.
func Time(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// ReadFile returns the bytes of the file at path, or fails the test.
func ReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Fixtures returns the files matching pattern (a filepath.Glob pattern,
// such as "testdata/*.csv"), golden files left out, and fails the test
// when there are none: a golden test over no files proves nothing.
func Fixtures(tb testing.TB, pattern string) []string {
	tb.Helper()
	all, err := filepath.Glob(pattern)
	if err != nil {
		tb.Fatal(err)
	}
	var files []string
	for _, f := range all {
		if !strings.HasSuffix(f, ".golden.json") {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		tb.Fatalf("no fixtures match %s", pattern)
	}
	return files
}

// MustParse parses the file at path with parse and opts, fails the test
// on an error and checks the record invariants (Check).
func MustParse(tb testing.TB, parse tahqiq.ParseFunc, path string, opts map[string]string) Result {
	tb.Helper()
	res := Run(tb, parse, path, nil, opts)
	if res.Err != nil {
		tb.Fatal(res.Err)
	}
	Check(tb, res)
	return res
}

// GoldenOf compares res with the golden file of the fixture at path:
// testdata/<its base name without the last extension>.golden.json.
func GoldenOf(tb testing.TB, path string, res Result) {
	tb.Helper()
	base := filepath.Base(path)
	Golden(tb, strings.TrimSuffix(base, filepath.Ext(base))+".golden.json", Normalise(res))
}

// FuzzParse seeds f with the files and fuzzes parse on inputs named name:
// every input either parses into records that keep the invariants (Check)
// or fails with EINVALID, never another error. opts, when not nil, gives
// the parser's options for an input.
func FuzzParse(f *testing.F, parse tahqiq.ParseFunc, name string, files []string, opts func(in []byte) map[string]string) {
	for _, p := range files {
		f.Add(ReadFile(f, p))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var o map[string]string
		if opts != nil {
			o = opts(in)
		}
		res := Run(t, parse, name, in, o)
		if res.Err != nil {
			if tahqiq.ErrorCode(res.Err) != tahqiq.EINVALID {
				t.Fatalf("non-EINVALID error %v", res.Err)
			}
			return
		}
		Check(t, res)
	})
}

// WantInvalid fails the test unless err is EINVALID and its message holds
// every one of parts (what was wrong, the file, the line...).
func WantInvalid(tb testing.TB, err error, parts ...string) {
	tb.Helper()
	if tahqiq.ErrorCode(err) != tahqiq.EINVALID {
		tb.Errorf("err = %v, want EINVALID", err)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			tb.Errorf("err = %v, want it to contain %q", err, p)
		}
	}
}

// CheckRaw fails the test unless every record's Raw is the input's bytes
// at its Offset and, for the JSON formats (json true), every accepted
// record's Raw is valid JSON.
func CheckRaw(tb testing.TB, data []byte, res Result, isJSON bool) {
	tb.Helper()
	for _, p := range res.Parsed {
		r := p.Record
		if r.Offset < 0 || r.Offset+int64(len(r.Raw)) > int64(len(data)) || !bytes.Equal(data[r.Offset:r.Offset+int64(len(r.Raw))], r.Raw) {
			tb.Fatalf("%s: Raw is not the input bytes at offset %d", r.Locator, r.Offset)
		}
		if isJSON && p.Reject == "" && !json.Valid(r.Raw) {
			tb.Fatalf("%s: invalid JSON accepted: %q", r.Locator, r.Raw)
		}
	}
}

// Bench measures parse alone on data (the input named name, parsed with
// opts), reporting bytes/s, records/s (for the CSV formats, rows) and
// posts/s.
func Bench(b *testing.B, parse tahqiq.ParseFunc, name string, data []byte, opts map[string]string) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	posts, records := 0, 0
	for b.Loop() {
		err := parse(context.Background(), tahqiq.Source{Name: name, Options: opts, R: bytes.NewReader(data)}, func(p *tahqiq.Parsed) error {
			records++
			posts += len(p.Posts)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(posts)/b.Elapsed().Seconds(), "posts/s")
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
