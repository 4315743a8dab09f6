package twitterio_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/ingest/twitterio"
)

func TestRealRows(t *testing.T) {
	res := parsetest.Run(t, twitterio.Parse, "testdata/io_2018_rows_from_formats_md.csv", nil, map[string]string{"campaign": "ira"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	if len(res.Parsed) != 3 {
		t.Fatalf("%d records, want header + 2", len(res.Parsed))
	}
	rt := res.Parsed[1].Posts[0]
	label := []tahqiq.Label{{Scheme: "twitter_io:ira", Value: twitterio.LabelValue}}
	want := tahqiq.Post{
		UID: "x:877919995476496385", Platform: "x", PlatformID: "877919995476496385",
		AuthorUID: "x:249064136b1c5cb00a705316ab73dd9b53785748ab757f02df7e7a9876906139", Kind: tahqiq.KindRepost,
		CreatedAt: parsetest.Time("2017-06-22T16:03:00Z"), CreatedAtRaw: "2017-06-22 16:03", Precision: tahqiq.PrecisionMinute,
		Text:       `RT @ruopentwit: ⚡️У НАС НОВОЕ ВИДЕО! Американец: "Если бы не 27 миллионов русских, я бы сейчас говорил по-немецки"https://t.co/mAcCirn4o1…`,
		Lang:       "ru",
		References: []tahqiq.Reference{{Type: tahqiq.RefRetweetOf, TargetID: "877917212119416832", TargetUID: "x:877917212119416832", TargetAccountID: "2572896396"}},
		Mentions:   []tahqiq.Entity{{ID: "2572896396", Start: -1, End: -1}},
		Links:      []tahqiq.Link{{URL: "http://ru-open.livejournal.com/374284.html", Start: -1, End: -1}},
		Metrics:    map[string]int64{"quotes": 0, "replies": 0, "likes": 0, "reposts": 0},
		Labels:     label,
		Client:     "TweetDeck",
		Author: &tahqiq.Profile{Handle: "249064136b1c5cb00a705316ab73dd9b53785748ab757f02df7e7a9876906139",
			Name: "249064136b1c5cb00a705316ab73dd9b53785748ab757f02df7e7a9876906139", Followers: 132, Following: 120, PostsCount: -1},
	}
	if diff := cmp.Diff(want, rt); diff != "" {
		t.Errorf("retweet (-want +got):\n%s", diff)
	}
	a := res.Parsed[1].Accounts[0]
	if !a.Hashed || a.Followers != 132 || a.Following != 120 || a.CreatedAt != parsetest.Time("2013-12-07T00:00:00Z") || a.Location != "Москва, Россия" || !cmp.Equal(a.Labels, label) {
		t.Errorf("account = %+v", a)
	}
	orig := res.Parsed[2].Posts[0]
	if orig.Kind != tahqiq.KindOriginal || len(orig.References) != 0 || len(orig.Hashtags) != 0 || orig.CreatedAt != parsetest.Time("2014-07-24T19:20:00Z") {
		t.Errorf("original = %+v", orig)
	}
}

func TestHandmade(t *testing.T) {
	// Campaign from the file name.
	res := parsetest.Run(t, twitterio.Parse, "testdata/handmade_campaign2019_tweets_csv_hashed.csv", nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	got := res.Parsed[1:]
	if len(got) != 5 {
		t.Fatalf("%d records, want 5", len(got))
	}
	reply := got[0].Posts[0]
	if reply.Kind != tahqiq.KindReply || reply.References[0].TargetID != "1099999999999999999" || reply.References[0].TargetAccountID != "123456" ||
		len(reply.Hashtags) != 2 || reply.Hashtags[1].Text != "Election2019" || reply.Metrics["likes"] != 3 || reply.Labels[0].Scheme != "twitter_io:handmade_campaign2019" {
		t.Errorf("reply = %+v", reply)
	}
	if _, ok := reply.Metrics["reposts"]; ok {
		t.Errorf("empty retweet_count became a metric: %v", reply.Metrics)
	}
	if !got[0].Accounts[0].Hashed {
		t.Error("base64-like userid not marked hashed")
	}
	quote := got[1].Posts[0]
	if quote.Kind != tahqiq.KindQuote || len(quote.Links) != 2 || quote.URL != "https://twitter.com/big_account/status/1100000000000000002" || got[1].Accounts[0].Hashed {
		t.Errorf("quote = %+v", quote)
	}
	if rt := got[2].Posts[0]; rt.Kind != tahqiq.KindRepost || rt.References[0].TargetUID != "x:1099999999999999997" {
		t.Errorf("retweet = %+v", rt)
	}
	if !strings.Contains(got[3].Reject, `tweetid "1.1E+18" is not an integer id`) || !strings.Contains(got[4].Reject, "tweet_time") {
		t.Errorf("rejects = %q, %q", got[3].Reject, got[4].Reject)
	}
}

func TestUsers(t *testing.T) {
	f := "testdata/io_2018_users_csv_hashed_handmade.csv"
	if fm, ok := twitterio.Sniff(parsetest.ReadFile(t, f)); !ok || fm != twitterio.FormatUsers {
		t.Errorf("Sniff = %q %v", fm, ok)
	}
	res := parsetest.Run(t, twitterio.Parse, f, nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	records, rejects, posts, accounts := res.Counts()
	if records != 3 || rejects != 1 || posts != 0 || accounts != 3 {
		t.Errorf("records, rejects, posts, accounts = %d %d %d %d, want 3 1 0 3", records, rejects, posts, accounts)
	}
	if a := res.Parsed[1].Accounts[0]; a.Labels[0].Scheme != "twitter_io:io_2018" || res.Parsed[1].Record.Kind != tahqiq.RecordAccount {
		t.Errorf("account %+v", a)
	}
}

func TestCampaign(t *testing.T) {
	for in, want := range map[string]string{
		"ira_tweets_csv_hashed.csv":                   "ira",
		"/x/iran_201901_1_tweets_csv_hashed_2.csv.gz": "iran_201901_1",
		"china_082019_users_csv_unhashed.csv":         "china_082019",
		"tweets.csv":                                  "",
	} {
		if got := twitterio.Campaign(in); got != want {
			t.Errorf("Campaign(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInvalidInput(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"", "empty input"},
		{"tweetid,userid,tweet_text\n", `missing column "tweet_time"`},
	} {
		res := parsetest.Run(t, twitterio.Parse, "in.csv", []byte(tc.in), nil)
		parsetest.WantInvalid(t, res.Err, tc.msg)
	}
}

func TestGolden(t *testing.T) {
	for _, f := range parsetest.Fixtures(t, "testdata/*.csv") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, ok := twitterio.Sniff(parsetest.ReadFile(t, f)); !ok {
				t.Error("Sniff did not recognise the fixture")
			}
			parsetest.GoldenOf(t, f, parsetest.MustParse(t, twitterio.Parse, f, nil))
		})
	}
}

func FuzzParse(f *testing.F) {
	parsetest.FuzzParse(f, twitterio.Parse, "fuzz_tweets_csv_hashed.csv", parsetest.Fixtures(f, "testdata/*.csv"), nil)
}

// BenchmarkParse parses the hand-made fixture repeated to about 1 MB (no
// real IO file is available).
func BenchmarkParse(b *testing.B) {
	fx := parsetest.ReadFile(b, "testdata/handmade_campaign2019_tweets_csv_hashed.csv")
	i := bytes.IndexByte(fx, '\n')
	body := fx[i+1:]
	data := append([]byte{}, fx...)
	for len(data) < 1<<20 {
		data = append(data, body...)
	}
	parsetest.Bench(b, twitterio.Parse, "bench_tweets_csv_hashed.csv", data, nil)
}
