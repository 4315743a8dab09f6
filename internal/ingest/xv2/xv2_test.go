package xv2_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/ingest/xv2"
)

// Expected counts were established independently with python3's json
// module: records = non-empty lines, posts = distinct ids of data tweets
// plus the referenced tweets present in includes.tweets, accounts =
// distinct includes.users ids (plus data users of a users page).
func TestParseFixtures(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	tests := []struct {
		file                              string
		records, rejects, posts, accounts int
		kind                              tahqiq.RecordKind
	}{
		{"2sets.jsonl", 2, 0, 276, 289, tahqiq.RecordPost},
		{"brexit.jsonl", 1, 0, 155, 177, tahqiq.RecordPost},
		{"kpop.jsonl", 1, 0, 121, 112, tahqiq.RecordPost},
		{"noflat.jsonl", 1, 0, 164, 178, tahqiq.RecordPost},
		{"entities_test.jsonl", 1, 0, 650, 612, tahqiq.RecordPost},
		{"geo_tweets.jsonl", 2, 0, 3, 4, tahqiq.RecordPost},
		{"streaming_output_with_error.jsonl", 7, 1, 11, 11, tahqiq.RecordPost},
		{"users.jsonl", 1, 0, 0, 91, tahqiq.RecordAccount},
		{"counts.jsonl", 1, 0, 0, 0, tahqiq.RecordCount},
		{"tweets_compliance.jsonl", 2, 0, 0, 0, tahqiq.RecordCompliance},
		{"users_compliance.jsonl", 2, 0, 0, 0, tahqiq.RecordCompliance},
		{"lists.jsonl", 2, 0, 0, 0, tahqiq.RecordOther},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := parsetest.Run(t, xv2.Parse, filepath.Join(dir, tc.file), nil, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			posts, accounts := map[string]bool{}, map[string]bool{}
			records, rejects := 0, 0
			for _, p := range res.Parsed {
				if p.Reject != "" {
					rejects++
					continue
				}
				records++
				if p.Record.Kind != tc.kind {
					t.Errorf("%s: kind %q, want %q", p.Record.Locator, p.Record.Kind, tc.kind)
				}
				for _, q := range p.Posts {
					posts[q.UID] = true
				}
				for _, a := range p.Accounts {
					accounts[a.UID] = true
				}
			}
			if records != tc.records || rejects != tc.rejects || len(posts) != tc.posts || len(accounts) != tc.accounts {
				t.Errorf("records %d rejects %d posts %d accounts %d; want %d %d %d %d",
					records, rejects, len(posts), len(accounts), tc.records, tc.rejects, tc.posts, tc.accounts)
			}
		})
	}
}

func TestTruncatedLastLine(t *testing.T) {
	res := parsetest.Run(t, xv2.Parse, filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "streaming_output_with_error.jsonl"), nil, nil)
	last := res.Parsed[len(res.Parsed)-1]
	if last.Record.Line != 8 || !strings.Contains(last.Reject, "truncated") {
		t.Fatalf("last record: line %d reject %q; want line 8 rejected as truncated", last.Record.Line, last.Reject)
	}
}

// flat.jsonl holds the same tweets as noflat.jsonl, flattened: both must
// give the same posts with the same derived fields.
func TestFlatEqualsNoflat(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	collect := func(name string) map[string]tahqiq.Post {
		res := parsetest.Run(t, xv2.Parse, filepath.Join(dir, name), nil, nil)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		out := map[string]tahqiq.Post{}
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				q.URL = "" // the flat file lacks some includes users, so permalinks may use /i/
				out[q.UID] = q
			}
		}
		return out
	}
	flat, noflat := collect("flat.jsonl"), collect("noflat.jsonl")
	if len(flat) != 164 || len(noflat) != 164 {
		t.Fatalf("flat %d posts, noflat %d; want 164 each", len(flat), len(noflat))
	}
	for uid, a := range noflat {
		b, ok := flat[uid]
		if !ok {
			t.Errorf("%s in noflat only", uid)
			continue
		}
		if a.Kind != b.Kind || a.Text != b.Text || a.TextFull != b.TextFull || !a.CreatedAt.Equal(b.CreatedAt) ||
			len(a.Hashtags) != len(b.Hashtags) || len(a.Links) != len(b.Links) || len(a.References) != len(b.References) {
			t.Errorf("%s differs:\nnoflat %+v\nflat   %+v", uid, a, b)
		}
	}
}

