package live_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/live"
)

// TestWatchEqualsRun: shares fed one by one in time order give the edges
// and weights of coord.Run's sliding window with the pairs weight, and
// alerts name groups whose edges carry their evidence.
func TestWatchEqualsRun(t *testing.T) {
	shares := parsetest.ReadEvents(t, "russian_coord_tweets.events.csv")
	slices.SortStableFunc(shares, func(a, b tahqiq.Share) int { return int(a.Time - b.Time) })
	p := coord.DefaultParams()
	p.MinParticipation = 1
	p.Graph = false
	res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]string]float64{}
	for _, e := range res.Edges {
		a, b := res.Account(e.A), res.Account(e.B)
		if b < a {
			a, b = b, a
		}
		want[[2]string{a, b}] = e.Weight
	}
	var alerts []live.Alert
	w := &live.Watcher{Window: 60, MinWeight: 2, GroupSize: 4, OnAlert: func(a live.Alert) { alerts = append(alerts, a) }}
	for _, s := range shares {
		w.Add(s)
	}
	got := w.Edges()
	if len(got) != len(want) {
		t.Fatalf("%d live edges, coord.Run has %d", len(got), len(want))
	}
	for _, e := range got {
		if want[[2]string{e.A, e.B}] != float64(e.Weight) {
			t.Fatalf("edge %s-%s: live weight %d, coord.Run %v", e.A, e.B, e.Weight, want[[2]string{e.A, e.B}])
		}
		for _, ev := range e.Evidence {
			if d := ev.TimeB - ev.TimeA; d > 60 || d < -60 || ev.AccountA == ev.AccountB {
				t.Fatalf("evidence %+v outside the window", ev)
			}
		}
	}
	if w.Stats.Late != 0 {
		t.Errorf("%d shares counted late in time order", w.Stats.Late)
	}
	if len(alerts) == 0 {
		t.Fatal("no alert on the Russian sample with groups of 4 and edges of 2 pairs")
	}
	for _, a := range alerts {
		if len(a.Accounts) < 4 || a.EdgeCount < len(a.Accounts)-1 || len(a.Edges) != min(a.EdgeCount, 500) {
			t.Fatalf("alert %d accounts, %d edges listed of %d: a group of n accounts needs n-1 edges at least", len(a.Accounts), len(a.Edges), a.EdgeCount)
		}
		for _, e := range a.Edges {
			if e.Weight < 2 || len(e.Evidence) == 0 {
				t.Fatalf("alert edge %+v: weight under 2 or no evidence", e)
			}
		}
	}
	t.Logf("%d alerts; first: %d accounts at %s", len(alerts), len(alerts[0].Accounts), alerts[0].Time)
}

// TestWatchLateShares: a share older than the lateness allowed is counted
// and not paired.
func TestWatchLateShares(t *testing.T) {
	w := &live.Watcher{Window: 10, Lateness: 5}
	sh := func(acc, post string, tm int64) tahqiq.Share {
		return tahqiq.Share{Type: tahqiq.ObjURL, Object: "u", AccountID: acc, PostID: post, Time: tm}
	}
	w.Add(sh("a", "p1", 100))
	w.Add(sh("b", "p2", 105)) // pairs with a
	w.Add(sh("c", "p3", 120)) // newest 120: nothing within 10 s
	w.Add(sh("d", "p4", 104)) // 16 s behind the newest: late
	if es := w.Edges(); len(es) != 1 || es[0].A != "a" || es[0].B != "b" || w.Stats.Late != 1 {
		t.Fatalf("edges %+v, late %d", es, w.Stats.Late)
	}
}

