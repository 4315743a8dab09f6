package coord

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/storeimport"
)

// Collector interns the shares of a run as a read gives them, instead of
// a tahqiq.Share kept per share (Data.Collected): accounts, posts and
// objects become dense ids as they arrive, each name kept once, and a
// share is one row of ids and a time. It is also the dataset of the read
// (ingest.Importer.ReadInto): it implements storeimport.Rows, so that
// which posts and shares a record adds, and what counts as a duplicate or
// a post id conflict, is decided by storeimport.Add as for an import, on
// the collector's ids instead of maps of strings.
//
// Which shares make rows (the types compared, loops) is decided as they
// arrive, from the parameters the collector was made with: Run refuses
// other parameters. A Collector is not safe for concurrent use.
//
// The rows are made on a goroutine of their own (the rows' side): the
// caller's goroutine decides each record (accounts, posts, the shares'
// hashes: storeimport.Add in file order) and queues the rows' types,
// objects, accounts, posts and times a batch at a time (rowBatch); the
// side interns the objects and appends the rows, in the same order, one
// batch behind, so that the objects' lookups and the rows' appends (a
// third of the read's strand) run on the core the split parse leaves
// free. Which object gets which id, and every row, is what a collector
// on one goroutine makes: objects are numbered in the order the rows
// name them first either way.
type Collector struct {
	types     []tahqiq.ObjectType
	keepLoops bool
	filter    *shareFilter

	accounts *strtab
	posts    *strtab // the posts from id pruns.base on (all without pruns)
	postAcc  []int32 // author of each post of posts (by id - pruns.base)
	objTabs  map[tahqiq.ObjectType]*objTable
	lastType tahqiq.ObjectType
	lastTab  *objTable
	objects  []objRef // each object's table and id in it
	objList  []*objTable
	rows     []row
	span     timeSpan // the rows' times (their low 32 bits in rows)

	// the shares each post has, for ShareExists: the hash of the first's
	// (type, object), 0 none, and of the others in more
	seed      maphash.Seed
	postShare []uint64           // by id - pruns.base
	more      map[int32][]uint64 // by id

	shares  int64 // shares given (Result.Counts input_shares)
	untimed int64 // of them, without a time

	// the accounts and posts the rows name (interned keeps those only)
	usedAcc, usedPost bitset
	// the read under a memory budget (readspill.go): the rows go to
	// spill once the tables and rows pass the read's share of budget;
	// checkRows is called when the rows reach nextCheck; err is the
	// first failure to write them (Add and interned return it)
	budget    Budget
	spill     *rowSpill
	nextCheck int
	err       error
	// the posts over the budget (postspill.go): past the read's share,
	// the posts table goes to disk as a sorted run (nil: none did); its
	// budget is checked between records, once posts reach nextPostCheck
	pruns         *postRuns
	nextPostCheck int

	// of the record being added (Add)
	posted []*tahqiq.Post
	added  []tahqiq.Share
	isNew  []bool
	fresh  []string // accounts it added

	// the last account Account found or added (its name the table's
	// copy): a record names its account, then the same account as its
	// new post's author
	lastAcc   string
	lastAccID int32
	lastAccOK bool

	// the accounts looked up ahead of this goroutine (acctahead.go; nil:
	// not asked for)
	ahead *aheadSide

	// the rows' side (rowside.go): the batch being filled, the one the
	// side works on (busy is closed when it is done: nil, none), and
	// what the caller's goroutine saw of the side at the last handoff
	feed     rowFeed
	postErr  error // the caller's side's first failure (the posts on disk)
	mainSeen int64 // the caller's side's tables at the last handoff (tableBytes)
}

// NewCollector returns an empty collector for a run with the types and
// KeepLoops of p.
func NewCollector(p Params) *Collector {
	seed := maphash.MakeSeed()
	return &Collector{types: slices.Clone(p.Types), keepLoops: p.KeepLoops, filter: newShareFilter(p.Types, p.KeepLoops),
		accounts: newWideStrtab(seed), posts: newStrtab(seed), objTabs: map[tahqiq.ObjectType]*objTable{}, seed: seed}
}

