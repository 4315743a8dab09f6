package events_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/events"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// Expected counts were established independently with Python's csv module:
//
//	python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1],newline='')));
//	  print(len(r), len({x.get('post_id') or x.get('content_id') for x in r}))" FILE
//
// and agree with shared/data/coord/README.md.
func TestParseRealFiles(t *testing.T) {
	tests := []struct {
		path    []string
		format  string
		rows    int
		posts   int // distinct post ids
		objType tahqiq.ObjectType
	}{
		{[]string{"coord", "russian_coord_tweets.events.csv"}, events.FormatEvents, 35125, 35085, tahqiq.ObjRetweet},
		{[]string{"coord", "german_elections_2021.events.csv"}, events.FormatEvents, 157568, 99694, ""},
		{[]string{"coord", "ira_2016_election_week.events.csv"}, events.FormatEvents, 54459, 37265, ""},
		{[]string{"social", "coortweet", "russian_coord_tweets.csv"}, events.FormatCooRTweet, 35125, 35085, tahqiq.ObjRetweet},
		// CooRTweet's wide layout: 218,971 rows, 3 of them without a
		// post id (rejects), 194,323 distinct post ids.
		{[]string{"social", "coortweet", "german_elections.csv.gz"}, events.FormatCooRTweet, 218971 - 3, 194323, ""},
	}
	for _, tc := range tests {
		t.Run(tc.path[len(tc.path)-1], func(t *testing.T) {
			path := parsetest.DataDir(t, tc.path...)
			var data []byte
			if strings.HasSuffix(path, ".gz") {
				data = gunzip(t, path)
			}
			head := readHead(t, path)
			if data != nil {
				head = data[:64<<10]
			}
			if f, ok := events.Sniff(head); !ok || f != tc.format {
				t.Fatalf("Sniff = %q, %v, want %q", f, ok, tc.format)
			}
			parse := events.ParseEvents
			if tc.format == events.FormatCooRTweet {
				parse = events.ParseCooRTweet
			}
			res := parsetest.Run(t, parse, path, data, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			records, rejects, posts, _ := res.Counts()
			wantRejects := 0
			if data != nil {
				wantRejects = 3
			}
			if records != tc.rows || rejects != wantRejects || posts != tc.rows {
				t.Errorf("records, rejects, posts = %d, %d, %d, want %d, %d, %d", records, rejects, posts, tc.rows, wantRejects, tc.rows)
			}
			uids := map[string]bool{}
			for _, p := range res.Parsed {
				if p.Reject != "" && !strings.Contains(p.Reject, "empty post id") {
					t.Errorf("%s: %s", p.Record.Locator, p.Reject)
				}
				for _, post := range p.Posts {
					uids[post.UID] = true
					for _, o := range post.Objects {
						if tc.objType != "" && o.Type != tc.objType {
							t.Fatalf("%s: object type %q, want %q", p.Record.Locator, o.Type, tc.objType)
						}
						if o.Type == "phash" {
							t.Fatalf("%s: phash not mapped to image", p.Record.Locator)
						}
					}
				}
			}
			if len(uids) != tc.posts {
				t.Errorf("distinct post UIDs = %d, want %d", len(uids), tc.posts)
			}
		})
	}
}

func gunzip(tb testing.TB, path string) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func readHead(tb testing.TB, path string) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	return head[:n]
}

func TestGolden(t *testing.T) {
	for _, f := range parsetest.Fixtures(t, "testdata/*.csv") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			parsetest.GoldenOf(t, f, parsetest.MustParse(t, events.Parse, f, nil))
		})
	}
}

