package xv2_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/ingest/xv2"
)

// Expected counts were established independently with python3's json
// module (the script is in testdata/README.md): records = non-empty lines
// that parse, rejects = those that do not; for a page, posts = distinct
// ids of data tweets plus the includes.tweets they reference, accounts =
// distinct includes.users ids (plus the data of a users page); for a
// flattened tweet, posts = the tweet and its expanded referenced tweets,
// accounts = the authors, in_reply_to_user and user-carrying mentions of
// both; retweets = distinct data tweets referencing a "retweeted" tweet.
func TestParseFixtures(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	tests := []struct {
		file                                        string
		records, rejects, posts, accounts, retweets int
		kind                                        tahqiq.RecordKind
		format                                      string
	}{
		{"2sets.jsonl", 2, 0, 276, 289, 145, tahqiq.RecordPost, xv2.FormatPages},
		{"brexit.jsonl", 1, 0, 155, 177, 67, tahqiq.RecordPost, xv2.FormatPages},
		{"cashtags.jsonl", 1, 0, 1, 1, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"cotweet.jsonl", 1, 0, 1, 1, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"counts.jsonl", 1, 0, 0, 0, 0, tahqiq.RecordCount, xv2.FormatCounts},
		{"edited.jsonl", 1, 0, 1, 1, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"edited_after.jsonl", 1, 0, 1, 1, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"edited_before.jsonl", 1, 0, 1, 1, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"entities_test.jsonl", 1, 0, 650, 612, 314, tahqiq.RecordPost, xv2.FormatPages},
		{"flat.jsonl", 100, 0, 164, 178, 47, tahqiq.RecordPost, xv2.FormatFlat},
		{"geo_tweets.jsonl", 2, 0, 3, 4, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"kpop.jsonl", 1, 0, 121, 112, 78, tahqiq.RecordPost, xv2.FormatPages},
		{"lists.jsonl", 2, 0, 0, 0, 0, tahqiq.RecordOther, xv2.FormatPages},
		{"many_urls.jsonl", 1, 0, 2, 1, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"media_policy_violation_off.jsonl", 1, 0, 161, 52, 42, tahqiq.RecordPost, xv2.FormatPages},
		{"media_policy_violation_on.jsonl", 1, 0, 160, 46, 42, tahqiq.RecordPost, xv2.FormatPages},
		{"media_tweet.jsonl", 1, 0, 1, 1, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"mentions_tweet.jsonl", 1, 0, 2, 2, 1, tahqiq.RecordPost, xv2.FormatPages},
		{"noflat.jsonl", 1, 0, 164, 178, 47, tahqiq.RecordPost, xv2.FormatPages},
		{"quoted_edit.jsonl", 1, 0, 3, 2, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"streaming_output_with_error.jsonl", 7, 1, 11, 11, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"tweets_compliance.jsonl", 2, 0, 0, 0, 0, tahqiq.RecordCompliance, xv2.FormatCompliance},
		{"two_tweets.jsonl", 1, 0, 2, 2, 1, tahqiq.RecordPost, xv2.FormatPages},
		{"users.jsonl", 1, 0, 0, 91, 0, tahqiq.RecordAccount, xv2.FormatUsers},
		{"users_compliance.jsonl", 2, 0, 0, 0, 0, tahqiq.RecordCompliance, xv2.FormatCompliance},
		{"verified_type.jsonl", 1, 0, 1, 1, 0, tahqiq.RecordPost, xv2.FormatPages},
		{"withheld.jsonl", 5, 0, 284, 591, 83, tahqiq.RecordPost, xv2.FormatPages},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tc.file)
			res := parsetest.Run(t, xv2.Parse, path, nil, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			checkRawAtOffset(t, path, res)
			posts, accounts, retweets := map[string]bool{}, map[string]bool{}, map[string]bool{}
			records, rejects := 0, 0
			for _, p := range res.Parsed {
				if p.Reject != "" {
					rejects++
					continue
				}
				records++
				if p.Record.Kind != tc.kind || p.Record.Format != tc.format {
					t.Errorf("%s: kind %q format %q, want %q %q", p.Record.Locator, p.Record.Kind, p.Record.Format, tc.kind, tc.format)
				}
				if p.Record.Locator != "L"+strconv.FormatInt(p.Record.Line, 10) {
					t.Errorf("locator %q for line %d", p.Record.Locator, p.Record.Line)
				}
				for _, q := range p.Posts {
					posts[q.UID] = true
					if q.Kind == tahqiq.KindRepost {
						retweets[q.UID] = true
					}
				}
				for _, a := range p.Accounts {
					accounts[a.UID] = true
				}
			}
			if records != tc.records || rejects != tc.rejects || len(posts) != tc.posts || len(accounts) != tc.accounts || len(retweets) != tc.retweets {
				t.Errorf("records %d rejects %d posts %d accounts %d retweets %d; want %d %d %d %d %d",
					records, rejects, len(posts), len(accounts), len(retweets), tc.records, tc.rejects, tc.posts, tc.accounts, tc.retweets)
			}
		})
	}
}

