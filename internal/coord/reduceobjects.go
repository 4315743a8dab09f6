package coord

// The objects of the reduce path, made when a reducer asks for them. A run
// on the reduce path used to build every object of its input (a
// ReduceObject: 32 bytes a row, and with evidence a post UID per row)
// before handing them to the reducer, which held them all while it
// published its map tasks: a second copy of the input, beside the
// interned one. ReduceObjects makes each object from the interned input
// as a map task takes it, with its rows' flags computed then; a reducer
// that publishes a task and lets it go holds one task's objects at a
// time.

// ReduceObjects is a run's objects for a Reducer (the reduce path's
// input), in object order: Len of them, object i made by Object. Release
// tells the run that the reducer will ask for none again.
type ReduceObjects interface {
	// Len is the number of objects (those with two rows or more: the
	// others make no pair).
	Len() int
	// ID is object i's id in the run (ReduceObject.Obj), without making
	// it.
	ID(i int) int32
	// Object returns object i (0 <= i < Len), made anew for the caller:
	// it keeps what it is given.
	Object(i int) ReduceObject
	// Release says that the reducer has taken every object it will ask
	// for (it has published every map task): the run may drop what makes
	// them. Object must not be called after it.
	Release()
}

// ReduceObjectList is a ReduceObjects of objects made already (tests, a
// task's objects on a worker).
type ReduceObjectList []ReduceObject

// Len implements ReduceObjects.
func (l ReduceObjectList) Len() int { return len(l) }

// ID implements ReduceObjects.
func (l ReduceObjectList) ID(i int) int32 { return l[i].Obj }

// Object implements ReduceObjects.
func (l ReduceObjectList) Object(i int) ReduceObject { return l[i] }

// Release implements ReduceObjects: it does nothing.
func (l ReduceObjectList) Release() {}

// AllObjects returns every object of objs (tests, small runs).
func AllObjects(objs ReduceObjects) []ReduceObject {
	out := make([]ReduceObject, objs.Len())
	for i := range out {
		out[i] = objs.Object(i)
	}
	return out
}

// runObjects makes a run's objects from its interned input: the objects
// of two rows or more (idx), each row with the flags flags gives it, and
// with evidence the object's type and value and its rows' post UIDs.
// release, when set, is called by Release.
type runObjects struct {
	in       *interned
	idx      []int32 // object ids with two rows or more, in object order
	flags    func(r *row) int64
	evidence bool
	release  func()
	released bool
}

// reduceObjects returns the objects of in for a reducer, with no row
// flag set (flags nil) until the run sets flags.
func (in *interned) reduceObjects() *runObjects {
	ro := &runObjects{in: in}
	for o := range in.objects {
		if in.objStart[o+1]-in.objStart[o] >= 2 {
			ro.idx = append(ro.idx, int32(o))
		}
	}
	return ro
}

// with returns a copy of ro that gives rows the flags of fn.
func (ro *runObjects) with(fn func(r *row) int64) *runObjects {
	c := *ro
	c.flags = fn
	return &c
}

func (ro *runObjects) Len() int { return len(ro.idx) }

func (ro *runObjects) ID(i int) int32 { return ro.idx[i] }

func (ro *runObjects) Object(i int) ReduceObject {
	if ro.released {
		panic("coord: an object asked for after Release")
	}
	in := ro.in
	o := ro.idx[i]
	lo, hi := in.objStart[o], in.objStart[o+1]
	x := ReduceObject{Obj: o, Type: in.objType[o], Rows: make([]ReduceRow, hi-lo)}
	near := in.objType[o] == in.nearType
	if near {
		x.Jaccard, x.Tokens = in.jaccard, make([][]uint64, hi-lo)
	}
	if ro.evidence {
		x.TypeName, x.Value = string(in.objTypeOf(o)), in.objects[o]
		x.Posts = make([]string, hi-lo)
	}
	for k := lo; k < hi; k++ {
		r := &in.rows[k]
		if near {
			x.Tokens[k-lo] = in.postTokens[r.post]
		}
		if ro.evidence {
			x.Posts[k-lo] = in.posts.at(r.post)
		}
		var f int64
		if ro.flags != nil {
			f = ro.flags(r)
		}
		x.Rows[k-lo] = ReduceRow{int64(r.acc), int64(r.post), in.time(r), f}
	}
	return x
}

func (ro *runObjects) Release() {
	if ro.released {
		return
	}
	ro.released = true
	if ro.release != nil {
		ro.release()
	}
}

// releaseNames drops the post UIDs of in (the partitioned run with the
// graph step: its mappers write the evidence, and what the graph step
// sweeps, the rows, names no post), keeping the rows and everything by
// post id.
func (in *interned) releaseNames() {
	in.posts.drop()
}

// release drops the shares of in (rows, posts, objects and what goes with
// them), keeping the accounts and the types: a partitioned run without the
// graph step needs nothing else once its map tasks are out. A sweep of
// in after it sees no object.
func (in *interned) release() {
	in.rows, in.objStart, in.objects, in.objType = nil, nil, nil, nil
	in.posts.drop()
	in.postInfo = perPost{}
	in.postTokens, in.rowTokens, in.remote = nil, nil, nil
}
