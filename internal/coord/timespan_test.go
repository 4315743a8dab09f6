package coord_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/coord/coordtest"
)

// shifted returns shares with every time moved by d seconds.
func shifted(shares []tahqiq.Share, d int64) []tahqiq.Share {
	out := make([]tahqiq.Share, len(shares))
	for i, s := range shares {
		s.Time += d
		out[i] = s
	}
	return out
}

// timesOf returns the edges and evidence rows of res with their times
// moved back by d.
func timesOf(t *testing.T, res *coord.Result, d int64) ([]coord.Edge, []coord.EvidenceRow) {
	t.Helper()
	edges := make([]coord.Edge, len(res.Edges))
	for i, e := range res.Edges {
		e.First -= d
		e.Last -= d
		edges[i] = e
	}
	var ev []coord.EvidenceRow
	if err := res.Evidence(func(r coord.EvidenceRow) error {
		r.TimeA -= d
		r.TimeB -= d
		ev = append(ev, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return edges, ev
}

// TestTimesAnywhere: a row holds its time as 32 bits of seconds from the
// run's earliest time, read as the time's low 32 bits: the same shares
// moved anywhere in time (across a multiple of 2^32 seconds, before 1970,
// thousands of years on) give the same edges and evidence, their times
// moved by as much, for every window kind, through Run's shares and
// through a Collector, and the same spilled (rows, posts, pairs and edges
// on disk under a budget of 1 byte) as held.
func TestTimesAnywhere(t *testing.T) {
	defer coord.SetMinPairCap(256)()
	russian := readEvents(t, "russian_coord_tweets.events.csv")
	lo, hi := russian[0].Time, russian[0].Time
	for _, s := range russian {
		lo, hi = min(lo, s.Time), max(hi, s.Time)
	}
	mid := lo + (hi-lo)/2
	shifts := []int64{
		1<<32 - mid,     // the low 32 bits wrap mid-way
		3<<32 - lo - 1,  // the earliest time's low bits are 2^32 - 1
		-(1 << 40),      // before 1970
		200<<32 + 12345, // far on
		-lo,             // the earliest at 0
		1<<32 - 1 - hi,  // the latest at 2^32 - 1
		-hi - (1 << 31), // all negative, across -2^31
	}
	if testing.Short() {
		shifts = shifts[:2]
	}
	for _, tc := range []struct {
		name   string
		shares []tahqiq.Share
		mod    func(*coord.Params)
	}{
		{"sliding, CooRTweet", russian, func(p *coord.Params) {}},
		{"sliding, fast layer", russian, func(p *coord.Params) { p.Weight = coord.WeightMessages; p.FastWindow = 10 }},
		{"tumbling", russian, func(p *coord.Params) { p.WindowKind = coord.Tumbling; p.Window = 7 }},
		{"from first", russian, func(p *coord.Params) { p.WindowKind = coord.FromFirst; p.MinParticipation = 1 }},
		{"fast reshare", coordtest.Reshares(), func(p *coord.Params) {
			p.WindowKind, p.Window, p.MinParticipation = coord.FastReshare, 10, 1
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Graph = false
			tc.mod(&p)
			ctx := context.Background()
			want, err := coord.Run(ctx, coord.Data{Shares: tc.shares}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			we, wv := timesOf(t, want, 0)
			if len(we) == 0 || len(wv) == 0 {
				t.Fatal("no edges or evidence: the comparison proves nothing")
			}
			for _, d := range shifts {
				moved := shifted(tc.shares, d)
				col := coord.NewCollector(p)
				for i := range moved {
					col.Share(&moved[i])
				}
				runs := []coord.Data{{Shares: moved}, {Collected: col}}
				if p.WindowKind == coord.FastReshare {
					runs = runs[:1] // collected shares run alone
				}
				for _, data := range runs {
					got, err := coord.Run(ctx, data, p, nil)
					if err != nil {
						t.Fatalf("moved by %d: %v", d, err)
					}
					ge, gv := timesOf(t, got, d)
					if !reflect.DeepEqual(ge, we) || !reflect.DeepEqual(gv, wv) {
						t.Fatalf("moved by %d (collected %v): the edges or evidence differ", d, data.Collected != nil)
					}
				}
				if p.WindowKind == coord.FastReshare || testing.Short() && d != shifts[0] {
					continue
				}
				// under a budget of 1 byte: the rows and posts spill while
				// read, the pairs in sorted runs, the edges to a file
				want, err := coord.Run(ctx, coord.Data{Shares: moved}, p, nil)
				if err != nil {
					t.Fatal(err)
				}
				col = coord.NewCollector(p)
				col.SetBudget(coord.Budget{Mem: 1, TempDir: t.TempDir()})
				for i := range moved {
					col.Share(&moved[i])
				}
				got, err := coord.Run(ctx, coord.Data{Collected: col}, p, coord.InProcess(coord.Budget{Mem: 1, TempDir: t.TempDir()}))
				if err != nil {
					t.Fatal(err)
				}
				if c := got.Counts; c["spilled_read_bytes"] == 0 || c["spilled_edge_bytes"] == 0 || c["spilled_bytes"] == 0 && c["pairs"] > 256 {
					t.Fatalf("moved by %d: nothing spilled (%v)", d, got.Counts)
				}
				we, wv := coordtest.Records(t, want)
				ge, gv := coordtest.Records(t, got)
				if !reflect.DeepEqual(ge, we) || !reflect.DeepEqual(gv, wv) {
					t.Fatalf("moved by %d, spilled: the edges or evidence differ", d)
				}
			}
		})
	}
}

// TestTimesSpan: shares whose times span 2^32 - 1 seconds run; one second
// more and the run fails, naming the earliest and latest time and what to
// check, through Run's shares and through a Collector (the --input and
// --dataset read).
func TestTimesSpan(t *testing.T) {
	mk := func(span int64) []tahqiq.Share {
		const t0 = -62135596800 // 0001-01-01T00:00:00Z
		var out []tahqiq.Share
		for k, tm := range []int64{t0, t0 + 5, t0 + span - 5, t0 + span} {
			for _, acc := range []string{"x:a", "x:b"} {
				out = append(out, tahqiq.Share{Type: tahqiq.ObjHashtag, Object: "h", AccountID: acc,
					PostID: acc + "-" + string(rune('0'+k)), Time: tm})
			}
		}
		return out
	}
	p := coord.DefaultParams()
	p.Graph, p.MinParticipation = false, 1
	ctx := context.Background()
	for _, span := range []int64{1<<32 - 1, 1 << 32} {
		shares := mk(span)
		col := coord.NewCollector(p)
		for i := range shares {
			col.Share(&shares[i])
		}
		for _, data := range []coord.Data{{Shares: shares}, {Collected: col}} {
			res, err := coord.Run(ctx, data, p, nil)
			if span < 1<<32 {
				if err != nil {
					t.Fatalf("span %d: %v", span, err)
				}
				edges, _ := timesOf(t, res, 0)
				if len(edges) != 1 || edges[0].Pairs != 8 || edges[0].SumDt != 20 || edges[0].First != shares[0].Time || edges[0].Last != shares[len(shares)-1].Time {
					t.Fatalf("span %d: edges %+v", span, edges)
				}
				continue
			}
			if err == nil {
				t.Fatalf("span %d: no error", span)
			}
			t.Log(err)
			for _, want := range []string{"0001-01-01T00:00:00Z (unix -62135596800)", "0137-02-07T06:28:16Z (unix -57840629504)", "136 years", "timestamp or created_at"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("span %d: the error %q does not say %q", span, err, want)
				}
			}
		}
	}
}
