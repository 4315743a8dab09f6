package signals_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/signals"
)

var t0 = time.Date(2024, 2, 8, 10, 0, 0, 0, time.UTC) // Pakistan's election day, 10:00 UTC

func post(id, author string, at time.Time, kind tahqiq.PostKind) tahqiq.Post {
	return tahqiq.Post{UID: "x:" + id, Platform: "x", PlatformID: id, AuthorUID: author, CreatedAt: at, Precision: tahqiq.PrecisionSecond, Kind: kind}
}

func f(x float64) *float64 { return &x }
func n(x int64) *int64     { return &x }
func b(x bool) *bool       { return &x }

// hand-made: one account, its profile and five posts
func TestRow(t *testing.T) {
	var bl signals.Builder
	bl.Account(tahqiq.Account{UID: "x:1", Platform: "x", Handle: "ali12345678", Name: "Ali 2024", CreatedAt: t0.AddDate(0, 0, -10),
		Followers: 99, Following: 999, PostsCount: 50})
	ps := []tahqiq.Post{
		post("11", "x:1", t0, tahqiq.KindOriginal),
		post("12", "x:1", t0.Add(30*time.Second), tahqiq.KindRepost),
		post("13", "x:1", t0.Add(50*time.Minute), tahqiq.KindReply),
		post("14", "x:1", t0.Add(25*time.Hour), tahqiq.KindQuote),
		{UID: "x:15", Platform: "x", AuthorUID: "x:1", Kind: tahqiq.KindOriginal, Precision: tahqiq.PrecisionNone},
	}
	ps[0].Client, ps[1].Client, ps[2].Client = "Twitter for Android", "Twitter for Android", "Twitter Web App"
	ps[0].Links = []tahqiq.Link{{URL: "https://t.co/x"}}
	for i := range ps {
		bl.Post(&ps[i])
	}
	got := bl.Row("x:1")
	hours := make([]int64, 24)
	hours[10], hours[11] = 3, 1
	want := &signals.Row{Account: "x:1", Handle: "ali12345678", Name: "Ali 2024", CreatedAt: "2024-01-29T10:00:00Z", AgeFirstDays: f(10), AgeLastDays: f(11.0417),
		PostsTotal: 5, TimedPosts: 4, ActiveDays: 2, PostsPerDay: f(2), MaxPosts1h: 3, MaxPosts24h: 3,
		RepostShare: 0.2, ReplyShare: 0.2, QuoteShare: 0.2, LinkShare: 0.2, HourProfile: hours,
		FastGapShare: f(0.3333),
		Clients:      []signals.Count{{Value: "Twitter for Android", N: 2}, {Value: signals.NoClient, N: 2}, {Value: "Twitter Web App", N: 1}},
		ClientTop:    "Twitter for Android", ClientTopShare: f(0.4),
		DefaultHandle: b(true), HandleDigits: n(8), NameDigits: n(4),
		Followers: n(99), Following: n(999), PostsCount: n(50), FollowRatio: f(-1), FollowersMin: n(99), FollowersMax: n(99),
		Handles: []signals.Seen{{Value: "ali12345678", Records: 1}}, Names: []signals.Seen{{Value: "Ali 2024", Records: 1}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Row (-want +got):\n%s", diff)
	}
	if bl.Row("x:2") != nil || bl.Len() != 1 {
		t.Errorf("Row of an unknown account = %v, Len = %d", bl.Row("x:2"), bl.Len())
	}
}

// Renames: the handles a profile, the author views of posts and other
// accounts' mentions and references give one account id, in time order.
func TestRenames(t *testing.T) {
	var bl signals.Builder
	bl.Account(tahqiq.Account{UID: "x:7", Platform: "x", Handle: "ECP_Official", Name: "ECP", Followers: 2000, Following: -1, PostsCount: -1})
	old := post("70", "x:7", t0.AddDate(0, -6, 0), tahqiq.KindOriginal)
	old.Author = &tahqiq.Profile{Handle: "ecp_pakistan", Name: "Election Commission", Followers: 1500, Following: -1, PostsCount: -1}
	cur := post("71", "x:7", t0, tahqiq.KindOriginal)
	cur.Author = &tahqiq.Profile{Handle: "ECP_Official", Name: "ECP", Followers: 2100, Following: -1, PostsCount: -1}
	m := post("90", "x:9", t0.AddDate(-1, 0, 0), tahqiq.KindReply)
	m.Mentions = []tahqiq.Entity{{Text: "ECPakistan", ID: "7"}, {Text: "nobody", ID: ""}}
	m.References = []tahqiq.Reference{{Type: tahqiq.RefReplyTo, TargetAccountID: "7", TargetAccount: "ecpakistan"}}
	for _, p := range []*tahqiq.Post{&cur, &m, &old} {
		bl.Post(p)
	}
	r := bl.Row("x:7")
	want := []signals.Seen{
		{Value: "ECPakistan", First: "2023-02-08T10:00:00Z", Last: "2023-02-08T10:00:00Z", Records: 2},
		{Value: "ecp_pakistan", First: "2023-08-08T10:00:00Z", Last: "2023-08-08T10:00:00Z", Records: 1},
		{Value: "ECP_Official", First: "2024-02-08T10:00:00Z", Last: "2024-02-08T10:00:00Z", Records: 2},
	}
	if diff := cmp.Diff(want, r.Handles); diff != "" {
		t.Errorf("handles (-want +got):\n%s", diff)
	}
	if r.Renames != 2 || r.NameChanges != 1 || *r.FollowersMin != 1500 || *r.FollowersMax != 2100 || *r.Followers != 2000 {
		t.Errorf("renames %d, name changes %d, followers %d..%d (%d)", r.Renames, r.NameChanges, *r.FollowersMin, *r.FollowersMax, *r.Followers)
	}
	if r.DefaultHandle == nil || *r.DefaultHandle {
		t.Errorf("default_handle of ECP_Official = %v, want false", r.DefaultHandle)
	}
	if bl.Row("x:9").Renames != 0 {
		t.Errorf("x:9 renames = %d", bl.Row("x:9").Renames)
	}
}

func TestHourProfile(t *testing.T) {
	for _, tc := range []struct {
		name          string
		times         func(i int) time.Time
		posts         int
		entropy, norm *float64
		burst         *float64
	}{
		{"one hour every day", func(i int) time.Time { return t0.AddDate(0, 0, i) }, 30, f(0), f(0), f(-1)},
		{"every hour, twice", func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }, 48, f(4.585), f(1), f(-1)},
		{"too few", func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }, 29, nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var bl signals.Builder
			for i := range tc.posts {
				p := post("1", "x:1", tc.times(i), tahqiq.KindOriginal)
				bl.Post(&p)
			}
			r := bl.Row("x:1")
			if !cmp.Equal(r.HourEntropy, tc.entropy) || !cmp.Equal(r.HourEntropyNorm, tc.norm) || !cmp.Equal(r.Burstiness, tc.burst) {
				t.Errorf("entropy %v, norm %v, burstiness %v; want %v, %v, %v", deref(r.HourEntropy), deref(r.HourEntropyNorm), deref(r.Burstiness),
					deref(tc.entropy), deref(tc.norm), deref(tc.burst))
			}
		})
	}
}

