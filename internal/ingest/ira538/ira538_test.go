package ira538_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/ira538"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// Expected counts come from Python's csv module, independently of this code:
//
//	python3 -c "import csv,collections as c; r=list(csv.DictReader(open(F,newline='')));
//	  print(len(r), c.Counter(x['post_type'] for x in r))"
//
// and, for the derived ids of the bet4a file, the number of distinct
// (author_id.lower(), publish_date, harvested_date, updates, content) tuples
// (36,341; 924 rows are exact duplicates of another row).
func TestParseRealFiles(t *testing.T) {
	tests := []struct {
		path                          []string
		records, reposts, quotes      int
		distinctPosts, distinctAuthor int
	}{
		{[]string{"ira-538-sample", "IRAhandle_tweets_sample.csv"}, 100, 33, 1, 100, 1},
		{[]string{"ira-538-by-author", "tweets_2016-11-01_to_2016-11-10.csv"}, 37265, 28744, 364, 36341, 371},
	}
	for _, tc := range tests {
		t.Run(tc.path[1], func(t *testing.T) {
			path := parsetest.DataDir(t, append([]string{"social"}, tc.path...)...)
			res := parsetest.Run(t, ira538.Parse, path, nil, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			records, rejects, posts, _ := res.Counts()
			if records != tc.records || rejects != 0 || posts != tc.records {
				t.Errorf("records, rejects, posts = %d, %d, %d, want %d, 0, %d", records, rejects, posts, tc.records, tc.records)
			}
			uids, authors := map[string]bool{}, map[string]bool{}
			var reposts, quotes int
			for _, p := range res.Parsed {
				for _, post := range p.Posts {
					uids[post.UID] = true
					authors[post.AuthorUID] = true
					switch post.Kind {
					case tahqiq.KindRepost:
						reposts++
						if len(post.References) != 1 || post.References[0] != (tahqiq.Reference{Type: tahqiq.RefRetweetOf}) {
							t.Fatalf("%s: repost references %+v, want one retweet_of with unknown target", p.Record.Locator, post.References)
						}
					case tahqiq.KindQuote:
						quotes++
					}
					if post.Precision != tahqiq.PrecisionMinute {
						t.Fatalf("%s: precision %q", p.Record.Locator, post.Precision)
					}
					if strings.ContainsAny(post.PlatformID, "E.+") {
						t.Fatalf("%s: float-looking id %q", p.Record.Locator, post.PlatformID)
					}
				}
			}
			if reposts != tc.reposts || quotes != tc.quotes || len(uids) != tc.distinctPosts || len(authors) != tc.distinctAuthor {
				t.Errorf("reposts %d quotes %d posts %d authors %d, want %d %d %d %d", reposts, quotes, len(uids), len(authors),
					tc.reposts, tc.quotes, tc.distinctPosts, tc.distinctAuthor)
			}
		})
	}
}

func TestAuthors(t *testing.T) {
	path := parsetest.DataDir(t, "social", "ira-538-by-author", "authors.csv")
	res := parsetest.Run(t, ira538.Parse, path, nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	records, rejects, _, accounts := res.Counts()
	if records != 2856 || rejects != 0 || accounts != 2856 { // wc: 2,857 lines, no quoted newlines
		t.Errorf("records, rejects, accounts = %d, %d, %d, want 2856, 0, 2856", records, rejects, accounts)
	}
	a := res.Parsed[1].Accounts[0]
	if a.UID != "x:@10_gop" || len(a.Labels) != 2 || a.Labels[0] != (tahqiq.Label{Scheme: "538:account_category", Value: "RightTroll"}) {
		t.Errorf("first account = %+v", a)
	}
}

func TestSample(t *testing.T) {
	res := parsetest.Run(t, ira538.Parse, "testdata/IRAhandle_tweets_sample.csv", nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	p := res.Parsed[1].Posts[0]
	want := tahqiq.Post{UID: "x:914580356430536707", PlatformID: "914580356430536707", AuthorUID: "x:@10_gop",
		CreatedAt: parsetest.Time("2017-10-01T19:58:00Z"), CreatedAtRaw: "10/1/17 19:58"}
	if p.UID != want.UID || p.PlatformID != want.PlatformID || p.AuthorUID != want.AuthorUID || !p.CreatedAt.Equal(want.CreatedAt) || p.CreatedAtRaw != want.CreatedAtRaw {
		t.Errorf("first post = %+v", p)
	}
	if len(p.Links) != 1 || p.Links[0].URL != "https://t.co/gh6g0D1oiC" || p.Links[0].Expanded != "https://twitter.com/10_gop/status/914580356430536707/video/1" {
		t.Errorf("links = %+v", p.Links)
	}
	if len(p.Mentions) != 1 || p.Mentions[0].Text != "nedryun" {
		t.Errorf("mentions = %+v", p.Mentions)
	}
}

func TestHandmade(t *testing.T) {
	res := parsetest.Run(t, ira538.Parse, "testdata/handmade_rows.csv", nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := []string{
		`line 2: tweet_id "9.1458E+17" is not an integer id`,
		"",
		"line 4: tweet_id 914580356430536708 differs",
		`line 5: publish_date "2017-13-45 19:58"`,
		"line 6: empty author",
		`line 7: unknown post_type "REPLY"`,
		"",
	}
	got := res.Parsed[1:]
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i, w := range want {
		if w == "" && got[i].Reject != "" || !strings.HasPrefix(got[i].Reject, w) {
			t.Errorf("row %d: reject %q, want prefix %q", i+2, got[i].Reject, w)
		}
	}
	links := got[6].Posts[0].Links
	if len(links) != 2 || links[1].Expanded != "https://b.org/" || links[1].URL != "https://t.co/b" {
		t.Errorf("paired links = %+v", links)
	}
	if a := got[6].Accounts[0]; a.Followers != -1 || a.PostsCount != -1 {
		t.Errorf("missing counts = %d, %d, want -1", a.Followers, a.PostsCount)
	}
}

func TestDerivedIDStable(t *testing.T) {
	// The same row with other quoting and another column order gets the same id.
	a := "author_id,content,publish_date,harvested_date,updates,post_type,retweet\nKate,\"hi, there\",2016-11-01 00:01:00,2016-11-01 00:02:00,5,R,1\n"
	b := "post_type,updates,harvested_date,publish_date,content,author_id\n\"R\",\"5\",\"2016-11-01 00:02:00\",\"2016-11-01 00:01:00\",\"hi, there\",\"kate\"\n"
	ra := parsetest.Run(t, ira538.Parse, "a.csv", []byte(a), nil)
	rb := parsetest.Run(t, ira538.Parse, "b.csv", []byte(b), nil)
	if ra.Err != nil || rb.Err != nil {
		t.Fatal(ra.Err, rb.Err)
	}
	ua, ub := ra.Parsed[1].Posts[0].UID, rb.Parsed[1].Posts[0].UID
	if ua != ub || !strings.HasPrefix(ua, "x:ira538:") || len(ua) != len("x:ira538:")+32 {
		t.Errorf("UIDs %q and %q", ua, ub)
	}
}

func TestInvalidInput(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"empty", "", "empty input"},
		{"no content", "author,publish_date,post_type\n", `missing column "content"`},
		{"no author", "content,publish_date,post_type\n", `missing column "author"`},
	}
	for _, tc := range tests {
		res := parsetest.Run(t, ira538.Parse, "in.csv", []byte(tc.in), nil)
		parsetest.WantInvalid(t, res.Err, tc.msg)
	}
}

func TestGolden(t *testing.T) {
	for _, f := range parsetest.Fixtures(t, "testdata/*.csv") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if fm, ok := ira538.Sniff(parsetest.ReadFile(t, f)); !ok || fm != ira538.Format {
				t.Errorf("Sniff = %q, %v", fm, ok)
			}
			parsetest.GoldenOf(t, f, parsetest.MustParse(t, ira538.Parse, f, nil))
		})
	}
}

func FuzzParse(f *testing.F) {
	parsetest.FuzzParse(f, ira538.Parse, "fuzz.csv", parsetest.Fixtures(f, "testdata/*.csv"), nil)
}

func BenchmarkParse(b *testing.B) {
	data := parsetest.ReadFile(b, parsetest.DataDir(b, "social", "ira-538-by-author", "tweets_2016-11-01_to_2016-11-10.csv"))
	parsetest.Bench(b, ira538.Parse, "bench", data, nil)
}
