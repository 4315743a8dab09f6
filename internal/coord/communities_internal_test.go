package coord

import (
	"bytes"
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestCommunityExtents: communities.csv counts each community's edges
// (on the graph step's network) as a pass over the edges would, and its
// posts and objects as sets of them would (the reference below), from pairs in
// object order (counted as they come) and from pairs in another order
// (counted again with a set per community): the same bytes.
func TestCommunityExtents(t *testing.T) {
	d := synth.Generate(synth.Config{Posts: 20000, Seed: 3})
	p := DefaultParams()
	p.MinParticipation = 1
	res, err := Run(context.Background(), Data{Shares: d.Shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := res.Graph
	comms := 0
	for _, c := range g.Community {
		comms = max(comms, int(c)+1)
	}
	if comms < 5 {
		t.Fatalf("%d communities: the test proves little", comms)
	}
	// the reference: sets per community
	posts, objects := make([]map[int32]bool, comms), make([]map[int32]bool, comms)
	for c := range posts {
		posts[c], objects[c] = map[int32]bool{}, map[int32]bool{}
	}
	commOf := func(a int32) int32 {
		if u := g.Node[a]; u >= 0 {
			return g.Community[u]
		}
		return -1
	}
	edges := make([]int, comms) // the kept edges within each community
	for _, e := range res.Edges {
		if c := commOf(e.A); c >= 0 && c == commOf(e.B) {
			edges[c]++
		}
	}
	for _, pr := range res.pairs {
		ra, rb := res.in.ends(pr)
		if c := commOf(ra.acc); c >= 0 && c == commOf(rb.acc) {
			posts[c][ra.post], posts[c][rb.post] = true, true
			objects[c][ra.obj] = true
		}
	}
	read := func(path string) ([]byte, [][]string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return b, recs
	}
	dir := t.TempDir()
	if err := res.writeCommunities(filepath.Join(dir, "ordered.csv")); err != nil {
		t.Fatal(err)
	}
	ordered, recs := read(filepath.Join(dir, "ordered.csv"))
	for _, rec := range recs[1:] {
		c, _ := strconv.Atoi(rec[0])
		if rec[2] != strconv.Itoa(edges[c]) || rec[3] != strconv.Itoa(len(posts[c])) || rec[4] != strconv.Itoa(len(objects[c])) {
			t.Fatalf("community %d: %s edges, %s posts, %s objects; the edges and sets say %d, %d, %d", c, rec[2], rec[3], rec[4], edges[c], len(posts[c]), len(objects[c]))
		}
	}
	// the same pairs shuffled: an object's pairs apart
	pairs := slices.Clone(res.pairs)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	res.pairs, res.kept = nil, func(fn func(pairRef) error) error {
		for _, pr := range pairs {
			if err := fn(pr); err != nil {
				return err
			}
		}
		return nil
	}
	if err := res.writeCommunities(filepath.Join(dir, "reversed.csv")); err != nil {
		t.Fatal(err)
	}
	if reversed, _ := read(filepath.Join(dir, "reversed.csv")); !bytes.Equal(reversed, ordered) {
		t.Fatalf("pairs out of object order give another communities.csv:\n%s\nwant:\n%s", reversed, ordered)
	}
}
