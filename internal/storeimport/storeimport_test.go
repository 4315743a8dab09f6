package storeimport_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/storeimport"
)

// memRows is a store in maps.
type memRows struct {
	accounts map[string]int64
	posts    map[string]int64
	shares   map[[3]string]bool
	occ      map[int64][]int64 // post -> records
}

func newRows() *memRows {
	return &memRows{accounts: map[string]int64{}, posts: map[string]int64{}, shares: map[[3]string]bool{}, occ: map[int64][]int64{}}
}

func (m *memRows) Account(_ context.Context, uid string, _ int64, _ *tahqiq.Account) (int64, bool, error) {
	if id, ok := m.accounts[uid]; ok {
		return id, false, nil
	}
	m.accounts[uid] = int64(len(m.accounts) + 1)
	return m.accounts[uid], true, nil
}

func (m *memRows) Post(_ context.Context, p *tahqiq.Post, _, recID int64) (int64, bool, error) {
	id, ok := m.posts[p.UID]
	if !ok {
		id = int64(len(m.posts) + 1)
		m.posts[p.UID] = id
	}
	m.occ[id] = append(m.occ[id], recID)
	return id, !ok, nil
}

func key(post int64, typ tahqiq.ObjectType, object string) [3]string {
	return [3]string{string(rune('0' + post)), string(typ), object}
}

func (m *memRows) ShareExists(_ context.Context, post int64, typ tahqiq.ObjectType, object string) (bool, error) {
	return m.shares[key(post, typ, object)], nil
}

func (m *memRows) AddShare(_ context.Context, post, _ int64, s tahqiq.Share) error {
	m.shares[key(post, s.Type, s.Object)] = true
	return nil
}

// TestAdd: what a record adds and counts, record after record: new
// accounts and posts, a post seen again with nothing new (a duplicate),
// a post seen again with a new share (not a duplicate), and a share of a
// post the record does not carry (an error naming the record).
func TestAdd(t *testing.T) {
	post := func(uid, author string) tahqiq.Post { return tahqiq.Post{UID: uid, AuthorUID: author} }
	share := func(post, url string) tahqiq.Share {
		return tahqiq.Share{Type: tahqiq.ObjURL, Object: url, PostID: post}
	}
	rows := newRows()
	for _, tc := range []struct {
		name     string
		posts    []tahqiq.Post
		accounts []tahqiq.Account
		shares   []tahqiq.Share
		want     tahqiq.RecordResult
		err      string
	}{
		{"first", []tahqiq.Post{post("x:1", "x:a")}, []tahqiq.Account{{UID: "x:a"}}, []tahqiq.Share{share("x:1", "u1")},
			tahqiq.RecordResult{NewPosts: 1, NewAccounts: 1, NewShares: 1}, ""},
		{"the same again", []tahqiq.Post{post("x:1", "x:a")}, []tahqiq.Account{{UID: "x:a"}}, []tahqiq.Share{share("x:1", "u1")},
			tahqiq.RecordResult{Duplicates: 1}, ""},
		{"a repost and its original", []tahqiq.Post{post("x:2", "x:b"), post("x:1", "x:a")}, nil, []tahqiq.Share{share("x:2", "u1"), share("x:1", "u1")},
			tahqiq.RecordResult{NewPosts: 1, NewAccounts: 1, NewShares: 1, Duplicates: 1}, ""},
		{"a known post with a new share", []tahqiq.Post{post("x:1", "x:a")}, nil, []tahqiq.Share{share("x:1", "u2")},
			tahqiq.RecordResult{NewShares: 1}, ""},
		{"a share of a post not in the record", []tahqiq.Post{post("x:3", "x:c")}, nil, []tahqiq.Share{share("x:9", "u1")},
			tahqiq.RecordResult{}, "add record L5: share of post x:9 not in the record"},
	} {
		got, err := storeimport.Add(context.Background(), rows, 1, "L5", tc.posts, tc.accounts, tc.shares)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	if len(rows.accounts) != 3 || len(rows.posts) != 3 || len(rows.shares) != 3 {
		t.Errorf("stored %d accounts, %d posts, %d shares; want 3, 3, 3", len(rows.accounts), len(rows.posts), len(rows.shares))
	}
}
