package natsbus

// The pairs path: the run publishes its objects to the work queue in
// batches; a worker pairs each object with coord.ObjectPairs and sends the
// pairs back; the Partitioner gathers them for coord.Partitioned.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"time"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// Partition is the partition of an object: FNV-1a of "type\x00object".
func Partition(o coord.ObjectShares, n int) int {
	h := fnv.New32a()
	h.Write([]byte(string(o.Type)))
	h.Write([]byte{0})
	h.Write([]byte(o.Object))
	return int(h.Sum32() % uint32(n))
}

// task is one message of the objects stream: a batch of objects of one
// partition. Rows are [account index, post index, time] into the batch's
// string tables, which keeps messages small.
type task struct {
	Run      string       `json:"run"`
	Batch    int          `json:"batch"`
	Kind     string       `json:"kind"`
	Window   int64        `json:"window"`
	Index    []int        `json:"index"` // positions in the run's object list
	Accounts []string     `json:"accounts"`
	Posts    []string     `json:"posts"`
	Objects  [][][3]int64 `json:"objects"` // per object, its rows
	// near-text objects: per object its similarity threshold (0: none),
	// and per post of Posts its token set (only with such objects)
	Jaccard []float64  `json:"jaccard,omitempty"`
	Tokens  [][]uint64 `json:"tokens,omitempty"`

	// the reduce path (mode "reduce"): objects with the run's ids and row
	// flags, folded into partial aggregates per account pair
	Mode     string               `json:"mode,omitempty"`
	Spec     *coord.ReduceSpec    `json:"spec,omitempty"`
	RObjects []coord.ReduceObject `json:"robjects,omitempty"`
	Reduces  int                  `json:"reduces,omitempty"`
	// a participation round (mode "participation"): the same objects,
	// their rows' posts in pairs reported by account partition
	PSpec *coord.ParticipationSpec `json:"pspec,omitempty"`

	acc, post map[string]int64 // building only
}

func (t *task) rows(k int) []coord.ShareRow {
	out := make([]coord.ShareRow, len(t.Objects[k]))
	for i, r := range t.Objects[k] {
		out[i] = coord.ShareRow{Account: t.Accounts[r[0]], Post: t.Posts[r[1]], T: r[2]}
		if t.jaccard(k) > 0 && r[1] < int64(len(t.Tokens)) {
			out[i].Tokens = t.Tokens[r[1]]
		}
	}
	return out
}

// check reports a row that names an account or post outside the task's
// tables (a damaged or forged task; it would stop the worker).
func (t *task) check() error {
	for k, rows := range t.Objects {
		for i, r := range rows {
			if r[0] < 0 || r[0] >= int64(len(t.Accounts)) || r[1] < 0 || r[1] >= int64(len(t.Posts)) {
				return fmt.Errorf("object %d row %d names account %d of %d, post %d of %d", k, i, r[0], len(t.Accounts), r[1], len(t.Posts))
			}
		}
	}
	return nil
}

// jaccard is object k's near-text threshold (0: not near-text).
func (t *task) jaccard(k int) float64 {
	if k < len(t.Jaccard) {
		return t.Jaccard[k]
	}
	return 0
}

// result is one message of the pairs stream: a chunk of a task's pairs
// (a task's pairs may need several messages).
type result struct {
	Batch  int          `json:"batch"`
	Chunk  int          `json:"chunk"`
	Chunks int          `json:"chunks"`
	Index  []int        `json:"index"` // objects of this chunk (positions in the run's list)
	Pairs  [][][2]int32 `json:"pairs"` // per object, its pairs (row positions)
	Worker string       `json:"worker,omitempty"`
}

// Partitioner implements coord.Partitioner over the bus: it publishes the
// run's objects and waits until every object's pairs are back.
type Partitioner struct {
	Bus      *Bus
	Run      string                // run id; random when empty
	Progress func(done, total int) // optional
	Log      func(string, ...any)  // optional
}

