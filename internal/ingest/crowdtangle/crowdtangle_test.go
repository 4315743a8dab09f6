package crowdtangle_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/crowdtangle"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

func TestFacebookPageList(t *testing.T) {
	f := "testdata/handmade_fb_page_list.csv"
	if fm, ok := crowdtangle.Sniff(parsetest.ReadFile(t, f)); !ok || fm != crowdtangle.FormatFacebook {
		t.Fatalf("Sniff = %q %v", fm, ok)
	}
	res := parsetest.Run(t, crowdtangle.Parse, f, nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	rows := res.Parsed[1:]
	if len(rows) != 8 {
		t.Fatalf("%d rows, want 8", len(rows))
	}
	first := rows[0].Posts[0]
	wantMetrics := map[string]int64{"interactions": 12345, "likes": 10000, "comments": 1000, "shares": 1200, "reactions:love": 100,
		"reactions:wow": 5, "reactions:haha": 20, "reactions:sad": 10, "reactions:angry": 8, "reactions:care": 2,
		"views": 0, "total_views": 0, "total_views_crossposts": 0}
	if diff := cmp.Diff(wantMetrics, first.Metrics); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	// 21:15:03 PKT (+05:00) is 16:15:03 UTC.
	if first.UID != "facebook:200000000000001" || first.ContainerID != "100000000000001" || first.ContainerName != "Example News" ||
		first.AuthorUID != "facebook:100000000000001" || first.CreatedAt != parsetest.Time("2024-02-09T16:15:03Z") || first.CreatedAtRaw != "2024-02-09 21:15:03 PKT" {
		t.Errorf("first post = %+v", first)
	}
	if l := first.Links[len(first.Links)-1]; l != (tahqiq.Link{URL: "https://bit.ly/abc", Expanded: "https://example.org/na128?utm_source=fb", Start: -1, End: -1}) {
		t.Errorf("link = %+v", l)
	}
	if a := rows[0].Accounts[0]; a.Followers != 1350211 || a.Handle != "examplenews" {
		t.Errorf("account = %+v", a)
	}
	if p := rows[1].Posts[0]; p.UID != "facebook:300000000000001" || p.CreatedAt != parsetest.Time("2021-01-05T17:34:56Z") || p.Media[0].Type != "photo" {
		t.Errorf("photo post = %+v", p)
	}
	reshare := rows[2].Posts[0]
	if reshare.Kind != tahqiq.KindRepost || reshare.References[0] != (tahqiq.Reference{Type: tahqiq.RefRetweetOf, TargetID: "400000000000001", TargetUID: "facebook:400000000000001"}) ||
		reshare.CreatedAt != parsetest.Time("2021-07-05T10:34:56Z") {
		t.Errorf("reshare = %+v", reshare)
	}
	wantRejects := []string{`line 5: unknown time zone "XYZ"`, "line 6: time zone IST is ambiguous", `line 7: URL "" has no post id`, `line 8: Facebook Id "1.00000000000000E+14" is not an integer id`}
	for i, w := range wantRejects {
		if !strings.HasPrefix(rows[3+i].Reject, w) {
			t.Errorf("row %d reject %q, want %q", i+4, rows[3+i].Reject, w)
		}
	}
	if p := rows[7].Posts[0]; p.CreatedAt != parsetest.Time("2021-07-05T07:34:56Z") || p.Media[0].Type != "video" || p.Metrics["interactions"] != 0 && len(p.Metrics) != 0 {
		t.Errorf("numeric-offset post = %+v", p)
	}
	if _, ok := rows[7].Posts[0].Metrics["interactions"]; ok {
		t.Error("N/A became a metric")
	}
}

func TestGroupAndInstagram(t *testing.T) {
	res := parsetest.Run(t, crowdtangle.Parse, "testdata/handmade_fb_group_list.csv", nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if p := res.Parsed[1].Posts[0]; p.UID != "facebook:600000000000001" || p.ContainerName != "Example Group" {
		t.Errorf("group post = %+v", p)
	}
	res = parsetest.Run(t, crowdtangle.Parse, "testdata/handmade_ig_list.csv", nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	p := res.Parsed[1].Posts[0]
	if p.UID != "instagram:C3abcDEFghi" || p.AuthorUID != "instagram:@examplenews" || p.Hashtags[0].Text != "Elections2024" || p.Mentions[0].Text != "ecp_pakistan" || p.Metrics["likes"] != 1234 {
		t.Errorf("instagram post = %+v", p)
	}
	if p := res.Parsed[2].Posts[0]; p.UID != "instagram:C3xyz" || p.CreatedAt != parsetest.Time("2024-02-08T17:05:00Z") || p.Metrics["views"] != 2000 {
		t.Errorf("reel = %+v", p)
	}
}

func TestInvalidInput(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"", "empty input"},
		{"Page Name,Facebook Id,URL\n", `missing column "Post Created"`},
	} {
		res := parsetest.Run(t, crowdtangle.Parse, "in.csv", []byte(tc.in), nil)
		parsetest.WantInvalid(t, res.Err, tc.msg)
	}
}

func TestGolden(t *testing.T) {
	for _, f := range parsetest.Fixtures(t, "testdata/*.csv") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			parsetest.GoldenOf(t, f, parsetest.MustParse(t, crowdtangle.Parse, f, nil))
		})
	}
}

func FuzzParse(f *testing.F) {
	parsetest.FuzzParse(f, crowdtangle.Parse, "fuzz.csv", parsetest.Fixtures(f, "testdata/*.csv"), nil)
}

// BenchmarkParse parses the hand-made page list repeated to about 1 MB.
func BenchmarkParse(b *testing.B) {
	fx := parsetest.ReadFile(b, "testdata/handmade_fb_page_list.csv")
	i := bytes.IndexByte(fx, '\n')
	data := append([]byte{}, fx...)
	for len(data) < 1<<20 {
		data = append(data, fx[i+1:]...)
	}
	parsetest.Bench(b, crowdtangle.Parse, "bench", data, nil)
}
