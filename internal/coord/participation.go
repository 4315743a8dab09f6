package coord

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Participation counts on the workers. With --min-participation above 1
// an account's pairs count only once it has that many rows in its scope
// (active) and that many rows whose post is in a pair of its scope
// (qualifies): a whole-run rule that in one process takes a sweep of the
// kernel (and another for the fast layer). A Reducer that is also a
// ParticipationReducer takes those sweeps off the run's process: its
// workers sweep each object's pairs among active rows and report, per
// account, the posts in pairs (PostHits), and reducers partitioned by
// account count them and answer which accounts qualify. The run only
// counts rows (one pass, no pairing) and sets the row flags from the
// answer: the flags, and so every result, are those of the sweep in
// one process.

// rowCountShift places, in a row's flags sent for a participation round,
// the number of rows of the row's post in the row's scope (a post shared
// with several hashtags has several rows): a post in pairs adds that
// many to its account's count.
const rowCountShift = 8

// RowFlagsMask keeps the flags of a row that the pairing reads.
const RowFlagsMask = RowActive | RowQualifies | RowFast

// ParticipationSpec is what the workers need for a participation round.
type ParticipationSpec struct {
	Kind     string `json:"kind"`
	Window   int64  `json:"window"`
	Types    int    `json:"types"`    // object types in the run
	Scopes   int    `json:"scopes"`   // 1: one scope (participation scope all); else Types, the scope of a row is its object's type
	Accounts int    `json:"accounts"` // accounts in the run
	Min      int    `json:"min"`      // min-participation
	// FastWindow > 0: the fast layer's round: the pairs counted are the
	// kept ones (RowQualifies on either row) at most FastWindow apart
	FastWindow int64 `json:"fast_window,omitempty"`
}

// PostHit says that post Post of account Acc is in a pair of scope Scope;
// Rows is the number of rows of the post in that scope.
type PostHit struct {
	Acc, Scope, Post, Rows int32
}

// ParticipationHits is the mapper's side of a participation round: the
// posts in pairs of objs, one hit per object and post (a post in pairs of
// two objects is reported twice; the reducer counts it once).
func ParticipationHits(spec ParticipationSpec, objs []ReduceObject) ([]PostHit, error) {
	if spec.Scopes != 1 && spec.Scopes != spec.Types {
		return nil, fmt.Errorf("coord: participation over %d scopes of %d types", spec.Scopes, spec.Types)
	}
	rs := ReduceSpec{Types: spec.Types}
	var out []PostHit
	var in []bool
	for oi := range objs {
		o := &objs[oi]
		if len(o.Rows) < 2 {
			continue
		}
		rows, flags, err := objectRows(&rs, o)
		if err != nil {
			return nil, err
		}
		in = append(in[:0], make([]bool, len(o.Rows))...)
		active := func(r *row) bool { return flags[r.obj]&RowActive != 0 }
		rows.eachPair(0, spec.Kind, spec.Window, active, func(i, j int32) {
			if spec.FastWindow > 0 {
				d := int64(rows.rows[j].t) - int64(rows.rows[i].t)
				if d < -spec.FastWindow || d > spec.FastWindow || (flags[i]&RowQualifies == 0 && flags[j]&RowQualifies == 0) {
					return
				}
			}
			in[i], in[j] = true, true
		})
		scope := int32(0)
		if spec.Scopes > 1 {
			scope = o.Type
		}
		for k, ok := range in {
			if ok {
				r := &rows.rows[k]
				out = append(out, PostHit{Acc: r.acc, Scope: scope, Post: r.post, Rows: int32(flags[k] >> rowCountShift)})
			}
		}
	}
	return out, nil
}

// QualifiedAccounts is the reducer's side: from the hits of some accounts
// (every hit of each of them, in any order, repeats allowed), the
// accounts that qualify, as indexes scope*Accounts+account, ascending.
// It sorts hits.
func QualifiedAccounts(spec ParticipationSpec, hits []PostHit) []int64 {
	sortHits(hits)
	q := qualifier{spec: spec}
	for _, h := range hits {
		q.add(h)
	}
	return q.out
}