// A bursty account: 29 posts a second apart, then one a day later. σ of
// the gaps is much larger than their mean.
func TestBurstiness(t *testing.T) {
	var bl signals.Builder
	for i := range 29 {
		p := post("1", "x:1", t0.Add(time.Duration(i)*time.Second), tahqiq.KindOriginal)
		bl.Post(&p)
	}
	p := post("1", "x:1", t0.Add(24*time.Hour), tahqiq.KindOriginal)
	bl.Post(&p)
	r := bl.Row("x:1")
	// gaps: 28 of 1 s, one of 86,372 s; mean 2,979.24, σ 15,757.3 (population)
	gaps := append(slices.Repeat([]float64{1}, 28), 86400-28)
	mean, ss := 0.0, 0.0
	for _, g := range gaps {
		mean += g / 29
	}
	for _, g := range gaps {
		ss += (g - mean) * (g - mean)
	}
	sd := math.Sqrt(ss / 29)
	want := math.Round((sd-mean)/(sd+mean)*1e4) / 1e4
	if r.Burstiness == nil || *r.Burstiness != want || want < 0.6 {
		t.Errorf("burstiness = %v, want %v", deref(r.Burstiness), want)
	}
	if *r.FastGapShare != math.Round(28.0/29*1e4)/1e4 || r.MaxPosts1h != 29 || r.MaxPosts24h != 29 {
		t.Errorf("fast gaps %v, max 1h %d, max 24h %d", *r.FastGapShare, r.MaxPosts1h, r.MaxPosts24h)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestDefaultHandle(t *testing.T) {
	for h, want := range map[string]bool{
		"ali12345678":      true,
		"Imran_K12345678":  true,
		"@sana_1234567890": false, // 10 digits
		"abcdefgh12345678": false, // 8 letters: 16 characters
		"a1234567":         false, // 7 digits
		"12345678":         false, // no name
		"ImranKhanPTI":     false,
		"name_2024":        false,
		"x12345678":        true,
	} {
		if got := signals.DefaultHandle(h); got != want {
			t.Errorf("DefaultHandle(%q) = %v, want %v", h, got, want)
		}
	}
}

// The rows do not depend on the order posts and accounts come in (a
// dataset's scan has none).
func TestOrder(t *testing.T) {
	var ps []tahqiq.Post
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		p := post("1", "x:"+string(rune('a'+i%7)), t0.Add(time.Duration(rng.IntN(86400*5))*time.Second), tahqiq.PostKind([]string{"original", "repost", "reply"}[i%3]))
		p.Client = []string{"", "Twitter for iPhone", "Twitter Web App"}[rng.IntN(3)]
		p.Author = &tahqiq.Profile{Handle: []string{"A", "a", "b"}[rng.IntN(3)], Name: "n", Followers: int64(rng.IntN(100)), Following: -1, PostsCount: -1}
		p.Mentions = []tahqiq.Entity{{Text: []string{"X", "y"}[rng.IntN(2)], ID: string(rune('a' + rng.IntN(7)))}}
		ps = append(ps, p)
	}
	build := func(ps []tahqiq.Post) map[string]*signals.Row {
		var bl signals.Builder
		for i := range ps {
			bl.Post(&ps[i])
		}
		return bl.Rows()
	}
	want := build(ps)
	for range 3 {
		rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
		if diff := cmp.Diff(want, build(ps)); diff != "" {
			t.Fatalf("rows depend on order (-first +shuffled):\n%s", diff)
		}
	}
}

// Every column survives a CSV round trip.
func TestRecordRoundTrip(t *testing.T) {
	var bl signals.Builder
	bl.Account(tahqiq.Account{UID: "x:1", Platform: "x", Handle: "a;b", Name: "A", CreatedAt: t0, Followers: 5, Following: 0, PostsCount: -1})
	for i := range 40 {
		p := post("1", "x:1", t0.Add(time.Duration(i*i)*time.Minute), tahqiq.KindOriginal)
		p.Client = "c:1"
		bl.Post(&p)
	}
	r := bl.Row("x:1")
	rec := r.AppendRecord(nil)
	if len(rec) != len(signals.Header()) {
		t.Fatalf("%d cells, %d columns", len(rec), len(signals.Header()))
	}
	back, err := signals.ParseRecord("x:1", rec)
	if err != nil {
		t.Fatal(err)
	}
	if again := back.AppendRecord(nil); !slices.Equal(rec, again) {
		t.Errorf("round trip:\n%q\n%q", rec, again)
	}
	empty := (*signals.Row)(nil).AppendRecord(nil)
	for i, c := range empty {
		if c != "" {
			t.Errorf("nil row's %s = %q", signals.Header()[i], c)
		}
	}
	if r, err := signals.ParseRecord("x:1", empty); r != nil || err != nil {
		t.Errorf("ParseRecord of empty cells = %v, %v; want nil, nil", r, err)
	}
	if _, err := signals.ParseRecord("x:1", append(rec[:3:3], "many")); err == nil {
		t.Error("ParseRecord of 4 cells: no error")
	}
	bad := slices.Clone(rec)
	bad[3] = "x"
	if _, err := signals.ParseRecord("x:1", bad); err == nil || err.Error() != `column posts_total: "x": strconv.ParseInt: parsing "x": invalid syntax` {
		t.Errorf("ParseRecord of a bad number: %v", err)
	}
}

func TestFilter(t *testing.T) {
	r := &signals.Row{Account: "x:1", CreatedAt: "2024-01-29T10:00:00Z", PostsTotal: 40, PostsPerDay: f(21.5), DefaultHandle: b(true),
		Clients: []signals.Count{{Value: "Twitter for Android", N: 30}, {Value: "(none)", N: 10}}, Handles: []signals.Seen{{Value: "Old"}, {Value: "New"}}}
	for _, tc := range []struct {
		filter string
		want   bool
		err    string
	}{
		{"posts_per_day>=20", true, ""},
		{"posts_per_day > 21.5", false, ""},
		{"posts_total=40", true, ""},
		{"default_handle=true", true, ""},
		{"default_handle!=true", false, ""},
		{"created_at>=2024-01-01", true, ""},
		{"created_at<2024-01-29T10:00:01Z", true, ""},
		{"clients~android", true, ""},
		{"clients=twitter for android", true, ""},
		{"clients=Twitter", false, ""},
		{"handles=old", true, ""},
		{"handles!=old", false, ""},
		{"hour_entropy=", true, ""},     // empty: unknown
		{"hour_entropy<1", false, ""},   // unknown matches nothing
		{"age_first_days!=", false, ""}, // it is unknown
		{"bot_score>0.5", false, `filter "bot_score>0.5": no signal "bot_score"`},
		{"posts_per_day~2", false, `filter "posts_per_day~2": posts_per_day is a number: use = != < <= > >=`},
		{"default_handle>true", false, `filter "default_handle>true": default_handle is true or false: use = or !=`},
		{"created_at>=last year", false, `filter "created_at>=last year": "last year" is not a date (YYYY-MM-DD) or an RFC 3339 time`},
		{"posts_per_day", false, `filter "posts_per_day": want COLUMN OP VALUE with OP one of = != < <= > >= ~, e.g. posts_per_day>=20`},
		{"posts_per_day>=many", false, `filter "posts_per_day>=many": "many" is not a number`},
	} {
		fl, err := signals.ParseFilter(tc.filter)
		if tc.err != "" {
			if err == nil || len(err.Error()) < len(tc.err) || err.Error()[:len(tc.err)] != tc.err {
				t.Errorf("ParseFilter(%q) error = %v, want %q", tc.filter, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tc.filter, err)
			continue
		}
		if got := fl.Match(r); got != tc.want {
			t.Errorf("%q matches = %v, want %v", tc.filter, got, tc.want)
		}
	}
}

// PostAt, the author found by a dense index, keeps every signal and
// reach Post keeps, mixed with Post and with indexes that come in any
// order (the slice of entries grows past several of them at once).
func TestPostAtSameAsPost(t *testing.T) {
	ps := synthPosts(20_000)
	for i := range ps {
		if i%9 == 0 {
			ps[i].Mentions = append(ps[i].Mentions, tahqiq.Entity{Text: "Other", ID: ps[(i+1)%len(ps)].AuthorUID[2:]})
		}
	}
	index := map[string]int{}
	for i := len(ps) - 1; i >= 0; i-- { // the last authors get the small indexes
		if _, ok := index[ps[i].AuthorUID]; !ok {
			index[ps[i].AuthorUID] = len(index)
		}
	}
	var byUID, byIndex signals.Builder
	for _, bl := range []*signals.Builder{&byUID, &byIndex} {
		bl.Account(tahqiq.Account{UID: ps[0].AuthorUID, Platform: "x", Handle: "first", Followers: 12, Following: 3, PostsCount: -1})
	}
	for i := range ps {
		byUID.Post(&ps[i])
		if i%5 == 0 {
			byIndex.Post(&ps[i])
		} else {
			byIndex.PostAt(index[ps[i].AuthorUID], &ps[i])
		}
	}
	if diff := cmp.Diff(byUID.Rows(), byIndex.Rows()); diff != "" {
		t.Fatalf("rows differ (-Post +PostAt):\n%s", diff)
	}
	for uid := range index {
		if diff := cmp.Diff(byUID.Reach(uid), byIndex.Reach(uid)); diff != "" {
			t.Fatalf("reach of %s differs (-Post +PostAt):\n%s", uid, diff)
		}
	}
	if byUID.Len() != byIndex.Len() || byIndex.Len() != len(index) {
		t.Fatalf("accounts with posts: Post %d, PostAt %d, want %d", byUID.Len(), byIndex.Len(), len(index))
	}
}