// Pairs publishes the objects (retrying until the stream accepts them:
// messages carry ids, so a retry is never counted twice) and gathers the
// pairs, ignoring any result delivered twice.
func (p *Partitioner) Pairs(ctx context.Context, kind string, window int64, objs []coord.ObjectShares) (_ [][]coord.PairPos, err error) {
	run := p.Run
	if run == "" {
		var b [8]byte
		rand.Read(b[:])
		run = hex.EncodeToString(b[:])
	}
	ctx, unwatch := p.Bus.watchRun(ctx, run) // a worker's report that the run cannot complete ends it
	defer func() { err = runErr(ctx, run, err); unwatch() }()
	n := p.Bus.partitions()
	limit := batchBytes(p.Bus.JS.Conn())
	// gather first, so that no result is missed
	cons, err := follow(ctx, p.Bus.JS, PairsStream, pairsPrefix+run)
	if err != nil {
		return nil, err
	}
	defer cons.stop()
	defer p.Bus.purgeRun(run, map[string]string{PairsStream: pairsPrefix + run})
	byPart := make([][]int, n)
	for i, o := range objs {
		part := Partition(o, n)
		byPart[part] = append(byPart[part], i)
	}
	batches := 0
	publish := func(part int, t *task) error {
		body, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if err := p.Bus.send(ctx, objectsPrefix+strconv.Itoa(part), run, run+"/"+strconv.Itoa(t.Batch), body, nil); err != nil {
			o := objs[t.Index[0]]
			return fmt.Errorf("natsbus: run %s: the task of %s %q (%d shares)%s: %w", run, o.Type, o.Object, len(o.Rows), more(len(t.Index)-1), err)
		}
		return nil
	}
	for part, idx := range byPart {
		t := newTask(run, kind, window)
		size := 0
		for _, i := range idx {
			o := objs[i]
			est := 0
			for _, r := range o.Rows {
				est += len(r.Account) + len(r.Post) + 32 + 21*len(r.Tokens) // names (at most once each), the row, its tokens
			}
			if len(t.Index) > 0 && size+est > limit {
				t.Batch = batches
				if err := publish(part, t); err != nil {
					return nil, err
				}
				batches++
				t, size = newTask(run, kind, window), 0
			}
			t.add(i, o)
			size += est
		}
		if len(t.Index) > 0 {
			t.Batch = batches
			if err := publish(part, t); err != nil {
				return nil, err
			}
			batches++
		}
	}
	out := make([][]coord.PairPos, len(objs))
	pending := make([][]*result, batches) // per batch, its chunks as they arrive; nil after assembly
	complete := make([]bool, batches)
	done := 0
	for done < batches {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		msgs, err := cons.next(ctx, 64, 100*time.Millisecond, p.Log)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			data, err := p.Bus.receive(ctx, m.Data())
			if err != nil {
				return nil, fmt.Errorf("natsbus: run %s: a result: %w", run, err)
			}
			r := new(result)
			if err := json.Unmarshal(data, r); err != nil || r.Batch < 0 || r.Batch >= batches || len(r.Index) != len(r.Pairs) || r.Chunk < 0 || r.Chunk >= r.Chunks {
				return nil, fmt.Errorf("natsbus: run %s: malformed result (%v)", run, err)
			}
			b := r.Batch
			if complete[b] {
				continue // delivered twice (a worker redid a task)
			}
			if pending[b] == nil {
				pending[b] = make([]*result, r.Chunks)
			}
			if len(pending[b]) != r.Chunks || pending[b][r.Chunk] != nil {
				continue
			}
			pending[b][r.Chunk] = r
			if slices.Contains(pending[b], nil) {
				continue
			}
			// every chunk is here: assemble in chunk order
			for _, c := range pending[b] {
				for k, i := range c.Index {
					for _, pp := range c.Pairs[k] {
						out[i] = append(out[i], coord.PairPos{I: pp[0], J: pp[1]})
					}
				}
			}
			pending[b], complete[b] = nil, true
			done++
			if p.Progress != nil {
				p.Progress(done, batches)
			}
		}
	}
	return out, nil
}

// more says how many more objects a task holds, if any.
func more(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " and 1 more object"
	}
	return fmt.Sprintf(" and %d more objects", n)
}

func newTask(run, kind string, window int64) *task {
	return &task{Run: run, Kind: kind, Window: window}
}

// add appends object i with its rows, interning names per batch.
func (t *task) add(i int, o coord.ObjectShares) {
	if t.Index == nil {
		t.acc, t.post = map[string]int64{}, map[string]int64{}
	}
	id := func(m map[string]int64, list *[]string, s string) int64 {
		if x, ok := m[s]; ok {
			return x
		}
		m[s] = int64(len(*list))
		*list = append(*list, s)
		return m[s]
	}
	rows := make([][3]int64, len(o.Rows))
	for k, r := range o.Rows {
		rows[k] = [3]int64{id(t.acc, &t.Accounts, r.Account), id(t.post, &t.Posts, r.Post), r.T}
		if o.Jaccard > 0 {
			for int64(len(t.Tokens)) <= rows[k][1] {
				t.Tokens = append(t.Tokens, nil)
			}
			t.Tokens[rows[k][1]] = r.Tokens
		}
	}
	if o.Jaccard > 0 {
		for len(t.Jaccard) < len(t.Objects) {
			t.Jaccard = append(t.Jaccard, 0)
		}
		t.Jaccard = append(t.Jaccard, o.Jaccard)
	}
	t.Index = append(t.Index, i)
	t.Objects = append(t.Objects, rows)
}