// TestWatchHorizon: with a horizon, each edge's weight is exactly the
// number of its co-share pairs whose later share falls in a bucket (an
// eighth of the horizon) not wholly before newest-Horizon, computed here
// by brute force over every pair of the first three quarters of the
// Russian sample (its last shares are months after the rest); with a
// horizon longer than the data, the edges are those of no horizon.
func TestWatchHorizon(t *testing.T) {
	shares := parsetest.ReadEvents(t, "russian_coord_tweets.events.csv")
	slices.SortStableFunc(shares, func(a, b tahqiq.Share) int { return int(a.Time - b.Time) })
	all := &live.Watcher{Window: 60}
	for _, s := range shares {
		all.Add(s)
	}
	span := shares[len(shares)-1].Time - shares[0].Time
	long := &live.Watcher{Window: 60, Horizon: 2 * span}
	for _, s := range shares {
		long.Add(s)
	}
	if a, b := all.Edges(), long.Edges(); !slices.EqualFunc(a, b, func(x, y live.Edge) bool { return x.A == y.A && x.B == y.B && x.Weight == y.Weight }) {
		t.Fatalf("a horizon longer than the data (%d s) changes the edges: %d vs %d", span, len(a), len(b))
	}
	fed := shares[:len(shares)*3/4]
	for _, h := range []int64{86400, 3 * 86400, 10 * 86400} {
		w := &live.Watcher{Window: 60, Horizon: h}
		var newest int64
		for _, s := range fed {
			w.Add(s)
			newest = max(newest, s.Time)
		}
		width := h / 8
		floor := func(t int64) int64 { return t / width }
		cut := floor(newest - h)
		// brute force: every pair of shares of one object within the window
		want := map[[2]string]int64{}
		byObj := map[string][]tahqiq.Share{}
		for _, s := range fed {
			if s.Object == "" || coord.IsLoop(s) {
				continue
			}
			k := string(s.Type) + "\x00" + s.Object
			for _, r := range byObj[k] {
				if r.AccountID != s.AccountID && s.Time-r.Time <= 60 && r.PostID != s.PostID && floor(max(r.Time, s.Time)) >= cut {
					a, b := r.AccountID, s.AccountID
					if b < a {
						a, b = b, a
					}
					want[[2]string{a, b}]++
				}
			}
			byObj[k] = append(byObj[k], s)
		}
		got := w.Edges()
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("horizon %d s: %d edges, brute force %d", h, len(got), len(want))
		}
		for _, e := range got {
			if want[[2]string{e.A, e.B}] != e.Weight {
				t.Fatalf("horizon %d s: edge %s-%s weight %d, brute force %d", h, e.A, e.B, e.Weight, want[[2]string{e.A, e.B}])
			}
			for _, ev := range e.Evidence {
				if floor(max(ev.TimeA, ev.TimeB)) < cut {
					t.Fatalf("horizon %d s: evidence %+v older than the horizon", h, ev)
				}
			}
		}
		if w.Stats.Expired == 0 || w.Stats.Pairs-w.Stats.Expired != sum(want) {
			t.Errorf("horizon %d s: %d pairs, %d expired, %d held; brute force %d", h, w.Stats.Pairs, w.Stats.Expired, w.Stats.Pairs-w.Stats.Expired, sum(want))
		}
		t.Logf("horizon %d s: %d edges, %d of %d pairs expired", h, len(got), w.Stats.Expired, w.Stats.Pairs)
	}
}

