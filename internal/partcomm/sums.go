package partcomm

import (
	"errors"
	"fmt"
	"slices"
)

// Step names the sums a partition computes over its edges.
type Step int

const (
	// Strengths sums each node's edge weights and counts its edges:
	// records (u, 0, strength, edges), by node.
	Strengths Step = iota
	// Links sums each node's edge weights by the label of the other
	// end: records (u, label, weight), both ends of every edge.
	Links
	// Pairs sums the edge weights by label pair: records (label a,
	// label b, weight) with label a <= label b (equal: inside a
	// community).
	Pairs
)

func (s Step) String() string {
	switch s {
	case Strengths:
		return "strengths"
	case Links:
		return "links"
	case Pairs:
		return "pairs"
	}
	return fmt.Sprintf("step(%d)", int(s))
}

// Record is one sum a partition hands back: the key (A, B), the weight
// summed and the number of edges in it.
type Record struct {
	A, B int32
	W    float64
	N    int64
}

func (r *Record) key() uint64 { return uint64(uint32(r.A))<<32 | uint64(uint32(r.B)) }

// Edges is one partition's edges. Each hands every edge to yield once, u
// != v; across the partitions of a graph each undirected edge is in
// exactly one partition, in either direction. An error from yield stops
// Each and is returned.
type Edges interface {
	Each(yield func(u, v int32, w float64) error) error
}

// EdgeList is an Edges held in memory (tests, and a partition's worker
// that read its edges once).
type EdgeList []Edge

// Edge is an undirected weighted edge of a partition.
type Edge struct {
	U, V int32
	W    float64
}

// Each implements Edges.
func (l EdgeList) Each(yield func(u, v int32, w float64) error) error {
	for _, e := range l {
		if err := yield(e.U, e.V, e.W); err != nil {
			return err
		}
	}
	return nil
}

