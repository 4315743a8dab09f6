package storeimport

import (
	"context"
	"hash/maphash"

	"github.com/tahqiq/tahqiq"
)

// Memory is a dataset kept in memory by the hashes of its keys: the Rows
// of a read that stores nothing (ingest.Read, for runs from files), so
// that what a record adds is decided by Add there too. Keys are 128-bit
// hashes, which keep memory small and make a collision (which would drop
// a share or merge two posts) practically impossible.
type Memory struct {
	seed1, seed2 maphash.Seed
	accounts     map[hkey]int64 // account -> id, an index into uids plus one
	uids         []string       // account UIDs, by id
	posts        map[hkey]memPost
	shares       map[hkey]struct{}
	nextRecord   int64

	// the last single-string key hashed (FindPost then AddPost of a post)
	lastStr string
	lastKey hkey
	lastOK  bool

	// of the record being added
	posted []*tahqiq.Post
	added  []tahqiq.Share
}

type hkey [2]uint64

type memPost struct{ id, account int64 }

// NewMemory returns an empty dataset.
func NewMemory() *Memory {
	return &Memory{seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed(),
		accounts: map[hkey]int64{}, posts: map[hkey]memPost{}, shares: map[hkey]struct{}{}}
}

// Add adds what a record brings to m (see the package's Add): the result,
// whether each of posts is new to the dataset, and the shares it added.
func (m *Memory) Add(ctx context.Context, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, []bool, []tahqiq.Share, error) {
	m.nextRecord++
	m.posted, m.added = m.posted[:0], nil
	r, err := Add(ctx, m, m.nextRecord, rec, posts, accounts, shares)
	isNew := make([]bool, len(posts))
	for _, p := range m.posted {
		for i := range posts {
			if &posts[i] == p {
				isNew[i] = true
			}
		}
	}
	clear(m.posted)
	return r, isNew, m.added, err
}

// sum hashes a UID once per seed. A post's UID is hashed once for
// FindPost and AddPost: the last one hashed is kept.
func (m *Memory) sum(uid string) hkey {
	if m.lastOK && uid == m.lastStr {
		return m.lastKey
	}
	k := hkey{maphash.String(m.seed1, uid), maphash.String(m.seed2, uid)}
	m.lastStr, m.lastKey, m.lastOK = uid, k, true
	return k
}

// shareKey hashes a share of post id: the type and the object each
// hashed on their own (so that ("ab", "c") and ("a", "bc") differ), then
// with the id, once per seed.
func (m *Memory) shareKey(post int64, typ tahqiq.ObjectType, object string) hkey {
	var k hkey
	for i, seed := range [2]maphash.Seed{m.seed1, m.seed2} {
		k[i] = maphash.Comparable(seed, [3]uint64{uint64(post), maphash.String(seed, string(typ)), maphash.String(seed, object)})
	}
	return k
}

// Account implements Rows.
func (m *Memory) Account(_ context.Context, uid string, _ int64, _ *tahqiq.Account) (int64, bool, error) {
	k := m.sum(uid)
	if id, ok := m.accounts[k]; ok {
		return id, false, nil
	}
	m.uids = append(m.uids, uid)
	id := int64(len(m.uids))
	m.accounts[k] = id
	return id, true, nil
}

// FindPost implements Rows.
func (m *Memory) FindPost(_ context.Context, uid string) (int64, int64, string, bool, error) {
	p, ok := m.posts[m.sum(uid)]
	if !ok {
		return 0, 0, "", false, nil
	}
	return p.id, p.account, m.uids[p.account-1], true, nil
}

// AddPost implements Rows.
func (m *Memory) AddPost(_ context.Context, p *tahqiq.Post, accID, _ int64) (int64, error) {
	id := int64(len(m.posts) + 1)
	m.posts[m.sum(p.UID)] = memPost{id: id, account: accID}
	m.posted = append(m.posted, p)
	return id, nil
}

// AddOccurrence implements Rows: occurrences are not kept.
func (m *Memory) AddOccurrence(context.Context, int64, int64) error { return nil }

// AddRecordReject implements Rows: the caller has the conflicts in the
// result.
func (m *Memory) AddRecordReject(context.Context, int64, int64, string, []byte) error { return nil }

// ShareExists implements Rows.
func (m *Memory) ShareExists(_ context.Context, post int64, typ tahqiq.ObjectType, object string) (bool, error) {
	_, ok := m.shares[m.shareKey(post, typ, object)]
	return ok, nil
}

// AddShare implements Rows.
func (m *Memory) AddShare(_ context.Context, post, _ int64, s tahqiq.Share) error {
	m.shares[m.shareKey(post, s.Type, s.Object)] = struct{}{}
	m.added = append(m.added, s)
	return nil
}
