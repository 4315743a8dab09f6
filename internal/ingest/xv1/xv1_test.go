package xv1_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/ingest/xv1"
)

// Expected counts come from an independent python3 script using only the
// json module (testdata/fixture_counts.py, rules in its header): records,
// distinct posts (statuses and their complete embedded retweeted/quoted
// statuses) and accounts, and records that are retweets, quotes (not
// retweets) and replies (neither), and stream notices.
func TestParseFixtures(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "python-twitter-v1.1")
	tests := []struct {
		file                                                       string
		records, posts, accounts, retweets, quotes, replies, other int
		format                                                     string
	}{
		{"get_search_raw.json", 100, 173, 168, 74, 9, 1, 0, xv1.Format},
		{"get_user_timeline_count.json", 63, 99, 27, 35, 0, 10, 0, xv1.Format},
		{"get_statuses.1.json", 100, 100, 1, 0, 0, 0, 0, xv1.Format},
		{"get_user_retweets.json", 20, 20, 1, 0, 0, 0, 0, xv1.Format},
		{"get_retweets.json", 14, 15, 15, 14, 0, 0, 0, xv1.Format},
		{"get_list_timeline_count_rts_ent.json", 13, 13, 1, 0, 0, 0, 0, xv1.Format},
		{"get_status.json", 1, 1, 1, 0, 0, 0, 0, xv1.Format},
		{"get_status_ext_alt.json", 1, 1, 1, 0, 0, 0, 0, xv1.Format},
		{"get_status_promoted_video_tweet.json", 1, 1, 1, 0, 0, 0, 0, xv1.Format},
		{"get_status_with_place.json", 1, 2, 2, 0, 1, 0, 0, xv1.Format},
		{"models/status_quoted_tweet.json", 1, 2, 2, 0, 1, 0, 0, xv1.Format},
		{"models/status_quoted_tweet_with_media.json", 1, 2, 2, 0, 1, 0, 0, xv1.Format},
		{"streaming/lines.json", 72, 79, 79, 0, 8, 33, 0, xv1.FormatStream},
		{"streaming/streaming_extended_tweet.json", 1, 1, 1, 0, 0, 0, 0, xv1.FormatStream},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tc.file)
			res := parsetest.Run(t, xv1.Parse, path, nil, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			posts, accounts := map[string]bool{}, map[string]bool{}
			var retweets, quotes, replies, other int
			for _, p := range res.Parsed {
				r := p.Record
				if p.Reject != "" {
					t.Errorf("%s rejected: %s", r.Locator, p.Reject)
					continue
				}
				if !bytes.Equal(data[r.Offset:r.Offset+int64(len(r.Raw))], r.Raw) || !json.Valid(r.Raw) {
					t.Errorf("%s: Raw is not the value's exact bytes at offset %d", r.Locator, r.Offset)
				}
				if r.Format != tc.format {
					t.Errorf("%s: format %q, want %q", r.Locator, r.Format, tc.format)
				}
				if r.Kind == tahqiq.RecordOther {
					other++
					continue
				}
				switch p.Posts[0].Kind {
				case tahqiq.KindRepost:
					retweets++
				case tahqiq.KindQuote:
					quotes++
				case tahqiq.KindReply:
					replies++
				}
				for _, q := range p.Posts {
					posts[q.UID] = true
				}
				for _, a := range p.Accounts {
					accounts[a.UID] = true
				}
			}
			got := []int{len(res.Parsed), len(posts), len(accounts), retweets, quotes, replies, other}
			want := []int{tc.records, tc.posts, tc.accounts, tc.retweets, tc.quotes, tc.replies, tc.other}
			if !slices.Equal(got, want) {
				t.Errorf("records, posts, accounts, retweets, quotes, replies, other = %v, want %v", got, want)
			}
		})
	}
}