// objTable interns the objects of one type: obj is the object id of each
// of tab's names.
type objTable struct {
	typ tahqiq.ObjectType
	idx int32 // in Collector.objList
	tab *strtab
	obj []int32
}

// objRef is an object of a collector: its table (Collector.objList) and
// its id in it (8 bytes, where an objKey of its type and name held 32).
type objRef struct {
	tab int32
	id  int32
}

// objKey returns the type and name of object o.
func (c *Collector) objKey(o int32) objKey {
	r := c.objects[o]
	ot := c.objList[r.tab]
	return objKey{ot.typ, ot.tab.name(r.id)}
}

var _ storeimport.Rows = (*Collector)(nil)

// Add adds what a record brings (storeimport.Add over the collector): the
// result, whether each of posts is new, and the shares it added. The
// slices returned are reused by the next call.
func (c *Collector) Add(ctx context.Context, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, []bool, []tahqiq.Share, error) {
	c.posted, c.added, c.fresh = c.posted[:0], c.added[:0], c.fresh[:0]
	if c.feed.spilling && c.posts.len() >= c.nextPostCheck {
		c.checkPosts()
	}
	if err := c.failed(); err != nil {
		return tahqiq.RecordResult{}, nil, nil, err
	}
	if c.pruns != nil {
		clear(c.pruns.hashes)
	}
	if c.ahead != nil {
		c.ahead.aheadRecord(rec.Line, accounts, posts)
	}
	r, err := storeimport.Add(ctx, c, 0, rec, posts, accounts, shares)
	c.isNew = c.isNew[:0]
	for i := range posts {
		isNew := false
		for _, p := range c.posted {
			if &posts[i] == p {
				isNew = true
				break
			}
		}
		c.isNew = append(c.isNew, isNew)
	}
	clear(c.posted)
	return r, c.isNew, c.added, err
}

// Share adds a share as it is, with no check against those before (a
// stored dataset's, which its import deduplicated; near-text's).
func (c *Collector) Share(s *tahqiq.Share) {
	if c.feed.spilling && c.posts.len() >= c.nextPostCheck {
		c.checkPosts()
	}
	acc, _ := c.account(s.AccountID)
	post, ok := c.posts.find(s.PostID)
	if ok {
		post += c.postBase()
	} else if c.pruns != nil {
		rec, found, err := c.pruns.find(s.PostID, c.posts.missHash)
		if err != nil && c.postErr == nil {
			c.postErr = err
		}
		post, ok = rec.id, found
	}
	if !ok {
		post = c.newPost(s.PostID, acc)
	}
	c.share(post, acc, s)
}

// postBase is the id of the first post of c's table: those before it are
// on disk.
func (c *Collector) postBase() int32 {
	if c.pruns == nil {
		return 0
	}
	return c.pruns.base
}

// Account implements storeimport.Rows.
func (c *Collector) Account(_ context.Context, uid string, _ int64, _ *tahqiq.Account) (int64, bool, error) {
	var id int32
	var isNew bool
	if aid, ok := c.ahead.find(uid); ok {
		id, isNew = c.accountAhead(uid, aid)
	} else {
		id, isNew = c.account(uid)
	}
	if isNew {
		c.fresh = append(c.fresh, c.accounts.name(id))
	}
	return int64(id), isNew, nil
}

// account returns the id of account uid, adding it if new, and whether
// it was. The account asked last is answered without the table.
func (c *Collector) account(uid string) (int32, bool) {
	if c.lastAccOK && uid == c.lastAcc {
		return c.lastAccID, false
	}
	id, isNew := c.accounts.id(uid)
	c.lastAcc, c.lastAccID, c.lastAccOK = c.accounts.name(id), id, true
	return id, isNew
}

// AccountID returns the id of account uid (dense: 0, 1, ... in the
// order the accounts came, as Accounts yields them), or false when c
// does not hold it. The account Add asked last (a record's last new
// post's author) is answered without the table.
func (c *Collector) AccountID(uid string) (int, bool) {
	if aid, ok := c.ahead.find(uid); ok && int(aid) < len(c.ahead.byAhead) {
		if v := c.ahead.byAhead[aid]; v != 0 {
			return int(v - 1), true
		}
	}
	if c.lastAccOK && uid == c.lastAcc {
		return int(c.lastAccID), true
	}
	id, ok := c.accounts.find(uid)
	return int(id), ok
}

