package coord

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/tahqiq/tahqiq"
)

// The partitioned path. An object's in-window pairs depend only on the
// shares of that object, so the objects can be spread over processes (by
// a hash of the object) and their pairs computed there with the same
// kernel (ObjectPairs). Every rule that needs the whole run (the
// min-participation filter, the weights, percentile flags, communities)
// then runs in the run's process on the pairs gathered back, in object order:
// the result equals Run's exactly, for every weight and window kind.

// ObjectShares is one object with its shares, in the run's row order (by
// time, then account, then post).
type ObjectShares struct {
	Type   tahqiq.ObjectType `json:"type"`
	Object string            `json:"object"`
	Rows   []ShareRow        `json:"rows"`
	// Jaccard, for a near-text object: a pair counts only when its posts'
	// token sets (ShareRow.Tokens) are at least this similar. 0: no test.
	Jaccard float64 `json:"jaccard,omitempty"`
}

// ShareRow is one share of an object.
type ShareRow struct {
	Account string   `json:"a"`
	Post    string   `json:"p"`
	T       int64    `json:"t"`
	Tokens  []uint64 `json:"k,omitempty"` // near-text objects: the post's token set
}

// PairPos is an in-window pair of an object's rows (positions in Rows).
type PairPos struct {
	I int32 `json:"i"`
	J int32 `json:"j"`
}

// A Partitioner returns, for each object, its unfiltered in-window pairs
// as computed by ObjectPairs with the window kind and length given.
type Partitioner interface {
	Pairs(ctx context.Context, kind string, window int64, objects []ObjectShares) ([][]PairPos, error)
}

// ObjectPairs is the kernel of one object: its in-window pairs (not of one
// account or one post), in the order Run produces them. rows must be in
// the run's row order (sortRows puts them there). With jaccard above 0
// (a near-text object) a pair counts only when its rows' token sets are at
// least that similar.
func ObjectPairs(kind string, window int64, rows []ShareRow, jaccard float64) []PairPos {
	in := &interned{nearType: -1, objType: []int32{0}, objStart: []int32{0, int32(len(rows))}}
	if jaccard > 0 {
		in.nearType, in.jaccard = 0, jaccard
		in.rowTokens = make([][]uint64, len(rows))
		for i, r := range rows {
			in.rowTokens[i] = r.Tokens
		}
	}
	acc := map[string]int32{}
	post := map[string]int32{}
	id := func(m map[string]int32, s string) int32 {
		if i, ok := m[s]; ok {
			return i
		}
		m[s] = int32(len(m))
		return m[s]
	}
	in.rows = make([]row, len(rows))
	var span timeSpan
	for i, r := range rows {
		in.rows[i] = row{acc: id(acc, r.Account), post: id(post, r.Post), t: span.add(r.T)}
	}
	if err := in.offsetRows(span); err != nil {
		// rows come from a run, which checked its times' span when it
		// interned them (finishRows)
		panic(err)
	}
	var out []PairPos
	in.eachPair(0, kind, window, nil, func(i, j int32) { out = append(out, PairPos{i, j}) })
	return out
}

// SortRows puts an object's shares in the run's row order.
func SortRows(rows []ShareRow) {
	slices.SortFunc(rows, func(a, b ShareRow) int {
		if c := cmp.Compare(a.T, b.T); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Account, b.Account); c != 0 {
			return c
		}
		return cmp.Compare(a.Post, b.Post)
	})
}

// pairsFrom asks part for the pairs of every object with two rows or more
// and keeps them for eachPair.
func (in *interned) pairsFrom(ctx context.Context, p *Params, part Partitioner) error {
	var objs []ObjectShares
	var ids []int32
	for o := range in.objects {
		lo, hi := in.objStart[o], in.objStart[o+1]
		if hi-lo < 2 {
			continue
		}
		os := ObjectShares{Type: in.objTypeOf(int32(o)), Object: in.objects[o], Rows: make([]ShareRow, 0, hi-lo)}
		near := in.objType[o] == in.nearType
		if near {
			os.Jaccard = in.jaccard
		}
		for _, r := range in.rows[lo:hi] {
			sr := ShareRow{Account: in.accounts[r.acc], Post: in.posts.at(r.post), T: in.time(&r)}
			if near {
				sr.Tokens = in.postTokens[r.post]
			}
			os.Rows = append(os.Rows, sr)
		}
		objs = append(objs, os)
		ids = append(ids, int32(o))
	}
	got, err := part.Pairs(ctx, p.WindowKind, p.Window, objs)
	if err != nil {
		return err
	}
	if len(got) != len(objs) {
		return fmt.Errorf("coord: partitioner answered for %d of %d objects", len(got), len(objs))
	}
	in.remote = make([][]pairRef, len(in.objects))
	for k, o := range ids {
		n := in.objStart[o+1] - in.objStart[o]
		ps := make([]pairRef, len(got[k]))
		for x, pp := range got[k] {
			if pp.I < 0 || pp.J <= pp.I || pp.J >= n {
				return fmt.Errorf("coord: partitioner gave pair (%d, %d) for object %s %q of %d rows", pp.I, pp.J, objs[k].Type, objs[k].Object, n)
			}
			ps[x] = pairRef{in.objStart[o] + pp.I, in.objStart[o] + pp.J}
		}
		in.remote[o] = ps
	}
	return nil
}
