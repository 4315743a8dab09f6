package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/sqlstore"
)

// checkPostJSON fails unless AppendPostJSON gives json.Marshal's bytes
// (and its error) for p, appended after a prefix that stays.
func checkPostJSON(t *testing.T, p *tahqiq.Post) {
	t.Helper()
	want, werr := json.Marshal(p)
	got, gerr := sqlstore.AppendPostJSON([]byte("prefix"), p)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("post %q: error %v, json.Marshal's %v", p.UID, gerr, werr)
	}
	if werr != nil {
		return
	}
	if !bytes.HasPrefix(got, []byte("prefix")) || !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("post %q:\n got %s\nwant prefix%s", p.UID, got, want)
	}
}

func TestPostJSON(t *testing.T) {
	at := time.Date(2024, 1, 24, 19, 19, 2, 0, time.UTC)
	for _, p := range []tahqiq.Post{
		{},
		{UID: "other:p0", Platform: "other", PlatformID: "p0", AuthorUID: "other:a1", Kind: tahqiq.KindRepost, CreatedAt: at,
			CreatedAtRaw: "1706123942", Precision: tahqiq.PrecisionSecond, Objects: []tahqiq.Object{{Type: "retweet", Value: "o1"}, {Type: "url", Value: "https://x/?a=1&b=<2>"}}},
		{UID: "x:1", Text: "quote \" backslash \\ controls \x00\x01\b\f\n\r\t\x1f\x7f html <a href='x'>&amp;</a>", Lang: "en"},
		{UID: "x:2", Text: "اردو متن ✓ \u2028 \u2029 invalid \xff\xfe end \xe2\x82", TextFull: "🙂", Client: "web"},
		{UID: "x:3", URL: "https://t.co/x", ContainerID: "c", ContainerName: "n", ThreadID: "t", CreatedAt: at.Add(123456789 * time.Nanosecond)},
		{UID: "x:4", CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 5*3600+30*60))},
		{UID: "x:5", CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, // an error, json.Marshal's
		{UID: "x:6", CreatedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{UID: "x:7", Objects: []tahqiq.Object{{}}},
		{UID: "x:8", Hashtags: []tahqiq.Entity{{Text: "tag"}}, Metrics: map[string]int64{"b": 2, "a": 1}, Author: &tahqiq.Profile{Handle: "h"}}, // json.Marshal's own
	} {
		checkPostJSON(t, &p)
	}
}

func FuzzPostJSON(f *testing.F) {
	f.Add("other:p0", "p0", "a <b> & \"c\"", "1706123942", int64(1706123942), int64(0), "retweet", "o1")
	f.Add("x", "\xff\u2028", "\x00\n", "", int64(-62135596800), int64(999), "url", "https://x/?a&b")
	f.Fuzz(func(t *testing.T, uid, id, text, raw string, sec, nsec int64, typ, obj string) {
		p := tahqiq.Post{UID: uid, PlatformID: id, Text: text, TextFull: text + id, CreatedAtRaw: raw,
			CreatedAt: time.Unix(sec, nsec).UTC(), Objects: []tahqiq.Object{{Type: tahqiq.ObjectType(typ), Value: obj}}}
		checkPostJSON(t, &p)
	})
}

// TestPostJSONReal compares the encoding of every post of the real
// exports in ../shared/data/social and coord with json.Marshal's.
func TestPostJSONReal(t *testing.T) {
	base := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(base); err != nil {
		base = filepath.Join("..", "..", "..", "..", "shared", "data")
	}
	var files []string
	for _, pat := range []string{"social/*/*.csv", "social/*/*.json", "social/*/*.jsonl", "social/*/*.gz", "coord/*.csv"} {
		m, _ := filepath.Glob(filepath.Join(base, pat))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skipf("no real exports under %s (shared/data beside the repository): skipping", base)
	}
	if testing.Short() {
		files = files[:min(len(files), 2)]
	}
	im := &ingest.Importer{Formats: ingest.Default()}
	n, fast := 0, 0
	for _, f := range files {
		_, err := im.Read(context.Background(), []string{f}, ingest.Options{}, func(it *ingest.Item) error {
			for i := range it.Parsed.Posts {
				p := &it.Parsed.Posts[i]
				checkPostJSON(t, p)
				n++
				if len(p.References)+len(p.Hashtags)+len(p.Mentions)+len(p.Links)+len(p.Media)+len(p.Metrics)+len(p.Labels) == 0 && p.Author == nil {
					fast++
				}
			}
			return nil
		})
		if err != nil {
			t.Logf("%s: %v (not an import format: skipped)", f, err)
		}
	}
	if n == 0 {
		t.Fatal("no post read")
	}
	t.Logf("%d posts of %d files equal to json.Marshal's, %d of them encoded without it", n, len(files), fast)
}
