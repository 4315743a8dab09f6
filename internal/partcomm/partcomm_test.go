package partcomm_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq/internal/graph"
	"github.com/tahqiq/tahqiq/internal/partcomm"
)

func TestSums(t *testing.T) {
	edges := partcomm.EdgeList{{U: 0, V: 1, W: 2}, {U: 2, V: 1, W: 1}, {U: 0, V: 2, W: 0.5}, {U: 3, V: 2, W: 4}}
	labels := []int32{0, 0, 2, 2}
	tests := []struct {
		step   partcomm.Step
		labels []int32
		want   []partcomm.Record
	}{
		{partcomm.Strengths, nil, []partcomm.Record{{A: 0, W: 2.5, N: 2}, {A: 1, W: 3, N: 2}, {A: 2, W: 5.5, N: 3}, {A: 3, W: 4, N: 1}}},
		{partcomm.Links, labels, []partcomm.Record{
			{A: 0, B: 0, W: 2, N: 1}, {A: 0, B: 2, W: 0.5, N: 1},
			{A: 1, B: 0, W: 2, N: 1}, {A: 1, B: 2, W: 1, N: 1},
			{A: 2, B: 0, W: 1.5, N: 2}, {A: 2, B: 2, W: 4, N: 1},
			{A: 3, B: 2, W: 4, N: 1}}},
		{partcomm.Pairs, labels, []partcomm.Record{{A: 0, B: 0, W: 2, N: 1}, {A: 0, B: 2, W: 1.5, N: 2}, {A: 2, B: 2, W: 4, N: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.step.String(), func(t *testing.T) {
			got, err := partcomm.Sums(edges, tc.step, tc.labels)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Sums(%v) (-want +got):\n%s", tc.step, diff)
			}
		})
	}
}

func TestSumsErrors(t *testing.T) {
	tests := []struct {
		name   string
		edges  partcomm.EdgeList
		step   partcomm.Step
		labels []int32
		want   string
	}{
		{"self-loop", partcomm.EdgeList{{U: 1, V: 1, W: 1}}, partcomm.Strengths, nil, "self-loop on node 1"},
		{"node out of range", partcomm.EdgeList{{U: 0, V: 5, W: 1}}, partcomm.Links, []int32{0, 1}, "node 5 in a graph of 2 nodes"},
		{"negative node", partcomm.EdgeList{{U: -1, V: 0, W: 1}}, partcomm.Strengths, nil, "nodes -1 and 0"},
		{"no labels", partcomm.EdgeList{{U: 0, V: 1, W: 1}}, partcomm.Pairs, nil, "pairs sums need the labels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := partcomm.Sums(tc.edges, tc.step, tc.labels)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Sums = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// badParts hands partition 1's records out of order.
type badParts struct{}

func (badParts) Sums(ctx context.Context, step partcomm.Step, labels []int32) ([]partcomm.Reader, error) {
	return []partcomm.Reader{
		partcomm.NewSliceReader([]partcomm.Record{{A: 0, W: 1, N: 1}, {A: 1, W: 1, N: 1}}),
		partcomm.NewSliceReader([]partcomm.Record{{A: 1, W: 1, N: 1}, {A: 0, W: 1, N: 1}}),
	}, nil
}

func TestDetectRefusesUnsortedSums(t *testing.T) {
	_, err := partcomm.Detect(context.Background(), badParts{}, 2, partcomm.Options{})
	if err == nil || !strings.Contains(err.Error(), "partition 1 are not in key order") {
		t.Fatalf("Detect = %v, want the out-of-order error naming partition 1", err)
	}
}

type failParts struct{}

func (failParts) Sums(ctx context.Context, step partcomm.Step, labels []int32) ([]partcomm.Reader, error) {
	return nil, errors.New("worker gone")
}

func TestDetectPartitionFails(t *testing.T) {
	_, err := partcomm.Detect(context.Background(), failParts{}, 2, partcomm.Options{})
	if err == nil || !strings.Contains(err.Error(), "strengths: worker gone") {
		t.Fatalf("Detect = %v, want the partition's error", err)
	}
}

// single is the single-process reference: graph.Louvain on the whole
// graph, communities numbered as Detect numbers them.
func single(n int, edges []partcomm.Edge, seed uint64) ([]int32, float64, *graph.CSR) {
	ge := make([]graph.Edge, len(edges))
	for i, e := range edges {
		ge[i] = graph.Edge{U: e.U, V: e.V, W: e.W}
	}
	g := graph.New(n, ge)
	comm, q := graph.Louvain(g, seed, 1)
	for u := range comm {
		if g.Degree(int32(u)) == 0 {
			comm[u] = -1
		}
	}
	return renumbered(comm), q, g
}

// renumbered numbers communities by decreasing size, ties by smallest
// node (Detect's numbering).
func renumbered(comm []int32) []int32 {
	size := map[int32]int{}
	first := map[int32]int{}
	var ids []int32
	for u, c := range comm {
		if c < 0 {
			continue
		}
		if _, ok := size[c]; !ok {
			first[c] = u
			ids = append(ids, c)
		}
		size[c]++
	}
	slices.SortFunc(ids, func(a, b int32) int {
		if size[a] != size[b] {
			return size[b] - size[a]
		}
		return first[a] - first[b]
	})
	id := map[int32]int32{}
	for i, c := range ids {
		id[c] = int32(i)
	}
	out := make([]int32, len(comm))
	for u, c := range comm {
		out[u] = -1
		if c >= 0 {
			out[u] = id[c]
		}
	}
	return out
}

func detect(t testing.TB, n int, edges []partcomm.Edge, parts, workers int, seed uint64) *partcomm.Result {
	t.Helper()
	res, err := partcomm.Detect(context.Background(), &partcomm.Local{Parts: partcomm.Split(edges, parts), Workers: workers}, n, partcomm.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// cliques returns disjoint cliques of the given sizes (node ids
// interleaved so that no clique is a run of ids), the last clique's edges
// of weight 3, the others 1, and each node's clique; an isolated node
// comes last.
func cliques(sizes ...int) (int, []partcomm.Edge, []int32) {
	n := 0
	for _, s := range sizes {
		n += s
	}
	perm := rand.New(rand.NewPCG(1, 2)).Perm(n)
	var edges []partcomm.Edge
	member := make([]int32, n+1)
	member[n] = -1
	next := 0
	for c, s := range sizes {
		nodes := perm[next : next+s]
		next += s
		w := 1.0
		if c == len(sizes)-1 {
			w = 3
		}
		for i, a := range nodes {
			member[a] = int32(c)
			for _, b := range nodes[i+1:] {
				edges = append(edges, partcomm.Edge{U: int32(a), V: int32(b), W: w})
			}
		}
	}
	return n + 1, edges, member
}

// ringOfCliques joins k cliques of s nodes in a ring by one edge each:
// modularity's classic case (Fortunato and Barthélemy 2007), where
// Louvain finds the cliques.
func ringOfCliques(k, s int) (int, []partcomm.Edge, []int32) {
	var edges []partcomm.Edge
	member := make([]int32, k*s)
	for c := range k {
		for i := range s {
			member[c*s+i] = int32(c)
			for j := i + 1; j < s; j++ {
				edges = append(edges, partcomm.Edge{U: int32(c*s + i), V: int32(c*s + j), W: 1})
			}
		}
		edges = append(edges, partcomm.Edge{U: int32(c * s), V: int32(((c+1)%k)*s + 1), W: 1})
	}
	return k * s, edges, member
}

// Where the structure is clear, the partitioned result is the single
// process's, community for community, whatever the number of partitions.
func TestAgreesWithSingleProcess(t *testing.T) {
	type graphCase struct {
		name   string
		n      int
		edges  []partcomm.Edge
		member []int32
	}
	var cases []graphCase
	n, e, m := cliques(3, 4, 5, 6, 8, 2, 7)
	cases = append(cases, graphCase{"disjoint cliques", n, e, m})
	n, e, m = ringOfCliques(12, 5)
	cases = append(cases, graphCase{"ring of cliques", n, e, m})
	for _, gc := range cases {
		want, wantQ, _ := single(gc.n, gc.edges, 1)
		if diff := cmp.Diff(renumbered(gc.member), want); diff != "" {
			t.Fatalf("%s: graph.Louvain does not find the planted groups (-planted +louvain):\n%s", gc.name, diff)
		}
		for _, parts := range []int{1, 2, 3, 7} {
			got := detect(t, gc.n, gc.edges, parts, 2, 1)
			if diff := cmp.Diff(want, got.Community); diff != "" {
				t.Errorf("%s, %d partitions: communities differ from graph.Louvain's (-single +partitioned):\n%s", gc.name, parts, diff)
			}
			if math.Abs(got.Modularity-wantQ) > 1e-12 {
				t.Errorf("%s, %d partitions: modularity %v, graph.Louvain %v", gc.name, parts, got.Modularity, wantQ)
			}
		}
	}
}

// randomGraph has planted groups with integer weights inside, and noise
// between them.
func randomGraph(seed uint64, n, groups int) (int, []partcomm.Edge) {
	rng := rand.New(rand.NewPCG(seed, 7))
	seen := map[[2]int32]bool{}
	var edges []partcomm.Edge
	add := func(a, b int32, w float64) {
		if a == b {
			return
		}
		a, b = min(a, b), max(a, b)
		if seen[[2]int32{a, b}] {
			return
		}
		seen[[2]int32{a, b}] = true
		edges = append(edges, partcomm.Edge{U: a, V: b, W: w})
	}
	for range n * 3 {
		g := rng.IntN(groups)
		a := int32(g + groups*rng.IntN(n/groups))
		b := int32(g + groups*rng.IntN(n/groups))
		add(a, b, float64(1+rng.IntN(5)))
	}
	for range n / 2 {
		add(int32(rng.IntN(n)), int32(rng.IntN(n)), 1)
	}
	return n, edges
}

// The result depends on the edges and the seed, not on how many
// partitions hold them, how many workers compute the sums, or the order of
// a partition's edges.
func TestIndependentOfPartitioning(t *testing.T) {
	n, edges := randomGraph(3, 600, 12)
	ref := detect(t, n, edges, 1, 1, 5)
	shuffled := slices.Clone(edges)
	rand.New(rand.NewPCG(9, 9)).Shuffle(len(shuffled), func(i, j int) {
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		shuffled[i].U, shuffled[i].V = shuffled[i].V, shuffled[i].U
	})
	for _, tc := range []struct {
		parts, workers int
		edges          []partcomm.Edge
	}{{4, 1, edges}, {5, 2, edges}, {16, 2, shuffled}, {1, 1, shuffled}} {
		got := detect(t, n, tc.edges, tc.parts, tc.workers, 5)
		if !slices.Equal(got.Community, ref.Community) || got.Modularity != ref.Modularity || got.Rounds != ref.Rounds {
			t.Errorf("%d partitions, %d workers: %d rounds, Q=%v; one partition: %d rounds, Q=%v", tc.parts, tc.workers, got.Rounds, got.Modularity, ref.Rounds, ref.Modularity)
		}
	}
	_, wantQ, g := single(n, edges, 5)
	if q := graph.Modularity(g, nonNegative(ref.Community), 1); math.Abs(q-ref.Modularity) > 1e-9 {
		t.Errorf("Detect reports Q=%v; graph.Modularity of its partition %v", ref.Modularity, q)
	}
	agree := partcomm.Compare(ref.Community, renumbered(mustSingle(n, edges)))
	t.Logf("%d nodes, %d edges: Q=%.4f (single %.4f), %d rounds, %d level-0 communities, NMI %.3f ARI %.3f", n, len(edges), ref.Modularity, wantQ, ref.Rounds, ref.Level0, agree.NMI, agree.ARI)
	if ref.Modularity < wantQ-0.02 || agree.NMI < 0.9 {
		t.Errorf("Q=%.4f against the single process's %.4f, NMI %.3f: further apart than measured (docs/benchmarks.md)", ref.Modularity, wantQ, agree.NMI)
	}
}

func mustSingle(n int, edges []partcomm.Edge) []int32 {
	c, _, _ := single(n, edges, 5)
	return c
}

// nonNegative gives the nodes without a community (isolated) one each,
// for graph.Modularity.
func nonNegative(comm []int32) []int32 {
	out := slices.Clone(comm)
	next := slices.Max(out) + 1
	for u, c := range out {
		if c < 0 {
			out[u] = next
			next++
		}
	}
	return out
}

func TestEmptyGraph(t *testing.T) {
	res := detect(t, 4, nil, 3, 1, 1)
	if !slices.Equal(res.Community, []int32{-1, -1, -1, -1}) || res.Modularity != 0 {
		t.Errorf("no edges: communities %v, Q=%v; want none", res.Community, res.Modularity)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name     string
		a, b     []int32
		nmi, ari float64
	}{
		{"same", []int32{0, 0, 1, 1, 2}, []int32{1, 1, 0, 0, 2}, 1, 1},
		// scikit-learn: normalized_mutual_info_score([0,0,1,1],[0,0,1,2])
		// = 0.8, adjusted_rand_score = 4/7
		{"refined", []int32{0, 0, 1, 1}, []int32{0, 0, 1, 2}, 0.8, 4.0 / 7},
		{"nodes outside left out", []int32{0, 0, 1, 1, -1}, []int32{0, 0, 1, 2, 3}, 0.8, 4.0 / 7},
	}
	for _, tc := range tests {
		got := partcomm.Compare(tc.a, tc.b)
		if math.Abs(got.NMI-tc.nmi) > 1e-12 || math.Abs(got.ARI-tc.ari) > 1e-12 {
			t.Errorf("%s: Compare = NMI %v ARI %v, want %v %v", tc.name, got.NMI, got.ARI, tc.nmi, tc.ari)
		}
	}
}

func TestDegreesAndInside(t *testing.T) {
	n, edges, member := cliques(3, 4)
	edges = append(edges, partcomm.Edge{U: 0, V: 6, W: 0.5}) // between or inside, as the cliques fell
	parts := &partcomm.Local{Parts: partcomm.Split(edges, 3)}
	deg, str, err := partcomm.Degrees(context.Background(), parts, n)
	if err != nil {
		t.Fatal(err)
	}
	wantDeg, wantStr := make([]int32, n), make([]float64, n)
	wantIn := make([]int, 2)
	for _, e := range edges {
		for _, u := range []int32{e.U, e.V} {
			wantDeg[u]++
			wantStr[u] += e.W
		}
		if member[e.U] == member[e.V] {
			wantIn[member[e.U]]++
		}
	}
	if !slices.Equal(deg, wantDeg) || !slices.Equal(str, wantStr) {
		t.Errorf("Degrees = %v %v, want %v %v", deg, str, wantDeg, wantStr)
	}
	in, err := partcomm.Inside(context.Background(), parts, member)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in, wantIn) {
		t.Errorf("Inside = %v, want %v", in, wantIn)
	}
}

// Sums over adjacency lists equal Sums over the same edges as a list, bit
// for bit, for every step.
func TestAdjacencySums(t *testing.T) {
	n, edges := randomGraph(4, 300, 7)
	for i := range edges {
		edges[i].W += float64(i%3) / 7 // weights whose sums round
	}
	adj, err := partcomm.NewAdjacency(partcomm.EdgeList(edges))
	if err != nil {
		t.Fatal(err)
	}
	labels := make([]int32, n)
	for u := range labels {
		labels[u] = int32(u % 13)
	}
	for _, step := range []partcomm.Step{partcomm.Strengths, partcomm.Links, partcomm.Pairs} {
		want, err := partcomm.Sums(partcomm.EdgeList(edges), step, labels)
		if err != nil {
			t.Fatal(err)
		}
		got, err := partcomm.Sums(adj, step, labels)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: adjacency sums differ (-list +adjacency):\n%s", step, diff)
		}
	}
}