func sum(m map[[2]string]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

// TestWatchHorizonRealerts: a group that forms, breaks up as its pairs
// pass the horizon and forms again raises a second alert; one that only
// persists does not; Quiet advances the levels without alerting.
func TestWatchHorizonRealerts(t *testing.T) {
	burst := func(w *live.Watcher, t0 int64, obj string) {
		for i, acc := range []string{"a", "b", "c"} {
			for rep := range 2 { // two objects: every pair of the three gets weight 2
				w.Add(tahqiq.Share{Type: tahqiq.ObjURL, Object: obj + string(rune('0'+rep)), AccountID: acc,
					PostID: acc + obj + string(rune('0'+rep)), Time: t0 + int64(i)})
			}
		}
	}
	for _, tc := range []struct {
		name   string
		second int64 // data time of the second burst
		quiet  bool
		alerts int
	}{
		{"second burst after the horizon", 10000, false, 2},
		{"second burst within the horizon", 500, false, 1},
		{"quiet", 10000, true, 0},
	} {
		var n int
		w := &live.Watcher{Window: 60, MinWeight: 2, GroupSize: 3, Horizon: 800, Quiet: tc.quiet, OnAlert: func(live.Alert) { n++ }}
		burst(w, 0, "x")
		burst(w, tc.second, "y")
		if n != tc.alerts || w.Stats.Alerts != tc.alerts {
			t.Errorf("%s: %d alerts (stats %d), want %d", tc.name, n, w.Stats.Alerts, tc.alerts)
		}
		if es := w.Edges(); len(es) != 3 {
			t.Errorf("%s: %d edges, want 3", tc.name, len(es))
		}
	}
}

// messages cuts time-ordered shares into stream messages of n shares,
// numbered from 1 as a stream numbers them.
func messages(shares []tahqiq.Share, n int) [][]tahqiq.Share {
	var out [][]tahqiq.Share
	for len(shares) > 0 {
		k := min(n, len(shares))
		out = append(out, shares[:k])
		shares = shares[k:]
	}
	return out
}

// TestWatchResume: a watch restarted from its saved Position (replaying
// from Resume, quietly through Last) then raises exactly the alerts and
// holds exactly the edges of a watch that never stopped; with a horizon
// the replay starts well after the first message, without one it starts
// at the first.
func TestWatchResume(t *testing.T) {
	shares := parsetest.ReadEvents(t, "russian_coord_tweets.events.csv")
	slices.SortStableFunc(shares, func(a, b tahqiq.Share) int { return int(a.Time - b.Time) })
	msgs := messages(shares, 40)
	const subject = "tahqiq.live.ru"
	for _, tc := range []struct {
		name    string
		horizon int64
		stop    int // messages taken before the restart
	}{
		{"one-day horizon", 86400, len(msgs) * 3 / 5},
		{"one-day horizon, early stop", 86400, 50},
		{"no horizon", 0, len(msgs) / 2},
	} {
		params := live.Watcher{Window: 60, MinWeight: 2, GroupSize: 4, Horizon: tc.horizon}
		var straight, resumed []live.Record
		a := &live.Watchers{Params: params, OnAlert: func(r live.Record, _ error) { straight = append(straight, r) }}
		for i, m := range msgs[:tc.stop] {
			a.AddSeq(subject, uint64(i+1), m)
		}
		before := len(straight)
		pos := a.Position()
		if pos.Last != uint64(tc.stop) || pos.Resume < 1 || pos.Resume > pos.Last {
			t.Fatalf("%s: position %+v after %d messages", tc.name, pos, tc.stop)
		}
		if tc.horizon == 0 && pos.Resume != 1 {
			t.Errorf("%s: resume at %d, want 1 (nothing expires)", tc.name, pos.Resume)
		}
		if tc.horizon > 0 && pos.Resume < 10 {
			t.Errorf("%s: resume at %d: a one-day horizon should let the replay skip most of %d messages", tc.name, pos.Resume, pos.Last)
		}
		b := &live.Watchers{Params: params, QuietThrough: pos.Last, OnAlert: func(r live.Record, _ error) { resumed = append(resumed, r) }}
		for seq := pos.Resume; seq <= pos.Last; seq++ {
			b.AddSeq(subject, seq, msgs[seq-1])
		}
		if len(resumed) != 0 {
			t.Fatalf("%s: the quiet replay raised %d alerts", tc.name, len(resumed))
		}
		same := func(x, y live.Edge) bool { return x.A == y.A && x.B == y.B && x.Weight == y.Weight }
		compared := 0
		for i := tc.stop; i < len(msgs); i++ {
			a.AddSeq(subject, uint64(i+1), msgs[i])
			b.AddSeq(subject, uint64(i+1), msgs[i])
			if (i-tc.stop)%25 == 0 { // the edges agree all along, not only at the end
				ea, eb := a.Edges(subject), b.Edges(subject)
				if !slices.EqualFunc(ea, eb, same) {
					t.Fatalf("%s: after message %d: %d edges, %d without the restart", tc.name, i+1, len(eb), len(ea))
				}
				compared += len(ea)
			}
		}
		if compared == 0 {
			t.Fatalf("%s: no edges to compare", tc.name)
		}
		after := straight[before:]
		if len(after) == 0 {
			t.Fatalf("%s: no alert after message %d: the comparison tests nothing", tc.name, tc.stop)
		}
		if len(resumed) != len(after) {
			t.Fatalf("%s: %d alerts after the restart, %d without one", tc.name, len(resumed), len(after))
		}
		for i := range after {
			if !slices.Equal(after[i].Accounts, resumed[i].Accounts) || !after[i].Time.Equal(resumed[i].Time) || len(after[i].Edges) != len(resumed[i].Edges) {
				t.Fatalf("%s: alert %d differs: %d accounts at %s vs %d at %s", tc.name, i, len(after[i].Accounts), after[i].Time, len(resumed[i].Accounts), resumed[i].Time)
			}
		}
		ea, eb := a.Edges(subject), b.Edges(subject)
		if !slices.EqualFunc(ea, eb, same) {
			t.Fatalf("%s: %d edges at the end, %d without the restart", tc.name, len(eb), len(ea))
		}
		t.Logf("%s: stopped at %d of %d, replayed from %d; %d alerts after, %d edges compared along the way", tc.name, tc.stop, len(msgs), pos.Resume, len(after), compared)
	}
}
