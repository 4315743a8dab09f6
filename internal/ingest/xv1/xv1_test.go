package xv1_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/ingest/xv1"
)

// Expected counts come from python3's json module: values = statuses of
// the envelope, array elements or lines; posts = distinct id_str of the
// statuses and their complete embedded retweeted/quoted statuses; retweets =
// values carrying retweeted_status.
func TestParseFixtures(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "python-twitter-v1.1")
	tests := []struct {
		file                   string
		records, posts, repost int
	}{
		{"get_search_raw.json", 100, 173, 74},
		{"streaming/lines.json", 72, 79, 0},
		{"get_user_timeline_count.json", 63, 99, 35},
		{"get_retweets.json", 14, 15, 14},
		{"get_statuses.1.json", 100, 100, 0},
		{"models/status_quoted_tweet.json", 1, 2, 0},
		{"streaming/streaming_extended_tweet.json", 1, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := parsetest.Run(t, xv1.Parse, filepath.Join(dir, tc.file), nil, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			posts := map[string]bool{}
			records, reposts := 0, 0
			for _, p := range res.Parsed {
				if p.Reject != "" {
					t.Errorf("%s rejected: %s", p.Record.Locator, p.Reject)
					continue
				}
				records++
				if len(p.Posts) > 0 && p.Posts[0].Kind == tahqiq.KindRepost {
					reposts++
				}
				for _, q := range p.Posts {
					posts[q.UID] = true
				}
			}
			if records != tc.records || len(posts) != tc.posts || reposts != tc.repost {
				t.Errorf("records %d posts %d reposts %d; want %d %d %d", records, len(posts), reposts, tc.records, tc.posts, tc.repost)
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
	for _, f := range []string{"get_search_raw.json", "streaming/lines.json", "get_user_timeline_count.json"} {
		res := parsetest.Run(t, xv1.Parse, filepath.Join(dir, f), nil, nil)
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				if strings.Contains(q.Text, "&") {
					escaped++
				}
				r := []rune(q.Text)
				for _, h := range q.Hashtags {
					if h.Start < 0 {
						continue
					}
					if got := string(r[h.Start:h.End]); !strings.EqualFold(got[1:], h.Text) {
						t.Errorf("%s: text[%d:%d] = %q, want #%s", q.UID, h.Start, h.End, got, h.Text)
					}
					checked++
				}
				for _, m := range q.Mentions {
					if m.Start < 0 {
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
	if checked < 200 || escaped == 0 {
		t.Fatalf("checked %d entities, %d unescaped texts", checked, escaped)
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
	for _, f := range []string{"get_status.json", "status_quoted_tweet.json"} {
		res := parsetest.Run(t, xv1.Parse, filepath.Join("testdata", f), nil, nil)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		parsetest.Check(t, res)
		parsetest.Golden(t, strings.TrimSuffix(f, ".json")+".golden.json", parsetest.Normalise(res))
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
	f.Fuzz(func(t *testing.T, data []byte) {
		parsetest.Check(t, parsetest.Run(t, xv1.Parse, "fuzz.json", data, nil))
	})
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(parsetest.DataDir(b, "social", "python-twitter-v1.1"), "get_search_raw.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, p := range parsetest.Run(b, xv1.Parse, "s.json", data, nil).Parsed {
			n += len(p.Posts)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tweets/s")
}