// checkRawAtOffset checks that every record's Raw is the exact bytes of
// the file at its Offset, on its Line.
func checkRawAtOffset(t *testing.T, path string, res parsetest.Result) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Parsed {
		r := p.Record
		if end := r.Offset + int64(len(r.Raw)); end > int64(len(data)) || !bytes.Equal(data[r.Offset:end], r.Raw) {
			t.Fatalf("%s: Raw is not the input bytes at offset %d", r.Locator, r.Offset)
		}
		if line := int64(bytes.Count(data[:r.Offset], []byte{'\n'})) + 1; line != r.Line {
			t.Fatalf("%s: line %d, but offset %d is on line %d", r.Locator, r.Line, r.Offset, line)
		}
	}
}

func TestEmptyAndOtherFormats(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	tests := []struct {
		name string
		path string
		data []byte
		err  string
	}{
		{"empty.json fixture", filepath.Join(dir, "empty.json"), nil, "empty input"},
		{"blank lines", "", []byte("\n \n\r\n"), "empty input"},
		{"csv", "", []byte("id,text\n1,hello\n"), "not valid JSON"},
		{"v1.1 id_str only", "", []byte(`{"id_str": "1", "text": "x"}` + "\n"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := parsetest.Run(t, xv2.Parse, tc.path, tc.data, nil)
			if tc.err == "" {
				if res.Err != nil || len(res.Parsed) != 1 || res.Parsed[0].Reject == "" {
					t.Fatalf("err %v, %d records; want one rejected record", res.Err, len(res.Parsed))
				}
				return
			}
			if res.Err == nil || !strings.Contains(res.Err.Error(), tc.err) || tahqiq.ErrorCode(res.Err) != tahqiq.EINVALID {
				t.Fatalf("err = %v, want EINVALID %q", res.Err, tc.err)
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
// give the same posts with the same derived fields (every field, permalinks
// included), and the same accounts.
func TestFlatEqualsNoflat(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	collect := func(name string) (map[string]tahqiq.Post, map[string]tahqiq.Account) {
		res := parsetest.Run(t, xv2.Parse, filepath.Join(dir, name), nil, nil)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		posts, accounts := map[string]tahqiq.Post{}, map[string]tahqiq.Account{}
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				posts[q.UID] = q
			}
			for _, a := range p.Accounts {
				accounts[a.UID] = a
			}
		}
		return posts, accounts
	}
	flat, flatAccounts := collect("flat.jsonl")
	noflat, noflatAccounts := collect("noflat.jsonl")
	if len(flat) != 164 || len(noflat) != 164 {
		t.Fatalf("flat %d posts, noflat %d; want 164 each", len(flat), len(noflat))
	}
	for uid, a := range noflat {
		b, ok := flat[uid]
		if !ok {
			t.Errorf("%s in noflat only", uid)
			continue
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differs: %s", uid, fieldDiff(a, b))
		}
	}
	if len(flatAccounts) != 178 || len(noflatAccounts) != 178 {
		t.Fatalf("flat %d accounts, noflat %d; want 178 each", len(flatAccounts), len(noflatAccounts))
	}
	for uid, a := range noflatAccounts {
		if b := flatAccounts[uid]; !reflect.DeepEqual(a, b) {
			t.Errorf("account %s differs:\nnoflat %+v\nflat   %+v", uid, a, b)
		}
	}
}

// v2 entity offsets count code points of the HTML-escaped text. After
// unescaping, every hashtag and mention of every page fixture must slice
// Post.Text to "#tag" / "@user": none may be dropped (-1), and tweets with
// astral-plane emoji (where code points and UTF-16 differ) are counted to
// show the check bites. Links must slice to their t.co URL.
func TestEntityOffsets(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	astral, escaped, checked := 0, 0, 0
	for _, f := range []string{"2sets.jsonl", "brexit.jsonl", "kpop.jsonl", "noflat.jsonl", "flat.jsonl", "entities_test.jsonl",
		"withheld.jsonl", "media_policy_violation_on.jsonl", "media_policy_violation_off.jsonl", "streaming_output_with_error.jsonl"} {
		res := parsetest.Run(t, xv2.Parse, filepath.Join(dir, f), nil, nil)
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				r := []rune(q.Text)
				if strings.Contains(q.Text, "&amp;") || strings.Contains(q.Text, "&lt;") || strings.Contains(q.Text, "&gt;") {
					t.Errorf("%s: text still HTML-escaped: %q", q.UID, q.Text)
				}
				if strings.ContainsAny(q.Text, "&<>") {
					escaped++
				}
				for _, h := range q.Hashtags {
					if h.Start < 0 {
						t.Errorf("%s: hashtag %q dropped", q.UID, h.Text)
						continue
					}
					if got := string(r[h.Start:h.End]); !strings.EqualFold(strings.TrimLeft(got, "#＃"), h.Text) || got == h.Text {
						t.Errorf("%s: text[%d:%d] = %q, want #%s", q.UID, h.Start, h.End, got, h.Text)
					}
					if hasAstral(q.Text) {
						astral++
					}
					checked++
				}
				for _, m := range q.Mentions {
					if got := string(r[max(m.Start, 0):max(m.End, 0)]); !strings.EqualFold(got[min(1, len(got)):], m.Text) || m.Start < 0 {
						t.Errorf("%s: mention text[%d:%d] = %q, want @%s", q.UID, m.Start, m.End, got, m.Text)
					}
					checked++
				}
				for _, l := range q.Links {
					// The media-policy notices link "Learn more" itself (its
					// display_url), as the fixtures show.
					if l.Start < 0 || string(r[l.Start:l.End]) != l.URL && string(r[l.Start:l.End]) != "Learn more" {
						t.Errorf("%s: link %+v does not slice to its URL", q.UID, l)
					}
				}
			}
		}
	}
	// Counted by this test on the fixtures; formats.md §0.4 reports 578
	// distinct tweets' hashtags; these files overlap (flat = noflat), so
	// the floor is a sanity bound, and every one of them was checked above.
	if astral < 578 || escaped == 0 || checked < 3000 {
		t.Fatalf("checked %d entities, %d hashtags in emoji tweets, %d unescaped texts", checked, astral, escaped)
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
	for _, f := range []string{"two_tweets.jsonl", "tweets_compliance.jsonl", "edited.jsonl", "flat_head.jsonl", "streaming_output_with_error.jsonl"} {
		t.Run(f, func(t *testing.T) {
			res := parsetest.MustParse(t, xv2.Parse, filepath.Join("testdata", f), nil)
			for _, p := range res.Parsed {
				sort.Slice(p.Posts, func(i, j int) bool { return p.Posts[i].UID < p.Posts[j].UID })
				sort.Slice(p.Accounts, func(i, j int) bool { return p.Accounts[i].UID < p.Accounts[j].UID })
			}
			parsetest.GoldenOf(t, f, res)
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
		// A Telethon message whose service action and entity keys are
		// named like a compliance result's: the record's shape decides.
		{`{"_": "MessageService", "id": 5, "peer_id": {"_": "PeerChannel", "channel_id": 1}, "action": {"_": "MessageActionPinMessage"}, "reason": "x"}`, false},
		{`{"_": "Message", "id": 5, "message": "hi", "entities": [{"_": "MessageEntityUrl", "offset": 0, "length": 2}]}` + "\n" + `{"_": "MessageService", "action": {"_": "MessageActionChatEditTitle"}, "reason": 1}`, false},
		// A compliance result carries only its own keys.
		{`{"id":"1","action":"delete","created_at":"x","reason":"protected","text":"a"}`, false},
		{`[{"id":"1","action":"delete","created_at":"x","redacted_at":"y","reason":"deactivated"}]`, true},
		// A page cut short by the 64 KiB head is judged on what it shows.
		{`{"data": [{"id": "1", "text": "a long tweet`, true},
		{`{"data": [{"id": "1", "username": "a"}], "meta": {"result_count": 1}}`, true}, // users page
		{`{"data": [{"end": "2021", "start": "2021", "tweet_count": 3}]}`, true},        // counts
		{`{"errors": [{"title": "Not Found Error"}], "meta": {"result_count": 0}}`, true},
		{`{"data": {"name": "a list"}, "status": 200}`, false},    // some other API
		{`{"id": "1", "username": "jack", "name": "Jack"}`, true}, // a flattened user
	}
	for _, tc := range tests {
		if _, ok := xv2.Sniff([]byte(tc.head)); ok != tc.ok {
			t.Errorf("Sniff(%q) = %v, want %v", tc.head, ok, tc.ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/two_tweets.jsonl", "testdata/tweets_compliance.jsonl", "testdata/edited.jsonl",
		"testdata/flat_head.jsonl", "testdata/streaming_output_with_error.jsonl"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := parsetest.Run(t, xv2.Parse, "fuzz.jsonl", data, nil)
		parsetest.Check(t, res)
		parsetest.CheckRaw(t, data, res, true)
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				if !digits(q.PlatformID) || !digits(strings.TrimPrefix(q.AuthorUID, "x:")) {
					t.Fatalf("bad id %q or author %q", q.PlatformID, q.AuthorUID)
				}
			}
			for _, a := range p.Accounts {
				if !digits(a.PlatformID) {
					t.Fatalf("bad account id %q", a.PlatformID)
				}
			}
		}
	})
}

// BenchmarkParse measures the parser alone on real files: twarc2 pages
// (2sets.jsonl: 2 lines, 276 posts) and flattened tweets (flat.jsonl: 100
// lines, 164 posts). Posts include the referenced tweets from includes.
func BenchmarkParse(b *testing.B) {
	dir := parsetest.DataDir(b, "social", "twarc-csv-testdata")
	for _, file := range []string{"2sets.jsonl", "flat.jsonl"} {
		b.Run(strings.TrimSuffix(file, ".jsonl"), func(b *testing.B) {
			parsetest.Bench(b, xv2.Parse, file, parsetest.ReadFile(b, filepath.Join(dir, file)), nil)
		})
	}
}

// fieldDiff names the fields in which two values of one struct type differ.
func fieldDiff(a, b any) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := 0; i < va.NumField(); i++ {
		if x, y := va.Field(i).Interface(), vb.Field(i).Interface(); !reflect.DeepEqual(x, y) {
			out = append(out, fmt.Sprintf("%s: %+v != %+v", va.Type().Field(i).Name, x, y))
		}
	}
	return strings.Join(out, "; ")
}

// Field mapping on single-feature fixtures; the expected values were read
// from the files with python3's json module.
func TestFieldMapping(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	find := func(file, id string) (*tahqiq.Parsed, tahqiq.Post) {
		t.Helper()
		res := parsetest.Run(t, xv2.Parse, filepath.Join(dir, file), nil, nil)
		for _, p := range res.Parsed {
			for _, q := range p.Posts {
				if q.PlatformID == id {
					return p, q
				}
			}
		}
		t.Fatalf("%s: post %s not found", file, id)
		return nil, tahqiq.Post{}
	}

	// media_tweet.jsonl: a video; its media object has no url, only a preview.
	p, q := find("media_tweet.jsonl", "1558553189766631429")
	wantMedia := []tahqiq.Media{{Type: "video", Key: "7_1558552952549277696",
		URL: "https://pbs.twimg.com/ext_tw_video_thumb/1558552952549277696/pu/img/7VaQu-AvReI8RHkv.jpg"}}
	if !reflect.DeepEqual(q.Media, wantMedia) {
		t.Errorf("media = %+v, want %+v", q.Media, wantMedia)
	}
	if want := parsetest.Time("2023-01-05T13:55:17Z"); !p.Record.CollectedAt.Equal(want) {
		t.Errorf("CollectedAt = %v, want %v (__twarc.retrieved_at)", p.Record.CollectedAt, want)
	}
	if len(q.Links) != 0 {
		t.Errorf("the link to the attached video is not a shared URL: %+v", q.Links)
	}

	// many_urls.jsonl: unwound_url is preferred to expanded_url; metrics renamed.
	_, q = find("many_urls.jsonl", "1610692575752601600")
	wantLink := tahqiq.Link{URL: "https://t.co/C73mC2F5nY", Expanded: "https://uiadrian.gumroad.com/l/web-design-guide/?offer_code=twk0uc9f7", Start: 217, End: 240}
	if len(q.Links) == 0 || q.Links[0] != wantLink {
		t.Errorf("links = %+v, want first %+v", q.Links, wantLink)
	}
	wantMetrics := map[string]int64{"reposts": 2, "replies": 1, "likes": 13, "quotes": 0}
	if !reflect.DeepEqual(q.Metrics, wantMetrics) {
		t.Errorf("metrics = %v, want %v", q.Metrics, wantMetrics)
	}

	// two_tweets.jsonl (formats.md §1.1): thread, language, precision.
	_, q = find("two_tweets.jsonl", "1394735776701816833")
	if q.ThreadID != "1394735776701816833" || q.Lang != "und" || q.Precision != tahqiq.PrecisionSecond ||
		q.CreatedAtRaw != "2021-05-18T19:24:56.000Z" || q.Text != "RT @bibaigna96: #POIUYTREWQ" {
		t.Errorf("post = %+v", q)
	}
}

// A text with "&amp;" is published with "&", and the offsets move (a
// made-up tweet with offsets counted by hand on the escaped text, as the
// API gives them: python3 finds 98 hashtags in the fixtures that follow an
// escape, and all of them slice the escaped text, none the unescaped one).
func TestUnescapeMovesOffsets(t *testing.T) {
	line := `{"id": "1", "author_id": "2", "created_at": "2021-05-18T19:24:56.000Z", "text": "A &amp; B &lt;3 #tag @who https://t.co/x",` +
		` "entities": {"hashtags": [{"start": 16, "end": 20, "tag": "tag"}], "mentions": [{"start": 21, "end": 25, "username": "who"}],` +
		` "urls": [{"start": 26, "end": 40, "url": "https://t.co/x", "expanded_url": "https://e.com"}]}}`
	res := parsetest.Run(t, xv2.Parse, "in.jsonl", []byte(line), nil)
	parsetest.Check(t, res)
	if len(res.Parsed) != 1 || len(res.Parsed[0].Posts) != 1 {
		t.Fatalf("parsed %+v", res.Parsed)
	}
	q := res.Parsed[0].Posts[0]
	want := tahqiq.Post{Text: "A & B <3 #tag @who https://t.co/x",
		Hashtags: []tahqiq.Entity{{Text: "tag", Start: 9, End: 13}},
		Mentions: []tahqiq.Entity{{Text: "who", Start: 14, End: 18}},
		Links:    []tahqiq.Link{{URL: "https://t.co/x", Expanded: "https://e.com", Start: 19, End: 33}}}
	if q.Text != want.Text || !reflect.DeepEqual(q.Hashtags, want.Hashtags) || !reflect.DeepEqual(q.Mentions, want.Mentions) || !reflect.DeepEqual(q.Links, want.Links) {
		t.Errorf("got %q %+v %+v %+v\nwant %q %+v %+v %+v", q.Text, q.Hashtags, q.Mentions, q.Links, want.Text, want.Hashtags, want.Mentions, want.Links)
	}
	if q.Kind != tahqiq.KindOriginal || q.URL != "https://x.com/i/status/1" {
		t.Errorf("kind %q url %q", q.Kind, q.URL)
	}
}

// The other shapes of ensure_flattened: a JSON list of pages, a JSON list
// of flattened tweets, and one pretty-printed tweet. Each element is one
// record whose Raw is its exact byte range.
func TestListAndSingleShapes(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	lines := func(file string, n int) [][]byte {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		ls := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
		return ls[:min(n, len(ls))]
	}
	pages := append(lines("two_tweets.jsonl", 1), lines("geo_tweets.jsonl", 2)...)
	flat := lines("flat.jsonl", 3)
	var single bytes.Buffer
	if err := json.Indent(&single, flat[0], "", "  "); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      []byte
		records int
		posts   int
		format  string
		locator string
	}{
		// Posts: two_tweets 2 + geo_tweets 3 (TestParseFixtures); flat: the
		// first three lines of flat.jsonl with their referenced tweets.
		{"list of pages", []byte("[\n" + string(bytes.Join(pages, []byte(",\n"))) + "\n]\n"), 3, 5, xv2.FormatPages, "L2#/0"},
		{"list of flattened tweets", []byte("[" + string(bytes.Join(flat, []byte(", "))) + "]"), 3, countFlat(t, flat), xv2.FormatFlat, "L1#/0"},
		{"one pretty-printed tweet", single.Bytes(), 1, countFlat(t, flat[:1]), xv2.FormatFlat, "L1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := parsetest.Run(t, xv2.Parse, "in.json", tc.in, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			posts := 0
			for i, p := range res.Parsed {
				r := p.Record
				if p.Reject != "" || r.Format != tc.format {
					t.Errorf("%s: reject %q format %q", r.Locator, p.Reject, r.Format)
				}
				if !bytes.Equal(tc.in[r.Offset:r.Offset+int64(len(r.Raw))], r.Raw) || !json.Valid(r.Raw) {
					t.Errorf("%s: Raw is not the element's exact bytes", r.Locator)
				}
				if len(res.Parsed) > 1 && !bytes.Equal(r.Raw, map[bool][][]byte{true: pages, false: flat}[tc.format == xv2.FormatPages][i]) {
					t.Errorf("%s: Raw differs from the source line", r.Locator)
				}
				posts += len(p.Posts)
			}
			if len(res.Parsed) != tc.records || posts != tc.posts || res.Parsed[0].Record.Locator != tc.locator {
				t.Errorf("%d records, %d posts, first locator %q; want %d, %d, %q", len(res.Parsed), posts, res.Parsed[0].Record.Locator, tc.records, tc.posts, tc.locator)
			}
		})
	}
}