// v2 entity offsets count code points: on every tweet of the fixtures
// with astral-plane emoji, each hashtag slices the text to "#tag".
func TestHashtagOffsetsAreCodePoints(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	checked := 0
	for _, f := range []string{"2sets.jsonl", "entities_test.jsonl", "kpop.jsonl", "brexit.jsonl"} {
		res := parsetest.Run(t, xv2.Parse, filepath.Join(dir, f), nil, nil)
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				if !hasAstral(q.Text) {
					continue
				}
				r := []rune(q.Text)
				for _, h := range q.Hashtags {
					if got := string(r[h.Start:h.End]); !strings.EqualFold(strings.TrimLeft(got, "#＃"), h.Text) {
						t.Errorf("%s: text[%d:%d] = %q, want #%s", q.UID, h.Start, h.End, got, h.Text)
					}
					checked++
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d hashtags in emoji tweets checked", checked)
	}
}

func hasAstral(s string) bool {
	for _, r := range s {
		if r > 0xFFFF {
			return true
		}
	}
	return false
}

func TestRetweetResolvesIncludes(t *testing.T) {
	res := parsetest.Run(t, xv2.Parse, "testdata/two_tweets.jsonl", nil, nil)
	parsetest.Check(t, res)
	var rt *tahqiq.Post
	for _, p := range res.Parsed {
		for i := range p.Posts {
			if p.Posts[i].PlatformID == "1394735776701816833" {
				rt = &p.Posts[i]
			}
		}
	}
	if rt == nil {
		t.Fatal("retweet 1394735776701816833 not parsed")
	}
	// From the fixture (formats.md §1.1): the retweet of 1391677057810288641
	// by author 1380086327023169540, whose text is "#POIUYTREWQ".
	want := tahqiq.Reference{Type: tahqiq.RefRetweetOf, TargetID: "1391677057810288641", TargetUID: "x:1391677057810288641",
		TargetAccountID: "1380086327023169540", TargetCreatedAt: parsetest.Time("2021-05-10T08:50:41Z").Unix()}
	if rt.Kind != tahqiq.KindRepost || len(rt.References) != 1 || rt.References[0].Type != want.Type || rt.References[0].TargetID != want.TargetID ||
		rt.References[0].TargetAccountID != want.TargetAccountID || rt.References[0].TargetCreatedAt != want.TargetCreatedAt || rt.TextFull != "#POIUYTREWQ" ||
		rt.URL != "https://x.com/LachiVeronica/status/1394735776701816833" || rt.AuthorUID != "x:1379899464345923590" {
		t.Errorf("retweet = %+v", *rt)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, in, reject, err string
	}{
		{"float id", `{"id": 9.06E+17, "text": "x", "author_id": "1", "created_at": "2021-05-18T19:24:56.000Z"}`, "not a digit string", ""},
		{"bad time", `{"id": "1", "text": "x", "author_id": "1", "created_at": "yesterday"}`, `created_at "yesterday"`, ""},
		{"no author", `{"id": "1", "text": "x", "created_at": "2021-05-18T19:24:56.000Z"}`, "no author_id", ""},
		{"other object", `{"hello": "world"}`, "not a v2 page", ""},
		{"empty", "  \n", "", "empty input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := parsetest.Run(t, xv2.Parse, "in.jsonl", []byte(tc.in), nil)
			if tc.err != "" {
				if res.Err == nil || !strings.Contains(res.Err.Error(), tc.err) || tahqiq.ErrorCode(res.Err) != tahqiq.EINVALID {
					t.Fatalf("err = %v, want %q", res.Err, tc.err)
				}
				return
			}
			if len(res.Parsed) != 1 || !strings.Contains(res.Parsed[0].Reject, tc.reject) {
				t.Fatalf("parsed %d records, first reject %q; want %q", len(res.Parsed), firstReject(res), tc.reject)
			}
		})
	}
}

func firstReject(res parsetest.Result) string {
	if len(res.Parsed) == 0 {
		return ""
	}
	return res.Parsed[0].Reject
}

func TestGolden(t *testing.T) {
	for _, f := range []string{"two_tweets.jsonl", "tweets_compliance.jsonl", "edited.jsonl"} {
		t.Run(f, func(t *testing.T) {
			res := parsetest.Run(t, xv2.Parse, filepath.Join("testdata", f), nil, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			for _, p := range res.Parsed {
				sort.Slice(p.Posts, func(i, j int) bool { return p.Posts[i].UID < p.Posts[j].UID })
				sort.Slice(p.Accounts, func(i, j int) bool { return p.Accounts[i].UID < p.Accounts[j].UID })
			}
			parsetest.Golden(t, strings.TrimSuffix(f, ".jsonl")+".golden.json", parsetest.Normalise(res))
		})
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		ok   bool
	}{
		{`{"data": [{"author_id": "1"`, true},
		{`[{"id": "1", "text": "x", "edit_history_tweet_ids": ["1"]}]`, true},
		{`{"id":"1","action":"delete","created_at":"x","reason":"protected"}`, true},
		{`{"created_at": "Sat Jan 23", "id_str": "1", "author_id": "1"}`, false}, // v1.1
		{"account_id,post_id", false},
	}
	for _, tc := range tests {
		if _, ok := xv2.Sniff([]byte(tc.head)); ok != tc.ok {
			t.Errorf("Sniff(%q) = %v, want %v", tc.head, ok, tc.ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/two_tweets.jsonl", "testdata/tweets_compliance.jsonl", "testdata/edited.jsonl"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := parsetest.Run(t, xv2.Parse, "fuzz.jsonl", data, nil)
		parsetest.Check(t, res)
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				if !utf8.ValidString(q.PlatformID) || strings.ContainsAny(q.PlatformID, ".eE+-") {
					t.Fatalf("bad id %q", q.PlatformID)
				}
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	path := filepath.Join(parsetest.DataDir(b, "social", "twarc-csv-testdata"), "2sets.jsonl")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	tweets := 0
	for i := 0; i < b.N; i++ {
		res := parsetest.Run(b, xv2.Parse, "2sets.jsonl", data, nil)
		for _, p := range res.Parsed {
			tweets += len(p.Posts)
		}
	}
	b.ReportMetric(float64(tweets)/b.Elapsed().Seconds(), "tweets/s")
}
