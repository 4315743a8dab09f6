package genericcsv_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/genericcsv"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

const postsMap = "id=post_id,account=account_id,time=timestamp,time_format=unix,text=text,urls=urls,hashtags=hashtags,retweet_of=retweet_of,lang=language,platform=x"

// Expected counts from Python's csv module on the same file: 37,265 rows,
// 28,744 with retweet_of, 32,008 space-separated URLs, 32,406 hashtags,
// 371 distinct account_id values.
func TestRealPosts(t *testing.T) {
	path := parsetest.DataDir(t, "coord", "ira_2016_election_week.posts.csv")
	res := parsetest.Run(t, genericcsv.Parse, path, nil, map[string]string{"map": postsMap})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	records, rejects, posts, _ := res.Counts()
	var reposts, links, tags int
	authors := map[string]bool{}
	for _, p := range res.Parsed {
		for _, post := range p.Posts {
			if post.Kind == tahqiq.KindRepost {
				reposts++
			}
			links += len(post.Links)
			tags += len(post.Hashtags)
			authors[post.AuthorUID] = true
		}
	}
	if records != 37265 || rejects != 0 || posts != 37265 || reposts != 28744 || links != 32008 || tags != 32406 || len(authors) != 371 {
		t.Errorf("records %d rejects %d posts %d reposts %d links %d tags %d authors %d", records, rejects, posts, reposts, links, tags, len(authors))
	}
}