// countFlat counts the posts of flattened tweet lines independently: the
// tweet and each referenced tweet that was expanded (has text).
func countFlat(t *testing.T, lines [][]byte) int {
	t.Helper()
	n := 0
	for _, l := range lines {
		var tw struct {
			Refs []struct {
				ID   string  `json:"id"`
				Text *string `json:"text"`
			} `json:"referenced_tweets"`
		}
		if err := json.Unmarshal(l, &tw); err != nil {
			t.Fatal(err)
		}
		n++
		seen := map[string]bool{}
		for _, r := range tw.Refs {
			if r.Text != nil && !seen[r.ID] {
				seen[r.ID] = true
				n++
			}
		}
	}
	return n
}

// A bad line is a reject naming what is wrong, and the lines around it
// still parse.
func TestBadLines(t *testing.T) {
	good, err := os.ReadFile("testdata/two_tweets.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	good = bytes.TrimRight(good, "\n")
	tests := []struct{ name, bad, reject string }{
		{"invalid JSON", `{"data": [}`, "invalid JSON at byte 10"},
		{"truncated", `{"data": [{"id": "1"`, "truncated"},
		{"invalid UTF-8", "{\"data\": \"\xff\"}", "invalid UTF-8"},
		{"not an object", `[1, 2]`, "not a v2 object"},
		{"wrong type", `{"id": "1", "text": 5, "author_id": "1"}`, "text is a number, want a string"},
		{"float id", `{"data": [{"id": 9.06E+17, "text": "x", "author_id": "1", "created_at": "2021-05-18T19:24:56.000Z"}]}`, `"9.06E+17" is not a digit string`},
		{"trailing data", `{"data": []} x`, "unexpected data after the value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := bytes.Join([][]byte{good, []byte(tc.bad), good}, []byte("\n"))
			res := parsetest.Run(t, xv2.Parse, "in.jsonl", in, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			if len(res.Parsed) != 3 || res.Parsed[0].Reject != "" || res.Parsed[2].Reject != "" || len(res.Parsed[2].Posts) != 2 {
				t.Fatalf("want 3 records, the first and last good; got %d", len(res.Parsed))
			}
			if bad := res.Parsed[1]; !strings.Contains(bad.Reject, tc.reject) || bad.Record.Line != 2 || string(bad.Record.Raw) != tc.bad {
				t.Errorf("line 2: reject %q line %d raw %q; want %q", bad.Reject, bad.Record.Line, bad.Record.Raw, tc.reject)
			}
		})
	}
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != "" && utf8.ValidString(s)
}

// Sniff on the first 64 KiB of every real fixture: every twarc2 file but
// the empty one is v2, and no v1.1 or Telethon file is (the Telethon
// channel proxyme carries "action" and "reason" keys in its first
// messages, which a search for keys took for a compliance file).
func TestSniffFixtures(t *testing.T) {
	for _, set := range []struct {
		dir  []string
		want bool
	}{
		{[]string{"social", "twarc-csv-testdata"}, true},
		{[]string{"social", "python-twitter-v1.1"}, false},
		{[]string{"social", "telegram-toolkit-telethon"}, false},
		{[]string{"social", "gesis-telegram-telethon"}, false},
	} {
		dir := parsetest.DataDir(t, set.dir...)
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasPrefix(filepath.Ext(path), ".json") && filepath.Ext(path) != ".txt" {
				return err
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			head := make([]byte, 64<<10)
			n, _ := io.ReadFull(f, head)
			want := set.want && n > 0
			if format, ok := xv2.Sniff(head[:n]); ok != want || ok && format != xv2.FormatPages {
				t.Errorf("Sniff(%s) = %q, %v; want %v", filepath.Base(path), format, ok, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// withheld.jsonl has 38 retweets whose originals the API withheld
// ("Forbidden" in errors[]; counted with python3): their references still
// name the original's author from the "RT @handle:" mention, with the id
// includes.users gives for that handle.
func TestRetweetOfMissingOriginal(t *testing.T) {
	res := parsetest.Run(t, xv2.Parse, filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "withheld.jsonl"), nil, nil)
	named, withID, missing := 0, 0, 0
	for _, p := range res.Parsed {
		for _, q := range p.Posts {
			for _, r := range q.References {
				if r.Type != tahqiq.RefRetweetOf || r.TargetCreatedAt != 0 {
					continue // the original is in the data
				}
				missing++
				if r.TargetAccount != "" && strings.HasPrefix(q.Text, "RT @"+r.TargetAccount+":") {
					named++
				}
				if r.TargetAccountID != "" {
					withID++
				}
			}
		}
	}
	// python3: 29 of the 38 handles are in includes.users.
	if missing != 38 || named != 38 || withID != 29 {
		t.Errorf("%d retweets of missing originals, %d named from the RT prefix, %d with an id; want 38, 38, 29", missing, named, withID)
	}
}

// A damaged first line is a reject like any other: the rest still parses.
func TestBrokenFirstLine(t *testing.T) {
	good, err := os.ReadFile("testdata/two_tweets.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	good = bytes.TrimRight(good, "\n")
	in := bytes.Join([][]byte{good[:len(good)/2], good, good}, []byte("\n"))
	res := parsetest.Run(t, xv2.Parse, "in.jsonl", in, nil)
	if res.Err != nil || len(res.Parsed) != 3 {
		t.Fatalf("err %v, %d records; want 3", res.Err, len(res.Parsed))
	}
	if !strings.Contains(res.Parsed[0].Reject, "truncated") || res.Parsed[1].Reject != "" || res.Parsed[2].Reject != "" {
		t.Errorf("rejects %q %q %q; want only the first, as truncated", res.Parsed[0].Reject, res.Parsed[1].Reject, res.Parsed[2].Reject)
	}
}

// A response with nothing in data (every id of a lookup deleted, or a
// search without results) is kept as a record of kind other, with its
// errors in the raw bytes.
func TestErrorOnlyPage(t *testing.T) {
	in := `{"errors": [{"value": "1", "detail": "Could not find tweet with ids: [1].", "title": "Not Found Error", "resource_type": "tweet"}],` +
		` "__twarc": {"url": "https://api.twitter.com/2/tweets?ids=1", "version": "2.10.4", "retrieved_at": "2022-05-01T10:00:00+00:00"}}` + "\n" +
		`{"meta": {"result_count": 0}, "__twarc": {"retrieved_at": "2022-05-01T10:00:01+00:00"}}` + "\n"
	res := parsetest.Run(t, xv2.Parse, "in.jsonl", []byte(in), nil)
	parsetest.Check(t, res)
	if res.Err != nil || len(res.Parsed) != 2 {
		t.Fatalf("err %v, %d records", res.Err, len(res.Parsed))
	}
	for i, p := range res.Parsed {
		if p.Reject != "" || p.Record.Kind != tahqiq.RecordOther || p.Record.CollectedAt.IsZero() || len(p.Posts) != 0 {
			t.Errorf("record %d: reject %q kind %q collected %v", i, p.Reject, p.Record.Kind, p.Record.CollectedAt)
		}
	}
}

// FuzzSniff: detection judges the first record of any head, cut anywhere,
// without failing; a head that starts with a Telethon type is never v2.
func FuzzSniff(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.jsonl")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"_": "MessageService", "id": 5, "action": {"_": "MessageActionPinMessage"}, "reason": "x"}`))
	f.Add([]byte(`[{"id":"1","action":"delete","created_at":"x","reason":"protected"}]`))
	f.Add([]byte(`{"data": [{"id": "1", "text": "cut he`))
	f.Fuzz(func(t *testing.T, head []byte) {
		_, ok := xv2.Sniff(head)
		if ok && bytes.HasPrefix(bytes.TrimSpace(head), []byte(`{"_":`)) {
			t.Fatalf("a Telethon object taken for v2: %q", head)
		}
	})
}
