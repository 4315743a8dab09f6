package imagehash

// Cluster groups pictures that are alike: two pictures are linked when
// Compare finds them within maxDist bits (every turn and mirror, with and
// without a frame), and a group is every picture linked to another of it,
// directly or through others (single linkage), so the groups do not
// depend on the order of the pictures. A picture whose quality is under
// MinQuality links to none (its hash is noise). It returns each picture's
// group: the index of the group's first picture. maxDist is at most
// Variant.
func Cluster(hs []Hashes, quality []int, maxDist int) []int {
	parent := make([]int, len(hs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		switch {
		case ra < rb:
			parent[rb] = ra
		case rb < ra:
			parent[ra] = rb
		}
	}
	x := NewIndex()
	var owner []int // index entry -> picture
	for i, h := range hs {
		if quality[i] < MinQuality {
			continue
		}
		for _, e := range h.Entries() {
			x.Add(e)
			owner = append(owner, i)
		}
	}
	for i, h := range hs {
		if quality[i] < MinQuality {
			continue
		}
		for _, p := range h.Probes() {
			x.Within(p, maxDist, func(id, _ int) { union(i, owner[id]) })
		}
	}
	out := make([]int, len(hs))
	for i := range hs {
		out[i] = find(i)
	}
	return out
}