func TestHandmade(t *testing.T) {
	m := "id=post,account=user,account_name=name,time=created,text=body,url=link,urls=links,hashtags=tags,retweet_of=rt,reply_to=reply"
	res := parsetest.Run(t, genericcsv.Parse, "testdata/handmade_generic.csv", nil, map[string]string{"map": m})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	rows := res.Parsed[1:]
	wantRejects := []string{"", `line 3: id "9.06E+17" looks like a number a spreadsheet wrote`, `line 4: empty account (column "user")`, `line 5: time "08/02/2024" does not match`, "", "", `line 8: empty time`}
	for i, w := range wantRejects {
		if w == "" && rows[i].Reject != "" || !strings.HasPrefix(rows[i].Reject, w) {
			t.Errorf("line %d: reject %q, want %q", i+2, rows[i].Reject, w)
		}
	}
	first := rows[0].Posts[0]
	// hashtags and urls are mapped to (empty) columns: the text is not scanned for them.
	if first.UID != "other:1001" || first.URL != "https://example.com/p/1001" || len(first.Hashtags) != 0 || len(first.Links) != 0 ||
		len(first.Mentions) != 1 || first.Mentions[0].Text != "ecp" || rows[0].Accounts[0].Name != "User One" || first.Precision != tahqiq.PrecisionSecond {
		t.Errorf("first = %+v", first)
	}
	rt := rows[4].Posts[0]
	wantLinks := []tahqiq.Link{{URL: "https://a.org/x", Start: -1, End: -1}, {URL: "https://b.org/y", Start: -1, End: -1}}
	if diff := cmp.Diff(wantLinks, rt.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if rt.Kind != tahqiq.KindRepost || rt.References[0].TargetUID != "other:1001" || len(rt.Hashtags) != 2 || rt.Hashtags[1].Text != "two" {
		t.Errorf("retweet = %+v", rt)
	}
	if reply := rows[5].Posts[0]; reply.Kind != tahqiq.KindReply || reply.Precision != tahqiq.PrecisionMinute {
		t.Errorf("reply = %+v", reply)
	}
}

// A research CSV without post ids or times (the botocracy copypasta data:
// user_id and text only) imports: the id of a post is its file and line,
// and a post without a time has none (precision "none"), never a made-up
// one.
func TestWithoutIDOrTime(t *testing.T) {
	in := parsetest.ReadFile(t, "testdata/botocracy_head12.csv")
	src := tahqiq.Source{Name: "data/botocracy_head12.csv", R: bytes.NewReader(in), Options: map[string]string{"map": "account=user_id,text=text"},
		SHA256: "3f2a9c00d1e45b6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f"}
	var res parsetest.Result
	res.Err = genericcsv.Parse(context.Background(), src, func(p *tahqiq.Parsed) error {
		res.Parsed = append(res.Parsed, p)
		return nil
	})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	records, rejects, posts, _ := res.Counts()
	if records != 12 || rejects != 0 || posts != 12 {
		t.Fatalf("records %d rejects %d posts %d", records, rejects, posts)
	}
	uids := map[string]bool{}
	for _, p := range res.Parsed[1:] {
		post := p.Posts[0]
		want := "other:botocracy_head12.csv@3f2a9c00d1e4:L" + strconv.FormatInt(p.Record.Line, 10)
		if post.UID != want || post.PlatformID != strings.TrimPrefix(want, "other:") || !post.CreatedAt.IsZero() || post.CreatedAtRaw != "" ||
			post.Precision != tahqiq.PrecisionNone || post.Text == "" || !strings.HasPrefix(post.AuthorUID, "other:x") {
			t.Errorf("%s: post %+v, want UID %s, no time", p.Record.Locator, post, want)
		}
		uids[post.UID] = true
	}
	if len(uids) != 12 {
		t.Errorf("%d distinct UIDs, want 12", len(uids))
	}
	// Without the file's SHA-256 (a parser called on its own) the id is
	// the file's base name and the line.
	res = parsetest.Run(t, genericcsv.Parse, "testdata/botocracy_head12.csv", nil, map[string]string{"map": "account=user_id,text=text"})
	if res.Err != nil || res.Parsed[1].Posts[0].UID != "other:botocracy_head12.csv:L2" {
		t.Errorf("without a SHA-256: %v, %+v", res.Err, res.Parsed[1].Posts)
	}
}

func TestTimeFormats(t *testing.T) {
	tests := []struct {
		format, in string
		want       string
		prec       tahqiq.Precision
	}{
		{"unix", "1707382800", "2024-02-08T09:00:00Z", tahqiq.PrecisionSecond},
		{"unixms", "1707382800123", "2024-02-08T09:00:00.123Z", tahqiq.PrecisionMillisecond},
		{"rfc3339", "2024-02-08T14:00:00+05:00", "2024-02-08T09:00:00Z", tahqiq.PrecisionSecond},
		{"02/01/2006", "08/02/2024", "2024-02-08T00:00:00Z", tahqiq.PrecisionDay},
		{"2006-01-02 15:04 MST", "2024-02-08 14:00 UTC", "2024-02-08T14:00:00Z", tahqiq.PrecisionMinute},
	}
	for _, tc := range tests {
		in := "id,acc,t\n1,a," + tc.in + "\n"
		res := parsetest.Run(t, genericcsv.Parse, "t.csv", []byte(in), map[string]string{"map": "id=id,account=acc,time=t,time_format=" + tc.format})
		if res.Err != nil || res.Parsed[1].Reject != "" {
			t.Fatalf("%s: err %v reject %q", tc.format, res.Err, res.Parsed[1].Reject)
		}
		p := res.Parsed[1].Posts[0]
		if !p.CreatedAt.Equal(parsetest.Time(tc.want)) || p.Precision != tc.prec || p.CreatedAtRaw != tc.in {
			t.Errorf("%s %q: %v %s, want %s %s", tc.format, tc.in, p.CreatedAt, p.Precision, tc.want, tc.prec)
		}
	}
}

func TestInvalidInput(t *testing.T) {
	for _, tc := range []struct{ name, in, m, msg string }{
		{"no map", "a\n1\n", "", "needs a column map"},
		{"unknown key", "a\n1\n", "id=a,account=a,time=a,colour=a", `unknown key "colour"`},
		{"required", "a\n1\n", "id=a,time=a", `"account" is required`},
		{"missing column", "a,b\n1,2\n", "id=a,account=b,time=created", `in.csv: missing column "created" (mapped to time)`},
		{"empty", "", "id=a,account=a,time=a", "empty input"},
		{"bad platform", "a\n1\n", "id=a,account=a,time=a,platform=myspace", `missing column "myspace"`},
	} {
		res := parsetest.Run(t, genericcsv.Parse, "in.csv", []byte(tc.in), map[string]string{"map": tc.m})
		parsetest.WantInvalid(t, res.Err, tc.msg)
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct{ file, m string }{
		{"ira_2016_election_week_head30.posts.csv", postsMap},
		{"handmade_generic.csv", "id=post,account=user,account_name=name,time=created,text=body,url=link,urls=links,hashtags=tags,retweet_of=rt,reply_to=reply"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := filepath.Join("testdata", tc.file)
			parsetest.GoldenOf(t, f, parsetest.MustParse(t, genericcsv.Parse, f, map[string]string{"map": tc.m}))
		})
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{"testdata/handmade_generic.csv", "testdata/ira_2016_election_week_head30.posts.csv", "testdata/botocracy_head12.csv"}
	parsetest.FuzzParse(f, genericcsv.Parse, "fuzz.csv", seeds, func(in []byte) map[string]string {
		switch {
		case bytes.HasPrefix(in, []byte("account_id")):
			return map[string]string{"map": postsMap}
		case bytes.HasPrefix(in, []byte("user_id")):
			return map[string]string{"map": "account=user_id,text=text"} // no id, no time
		}
		return map[string]string{"map": "id=post,account=user,time=created,text=body,urls=links,hashtags=tags,retweet_of=rt,reply_to=reply"}
	})
}

func BenchmarkParse(b *testing.B) {
	data := parsetest.ReadFile(b, parsetest.DataDir(b, "coord", "ira_2016_election_week.posts.csv"))
	parsetest.Bench(b, genericcsv.Parse, "bench", data, map[string]string{"map": postsMap})
}

func TestTextScanWhenUnmapped(t *testing.T) {
	in := "id,acc,t,body\n1,a,1707382800,\"ووٹ #فارم45 https://e.org/x @ecp\"\n"
	res := parsetest.Run(t, genericcsv.Parse, "t.csv", []byte(in), map[string]string{"map": "id=id,account=acc,time=t,text=body"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	p := res.Parsed[1].Posts[0]
	want := []tahqiq.Entity{{Text: "فارم45", Start: 4, End: 11}}
	if diff := cmp.Diff(want, p.Hashtags); diff != "" || len(p.Links) != 1 || p.Links[0].Start != 12 || len(p.Mentions) != 1 {
		t.Errorf("hashtags (-want +got):\n%s links %+v mentions %+v", diff, p.Links, p.Mentions)
	}
}
