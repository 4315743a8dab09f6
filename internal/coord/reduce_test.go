package coord_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/coord/coordtest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// hashReducer is the reduce path on goroutines: maps objects are spread
// over by a hash of the object id, each folds its objects into partials
// (in batches of batch objects), the partials go to reduces partitions by
// a hash of the account pair, and each partition merges its own.
type hashReducer struct{ maps, reduces, batch int }

func (h hashReducer) Reduce(ctx context.Context, spec coord.ReduceSpec, src coord.ReduceObjects, grow func(int), fn func([]coord.EdgePartial) error) error {
	objs := coord.AllObjects(src)
	src.Release()
	byPart := make([][]coord.ReduceObject, h.maps)
	for _, o := range objs {
		f := fnv.New32a()
		fmt.Fprint(f, o.Obj)
		byPart[f.Sum32()%uint32(h.maps)] = append(byPart[f.Sum32()%uint32(h.maps)], o)
	}
	shuffle := make([][]coord.EdgePartial, h.reduces)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for _, part := range byPart {
		for lo := 0; lo < len(part); lo += h.batch {
			batch := part[lo:min(lo+h.batch, len(part))]
			wg.Add(1)
			go func() {
				defer wg.Done()
				ps, err := coord.Partials(spec, batch)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					firstErr = err
					return
				}
				for _, p := range ps {
					r := p.Key() % uint64(h.reduces)
					shuffle[r] = append(shuffle[r], p)
				}
			}()
		}
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for _, ps := range shuffle {
		merged := map[uint64]*coord.EdgePartial{}
		for i := range ps {
			if m, ok := merged[ps[i].Key()]; ok {
				m.Merge(&ps[i])
			} else {
				merged[ps[i].Key()] = &ps[i]
			}
		}
		var part []coord.EdgePartial
		for _, m := range merged {
			part = append(part, *m)
		}
		if err := fn(part); err != nil {
			return err
		}
	}
	return nil
}

// partHashReducer is hashReducer whose workers also count
// min-participation (coord.ParticipationReducer): map batches report their
// posts in pairs, partitions by account count them. rounds counts the
// participation rounds it ran.
type partHashReducer struct {
	hashReducer
	rounds *int
}

func (h partHashReducer) Participation(ctx context.Context, spec coord.ParticipationSpec, src coord.ReduceObjects) ([]int64, error) {
	objs := coord.AllObjects(src)
	*h.rounds++
	byAcc := make([][]coord.PostHit, h.reduces)
	for lo := 0; lo < len(objs); lo += h.batch {
		hits, err := coord.ParticipationHits(spec, objs[lo:min(lo+h.batch, len(objs))])
		if err != nil {
			return nil, err
		}
		for _, x := range hits {
			byAcc[int(x.Acc)%h.reduces] = append(byAcc[int(x.Acc)%h.reduces], x)
		}
	}
	var out []int64
	for _, hits := range byAcc {
		out = append(out, coord.QualifiedAccounts(spec, hits)...)
	}
	return out, nil
}

// TestParticipationOnWorkers: with min-participation above 1, a reducer
// that counts participation gets the sweep (one round, two with the fast
// layer) and the run's edges and evidence are the single run's; a post id
// shared by two accounts leaves the sweep to the run's process (no round),
// with the same result.
func TestParticipationOnWorkers(t *testing.T) {
	syn := synth.Generate(synth.Config{Posts: 8000, Seed: 5}).Shares
	// a post with several objects of one type, and of several types: a
	// post in pairs counts all its rows of the scope
	german := readEvents(t, "german_elections_2021.events.csv")
	every := []tahqiq.ObjectType{"url", "domain", "hashtag", "retweet"}
	shared := slices.Clone(syn)
	shared[1].PostID = shared[0].PostID
	shared[1].AccountID = shared[0].AccountID + "x"
	tests := []struct {
		name   string
		mod    func(p *coord.Params)
		shares []tahqiq.Share
		rounds int
	}{
		{"min-participation 2", nil, syn, 1},
		{"min-participation 3, scope all", func(p *coord.Params) { p.MinParticipation = 3; p.ParticipationScope = "all" }, syn, 1},
		{"fast layer 10 s", func(p *coord.Params) { p.FastWindow = 10 }, syn, 2},
		{"collab, tumbling", func(p *coord.Params) { p.Weight = coord.WeightCollab; p.WindowKind = coord.Tumbling }, syn, 1},
		{"min-participation 1", func(p *coord.Params) { p.MinParticipation = 1 }, syn, 0},
		{"german, every type, min-participation 3", func(p *coord.Params) { p.Types = every; p.MinParticipation = 3; p.Window = 30 }, german, 1},
		{"german, every type, scope all, fast layer", func(p *coord.Params) {
			p.Types, p.ParticipationScope, p.FastWindow, p.Window = every, "all", 5, 30
		}, german, 2},
		{"german, every type, scope all, min-participation 3", func(p *coord.Params) {
			p.Types, p.ParticipationScope, p.MinParticipation, p.Window = every, "all", 3, 30
		}, german, 1},
		{"a post of two accounts", nil, shared, 0},
	}
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Graph = false
			if tc.mod != nil {
				tc.mod(&p)
			}
			want, err := coord.Run(ctx, coord.Data{Shares: tc.shares}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			we, wv := coordtest.Records(t, want)
			if len(we) == 0 {
				t.Fatal("no edges: the comparison would prove nothing")
			}
			rounds := 0
			got, err := coord.Run(ctx, coord.Data{Shares: tc.shares}, p, coord.Reduced(partHashReducer{hashReducer{3, 4, 40}, &rounds}))
			if err != nil {
				t.Fatal(err)
			}
			if rounds != tc.rounds {
				t.Errorf("%d participation rounds on the workers, want %d", rounds, tc.rounds)
			}
			ge, gv := coordtest.Records(t, got)
			if !slices.Equal(we, ge) {
				t.Fatalf("%d edges, want %d; first difference at %d:\n got %s\nwant %s", len(ge), len(we), firstDiff(we, ge), at(ge, firstDiff(we, ge)), at(we, firstDiff(we, ge)))
			}
			if !slices.Equal(wv, gv) {
				t.Fatalf("%d evidence rows, want %d; first difference at %d", len(gv), len(wv), firstDiff(wv, gv))
			}
			if want.Counts["pairs"] != got.Counts["pairs"] {
				t.Fatalf("pairs %d, want %d", got.Counts["pairs"], want.Counts["pairs"])
			}
		})
	}
}

