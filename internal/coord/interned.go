package coord

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// row is one share with interned ids: 16 bytes. Its time t is in seconds
// from the run's earliest time (interned.t0: interned.time gives the unix
// time back); while the input is read, before that time is known, it is
// the unix time's low 32 bits (timeSpan), which give the same offset once
// it is.
type row struct {
	obj  int32
	acc  int32
	post int32
	t    uint32
}

// objKey identifies an object while the input is interned: objects of
// different types never match. The interned input holds an object as its
// name (interned.objects) and its type's index (interned.objType).
type objKey struct {
	typ   tahqiq.ObjectType
	value string
}

// interned is the interned, sorted form of the shares of a run. Account,
// post and object ids are ranks in byte order of their names, so that id
// order is name order and the result does not depend on input order.
type interned struct {
	accounts []string
	posts    postNames           // by id; dropped (their number kept) by a run that writes no evidence
	objects  []string            // object -> its name (its value: a URL, a hashtag, …)
	types    []tahqiq.ObjectType // distinct types present, sorted
	objType  []int32             // object -> index in types (objTypeOf)
	rows     []row               // sorted by (obj, t, acc, post)
	t0       int64               // the earliest time of a row: a row's time is t0 + its t
	objStart []int32             // rows of object o are rows[objStart[o]:objStart[o+1]]
	rowsGone bool                // the rows were let go (letRowsGo): rows is nil
	postInfo perPost             // made when asked for (perPost)

	// Near-text verification: objects of type index nearType (-1: none)
	// pair two posts only when the Jaccard similarity of their token sets
	// (postTokens, by post id) is at least jaccard.
	nearType   int32
	postTokens [][]uint64
	rowTokens  [][]uint64 // instead, by row (a single object's input on a worker)
	jaccard    float64

	// remote holds, per object, the in-window pairs computed elsewhere
	// (the Partitioned engine); nil: eachPair computes them.
	remote [][]pairRef

	// stop is set when the run's context is done; the long loops check it
	// and return early (Run then returns the context's error).
	stop atomic.Bool

	// dropped counts the shares intern left out, by reason (Result.Dropped).
	dropped map[string]int64

	// meter shows how far the run is (nil: nowhere).
	meter *progress.Meter
}

// internShares builds the input from shares, keeping those of the wanted types
// (all when types is empty) and, unless keepLoops, dropping shares whose
// post is the object itself (the original of a retweet present in the
// data). The work counts to m. It fails when the shares' times span more
// than a row holds (timeSpan.check).
func internShares(shares []tahqiq.Share, types []tahqiq.ObjectType, keepLoops bool, m *progress.Meter) (*interned, error) {
	f := newShareFilter(types, keepLoops)
	accIdx := map[string]int32{}
	postIdx := map[string]int32{}
	objIdx := map[objKey]int32{}
	in := interned{meter: m}
	var posts []string
	var objs []objKey
	id := func(m map[string]int32, list *[]string, s string) int32 {
		if i, ok := m[s]; ok {
			return i
		}
		i := int32(len(*list))
		m[s] = i
		*list = append(*list, s)
		return i
	}
	rows := make([]row, 0, len(shares))
	var span timeSpan
	var s *tahqiq.Share
	add := func(t tahqiq.ObjectType, value string) {
		k := objKey{t, value}
		o, ok := objIdx[k]
		if !ok {
			o = int32(len(objs))
			objIdx[k] = o
			objs = append(objs, k)
		}
		rows = append(rows, row{obj: o, acc: id(accIdx, &in.accounts, s.AccountID), post: id(postIdx, &posts, s.PostID), t: span.add(s.Time)})
	}
	prog := m.Phase("interning shares", "shares", int64(len(shares)))
	for i := range shares {
		if i&0xffff == 0xffff {
			prog.Add(0x10000)
		}
		s = &shares[i]
		f.each(s, add)
	}
	in.dropped = f.dropped
	objIdx = nil
	if err := finishIntern(&in, posts, objs, rows, span); err != nil {
		return nil, err
	}
	return &in, nil
}

