package coord_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
)

// TestCarriedSpillEqualsRun: a lean run (no evidence, no graph step,
// min-participation 1) over its budget spills pairs that carry their
// rows and lets the rows go once the pairs are made; it writes the same
// edges.csv and edges_directed.csv as the run that holds everything,
// with the same counts, for every count weight and window kind, the fast
// layer on, the merge and the fold in parts, short cursor blocks, and
// the edges counted before they go to a file: on the real tables and on
// random inputs made to tie (times, objects shared by many accounts, one
// object holding most pairs).
func TestCarriedSpillEqualsRun(t *testing.T) {
	defer coord.SetMinPairCap(256)()
	inputs := []struct {
		name   string
		shares func(t *testing.T) []tahqiq.Share
	}{
		{"russian", func(t *testing.T) []tahqiq.Share { return readEvents(t, "russian_coord_tweets.events.csv") }},
		{"random ties", func(*testing.T) []tahqiq.Share { return randomShares(1, 1500, 60, 40, 30) }},
		{"random one object", func(*testing.T) []tahqiq.Share { return randomShares(2, 2500, 80, 3, 200) }},
	}
	if !testing.Short() {
		inputs = append(inputs, struct {
			name   string
			shares func(t *testing.T) []tahqiq.Share
		}{"german", func(t *testing.T) []tahqiq.Share { return readEvents(t, "german_elections_2021.events.csv") }})
	}
	kinds := []struct {
		name string
		mod  func(*coord.Params)
	}{
		{"messages", func(p *coord.Params) { p.Weight = coord.WeightMessages }},
		{"pairs, fast layer 10 s", func(p *coord.Params) { p.FastWindow = 10 }},
		{"objects, tumbling", func(p *coord.Params) { p.Weight, p.WindowKind = coord.WeightObjects, coord.Tumbling }},
		{"collab, from first 300 s", func(p *coord.Params) { p.Weight, p.WindowKind, p.Window = coord.WeightCollab, coord.FromFirst, 300 }},
	}
	for _, input := range inputs {
		shares := input.shares(t)
		for _, kind := range kinds {
			t.Run(input.name+"/"+kind.name, func(t *testing.T) {
				p := coord.DefaultParams()
				p.Graph, p.Evidence, p.MinParticipation = false, false, 1
				kind.mod(&p)
				want, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
				if err != nil {
					t.Fatal(err)
				}
				if want.Counts["edges"] == 0 {
					t.Fatal("no edges: the comparison proves nothing")
				}
				wantDir := t.TempDir()
				if _, err := want.WriteDir(wantDir, "test", coord.Source{}); err != nil {
					t.Fatal(err)
				}
				variants := []string{"carried", "parts", "blocks", "counted", "budget decides", "not carried"}
				if testing.Short() && input.name != "russian" {
					variants = []string{"carried", "parts", "budget decides"}
				}
				for _, v := range variants {
					p := p
					var restore []func()
					mode := 1
					switch v {
					case "parts":
						restore = append(restore, coord.SetFoldPartMin(1))
						p.Workers = 3
					case "blocks":
						restore = append(restore, coord.SetRunBlock(3))
					case "counted":
						restore = append(restore, coord.SetCountEdgesAlways(true))
					case "budget decides":
						mode = 0 // 1 byte: the rows take more than their share
					case "not carried":
						mode = -1
					}
					restore = append(restore, coord.SetCarryRows(mode))
					got, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, coord.InProcess(coord.Budget{Mem: 1, TempDir: t.TempDir()}))
					for _, r := range restore {
						r()
					}
					if err != nil {
						t.Fatal(err)
					}
					if got.Counts["spilled_runs"] < 2 {
						t.Fatalf("%s: %d runs: the merge is not tested", v, got.Counts["spilled_runs"])
					}
					carried := got.Counts["spilled_carried_bytes"]
					if (carried > 0) != (v != "not carried") || carried > 0 && carried != got.Counts["spilled_bytes"] || carried != 28*got.Counts["pairs"] && carried > 0 {
						t.Fatalf("%s: carried %d bytes of %d spilled, %d pairs", v, carried, got.Counts["spilled_bytes"], got.Counts["pairs"])
					}
					if carried > 0 {
						// the rows are gone: what reads them says so
						if err := got.Evidence(func(coord.EvidenceRow) error { return nil }); err == nil {
							t.Fatalf("%s: evidence of a run that let its rows go", v)
						}
					}
					dir := t.TempDir()
					if _, err := got.WriteDir(dir, "test", coord.Source{}); err != nil {
						t.Fatal(err)
					}
					for _, f := range []string{"edges.csv", "edges_directed.csv"} {
						a, errA := os.ReadFile(filepath.Join(wantDir, f))
						b, errB := os.ReadFile(filepath.Join(dir, f))
						if errors.Is(errA, os.ErrNotExist) && errors.Is(errB, os.ErrNotExist) {
							continue
						}
						if errA != nil || errB != nil {
							t.Fatalf("%s: %v, %v", f, errA, errB)
						}
						if !bytes.Equal(a, b) {
							t.Fatalf("%s: %s differs (%d bytes, want %d; first difference at byte %d)", v, f, len(b), len(a), firstByteDiff(a, b))
						}
					}
					for _, k := range []string{"pairs", "edges", "flagged_edges", "edge_accounts", "shares"} {
						if got.Counts[k] != want.Counts[k] {
							t.Fatalf("%s: %s %d, want %d", v, k, got.Counts[k], want.Counts[k])
						}
					}
				}
			})
		}
	}
}

// randomShares makes n retweet and hashtag shares of accounts accounts
// over objects objects, at times within span seconds of each other (many
// ties), seeded: the hashtag "#big" takes a third of them, so that one
// object holds most pairs.
func randomShares(seed uint64, n, accounts, objects int, span int64) []tahqiq.Share {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]tahqiq.Share, 0, n)
	for i := range n {
		typ, obj := tahqiq.ObjRetweet, fmt.Sprintf("o%d", r.IntN(objects))
		if r.IntN(2) == 0 {
			typ, obj = tahqiq.ObjHashtag, fmt.Sprintf("#h%d", r.IntN(objects))
		}
		if r.IntN(3) == 0 {
			typ, obj = tahqiq.ObjHashtag, "#big"
		}
		post := fmt.Sprintf("p%d", i)
		if r.IntN(5) == 0 && i > 0 {
			post = fmt.Sprintf("p%d", r.IntN(i)) // a post sharing more than one object
		}
		out = append(out, tahqiq.Share{Type: typ, Object: obj, AccountID: fmt.Sprintf("a%d", r.IntN(accounts)), PostID: post, Time: 1_600_000_000 + r.Int64N(span)*(1+int64(r.IntN(40)))})
	}
	return out
}

func firstByteDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestCarriedRunDamaged: a run of carried pairs that names an object or
// an account the run does not have, or one account twice, fails the
// merge with an error, not a panic in the fold.
func TestCarriedRunDamaged(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  [7]uint32 // object, then time, account, post of each row
	}{
		{"object past the run's", [7]uint32{5, 0, 0, 0, 1, 1, 1}},
		{"account past the run's", [7]uint32{0, 0, 0, 0, 1, 9, 1}},
		{"one account twice", [7]uint32{0, 0, 1, 0, 1, 1, 1}},
		{"negative post", [7]uint32{0, 0, 0, 1 << 31, 1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := coord.MergeCarried(2, 3, tc.rec); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if err := coord.MergeCarried(2, 3, [7]uint32{1, 0, 2, 0, 1, 0, 1}); err != nil {
		t.Fatalf("a sound pair: %v", err)
	}
}