// v1.1 text is HTML-escaped and its indices count code points of the
// escaped text: after unescaping, every hashtag and mention must still
// slice the text to itself, including in tweets with emoji.
func TestEntityOffsetsAfterUnescape(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "python-twitter-v1.1")
	checked, escaped := 0, 0
	dropped := 0
	for _, f := range []string{"get_search_raw.json", "streaming/lines.json", "get_user_timeline_count.json", "get_retweets.json",
		"get_user_retweets.json", "models/status_quoted_tweet.json", "models/status_quoted_tweet_with_media.json", "get_status_ext_alt.json"} {
		res := parsetest.Run(t, xv1.Parse, filepath.Join(dir, f), nil, nil)
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				if strings.Contains(q.Text, "&") {
					escaped++
				}
				r := []rune(q.Text)
				// An entity is dropped (-1) only where the API cut a
				// retweet's text short ("RT @x: … #Vot…") and its indices
				// point past what is left (one in get_user_timeline_count).
				truncated := q.Kind == tahqiq.KindRepost && strings.HasSuffix(q.Text, "…")
				for _, l := range q.Links {
					if l.Start < 0 && !truncated || l.Start >= 0 && string(r[l.Start:l.End]) != l.URL {
						t.Errorf("%s: link %+v does not slice to its URL in %q", q.UID, l, q.Text)
					}
				}
				for _, h := range q.Hashtags {
					if h.Start < 0 {
						if !truncated {
							t.Errorf("%s: hashtag %q dropped from %q", q.UID, h.Text, q.Text)
						}
						dropped++
						continue
					}
					if got := string(r[h.Start:h.End]); !strings.EqualFold(got[1:], h.Text) {
						t.Errorf("%s: text[%d:%d] = %q, want #%s", q.UID, h.Start, h.End, got, h.Text)
					}
					checked++
				}
				for _, m := range q.Mentions {
					if m.Start < 0 {
						if !truncated {
							t.Errorf("%s: mention %q dropped from %q", q.UID, m.Text, q.Text)
						}
						dropped++
						continue
					}
					if got := string(r[m.Start:m.End]); !strings.EqualFold(got, "@"+m.Text) {
						t.Errorf("%s: text[%d:%d] = %q, want @%s", q.UID, m.Start, m.End, got, m.Text)
					}
					checked++
				}
				if strings.Contains(q.Text, "&amp;") {
					t.Errorf("%s: text still escaped: %q", q.UID, q.Text)
				}
			}
		}
	}
	if checked < 300 || escaped == 0 || dropped != 1 {
		t.Fatalf("checked %d entities, %d unescaped texts, %d dropped (want 1)", checked, escaped, dropped)
	}
}

func TestRetweetAndFullText(t *testing.T) {
	res := parsetest.Run(t, xv1.Parse, filepath.Join(parsetest.DataDir(t, "social", "python-twitter-v1.1"), "get_search_raw.json"), nil, nil)
	var first tahqiq.Post
	for _, p := range res.Parsed {
		if len(p.Posts) > 0 && p.Posts[0].PlatformID == "690992334243250177" {
			first = p.Posts[0]
		}
	}
	// formats.md §1.3 quotes this record: a retweet of 690985447426752512
	// by @BmoreCityDOT (173185910), made on Sat Jan 23 20:19:45 +0000 2016.
	if first.PlatformID != "690992334243250177" || first.Kind != tahqiq.KindRepost || first.References[0].TargetID != "690985447426752512" ||
		first.References[0].TargetAccountID != "173185910" || first.CreatedAt != parsetest.Time("2016-01-23T20:19:45Z") || first.AuthorUID != "x:494331385" {
		t.Errorf("status 690992334243250177 = %+v", first)
	}
	ext := parsetest.Run(t, xv1.Parse, "testdata/streaming_extended_tweet.json", nil, nil).Parsed[0].Posts[0]
	if strings.HasSuffix(ext.Text, "…") || len([]rune(ext.Text)) <= 140 {
		t.Errorf("extended tweet text not the full text: %q", ext.Text)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct{ name, in, reject string }{
		{"numeric id only", `{"id": 690992334243250177, "created_at": "Sat Jan 23 20:19:45 +0000 2016", "text": "x", "user": {"id_str": "1"}}`, "no id_str"},
		{"float id_str", `{"id_str": "9.06E+17", "created_at": "Sat Jan 23 20:19:45 +0000 2016", "text": "x", "user": {"id_str": "1"}}`, "not a digit string"},
		{"bad date", `{"id_str": "1", "created_at": "2016-01-23", "text": "x", "user": {"id_str": "1"}}`, `created_at "2016-01-23"`},
		{"no user", `{"id_str": "1", "created_at": "Sat Jan 23 20:19:45 +0000 2016", "text": "x"}`, "no user.id_str"},
	}
	for _, tc := range tests {
		res := parsetest.Run(t, xv1.Parse, "in.json", []byte(tc.in), nil)
		if len(res.Parsed) != 1 || !strings.Contains(res.Parsed[0].Reject, tc.reject) {
			t.Errorf("%s: got %d records, reject %q; want %q", tc.name, len(res.Parsed), res.Parsed[0].Reject, tc.reject)
		}
	}
	notice := parsetest.Run(t, xv1.Parse, "n.jsonl", []byte(`{"delete":{"status":{"id_str":"1"}}}`+"\n"), nil)
	if len(notice.Parsed) != 1 || notice.Parsed[0].Reject != "" || notice.Parsed[0].Record.Kind != tahqiq.RecordOther {
		t.Errorf("delete notice: %+v", notice.Parsed)
	}
}

func TestGolden(t *testing.T) {
	for _, f := range []string{"get_status.json", "status_quoted_tweet.json", "streaming_extended_tweet.json"} {
		f = filepath.Join("testdata", f)
		parsetest.GoldenOf(t, f, parsetest.MustParse(t, xv1.Parse, f, nil))
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/get_status.json", "testdata/status_quoted_tweet.json", "testdata/streaming_extended_tweet.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"statuses": [{"id_str": "1", "text": "a &amp; #b", "created_at": "Sat Jan 23 20:19:45 +0000 2016", "user": {"id_str": "2"}, "entities": {"hashtags": [{"text": "b", "indices": [8, 10]}]}}]}`))
	f.Add([]byte(`{"delete":{"status":{"id_str":"1"}}}` + "\n" + `{"id_str": "1", "text": "RT @a: &amp;`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res := parsetest.Run(t, xv1.Parse, "fuzz.json", data, nil)
		parsetest.Check(t, res)
		parsetest.CheckRaw(t, data, res, true)
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				if strings.Trim(q.PlatformID, "0123456789") != "" || q.PlatformID == "" {
					t.Fatalf("bad id %q", q.PlatformID)
				}
			}
		}
	})
}

