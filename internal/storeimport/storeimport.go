// Package storeimport is the part of adding a record to a dataset that
// every store engine shares: which accounts, posts and shares a record
// adds, and what it counts as new or duplicate. The engines provide the
// rows (ids, lookups, buffered writes) through Rows.
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
	// Post returns the id of post p, adding it when absent; a present
	// post gains recID as one more occurrence.
	Post(ctx context.Context, p *tahqiq.Post, accID, recID int64) (id int64, isNew bool, err error)
	// ShareExists reports whether post already has a share of the object.
	ShareExists(ctx context.Context, post int64, typ tahqiq.ObjectType, object string) (bool, error)
	// AddShare adds a share of post by account.
	AddShare(ctx context.Context, post, account int64, s tahqiq.Share) error
}

// Add adds what the record recID brings, after the engine stored the
// record row itself: its accounts, its posts with their authors, and the
// shares of those posts that the dataset does not hold yet. A post seen
// before that brings no new share counts as a duplicate.
func Add(ctx context.Context, rows Rows, recID int64, locator string, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, error) {
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
		newShares   int
	}
	var refs [4]postRef
	byUID := make(map[string]int, len(posts))
	list := refs[:0]
	for i := range posts {
		p := &posts[i]
		accID, isNew, err := rows.Account(ctx, p.AuthorUID, recID, nil)
		if err != nil {
			return r, err
		}
		if isNew {
			r.NewAccounts++
		}
		id, isNewPost, err := rows.Post(ctx, p, accID, recID)
		if err != nil {
			return r, err
		}
		if isNewPost {
			r.NewPosts++
		}
		byUID[p.UID] = len(list)
		list = append(list, postRef{id: id, account: accID, isNew: isNewPost})
	}
	for _, s := range shares {
		i, ok := byUID[s.PostID]
		if !ok {
			return r, fmt.Errorf("add record %s: share of post %s not in the record", locator, s.PostID)
		}
		ref := &list[i]
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
		if !ref.isNew && ref.newShares == 0 {
			r.Duplicates++
		}
	}
	return r, nil
}