// shareFilter decides which rows a share makes: those of the wanted types
// (all when none is named), never a loop unless keepLoops, one more of
// ObjPost per share when that type is wanted (CNT's co_post), none for an
// empty object. It counts what it leaves out in dropped.
type shareFilter struct {
	want      map[tahqiq.ObjectType]bool
	keepLoops bool
	dropped   map[string]int64
}

func newShareFilter(types []tahqiq.ObjectType, keepLoops bool) *shareFilter {
	f := &shareFilter{want: map[tahqiq.ObjectType]bool{}, keepLoops: keepLoops,
		dropped: map[string]int64{"loops": 0, "other_types": 0, "empty_objects": 0, "duplicate_rows": 0}}
	for _, t := range types {
		f.want[t] = true
	}
	return f
}

// each calls add with the type and value of every row share s makes.
func (f *shareFilter) each(s *tahqiq.Share, add func(t tahqiq.ObjectType, value string)) {
	if !f.keepLoops && IsLoop(*s) {
		f.dropped["loops"]++
		return
	}
	if len(f.want) == 0 || f.want[s.Type] {
		f.row(s.Type, s.Object, add)
	} else if !f.want[ObjPost] {
		f.dropped["other_types"]++
	}
	if f.want[ObjPost] {
		f.row(ObjPost, "post", add) // CNT co_post: every post is the same action
	}
}

func (f *shareFilter) row(t tahqiq.ObjectType, value string, add func(t tahqiq.ObjectType, value string)) {
	if value == "" {
		f.dropped["empty_objects"]++
		return
	}
	add(t, value)
}

// finishIntern makes in of its names (its accounts, posts and objs, in
// any order) and the rows naming them (their times as span made them):
// re-numbered by name, sorted, exact duplicates dropped, indexed by
// object.
func finishIntern(in *interned, posts []string, objs []objKey, rows []row, span timeSpan) error {
	// Re-number by name so that ids do not depend on input order.
	accPerm := rank(in.accounts)
	postPerm := rank(posts)
	objPerm := rankObjects(objs)
	for i := range rows {
		r := &rows[i]
		r.acc, r.post, r.obj = accPerm[r.acc], postPerm[r.post], objPerm[r.obj]
	}
	// the names are distinct: each goes where its rank says, which is
	// where sorting them would put it
	in.accounts = permute(in.accounts, accPerm)
	posts = permute(posts, postPerm)
	objs = permute(objs, objPerm)
	// the names are substrings of what the reader made (a CSV line, the
	// fields of a record): copied into one string each, they no longer
	// keep those alive once the shares go
	packNames(in.accounts, func(i int) *string { return &in.accounts[i] })
	in.posts = packPostNames(len(posts), func(i int) string { return posts[i] })
	packNames(objs, func(i int) *string { return &objs[i].value })
	in.setObjects(len(objs), func(o int) objKey { return objs[o] })
	return finishRows(in, rows, span)
}

// offsetRows makes the times of in.rows, their low 32 bits as span
// made them, offsets from the earliest (in.t0), or fails when the times
// span more than an offset holds (timeSpan.check).
func (in *interned) offsetRows(span timeSpan) error {
	if err := span.check(); err != nil {
		in.rows = nil
		return err
	}
	in.t0 = span.min
	if low := uint32(span.min); low != 0 {
		// t - min, exact modulo 2^32, is the offset: under 2^32 (check)
		for i := range in.rows {
			in.rows[i].t -= low
		}
	}
	return nil
}