// Accounts yields the UID of every account c holds, in the order they
// came (for Share: of the shares).
func (c *Collector) Accounts(yield func(string) bool) {
	for id := range c.accounts.len() {
		if !yield(c.accounts.name(int32(id))) {
			return
		}
	}
}

// NewAccounts returns the accounts the last record (Add) added: those
// it names (its accounts, the authors of its new posts) that no record
// before named. It is reused by the next call.
func (c *Collector) NewAccounts() []string { return c.fresh }

// FindPost implements storeimport.Rows.
func (c *Collector) FindPost(_ context.Context, uid string) (int64, int64, string, bool, error) {
	id, ok := c.posts.find(uid)
	if ok {
		acc := c.postAcc[id]
		return int64(id + c.postBase()), int64(acc), c.accounts.name(acc), true, nil
	}
	if c.pruns == nil {
		return 0, 0, "", false, nil
	}
	// on disk: its shares' hashes are kept for the ShareExists that
	// follow (storeimport.Add asks of a post it found, in this record)
	rec, ok, err := c.pruns.find(uid, c.posts.missHash)
	if err != nil || !ok {
		return 0, 0, "", false, err
	}
	c.pruns.hashes[rec.id] = rec.hashes
	return int64(rec.id), int64(rec.acc), c.accounts.name(rec.acc), true, nil
}

// AddPost implements storeimport.Rows.
func (c *Collector) AddPost(_ context.Context, p *tahqiq.Post, accID, _ int64) (int64, error) {
	c.posted = append(c.posted, p)
	return int64(c.newPost(p.UID, int32(accID))), nil
}

// newPost adds post uid (which a lookup just missed) by account acc.
func (c *Collector) newPost(uid string, acc int32) int32 {
	id := c.posts.add(uid) + c.postBase()
	c.postAcc = append(c.postAcc, acc)
	c.postShare = append(c.postShare, 0)
	return id
}

// AddOccurrence implements storeimport.Rows: occurrences are not kept.
func (c *Collector) AddOccurrence(context.Context, int64, int64) error { return nil }

// AddRecordReject implements storeimport.Rows: the caller has the
// conflicts in the result.
func (c *Collector) AddRecordReject(context.Context, int64, int64, string, []byte) error { return nil }

// shareKey is the hash of a share's type and object (never 0). Two
// objects of one post with the same key would be taken for one: with 64
// bits, a chance of about k²/2⁶⁵ for a post of k shares.
func (c *Collector) shareKey(typ tahqiq.ObjectType, object string) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(string(typ))
	h.WriteByte(0)
	h.WriteString(object)
	return h.Sum64() | 1
}

// ShareExists implements storeimport.Rows.
func (c *Collector) ShareExists(_ context.Context, post int64, typ tahqiq.ObjectType, object string) (bool, error) {
	k, p := c.shareKey(typ, object), int32(post)
	if base := c.postBase(); p < base {
		hashes, ok := c.pruns.hashes[p]
		if !ok {
			return false, fmt.Errorf("coord: post %d is on disk and was not found in this record (FindPost)", p)
		}
		return slices.Contains(hashes, k) || slices.Contains(c.pruns.late[p], k), nil
	} else if c.postShare[p-base] == k {
		return true, nil
	}
	return slices.Contains(c.more[p], k), nil
}

// AddShare implements storeimport.Rows.
func (c *Collector) AddShare(_ context.Context, post, account int64, s tahqiq.Share) error {
	p := int32(post)
	if k, base := c.shareKey(s.Type, s.Object), c.postBase(); p < base {
		c.pruns.late[p] = append(c.pruns.late[p], k)
	} else if c.postShare[p-base] == 0 {
		c.postShare[p-base] = k
	} else {
		if c.more == nil {
			c.more = map[int32][]uint64{}
		}
		c.more[p] = append(c.more[p], k)
	}
	c.added = append(c.added, s)
	c.share(p, int32(account), &s)
	return c.failed()
}

