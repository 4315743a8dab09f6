package coord

import (
	"cmp"
	"slices"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// ObjNearText is the object type of near-duplicate texts (CNT's
// co_similar_tweet): two posts match when the Jaccard similarity of their
// token sets is at least Params.Jaccard.
const ObjNearText tahqiq.ObjectType = "near-text"

// TextPost is the text of one post, for near-text detection.
type TextPost struct {
	PostID    string           // post UID
	AccountID string           // account UID
	Time      int64            // unix seconds
	Precision tahqiq.Precision // of Time; tahqiq.PrecisionNone: the post has no time
	Text      string           // as published
}

// MinHash/LSH banding: 20 bands of 5 rows find a pair of Jaccard 0.8 with
// probability 1-(1-0.8^5)^20 > 0.999 and a pair of 0.5 with 0.47; every
// candidate is verified exactly, so the bands only decide what is compared.
const (
	lshBands = 20
	lshRows  = 5
)

// nearText is the result of the near-text pass: the near-text shares and
// the token set of every post they name, for exact verification of each
// in-window pair.
type nearText struct {
	shares []tahqiq.Share
	tokens map[string][]uint64 // post UID -> sorted distinct token hashes
}

// findNearText groups posts whose texts are near duplicates. Each post with
// at least minTokens distinct tokens (after textnorm.Text: case-folded,
// @mentions and URLs removed) gets a MinHash signature; posts that fall in
// the same LSH bucket of any band are candidates and are joined when their
// exact Jaccard similarity is at least thr. Each group (a connected
// component of verified links, named by its smallest post UID) becomes one
// object of type near-text; the kernel then pairs its posts within the
// window and keeps a pair only when its own Jaccard is at least thr, so the
// component never stands in for the similarity. No all-pairs comparison is
// made: a bucket is verified against its first member and neighbours.
func findNearText(texts []TextPost, minTokens int, thr float64, seed uint64) *nearText {
	type doc struct {
		post, acc string
		t         int64
		prec      tahqiq.Precision
		toks      []uint64
	}
	docs := make([]doc, 0, len(texts))
	seen := map[string]bool{}
	for _, tp := range texts {
		if tp.PostID == "" || seen[tp.PostID] {
			continue
		}
		toks := tokenSet(tp.Text)
		if len(toks) < max(minTokens, 1) {
			continue
		}
		seen[tp.PostID] = true
		docs = append(docs, doc{tp.PostID, tp.AccountID, tp.Time, tp.Precision, toks})
	}
	// Order by post UID so that everything below is independent of input order.
	slices.SortFunc(docs, func(a, b doc) int { return cmp.Compare(a.post, b.post) })
	n := len(docs)
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(x int32) int32
	find = func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(a, b int32) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if ra < rb {
			parent[rb] = ra
		} else {
			parent[ra] = rb
		}
	}
	// Signatures, band by band: bucket key per (band, doc).
	seeds := make([]uint64, lshBands*lshRows)
	s := seed ^ 0x6e656172746578 // "neartex"
	for i := range seeds {
		s = splitmix(s)
		seeds[i] = s
	}
	type entry struct {
		key uint64
		doc int32
	}
	keys := make([]entry, n)
	sig := make([]uint64, lshRows)
	for band := 0; band < lshBands; band++ {
		for d := range docs {
			for r := 0; r < lshRows; r++ {
				m := ^uint64(0)
				sd := seeds[band*lshRows+r]
				for _, tok := range docs[d].toks {
					if h := splitmix(tok ^ sd); h < m {
						m = h
					}
				}
				sig[r] = m
			}
			k := uint64(band) * 0x9e3779b97f4a7c15
			for _, v := range sig {
				k = splitmix(k ^ v)
			}
			keys[d] = entry{k, int32(d)}
		}
		slices.SortFunc(keys, func(a, b entry) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.doc, b.doc)
		})
		for lo := 0; lo < n; {
			hi := lo + 1
			for hi < n && keys[hi].key == keys[lo].key {
				hi++
			}
			first := keys[lo].doc
			for k := lo + 1; k < hi; k++ {
				d := keys[k].doc
				prev := keys[k-1].doc
				if find(d) != find(first) && jaccard(docs[d].toks, docs[first].toks) >= thr {
					union(d, first)
				}
				if prev != first && find(d) != find(prev) && jaccard(docs[d].toks, docs[prev].toks) >= thr {
					union(d, prev)
				}
			}
			lo = hi
		}
	}
	size := make([]int32, n)
	for i := range docs {
		size[find(int32(i))]++
	}
	nt := &nearText{tokens: map[string][]uint64{}}
	for i, d := range docs {
		root := find(int32(i))
		if size[root] < 2 {
			continue
		}
		nt.shares = append(nt.shares, tahqiq.Share{Type: ObjNearText, Object: "near:" + docs[root].post, AccountID: d.acc, PostID: d.post, Time: d.t, Precision: d.prec})
		nt.tokens[d.post] = d.toks
	}
	return nt
}

// tokenSet returns the sorted distinct hashes of the word tokens of text.
func tokenSet(text string) []uint64 {
	words := textnorm.Tokens(textnorm.Text(text))
	out := make([]uint64, 0, len(words))
	for _, w := range words {
		out = append(out, fnv64(w))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted distinct sets.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// JaccardString returns the Jaccard similarity of the token sets of two
// texts as near-text detection computes it (for explain and tests).
func JaccardString(a, b string) float64 { return jaccard(tokenSet(a), tokenSet(b)) }

// TokenCount returns the number of distinct tokens near-text detection
// sees in text (posts under Params.MinTokens are left out).
func TokenCount(text string) int { return len(tokenSet(text)) }