// BenchmarkParse measures the parser alone on real files: a search
// envelope (100 statuses, 173 posts with the embedded ones) and streaming
// lines (72 statuses, 79 posts).
func BenchmarkParse(b *testing.B) {
	dir := parsetest.DataDir(b, "social", "python-twitter-v1.1")
	for _, file := range []string{"get_search_raw.json", "streaming/lines.json"} {
		b.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(b *testing.B) {
			parsetest.Bench(b, xv1.Parse, file, parsetest.ReadFile(b, filepath.Join(dir, file)), nil)
		})
	}
}

// Streaming lines: notices are kept as records of kind other, a bad line is
// a reject naming what is wrong and the rest parses, and timestamp_ms gives
// the collection time.
func TestStreamLines(t *testing.T) {
	status, err := os.ReadFile("testdata/streaming_extended_tweet.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, status); err != nil {
		t.Fatal(err)
	}
	good := compact.String()
	lines := []string{
		good,
		`{"delete":{"status":{"id":1,"id_str":"1","user_id":2,"user_id_str":"2"},"timestamp_ms":"1514345545330"}}`,
		`{"limit":{"track":12,"timestamp_ms":"1514345545331"}}`,
		`{"scrub_geo":{"user_id_str":"2","up_to_status_id_str":"3"}}`,
		`{"id_str": "1", "created_at": "Sat Jan 23 20:19:45 +0000 2016", "text": "x", "user": {"id_str": "2"}`,
		"{\"id_str\": \"\xff\"}",
		`{"id": 690992334243250177, "created_at": "Sat Jan 23 20:19:45 +0000 2016", "text": "x", "user": {"id_str": "1"}}`,
		good,
	}
	res := parsetest.Run(t, xv1.Parse, "stream.jsonl", []byte(strings.Join(lines, "\n")+"\n"), nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	want := []struct {
		kind   tahqiq.RecordKind
		reject string
	}{
		{tahqiq.RecordPost, ""}, {tahqiq.RecordOther, ""}, {tahqiq.RecordOther, ""}, {tahqiq.RecordOther, ""},
		{"", "truncated"}, {"", "invalid UTF-8"}, {"", "no id_str; numeric ids lose precision"}, {tahqiq.RecordPost, ""},
	}
	if len(res.Parsed) != len(want) {
		t.Fatalf("%d records, want %d", len(res.Parsed), len(want))
	}
	for i, w := range want {
		p := res.Parsed[i]
		if p.Record.Line != int64(i+1) || string(p.Record.Raw) != lines[i] {
			t.Errorf("record %d: line %d, raw %.40q", i, p.Record.Line, p.Record.Raw)
		}
		if w.reject != "" {
			if !strings.Contains(p.Reject, w.reject) {
				t.Errorf("line %d: reject %q, want %q", i+1, p.Reject, w.reject)
			}
			continue
		}
		if p.Reject != "" || p.Record.Kind != w.kind || p.Record.Format != xv1.FormatStream {
			t.Errorf("line %d: reject %q kind %q format %q; want kind %q format %q", i+1, p.Reject, p.Record.Kind, p.Record.Format, w.kind, xv1.FormatStream)
		}
	}
	// The fixture's timestamp_ms.
	var ts struct {
		MS string `json:"timestamp_ms"`
	}
	if err := json.Unmarshal(status, &ts); err != nil || ts.MS == "" {
		t.Fatalf("fixture has no timestamp_ms: %v", err)
	}
	ms, _ := strconv.ParseInt(ts.MS, 10, 64)
	if got := res.Parsed[0].Record.CollectedAt; !got.Equal(time.UnixMilli(ms)) {
		t.Errorf("CollectedAt = %v, want timestamp_ms %s", got, ts.MS)
	}
}

func TestDocumentShapes(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "python-twitter-v1.1")
	tests := []struct {
		name, in, err string
		records       int
		locator       string
	}{
		{"empty", "", "empty input", 0, ""},
		{"white space", " \n\t\n", "empty input", 0, ""},
		{"csv", "id,text\n1,a\n", "not valid JSON", 0, ""},
		{"truncated document", `[{"id_str": "1"}, {"id_str": `, "not valid JSON", 0, ""},
		{"search envelope", readFile(t, filepath.Join(dir, "get_search_raw.json")), "", 100, "L1#/statuses/0"},
		{"array", readFile(t, filepath.Join(dir, "get_retweets.json")), "", 14, "L1#/0"},
		{"single status", readFile(t, filepath.Join(dir, "get_status_with_place.json")), "", 1, "L1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := parsetest.Run(t, xv1.Parse, "in.json", []byte(tc.in), nil)
			if tc.err != "" {
				if res.Err == nil || !strings.Contains(res.Err.Error(), tc.err) || tahqiq.ErrorCode(res.Err) != tahqiq.EINVALID {
					t.Fatalf("err = %v, want EINVALID %q", res.Err, tc.err)
				}
				return
			}
			if res.Err != nil || len(res.Parsed) != tc.records || res.Parsed[0].Record.Locator != tc.locator {
				t.Fatalf("err %v, %d records, first locator %q; want %d, %q", res.Err, len(res.Parsed), res.Parsed[0].Record.Locator, tc.records, tc.locator)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Old v1.1 data caps counts as strings ("100+"): the metric is left out
// (absent, not zero) and the status kept; a number of the wrong kind for a
// member the importer reads rejects the record naming the member.
func TestCountsAndTypes(t *testing.T) {
	in := `{"id_str": "1", "created_at": "Sat Jan 23 20:19:45 +0000 2016", "text": "x", "user": {"id_str": "2", "followers_count": 5},` +
		` "retweet_count": "100+", "favorite_count": 3}` + "\n" +
		`{"id_str": "1", "created_at": "Sat Jan 23 20:19:45 +0000 2016", "text": 7, "user": {"id_str": "2"}}` + "\n"
	res := parsetest.Run(t, xv1.Parse, "in.jsonl", []byte(in), nil)
	if res.Err != nil || len(res.Parsed) != 2 {
		t.Fatalf("err %v, %d records", res.Err, len(res.Parsed))
	}
	p := res.Parsed[0]
	if p.Reject != "" || len(p.Posts) != 1 || !reflect.DeepEqual(p.Posts[0].Metrics, map[string]int64{"likes": 3}) ||
		p.Accounts[0].Followers != 5 || p.Accounts[0].Following != -1 {
		t.Errorf("capped count: reject %q posts %+v accounts %+v", p.Reject, p.Posts, p.Accounts)
	}
	if want := "not a v1.1 status: text is a number, want a string"; res.Parsed[1].Reject != want {
		t.Errorf("reject %q, want %q", res.Parsed[1].Reject, want)
	}
}

// Sniff on the first 64 KiB of every real fixture: every python-twitter
// file is v1.1, and no twarc2 (v2) file is.
func TestSniffFixtures(t *testing.T) {
	for _, set := range []struct {
		dir  []string
		want bool
	}{
		{[]string{"social", "python-twitter-v1.1"}, true},
		{[]string{"social", "twarc-csv-testdata"}, false},
	} {
		dir := parsetest.DataDir(t, set.dir...)
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasPrefix(filepath.Ext(path), ".json") {
				return err
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			head := make([]byte, 64<<10)
			n, _ := io.ReadFull(f, head)
			if format, ok := xv1.Sniff(head[:n]); ok != set.want || ok && format != xv1.Format {
				t.Errorf("Sniff(%s) = %q, %v; want %v", filepath.Base(path), format, ok, set.want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
