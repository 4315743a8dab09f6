package partcomm

import "math"

// Agreement is how alike two partitions of the same nodes are.
type Agreement struct {
	Nodes int     // nodes in a community in both (the others are left out)
	NMI   float64 // normalised mutual information, arithmetic mean of the entropies (1: the same partition)
	ARI   float64 // adjusted Rand index (1: the same partition; about 0: as alike as chance)
}

// Compare measures the agreement of the partitions a and b (community by
// node, -1: none) over the nodes in a community in both.
func Compare(a, b []int32) Agreement {
	type pair struct{ a, b int32 }
	joint := map[pair]int{}
	ca, cb := map[int32]int{}, map[int32]int{}
	n := 0
	for u := range min(len(a), len(b)) {
		if a[u] < 0 || b[u] < 0 {
			continue
		}
		n++
		joint[pair{a[u], b[u]}]++
		ca[a[u]]++
		cb[b[u]]++
	}
	out := Agreement{Nodes: n}
	if n < 2 {
		out.NMI, out.ARI = 1, 1 // nothing to tell apart
		return out
	}
	N := float64(n)
	h := func(m map[int32]int) float64 {
		s := 0.0
		for _, c := range m {
			p := float64(c) / N
			s -= p * math.Log(p)
		}
		return s
	}
	mi := 0.0
	for k, c := range joint {
		p := float64(c) / N
		mi += p * math.Log(p*N*N/(float64(ca[k.a])*float64(cb[k.b])))
	}
	ha, hb := h(ca), h(cb)
	if ha+hb == 0 {
		out.NMI = 1 // one community each: the same partition
	} else {
		out.NMI = 2 * mi / (ha + hb)
	}
	c2 := func(x int) float64 { return float64(x) * float64(x-1) / 2 }
	idx, sa, sb := 0.0, 0.0, 0.0
	for _, c := range joint {
		idx += c2(c)
	}
	for _, c := range ca {
		sa += c2(c)
	}
	for _, c := range cb {
		sb += c2(c)
	}
	expected := sa * sb / c2(n)
	if maxIdx := (sa + sb) / 2; maxIdx == expected {
		out.ARI = 1
	} else {
		out.ARI = (idx - expected) / (maxIdx - expected)
	}
	return out
}
