package coord

import (
	"cmp"
	"math"
	"slices"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/progress"
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

// nearText is the result of the near-text pass: the near-text shares and
// the token set of every post they name, for exact verification of each
// in-window pair.
type nearText struct {
	shares []tahqiq.Share
	tokens map[string][]uint64 // post UID -> sorted distinct token hashes
	// candidates counts the pairs the join looked at (for the manifest).
	candidates int64
	// short and repeated count the texts left out: under minTokens
	// tokens, and a post id given again (or none).
	short, repeated int64
}

// findNearText groups posts whose texts are near duplicates. Each post with
// at least minTokens distinct tokens (after textnorm.Text: case-folded,
// @mentions and URLs removed) is a node; two posts are linked when their
// exact Jaccard similarity is at least thr and they were posted within
// window seconds of each other (whatever their accounts). A group is a
// connected component of links, named by its smallest post UID, and
// becomes one object of type near-text; the kernel then pairs its posts
// within the window and keeps a pair only when its own Jaccard is at least
// thr, so the component never stands in for the similarity.
//
// The links are found by an exact all-pairs similarity join (length and
// prefix filtering, as AllPairs and PPJoin do) swept over the posts in
// time order, with an index that holds only the posts of the last window
// seconds: every linked pair is found (the proof is in docs/coord.md), so
// every pair the kernel must report lies inside one group. A candidate
// already in the post's group is not verified again, so a template
// campaign costs about one comparison per in-window neighbour, never all
// pairs of the campaign.
//
// The work counts to m: texts tokenised, then posts compared.
func findNearText(texts []TextPost, minTokens int, thr float64, window int64, m *progress.Meter) *nearText {
	type doc struct {
		post, acc string
		t         int64
		prec      tahqiq.Precision
		toks      []uint64 // sorted token hashes
		ranks     []int32  // the same tokens as ranks, rarest first
	}
	docs := make([]doc, 0, len(texts))
	seen := map[string]bool{}
	var short, repeated int64
	prog := m.Phase("near-text: tokenising", "texts", int64(len(texts)))
	for i, tp := range texts {
		if i&4095 == 4095 {
			prog.Add(4096)
		}
		if tp.PostID == "" || seen[tp.PostID] {
			repeated++
			continue
		}
		toks := tokenSet(tp.Text)
		if len(toks) < max(minTokens, 1) {
			short++
			continue
		}
		seen[tp.PostID] = true
		docs = append(docs, doc{post: tp.PostID, acc: tp.AccountID, t: tp.Time, prec: tp.Precision, toks: toks})
	}
	// Order by post UID so that everything below is independent of input order.
	slices.SortFunc(docs, func(a, b doc) int { return cmp.Compare(a.post, b.post) })
	n := len(docs)

	// The global token order of prefix filtering: by document frequency,
	// rarest first (ties by hash), so that prefixes hold rare tokens and
	// the index lists stay short.
	df := map[uint64]int32{}
	for i := range docs {
		for _, tok := range docs[i].toks {
			df[tok]++
		}
	}
	order := make([]uint64, 0, len(df))
	for tok := range df {
		order = append(order, tok)
	}
	slices.SortFunc(order, func(a, b uint64) int {
		if c := cmp.Compare(df[a], df[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	rank := make(map[uint64]int32, len(order))
	for r, tok := range order {
		rank[tok] = int32(r)
	}
	for i := range docs {
		rs := make([]int32, len(docs[i].toks))
		for k, tok := range docs[i].toks {
			rs[k] = rank[tok]
		}
		slices.Sort(rs)
		docs[i].ranks = rs
	}

	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
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

	// The sweep: posts in time order; each probes the index with its
	// prefix, then enters the index under the same prefix. lists[r] holds
	// the posts (in time order) whose prefix contains token r; head[r]
	// skips those more than window seconds older than the probe.
	byTime := make([]int32, n)
	for i := range byTime {
		byTime[i] = int32(i)
	}
	slices.SortFunc(byTime, func(a, b int32) int {
		if c := cmp.Compare(docs[a].t, docs[b].t); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	lists := make([][]int32, len(order))
	head := make([]int32, len(order))
	stamp := make([]int32, n) // stamp[y] == x+1: y was a candidate of x already
	var candidates int64
	prog = m.Phase("near-text: comparing", "posts", int64(n))
	defer prog.Done()
	for i, x := range byTime {
		if i&4095 == 4095 {
			prog.Add(4096)
		}
		dx := &docs[x]
		nx := len(dx.ranks)
		for _, r := range dx.ranks[:prefixLen(nx, thr)] {
			l := lists[r]
			h := head[r]
			for int(h) < len(l) && dx.t-docs[l[h]].t > window {
				h++
			}
			head[r] = h
			for _, y := range l[h:] {
				if stamp[y] == x+1 {
					continue
				}
				stamp[y] = x + 1
				ny := len(docs[y].ranks)
				if float64(min(nx, ny)) < thr*float64(max(nx, ny))-1e-9 {
					continue // length filter: J <= min/max
				}
				candidates++
				if find(x) == find(y) {
					continue
				}
				if similar(dx.ranks, docs[y].ranks, thr) {
					union(x, y)
				}
			}
			// Entries that fell out of the window are dropped once they are
			// half of the list, so the index holds about one window.
			if int(h) > len(l)/2 && h > 64 {
				l = append(l[:0], l[h:]...)
				head[r] = 0
			}
			lists[r] = append(l, x)
		}
	}

	size := make([]int32, n)
	for i := range docs {
		size[find(int32(i))]++
	}
	nt := &nearText{tokens: map[string][]uint64{}, candidates: candidates, short: short, repeated: repeated}
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

// similar reports whether jaccard(a, b) >= thr for two sorted distinct
// sets, giving up as soon as the tokens left cannot bring the overlap to
// ceil(thr/(1+thr)*(|a|+|b|)) (J >= thr exactly when the overlap reaches
// thr/(1+thr) of |a|+|b|; the bound is rounded down by 1e-9 as in
// prefixLen, and the last word is jaccard's own comparison).
func similar(a, b []int32, thr float64) bool {
	need := int(math.Ceil(thr/(1+thr)*float64(len(a)+len(b)) - 1e-9))
	inter := 0
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if inter+min(len(a)-i, len(b)-j) < need {
			return false
		}
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
	if len(a) == 0 && len(b) == 0 {
		return false
	}
	return float64(inter)/float64(len(a)+len(b)-inter) >= thr
}

// prefixLen is the prefix of a set of n tokens that prefix filtering
// indexes and probes at threshold thr: n - ceil(thr*n) + 1. Two sets with
// a Jaccard similarity of at least thr share at least ceil(thr*max(n, m))
// tokens, so (under one global token order) their prefixes of these
// lengths share a token. The bound is rounded down by 1e-9 so that a
// product such as 0.8*5 computed as 4.000000000000001 does not shorten
// the prefix; a longer prefix only adds candidates.
func prefixLen(n int, thr float64) int {
	overlap := max(int(math.Ceil(thr*float64(n)-1e-9)), 1)
	return min(n-overlap+1, n)
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

// JaccardString returns the Jaccard similarity of the token sets of two
// texts as near-text detection computes it (for explain and tests).
func JaccardString(a, b string) float64 { return jaccard(tokenSet(a), tokenSet(b)) }

// TokenCount returns the number of distinct tokens near-text detection
// sees in text (posts under Params.MinTokens are left out).
func TokenCount(text string) int { return len(tokenSet(text)) }