// share counts share s of post by account and queues its rows for the
// rows' side (rowside.go).
func (c *Collector) share(post, acc int32, s *tahqiq.Share) {
	c.shares++
	if s.Precision == tahqiq.PrecisionNone {
		c.untimed++
	}
	c.filter.each(s, func(t tahqiq.ObjectType, value string) {
		c.queue(post, acc, s.Time, t, value)
	})
}

// addRows makes the rows of batch b (on the rows' side): each row's
// object interned, the rows appended, their accounts and posts marked
// used, and the rows checked against the budget as they grow.
func (c *Collector) addRows(b *rowBatch) {
	start := 0
	for i := range b.rows {
		q := &b.rows[i]
		value := b.value(i, start)
		start = b.ends[i]
		acc, post := q.acc, q.post
		c.rows = append(c.rows, row{obj: c.object(q.typ, value), acc: acc, post: post, t: c.span.add(q.t)})
		c.usedAcc.set(acc)
		c.usedPost.set(post)
		if len(c.rows) >= c.nextCheck {
			c.checkRows()
		}
	}
}

// object returns the id of object (t, value), adding it if new.
func (c *Collector) object(t tahqiq.ObjectType, value string) int32 {
	ot := c.lastTab
	if ot == nil || t != c.lastType {
		if ot = c.objTabs[t]; ot == nil {
			ot = &objTable{typ: t, idx: int32(len(c.objList)), tab: newWideStrtab(c.seed)}
			c.objTabs[t] = ot
			c.objList = append(c.objList, ot)
		}
		c.lastType, c.lastTab = t, ot
	}
	if id, ok := ot.tab.find(value); ok {
		return ot.obj[id]
	}
	id := ot.tab.add(value)
	o := int32(len(c.objects))
	ot.obj = append(ot.obj, o)
	c.objects = append(c.objects, objRef{ot.idx, id})
	return o
}

// Len returns the number of shares collected.
func (c *Collector) Len() int64 { return c.shares }

// interned makes the run's input of what c collected, for parameters p
// (the types and KeepLoops c was made with), and empties c. posts says
// what becomes of the posts' names: kept, dropped (their number kept),
// or, posts on disk, kept on disk when the read spilled its rows (the
// input is over the budget), else in memory.
func (c *Collector) interned(p *Params, posts postsMode, m *progress.Meter) (*interned, error) {
	if !slices.Equal(c.types, p.Types) || c.keepLoops != p.KeepLoops {
		return nil, fmt.Errorf("coord: shares collected for types %v (keep loops %v), run with %v (%v)", c.types, c.keepLoops, p.Types, p.KeepLoops)
	}
	c.flush()
	c.endAhead()
	if err := c.failed(); err != nil {
		return nil, err
	}
	in := &interned{meter: m, dropped: c.filter.dropped}
	n := c.shares
	prog := m.Phase("interning shares", "shares", n)
	// only what the rows name, ranked by name
	if posts == postsOnDisk && c.spill == nil {
		posts = postsKept
	}
	accTo, postTo, objTo, err := c.internNames(in, posts)
	if err != nil {
		if c.spill != nil {
			c.spill.f.Close()
		}
		if c.pruns != nil {
			c.pruns.close()
		}
		return nil, err
	}
	rows := c.rows
	if c.spill != nil {
		// the tables are gone: the rows come back
		if rows, err = c.spill.readBack(rows); err != nil {
			if c.pruns != nil {
				c.pruns.close()
			}
			return nil, fmt.Errorf("coord: reading back the shares spilled over the memory budget (--mem): %w", err)
		}
	}
	pruns, span := c.pruns, c.span
	*c = Collector{}
	renumber(rows, accTo, postTo, objTo)
	accTo, postTo, objTo = nil, nil, nil
	if pruns != nil {
		err := pruns.rankRows(rows)
		pruns.close()
		if err != nil {
			return nil, err
		}
	}
	prog.Add(n)
	if err := finishRows(in, rows, span); err != nil {
		return nil, err
	}
	return in, nil
}