// TestReducedEqualsRun: for every weight, window kind, participation rule,
// the fast layer, fast reshares, percentile flags and the post type, on
// the two real samples and a synthetic set, the reduce path gives Run's
// edges (every attribute), evidence rows, counts and communities exactly,
// whatever the number of map batches and reduce partitions.
func TestReducedEqualsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the reduced path over every scenario (about 15 s): not in -short (go test ./..., as CI runs it, does)")
	}
	russian := readEvents(t, "russian_coord_tweets.events.csv")
	german := readEvents(t, "german_elections_2021.events.csv")
	syn := synth.Generate(synth.Config{Posts: 20000, Seed: 3}).Shares
	tests := []struct {
		name   string
		mod    func(p *coord.Params)
		shares []tahqiq.Share
	}{
		{"defaults (pairs, min-participation 2)", nil, syn},
		{"russian, CooRTweet", nil, russian},
		{"german, min-participation 1, louvain", func(p *coord.Params) { p.MinParticipation = 1; p.Graph = true }, german},
		{"min-participation 3, scope all", func(p *coord.Params) { p.MinParticipation = 3; p.ParticipationScope = "all" }, syn},
		{"messages, min weight 2", func(p *coord.Params) { p.Weight = coord.WeightMessages; p.MinWeight = 2 }, syn},
		{"objects, percentile 0.9", func(p *coord.Params) { p.Weight = coord.WeightObjects; p.Percentile = 0.9 }, syn},
		{"collab", func(p *coord.Params) { p.Weight = coord.WeightCollab }, syn},
		{"collab, russian, 30 s, percentile 0.5", func(p *coord.Params) { p.Weight = coord.WeightCollab; p.Window = 30; p.Percentile = 0.5 }, russian},
		{"tfidf", func(p *coord.Params) { p.Weight = coord.WeightTFIDF }, syn},
		{"tfidf, german", func(p *coord.Params) { p.Weight = coord.WeightTFIDF; p.MinParticipation = 1 }, german},
		{"tumbling", func(p *coord.Params) { p.WindowKind = coord.Tumbling }, syn},
		{"from-first, 300 s", func(p *coord.Params) { p.WindowKind = coord.FromFirst; p.Window = 300 }, syn},
		{"fast layer 10 s", func(p *coord.Params) { p.FastWindow = 10 }, syn},
		{"fast layer 10 s, min-participation 1", func(p *coord.Params) { p.FastWindow = 10; p.MinParticipation = 1 }, russian},
		{"fast reshare", func(p *coord.Params) { p.WindowKind = coord.FastReshare; p.Window = 10; p.MinParticipation = 1 }, coordtest.Reshares()},
		{"post type (every post is one object)", func(p *coord.Params) { p.Types = []tahqiq.ObjectType{coord.ObjPost}; p.Window = 2 }, syn},
	}
	ctx := context.Background()
	for i, tc := range tests {
		if testing.Short() && i%4 != 1 { // -short: four of the cases (two of the Russian set, one of the German, one synthetic)
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Graph = false
			if tc.mod != nil {
				tc.mod(&p)
			}
			want, err := coord.Run(ctx, coord.Data{Shares: tc.shares}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			we, wv := coordtest.Records(t, want)
			if len(we) == 0 {
				t.Fatal("the single-machine run found no edges; the comparison would prove nothing")
			}
			rounds := 0
			for _, h := range []coord.Reducer{hashReducer{1, 1, 1 << 30}, hashReducer{3, 2, 50}, hashReducer{7, 5, 7},
				partHashReducer{hashReducer{1, 1, 1 << 30}, &rounds}, partHashReducer{hashReducer{7, 5, 7}, &rounds}} {
				got, err := coord.Run(ctx, coord.Data{Shares: tc.shares}, p, coord.Reduced(h))
				if err != nil {
					t.Fatal(err)
				}
				ge, gv := coordtest.Records(t, got)
				if !slices.Equal(we, ge) {
					t.Fatalf("%+v: %d edges, want %d; first difference at %d:\n got %s\nwant %s", h, len(ge), len(we), firstDiff(we, ge), at(ge, firstDiff(we, ge)), at(we, firstDiff(we, ge)))
				}
				if !slices.Equal(wv, gv) {
					t.Fatalf("%+v: %d evidence rows, want %d; first difference at %d", h, len(gv), len(wv), firstDiff(wv, gv))
				}
				for _, k := range []string{"pairs", "edges", "flagged_edges", "edge_accounts"} {
					if want.Counts[k] != got.Counts[k] {
						t.Fatalf("%+v: %s %d, want %d", h, k, got.Counts[k], want.Counts[k])
					}
				}
				if want.Graph != nil && !slices.Equal(want.Graph.Community, got.Graph.Community) {
					t.Fatalf("%+v: communities differ", h)
				}
			}
		})
	}
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return "(none)"
}