// Sums computes one partition's sums of step over its edges, with labels
// giving each node's label (Links, Pairs; nil for Strengths), sorted by
// key (A, B), one record a key. Equal keys are summed in increasing
// order of weight, so the result depends on the edges, not on their
// order. It holds up to two entries an edge of the partition.
func Sums(e Edges, step Step, labels []int32) ([]Record, error) {
	if step != Strengths && labels == nil {
		return nil, fmt.Errorf("partcomm: %v sums need the labels", step)
	}
	if a, ok := e.(*Adjacency); ok && step != Pairs {
		return a.sums(step, labels)
	}
	var recs []Record
	label := func(u int32) (int32, error) {
		if u < 0 || int(u) >= len(labels) {
			return 0, fmt.Errorf("partcomm: an edge of node %d in a graph of %d nodes", u, len(labels))
		}
		return labels[u], nil
	}
	err := e.Each(func(u, v int32, w float64) error {
		if u == v {
			return fmt.Errorf("partcomm: a self-loop on node %d", u)
		}
		if u < 0 || v < 0 {
			return fmt.Errorf("partcomm: an edge of nodes %d and %d", u, v)
		}
		switch step {
		case Strengths:
			recs = append(recs, Record{A: u, W: w, N: 1}, Record{A: v, W: w, N: 1})
		case Links:
			lu, err := label(u)
			if err != nil {
				return err
			}
			lv, err := label(v)
			if err != nil {
				return err
			}
			recs = append(recs, Record{A: u, B: lv, W: w, N: 1}, Record{A: v, B: lu, W: w, N: 1})
		case Pairs:
			lu, err := label(u)
			if err != nil {
				return err
			}
			lv, err := label(v)
			if err != nil {
				return err
			}
			recs = append(recs, Record{A: min(lu, lv), B: max(lu, lv), W: w, N: 1})
		default:
			return errors.New("partcomm: unknown step " + step.String())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return combine(recs), nil
}

// combine sorts recs by key and sums each key's records into one, in
// increasing order of weight.
func combine(recs []Record) []Record {
	slices.SortFunc(recs, compareRecords)
	out := recs[:0]
	for _, r := range recs {
		if n := len(out); n > 0 && out[n-1].key() == r.key() {
			out[n-1].W += r.W
			out[n-1].N += r.N
			continue
		}
		out = append(out, r)
	}
	return slices.Clip(out)
}

// Split puts edges into n partitions by the rule of a partitioned
// coordination run (docs/format/partitioned-run.md): the edge of nodes
// a < b is in partition ((a << 32) | b) mod n.
func Split(edges []Edge, n int) []Edges {
	parts := make([]EdgeList, n)
	for _, e := range edges {
		a, b := min(e.U, e.V), max(e.U, e.V)
		k := (uint64(uint32(a))<<32 | uint64(uint32(b))) % uint64(n)
		parts[k] = append(parts[k], e)
	}
	out := make([]Edges, n)
	for k := range parts {
		out[k] = parts[k]
	}
	return out
}

// compareRecords orders records by key, then weight (the order their
// weights are added in).
func compareRecords(a, b Record) int {
	ka, kb := a.key(), b.key()
	switch {
	case ka < kb:
		return -1
	case ka > kb:
		return 1
	case a.W < b.W:
		return -1
	case a.W > b.W:
		return 1
	}
	return 0
}

// Adjacency is a partition's edges as adjacency lists, both ends of every
// edge, nodes in increasing order: the form a worker keeps its partition
// in between rounds (24 bytes an edge). Its Strengths and Links sums sort
// each node's list only, not every record, and equal Sums over the same
// edges given as a list, bit for bit.
type Adjacency struct {
	nodes []int32 // the nodes with an edge, increasing
	off   []int   // node i's neighbours are nbr[off[i]:off[i+1]]
	nbr   []int32
	w     []float64
}

// NewAdjacency reads e into adjacency lists.
func NewAdjacency(e Edges) (*Adjacency, error) {
	type half struct {
		u, v int32
		w    float64
	}
	var hs []half
	err := e.Each(func(u, v int32, w float64) error {
		if u == v {
			return fmt.Errorf("partcomm: a self-loop on node %d", u)
		}
		if u < 0 || v < 0 {
			return fmt.Errorf("partcomm: an edge of nodes %d and %d", u, v)
		}
		hs = append(hs, half{u, v, w}, half{v, u, w})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(hs, func(a, b half) int {
		switch {
		case a.u != b.u:
			return int(a.u) - int(b.u)
		case a.v != b.v:
			return int(a.v) - int(b.v)
		case a.w < b.w:
			return -1
		case a.w > b.w:
			return 1
		}
		return 0
	})
	a := &Adjacency{nbr: make([]int32, len(hs)), w: make([]float64, len(hs))}
	for i, h := range hs {
		if i == 0 || hs[i-1].u != h.u {
			a.nodes = append(a.nodes, h.u)
			a.off = append(a.off, i)
		}
		a.nbr[i], a.w[i] = h.v, h.w
	}
	a.off = append(a.off, len(hs))
	return a, nil
}

// Bytes is the memory the lists hold.
func (a *Adjacency) Bytes() int64 { return int64(len(a.nbr))*12 + int64(len(a.nodes))*12 }

// Each implements Edges: every edge once, from its smaller end.
func (a *Adjacency) Each(yield func(u, v int32, w float64) error) error {
	for i, u := range a.nodes {
		for k := a.off[i]; k < a.off[i+1]; k++ {
			if v := a.nbr[k]; u < v {
				if err := yield(u, v, a.w[k]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// sums computes Strengths or Links sums node by node.
func (a *Adjacency) sums(step Step, labels []int32) ([]Record, error) {
	var out, buf []Record
	for i, u := range a.nodes {
		buf = buf[:0]
		for k := a.off[i]; k < a.off[i+1]; k++ {
			r := Record{A: u, W: a.w[k], N: 1}
			if step == Links {
				v := a.nbr[k]
				if int(v) >= len(labels) || int(u) >= len(labels) {
					return nil, fmt.Errorf("partcomm: an edge of node %d in a graph of %d nodes", max(u, v), len(labels))
				}
				r.B = labels[v]
			}
			buf = append(buf, r)
		}
		out = append(out, combine(buf)...)
	}
	return out, nil
}
