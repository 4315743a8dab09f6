// Package storeimport decides what a record adds to a dataset: which
// accounts, posts and shares, and what it counts as new, duplicate or a
// conflict. Whoever holds the dataset provides its rows (ids, lookups,
// writes) through Rows: the SQL store (internal/sqlstore, for both
// engines) and Memory, the dataset of a read that stores nothing
// (ingest.Read, for runs from files), so both follow one rule.
package storeimport

import (
	"context"
	"fmt"

	"github.com/tahqiq/tahqiq"
)

// Rows is an engine's side of one import transaction.
type Rows interface {
	// Account returns the id of account uid, adding it (with a's data,
	// or as an author known only by its UID when a is nil) when absent.
	Account(ctx context.Context, uid string, recID int64, a *tahqiq.Account) (id int64, isNew bool, err error)
	// FindPost returns the id of post uid, the id and UID of its
	// author's account, and whether the dataset holds it.
	FindPost(ctx context.Context, uid string) (id, account int64, author string, found bool, err error)
	// AddPost adds post p by account accID, first seen in record recID,
	// and returns its id.
	AddPost(ctx context.Context, p *tahqiq.Post, accID, recID int64) (int64, error)
	// AddOccurrence records recID as one more occurrence of post.
	AddOccurrence(ctx context.Context, post, recID int64) error
	// ShareExists reports whether post already has a share of the object.
	ShareExists(ctx context.Context, post int64, typ tahqiq.ObjectType, object string) (bool, error)
	// AddShare adds a share of post by account.
	AddShare(ctx context.Context, post, account int64, s tahqiq.Share) error
	// AddRecordReject stores a reject of the stored record recID (line,
	// reason and its raw bytes): one that the store, not the parser,
	// found.
	AddRecordReject(ctx context.Context, recID, line int64, reason string, raw []byte) error
}

// Add adds what the record recID brings, after the engine stored the
// record row itself: its accounts, its posts with their authors, and the
// shares of those posts that the dataset does not hold yet. A post seen
// before that brings no new share counts as a duplicate. A post whose id
// the dataset holds as another account's is a conflict: it adds nothing
// (no occurrence, no share), and is stored as a reject of the record
// naming both accounts.
func Add(ctx context.Context, rows Rows, recID int64, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, error) {
	var r tahqiq.RecordResult
	for i := range accounts {
		_, isNew, err := rows.Account(ctx, accounts[i].UID, recID, &accounts[i])
		if err != nil {
			return r, err
		}
		if isNew {
			r.NewAccounts++
		}
	}
	type postRef struct {
		id, account int64
		isNew       bool
		conflict    bool
		newShares   int
	}
	var refs [4]postRef
	// list[i] is posts[i]; a share's post is found by UID, the last
	// post of that UID in the record (a map only for records of many
	// posts: most carry one, and a map per record cost more than the rest)
	var byUID map[string]int
	if len(posts) > 16 {
		byUID = make(map[string]int, len(posts))
	}
	find := func(uid string) (int, bool) {
		if byUID != nil {
			i, ok := byUID[uid]
			return i, ok
		}
		for i := len(posts) - 1; i >= 0; i-- {
			if posts[i].UID == uid {
				return i, true
			}
		}
		return 0, false
	}
	list := refs[:0]
	for i := range posts {
		p := &posts[i]
		id, accID, author, found, err := rows.FindPost(ctx, p.UID)
		if err != nil {
			return r, err
		}
		switch {
		case found && author != p.AuthorUID:
			c := tahqiq.PostConflict{UID: p.UID, Account: author, Other: p.AuthorUID}
			r.Conflicts = append(r.Conflicts, c)
			if err := rows.AddRecordReject(ctx, recID, rec.Line, c.Reason(), rec.Raw); err != nil {
				return r, err
			}
			if byUID != nil {
				byUID[p.UID] = len(list)
			}
			list = append(list, postRef{conflict: true})
			continue
		case found:
			if err := rows.AddOccurrence(ctx, id, recID); err != nil {
				return r, err
			}
		default:
			var isNew bool
			accID, isNew, err = rows.Account(ctx, p.AuthorUID, recID, nil)
			if err != nil {
				return r, err
			}
			if isNew {
				r.NewAccounts++
			}
			if id, err = rows.AddPost(ctx, p, accID, recID); err != nil {
				return r, err
			}
			r.NewPosts++
		}
		if byUID != nil {
			byUID[p.UID] = len(list)
		}
		list = append(list, postRef{id: id, account: accID, isNew: !found})
	}
	for _, s := range shares {
		i, ok := find(s.PostID)
		if !ok {
			return r, fmt.Errorf("add record %s: share of post %s not in the record", rec.Locator, s.PostID)
		}
		ref := &list[i]
		if ref.conflict {
			continue
		}
		if !ref.isNew {
			exists, err := rows.ShareExists(ctx, ref.id, s.Type, s.Object)
			if err != nil {
				return r, err
			}
			if exists {
				continue
			}
		}
		if err := rows.AddShare(ctx, ref.id, ref.account, s); err != nil {
			return r, err
		}
		r.NewShares++
		ref.newShares++
	}
	for _, ref := range list {
		if !ref.isNew && !ref.conflict && ref.newShares == 0 {
			r.Duplicates++
		}
	}
	return r, nil
}