func TestRejects(t *testing.T) {
	res := parsetest.Run(t, events.Parse, "testdata/handmade_rejects.events.csv", nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := map[int64]string{ // line -> reject fragment ("" = accepted)
		2:  "",
		3:  "not integer unix seconds",
		4:  "empty post id",
		5:  "empty object value",
		6:  "empty account id",
		7:  `not integer unix seconds: "9.06E+17"`,
		8:  "unknown object_type banana",
		9:  "5 fields, header has 6",
		10: "invalid UTF-8",
		12: "",
		14: "",
		// spreadsheet-mangled ids are never used (formats.md §0 rule 2)
		15: `post_id "7.9e+17" looks like a number a spreadsheet wrote`,
		16: `account_id "1.2E+18" looks like a number a spreadsheet wrote`,
		17: `object_value "9.06E+17" looks like a number a spreadsheet wrote`,
		18: "", // a hashtag 1e5 is no id
		19: `post_id "123.0" looks like a number a spreadsheet wrote`,
	}
	got := map[int64]string{}
	for _, p := range res.Parsed[1:] {
		got[p.Record.Line] = p.Reject
	}
	for line, frag := range want {
		r, ok := got[line]
		if !ok {
			t.Errorf("no record at line %d (got %v)", line, got)
			continue
		}
		if frag == "" && r != "" || frag != "" && !strings.Contains(r, frag) {
			t.Errorf("line %d: reject %q, want %q", line, r, frag)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d records, want %d: %v", len(got), len(want), got)
	}
	// The BOM is not part of the header key and offsets count it.
	first := res.Parsed[1]
	if !bytes.HasPrefix(first.Record.Raw, []byte(`{"account_id":"a1"`)) || first.Record.Offset != 67 {
		t.Errorf("first row raw %s offset %d", first.Record.Raw, first.Record.Offset)
	}
	var last tahqiq.Post
	for _, p := range res.Parsed {
		if p.Record.Line == 14 {
			last = p.Posts[0]
		}
	}
	if last.Objects[0] != (tahqiq.Object{Type: tahqiq.ObjImage, Value: "ab12"}) || last.UID != "other:p11" || last.AuthorUID != "other:a11" {
		t.Errorf("last post %+v", last)
	}
}

// CooRTweet tables reject spreadsheet-mangled ids too: the post
// (content_id), the account and, for the default retweet objects, the
// retweeted post (object_id).
func TestCooRTweetFloatIDs(t *testing.T) {
	in := "object_id,account_id,content_id,timestamp_share\n" +
		"t1,a1,7.9e+17,1623881091\n" +
		"t1,7.9e+17,p2,1623881091\n" +
		"7.9e+17,a3,p3,1623881091\n" +
		"t1,a4,p4,1623881091\n"
	res := parsetest.Run(t, events.Parse, "x.csv", []byte(in), nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := []string{"content_id", "account_id", "object_id", ""}
	for i, w := range want {
		p := res.Parsed[i+1]
		if w == "" && p.Reject != "" || w != "" && !strings.Contains(p.Reject, w+` "7.9e+17" looks like a number a spreadsheet wrote`) {
			t.Errorf("line %d: reject %q, want one naming %s", p.Record.Line, p.Reject, w)
		}
	}
}

// CooRTweet's wide layout (its german_elections data): one post per row
// with the objects of its non-empty object columns, a row without any
// object is a post that shares nothing, timestamps may carry a fraction.
func TestWideLayout(t *testing.T) {
	in := "\"account_id\",\"post_id\",\"url_id\",\"hashtag_id\",\"domain_id\",\"phash_id\",\"timestamp\"\n" +
		"\"fb_1\",10,23678,,3498,,1629589836\n" +
		"\"tw_2\",11,,,,,1629589069.25\n" +
		"\"tw_2\",,,5,,,1629589069\n" +
		"\"tw_3\",7.9e+17,,5,,,1629589069\n" +
		"\"tw_3\",12,,5,,,1.6e+09\n" +
		"\"tw_3\",13,,,,9280,1629589022\n"
	if f, ok := events.Sniff([]byte(in)); !ok || f != events.FormatCooRTweet {
		t.Fatalf("Sniff = %q, %v", f, ok)
	}
	res := parsetest.Run(t, events.ParseCooRTweet, "w.csv", []byte(in), nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	if len(res.Parsed) != 7 || res.Parsed[0].Record.Locator != "L1#header" {
		t.Fatalf("%d records, first %s", len(res.Parsed), res.Parsed[0].Record.Locator)
	}
	p := res.Parsed[1].Posts[0]
	want := []tahqiq.Object{{Type: tahqiq.ObjURL, Value: "23678"}, {Type: tahqiq.ObjDomain, Value: "3498"}}
	if p.UID != "other:10" || p.AuthorUID != "other:fb_1" || p.Kind != tahqiq.KindOriginal || !reflect.DeepEqual(p.Objects, want) ||
		p.CreatedAt.Unix() != 1629589836 || p.Precision != tahqiq.PrecisionSecond {
		t.Errorf("row 2: %+v", p)
	}
	if p := res.Parsed[2].Posts[0]; len(p.Objects) != 0 || p.CreatedAt.UnixMilli() != 1629589069250 || p.Precision != tahqiq.PrecisionMillisecond {
		t.Errorf("row 3 (no object, fraction): %+v", p)
	}
	for i, frag := range map[int]string{3: "empty post id", 4: `post_id "7.9e+17" looks like a number a spreadsheet wrote`, 5: `timestamp is not unix seconds: "1.6e+09"`} {
		if r := res.Parsed[i].Reject; !strings.Contains(r, frag) {
			t.Errorf("row %d: reject %q, want %q", i+1, r, frag)
		}
	}
	if p := res.Parsed[6].Posts[0]; !reflect.DeepEqual(p.Objects, []tahqiq.Object{{Type: tahqiq.ObjImage, Value: "9280"}}) {
		t.Errorf("row 7: %+v", p.Objects)
	}
}

func TestOptions(t *testing.T) {
	in := "object_id,account_id,content_id,timestamp_share\nhttps://e.org/,acc,post,1623881091\n"
	res := parsetest.Run(t, events.Parse, "x.csv", []byte(in), map[string]string{"object_type": "url", "platform": "x"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	p := res.Parsed[1].Posts[0]
	if p.UID != "x:post" || p.AuthorUID != "x:acc" || p.Objects[0].Type != tahqiq.ObjURL || p.Kind != tahqiq.KindOriginal {
		t.Errorf("post = %+v", p)
	}
	res = parsetest.Run(t, events.Parse, "x.csv", []byte(in), map[string]string{"object_type": "nope"})
	if tahqiq.ErrorCode(res.Err) != tahqiq.EINVALID {
		t.Errorf("bad object_type option: err = %v, want EINVALID", res.Err)
	}
}

func TestInvalidInput(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"empty", "", "empty input"},
		{"bom only", "\xef\xbb\xbf", "empty input"},
		{"missing column", "account_id,post_id,timestamp,object_type\n", `missing column "object_value"`},
		{"coortweet wide without object columns", "account_id,post_id,timestamp\n", `missing column "object_type"`},
		// a format named with --format says what it lacks in its own terms
		{"events forced on CooRTweet's table", "object_id,account_id,content_id,timestamp_share\n", `missing column "post_id"`},
		{"coortweet forced on an events table", "account_id,post_id,timestamp,time_utc,object_type,object_value\n", "not a CooRTweet table: want the columns object_id,account_id,content_id,timestamp_share"},
		{"coortweet forced on another table", "user,text\n", "or account_id,post_id,timestamp with one or more of url_id, hashtag_id, domain_id, phash_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parse := events.Parse
			switch {
			case strings.HasPrefix(tc.name, "events forced"):
				parse = events.ParseEvents
			case strings.HasPrefix(tc.name, "coortweet forced"):
				parse = events.ParseCooRTweet
			}
			res := parsetest.Run(t, parse, "in.csv", []byte(tc.in), nil)
			parsetest.WantInvalid(t, res.Err, tc.msg, "in.csv")
		})
	}
}

func FuzzParse(f *testing.F) {
	parsetest.FuzzParse(f, events.Parse, "fuzz.csv", parsetest.Fixtures(f, "testdata/*.csv"), nil)
}

func BenchmarkParse(b *testing.B) {
	data := parsetest.ReadFile(b, parsetest.DataDir(b, "coord", "russian_coord_tweets.events.csv"))
	parsetest.Bench(b, events.Parse, "bench", data, nil)
}

// leanView is what a lean parse must give of a record: everything but
// its hash and locator, copied (the lean parse reuses its record). Raw is
// compared where the lean parse keeps it (the header, a row the CSV
// reader rejects).
func leanView(p *tahqiq.Parsed) tahqiq.Parsed {
	q := *p
	q.Record.Locator, q.Record.SHA256 = "", [32]byte{}
	q.Record.Raw = bytes.Clone(q.Record.Raw)
	q.Posts = nil
	for _, post := range p.Posts {
		post.Objects = append([]tahqiq.Object(nil), post.Objects...)
		q.Posts = append(q.Posts, post)
	}
	return q
}

// sameLean parses data with ParseEvents and ParseEventsLean and fails
// unless they give the same records and the same error.
func sameLean(t *testing.T, name string, data []byte) {
	t.Helper()
	var want, got []tahqiq.Parsed
	parse := func(fn tahqiq.ParseFunc, out *[]tahqiq.Parsed) error {
		return fn(t.Context(), tahqiq.Source{Name: name, R: bytes.NewReader(data)}, func(p *tahqiq.Parsed) error {
			*out = append(*out, leanView(p))
			return nil
		})
	}
	errWant := parse(events.ParseEvents, &want)
	errGot := parse(events.ParseEventsLean, &got)
	if (errWant == nil) != (errGot == nil) || errWant != nil && errWant.Error() != errGot.Error() {
		t.Fatalf("%s: error %v, want %v", name, errGot, errWant)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", name, len(got), len(want))
	}
	for i := range want {
		if got[i].Record.Raw == nil {
			want[i].Record.Raw = nil
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: record %d (line %d):\n got %+v\nwant %+v", name, i, want[i].Record.Line, got[i], want[i])
		}
	}
}

// TestLeanEqualsParse: the lean parser of reads that keep nothing
// (ingest.Importer.ReadInto, coord --input) gives ParseEvents' records and
// rejects, on the fixtures and the real tables.
func TestLeanEqualsParse(t *testing.T) {
	files := parsetest.Fixtures(t, "testdata/*.events.csv")
	files = withRealTables(t, files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sameLean(t, filepath.Base(f), data)
	}
}

func FuzzLeanEqualsParse(f *testing.F) {
	for _, p := range parsetest.Fixtures(f, "testdata/*.events.csv") {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameLean(t, "fuzz.csv", data)
	})
}

// withRealTables returns files and the real events tables of
// ../shared/data/coord that are present (the Russian one alone under
// -short), logging those absent.
func withRealTables(t *testing.T, files []string) []string {
	real := []string{"russian_coord_tweets.events.csv", "german_elections_2021.events.csv", "ira_2016_election_week.events.csv"}
	if testing.Short() {
		real = real[:1]
	}
	for _, f := range real {
		p := filepath.Join("..", "..", "..", "..", "shared", "data", "coord", f)
		if _, err := os.Stat(p); err != nil {
			t.Logf("%s absent: not compared", p)
			continue
		}
		files = append(files, p)
	}
	return files
}