// sortHits sorts by scope, account, post, rows.
func sortHits(h []PostHit) {
	slices.SortFunc(h, func(a, b PostHit) int {
		if c := cmp.Compare(a.Scope, b.Scope); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Acc, b.Acc); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Post, b.Post); c != 0 {
			return c
		}
		return cmp.Compare(a.Rows, b.Rows)
	})
}

// A ParticipationReducer runs participation rounds on its workers: it
// returns the qualifying accounts of the run (QualifiedAccounts of
// every hit of ParticipationHits over objs), in any order.
type ParticipationReducer interface {
	Participation(ctx context.Context, spec ParticipationSpec, objs ReduceObjects) ([]int64, error)
}

// participationOn decides the row flags of objs (made by reduceInput)
// on pr's workers: RowActive, RowQualifies, and RowFast with a fast
// layer. It returns the run's active and keep rules for the sweeps of
// kept pairs (evidence), the objects with their final flags, and whether
// it could: a post id shared by two accounts (which the counts by post
// cannot split) leaves the sweep to the run's process, as before.
func (in *interned) participationOn(ctx context.Context, q, p *Params, pr ParticipationReducer, objs *runObjects) (active func(*row) bool, keep func(i, j int32) bool, final *runObjects, ok bool, err error) {
	m := q.MinParticipation
	nscopes, scope := in.scopes(q)
	npost, nacc := in.posts.len(), len(in.accounts)
	postRows := make([]int32, nscopes*npost)
	rowsOf := make([]int32, nscopes*nacc)
	_, postAcc := in.perPost()
	for i := range in.rows {
		r := &in.rows[i]
		if postAcc[r.post] != r.acc {
			return nil, nil, nil, false, nil
		}
		s := scope(r)
		postRows[s*npost+int(r.post)]++
		rowsOf[s*nacc+int(r.acc)]++
	}
	active = func(r *row) bool { return rowsOf[scope(r)*nacc+int(r.acc)] >= int32(m) }
	// a round's rows: active, and their post's rows in their scope
	round := func(r *row) int64 {
		if !active(r) {
			return 0
		}
		return RowActive | int64(postRows[scope(r)*npost+int(r.post)])<<rowCountShift
	}
	spec := ParticipationSpec{Kind: q.WindowKind, Window: q.Window, Types: len(in.types), Scopes: nscopes, Accounts: nacc, Min: m}
	qualified := func(spec ParticipationSpec, objs ReduceObjects) ([]bool, error) {
		idx, err := pr.Participation(ctx, spec, objs)
		if err != nil {
			return nil, err
		}
		qual := make([]bool, nscopes*nacc)
		for _, x := range idx {
			if x < 0 || x >= int64(len(qual)) {
				return nil, fmt.Errorf("coord: the participation round answered for account index %d of %d", x, len(qual))
			}
			qual[x] = true
		}
		return qual, nil
	}
	qual, err := qualified(spec, objs.with(round))
	if err != nil {
		return nil, nil, nil, false, err
	}
	var fast []bool
	if p.FastWindow > 0 {
		spec.FastWindow = p.FastWindow
		fast, err = qualified(spec, objs.with(func(r *row) int64 {
			f := round(r)
			if qual[scope(r)*nacc+int(r.acc)] {
				f |= RowQualifies
			}
			return f
		}))
		if err != nil {
			return nil, nil, nil, false, err
		}
	}
	postRows = nil
	final = objs.with(func(r *row) int64 {
		s := scope(r)*nacc + int(r.acc)
		var f int64
		if rowsOf[s] >= int32(m) {
			f = RowActive
		}
		if qual[s] {
			f |= RowQualifies
		}
		if fast != nil && fast[s] {
			f |= RowFast
		}
		return f
	})
	keep = func(i, j int32) bool {
		return qual[scope(&in.rows[i])*nacc+int(in.rows[i].acc)] || qual[scope(&in.rows[j])*nacc+int(in.rows[j].acc)]
	}
	return active, keep, final, true, nil
}