// finishRows makes in of the rows naming its names (ranked: ids in name
// order; their times as span made them): their times made offsets from
// the earliest, sorted, exact duplicates dropped, indexed by object. It
// fails, leaving in without rows, when the times span more than an
// offset holds (timeSpan.check).
func finishRows(in *interned, rows []row, span timeSpan) error {
	prog := in.meter.Phase("sorting shares", "", 0)
	defer prog.Done()
	in.rows = rows
	if err := in.offsetRows(span); err != nil {
		return err
	}
	slices.SortFunc(rows, cmpRow)
	// An exact duplicate row (same post, same object) is one share.
	n := len(rows)
	rows = slices.CompactFunc(rows, func(a, b row) bool { return a.obj == b.obj && a.post == b.post && a.t == b.t && a.acc == b.acc })
	in.dropped["duplicate_rows"] = int64(n - len(rows))
	in.rows = rows
	in.objStart = make([]int32, len(in.objects)+1)
	for _, r := range rows {
		in.objStart[r.obj+1]++
	}
	for i := 1; i < len(in.objStart); i++ {
		in.objStart[i] += in.objStart[i-1]
	}
	return nil
}

// setObjects makes the n objects key(0) … key(n-1) (ranked: ids in
// (type, name) order) in's: their names, the types present and each
// object's type index.
func (in *interned) setObjects(n int, key func(o int) objKey) {
	in.objects = make([]string, n)
	in.objType = make([]int32, n)
	in.types = nil
	for o := range n {
		k := key(o)
		if len(in.types) == 0 || in.types[len(in.types)-1] != k.typ {
			// ranked by type first: each type's objects are together,
			// the types in order
			in.types = append(in.types, k.typ)
		}
		in.objects[o] = k.value
		in.objType[o] = int32(len(in.types) - 1)
	}
	in.nearType = int32(slices.Index(in.types, ObjNearText))
}

// letRowsGo lets the rows go: a run whose pairs carry them
// (spilledPairs.carry) reads nothing of them after its pairs are made.
// What would read them finds none (errRowsGone).
func (in *interned) letRowsGo() {
	in.rows = nil
	in.rowsGone = true
}

// objTypeOf is the type of object o.
func (in *interned) objTypeOf(o int32) tahqiq.ObjectType {
	return in.types[in.objType[o]]
}

// permute returns list with list[i] at perm[i].
func permute[T any](list []T, perm []int32) []T {
	out := make([]T, len(list))
	for i, p := range perm {
		out[p] = list[i]
	}
	return out
}

// packNames copies the strings at(0) … at(len(list)-1) into one string
// and points each at its part of it.
func packNames[T any](list []T, at func(i int) *string) {
	n := 0
	for i := range list {
		n += len(*at(i))
	}
	var b strings.Builder
	b.Grow(n)
	for i := range list {
		b.WriteString(*at(i))
	}
	all, off := b.String(), 0
	for i := range list {
		p := at(i)
		k := len(*p)
		*p = all[off : off+k]
		off += k
	}
}

func cmpObj(a, b objKey) int {
	if c := strings.Compare(string(a.typ), string(b.typ)); c != 0 {
		return c
	}
	return strings.Compare(a.value, b.value)
}

// rank returns, for each index of names, its rank in byte order.
func rank(names []string) []int32 {
	idx := make([]int32, len(names))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return strings.Compare(names[a], names[b]) })
	perm := make([]int32, len(names))
	for r, i := range idx {
		perm[i] = int32(r)
	}
	return perm
}

func rankObjects(objs []objKey) []int32 {
	idx := make([]int32, len(objs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return cmpObj(objs[a], objs[b]) })
	perm := make([]int32, len(objs))
	for r, i := range idx {
		perm[i] = int32(r)
	}
	return perm
}

// platformID returns the platform id part of a UID "platform:id".
func platformID(uid string) string {
	if i := strings.IndexByte(uid, ':'); i >= 0 {
		return uid[i+1:]
	}
	return uid
}

// IsLoop reports whether a share is the original of a retweet present in
// the data (its post is the object itself), which Run leaves out unless
// Params.KeepLoops; the streaming watcher does the same.
func IsLoop(s tahqiq.Share) bool {
	return s.Type == tahqiq.ObjRetweet && platformID(s.PostID) == s.Object
}
