package storeimport_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/storeimport"
)

// memRows is a store in maps.
type memRows struct {
	accounts map[string]int64
	posts    map[string]int64
	authors  map[string]string // post uid -> author uid
	shares   map[[3]string]bool
	occ      map[int64][]int64 // post -> records
	rejects  []string
}

func newRows() *memRows {
	return &memRows{accounts: map[string]int64{}, posts: map[string]int64{}, authors: map[string]string{}, shares: map[[3]string]bool{}, occ: map[int64][]int64{}}
}

func (m *memRows) Account(_ context.Context, uid string, _ int64, _ *tahqiq.Account) (int64, bool, error) {
	if id, ok := m.accounts[uid]; ok {
		return id, false, nil
	}
	m.accounts[uid] = int64(len(m.accounts) + 1)
	return m.accounts[uid], true, nil
}

func (m *memRows) FindPost(_ context.Context, uid string) (int64, int64, string, bool, error) {
	id, ok := m.posts[uid]
	return id, m.accounts[m.authors[uid]], m.authors[uid], ok, nil
}

func (m *memRows) AddPost(_ context.Context, p *tahqiq.Post, _, recID int64) (int64, error) {
	id := int64(len(m.posts) + 1)
	m.posts[p.UID], m.authors[p.UID] = id, p.AuthorUID
	m.occ[id] = append(m.occ[id], recID)
	return id, nil
}

func (m *memRows) AddOccurrence(_ context.Context, post, recID int64) error {
	m.occ[post] = append(m.occ[post], recID)
	return nil
}

func (m *memRows) AddRecordReject(_ context.Context, recID, line int64, reason string, raw []byte) error {
	m.rejects = append(m.rejects, reason)
	return nil
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
		{"a post id of another account", []tahqiq.Post{post("x:1", "x:z"), post("x:4", "x:a")}, nil, []tahqiq.Share{share("x:1", "u9"), share("x:4", "u9")},
			tahqiq.RecordResult{NewPosts: 1, NewShares: 1, Conflicts: []tahqiq.PostConflict{{UID: "x:1", Account: "x:a", Other: "x:z"}}}, ""},
		{"a share of a post not in the record", []tahqiq.Post{post("x:3", "x:c")}, nil, []tahqiq.Share{share("x:9", "u1")},
			tahqiq.RecordResult{}, "add record L5: share of post x:9 not in the record"},
	} {
		got, err := storeimport.Add(context.Background(), rows, 1, &tahqiq.RawRecord{Locator: "L5", Line: 5}, tc.posts, tc.accounts, tc.shares)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	// the conflicting post made no account, no occurrence, no share
	if len(rows.accounts) != 3 || len(rows.posts) != 4 || len(rows.shares) != 4 || len(rows.occ[1]) != 4 {
		t.Errorf("stored %d accounts, %d posts, %d shares, post 1 seen %d times; want 3, 4, 4, 4", len(rows.accounts), len(rows.posts), len(rows.shares), len(rows.occ[1]))
	}
	want := "post x:1 is a post of account x:a in this dataset, and this record gives it to account x:z: one post id cannot belong to two accounts, so this occurrence is not imported"
	if len(rows.rejects) != 1 || rows.rejects[0] != want {
		t.Errorf("rejects %q, want %q", rows.rejects, want)
	}
}
