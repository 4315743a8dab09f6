package coord

import (
	"sync"
	"sync/atomic"

	"github.com/tahqiq/tahqiq"
)

// The accounts looked up ahead of the read's strand (issue 18): a split
// parse (tahqiq.Source.Ahead) tells the collector each record's accounts
// on a goroutine of its own, in the input's order, before it emits them;
// that goroutine numbers them in a table of its own (ahead ids: in the
// order the records name them), and the caller's goroutine, adding the
// record (Add, Account), takes the ahead id instead of looking the name
// up: byAhead gives the collector's id of an ahead id it has seen. An
// ahead id it has not seen is looked up in the collector's table as
// before (a new account, or one a record named without Add asking for
// it: the author of a post id conflict), so every id, and whether an
// account is new, is what the lookup alone gives: the ahead ids only
// spare the caller's goroutine the lookups of accounts it has.

// aheadID is an account of the record at line, numbered ahead.
type aheadID struct {
	line int64
	id   int32
}

// aheadTable is the parser's side: the accounts' table in the order the
// records name them, kept across files.
type aheadTable struct {
	tab   *strtab
	bytes atomic.Int64 // tab's, at the last Flush (Collector.mainTableBytes)
}

// aheadQueue is one file's accounts, handed from the parser's goroutine
// (Account, Flush) to the caller's (next) a chunk at a time.
type aheadQueue struct {
	t     *aheadTable
	cur   []aheadID // the parser's side: since the last Flush
	mu    sync.Mutex
	ready [][]aheadID // flushed, not yet taken
	n     atomic.Int32
	free  [][]aheadID // taken and used, for reuse
}

// Account implements tahqiq.AccountsAhead.
func (q *aheadQueue) Account(line int64, uid string) {
	id, _ := q.t.tab.id(uid)
	q.cur = append(q.cur, aheadID{line, id})
}

// Flush implements tahqiq.AccountsAhead.
func (q *aheadQueue) Flush() {
	q.t.bytes.Store(q.t.tab.bytes())
	if len(q.cur) == 0 {
		return
	}
	q.mu.Lock()
	q.ready = append(q.ready, q.cur)
	q.n.Add(1)
	var next []aheadID
	if k := len(q.free); k > 0 {
		next, q.free = q.free[k-1][:0], q.free[:k-1]
	}
	q.mu.Unlock()
	q.cur = next
}

// take returns the oldest batch flushed (nil: none), giving back done,
// the one the caller is through with.
func (q *aheadQueue) take(done []aheadID) []aheadID {
	if q.n.Load() == 0 {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if done != nil && len(q.free) < 8 {
		q.free = append(q.free, done)
	}
	if len(q.ready) == 0 {
		return nil
	}
	b := q.ready[0]
	q.ready[0] = nil
	q.ready = q.ready[1:]
	q.n.Add(-1)
	return b
}

// aheadSide is the caller's side of the accounts ahead.
type aheadSide struct {
	t       *aheadTable
	q       *aheadQueue // the file being read (nil: none)
	got     []aheadID   // the batch being used, from pos on
	pos     int
	byAhead []int32 // the collector's id plus one of each ahead id (0: not seen)
	// of the record being added: its ahead ids (rec: none), the UIDs they
	// are of (the record's accounts, then its posts' authors)
	rec      []aheadID
	accounts []tahqiq.Account
	posts    []tahqiq.Post
	// the records whose ahead ids did not line up (none but for a bug)
	off int64
}

// AccountsAhead returns what a split parse tells the accounts of a
// file's records to, ahead of their Add (ingest's aheadDataset).
func (c *Collector) AccountsAhead() tahqiq.AccountsAhead {
	if c.ahead == nil {
		c.ahead = &aheadSide{t: &aheadTable{tab: newWideStrtab(c.seed)}}
	}
	a := c.ahead
	a.q = &aheadQueue{t: a.t}
	a.got, a.pos = nil, 0
	return a.q
}

// aheadRecord sets the ahead ids of the record Add is adding, which
// names accounts, then the authors of posts (a.rec: none when the
// parser gave none, or they do not line up).
func (a *aheadSide) aheadRecord(line int64, accounts []tahqiq.Account, posts []tahqiq.Post) {
	a.rec = nil
	k := len(accounts) + len(posts)
	if k == 0 || a.q == nil {
		return
	}
	if a.pos == len(a.got) {
		if a.got = a.q.take(a.got); a.got == nil {
			a.pos = 0
			return
		}
		a.pos = 0
	}
	if a.pos+k > len(a.got) || a.got[a.pos].line != line || a.got[a.pos+k-1].line != line {
		// not what the parser gave for this record: none from here
		a.off++
		a.q, a.got, a.pos = nil, nil, 0
		return
	}
	a.rec = a.got[a.pos : a.pos+k]
	a.pos += k
	a.accounts, a.posts = accounts, posts
}

// find returns the ahead id of uid in the record being added, or false.
func (a *aheadSide) find(uid string) (int32, bool) {
	if a == nil || a.rec == nil {
		return 0, false
	}
	for i := range a.accounts {
		if a.accounts[i].UID == uid {
			return a.rec[i].id, true
		}
	}
	for i := range a.posts {
		if a.posts[i].AuthorUID == uid {
			return a.rec[len(a.accounts)+i].id, true
		}
	}
	return 0, false
}

// accountAhead returns the collector's id of account uid, whose ahead
// id is aid, adding it if new, and whether it was.
func (c *Collector) accountAhead(uid string, aid int32) (int32, bool) {
	a := c.ahead
	if int(aid) < len(a.byAhead) {
		if v := a.byAhead[aid]; v != 0 {
			return v - 1, false
		}
	} else {
		a.byAhead = append(a.byAhead, make([]int32, int(aid)+1-len(a.byAhead))...)
		a.byAhead = a.byAhead[:cap(a.byAhead)]
	}
	id, isNew := c.accounts.id(uid)
	a.byAhead[aid] = id + 1
	return id, isNew
}

// endAhead lets go of the accounts ahead once the read is over.
func (c *Collector) endAhead() {
	c.ahead = nil
}
