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
	res, err := coord.Run(context.Background(), shares, p, nil)
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
		if len(a.Accounts) < 4 || len(a.Edges) < len(a.Accounts)-1 {
			t.Fatalf("alert %d accounts, %d edges: a group of n accounts needs n-1 edges at least", len(a.Accounts), len(a.Edges))
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
