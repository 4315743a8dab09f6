package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
)

var _ tahqiq.SummaryStore = (*DB)(nil)

// SummarizeDataset counts a dataset's posts per time bucket and lists its
// most active accounts and most shared hashtags, URLs and domains.
func (db *DB) SummarizeDataset(ctx context.Context, name string, o tahqiq.SummaryOptions) (tahqiq.DatasetSummary, error) {
	var s tahqiq.DatasetSummary
	d, err := db.FindDatasetByName(ctx, name)
	if err != nil {
		return s, err
	}
	s.Dataset = d
	bucket := int64(o.Bucket / time.Second)
	if bucket <= 0 {
		bucket = 86400
	}
	top := o.Top
	if top <= 0 {
		top = 20
	}
	fail := func(what string, err error) error {
		return fmt.Errorf("postgres: summarize dataset %q: %s: %w", name, what, err)
	}
	err = db.scoped(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT created_at - (created_at % $2) AS b, count(*) FROM posts
			WHERE dataset_id = $1 AND created_at > 0 GROUP BY b ORDER BY b`, d.ID, bucket)
		if err != nil {
			return fail("over time", err)
		}
		s.OverTime = []tahqiq.TimeCount{}
		for rows.Next() {
			var t, n int64
			if err := rows.Scan(&t, &n); err != nil {
				rows.Close()
				return fail("over time", err)
			}
			s.OverTime = append(s.OverTime, tahqiq.TimeCount{T: time.Unix(t, 0).UTC(), Posts: n})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail("over time", err)
		}
		rows, err = q.Query(ctx, `SELECT a.uid, a.data::text, c.n FROM
			(SELECT account_id, count(*) AS n FROM posts WHERE dataset_id = $1 GROUP BY account_id ORDER BY n DESC, account_id LIMIT $2) c
			JOIN accounts a ON a.id = c.account_id ORDER BY c.n DESC, a.uid`, d.ID, top)
		if err != nil {
			return fail("top accounts", err)
		}
		s.TopAccounts = []tahqiq.AccountCount{}
		for rows.Next() {
			var ac tahqiq.AccountCount
			var data string
			if err := rows.Scan(&ac.UID, &data, &ac.Posts); err != nil {
				rows.Close()
				return fail("top accounts", err)
			}
			var a tahqiq.Account
			if json.Unmarshal([]byte(data), &a) == nil {
				ac.Handle, ac.Name = a.Handle, a.Name
			}
			s.TopAccounts = append(s.TopAccounts, ac)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail("top accounts", err)
		}
		for _, t := range []struct {
			typ tahqiq.ObjectType
			out *[]tahqiq.KeyCount
		}{{tahqiq.ObjHashtag, &s.TopHashtags}, {tahqiq.ObjURL, &s.TopURLs}, {tahqiq.ObjDomain, &s.TopDomains}} {
			if *t.out, err = topObjects(ctx, q, d.ID, t.typ, top); err != nil {
				return fail("top "+string(t.typ), err)
			}
		}
		return nil
	})
	return s, err
}

func topObjects(ctx context.Context, q querier, dataset int64, typ tahqiq.ObjectType, top int) ([]tahqiq.KeyCount, error) {
	rows, err := q.Query(ctx, `SELECT object, count(*) AS n FROM shares
		WHERE dataset_id = $1 AND type = $2 GROUP BY object ORDER BY n DESC, object LIMIT $3`, dataset, string(typ), top)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tahqiq.KeyCount{}
	for rows.Next() {
		var k tahqiq.KeyCount
		if err := rows.Scan(&k.Key, &k.Count); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// FindRejects returns a page of a dataset's rejects in file and line order.
func (db *DB) FindRejects(ctx context.Context, dataset string, limit, offset int) ([]tahqiq.RejectRecord, error) {
	d, err := db.FindDatasetByName(ctx, dataset)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	out := []tahqiq.RejectRecord{}
	err = db.scoped(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT f.name, r.line, r.reason, r.raw FROM rejects r JOIN files f ON f.id = r.file_id
			WHERE f.dataset_id = $1 ORDER BY r.id LIMIT $2 OFFSET $3`, d.ID, limit, max(offset, 0))
		if err != nil {
			return fmt.Errorf("postgres: find rejects: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r tahqiq.RejectRecord
			if err := rows.Scan(&r.File, &r.Line, &r.Reason, &r.Raw); err != nil {
				return fmt.Errorf("postgres: find rejects: %w", err)
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// FindAccountPosts returns an account of a dataset and up to limit of its
// posts, oldest first.
func (db *DB) FindAccountPosts(ctx context.Context, dataset, uid string, limit int) (tahqiq.Account, []tahqiq.Post, error) {
	var a tahqiq.Account
	d, err := db.FindDatasetByName(ctx, dataset)
	if err != nil {
		return a, nil, err
	}
	var id int64
	var data string
	posts := []tahqiq.Post{}
	err = db.scoped(ctx, func(q querier) error {
		if err := q.QueryRow(ctx, `SELECT id, data::text FROM accounts WHERE dataset_id = $1 AND uid = $2`, d.ID, uid).Scan(&id, &data); err != nil {
			return notFound(err, "no account %q in dataset %q", uid, dataset)
		}
		if err := json.Unmarshal([]byte(data), &a); err != nil {
			return fmt.Errorf("postgres: account %s: %w", uid, err)
		}
		if limit <= 0 {
			limit = 200
		}
		rows, err := q.Query(ctx, `SELECT data::text FROM posts WHERE dataset_id = $1 AND account_id = $2 ORDER BY created_at, id LIMIT $3`, d.ID, id, limit)
		if err != nil {
			return fmt.Errorf("postgres: account posts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p tahqiq.Post
			if err := rows.Scan(&data); err != nil {
				return fmt.Errorf("postgres: account posts: %w", err)
			}
			if err := json.Unmarshal([]byte(data), &p); err != nil {
				return fmt.Errorf("postgres: account posts: %w", err)
			}
			posts = append(posts, p)
		}
		return rows.Err()
	})
	return a, posts, err
}

// FindAccounts returns the accounts of a dataset with the given UIDs.
// FindAccountsByRef returns the accounts of a dataset that ref may name:
// the SQL narrows them (handles compared in lower case), the rule of
// tahqiq.ResolveAccount decides.
func (db *DB) FindAccountsByRef(ctx context.Context, dataset, ref string) ([]tahqiq.Account, error) {
	d, err := db.FindDatasetByName(ctx, dataset)
	if err != nil {
		return nil, err
	}
	var out []tahqiq.Account
	err = db.scoped(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT data::text FROM accounts WHERE dataset_id = $1 AND (uid = $2 OR substr(uid, strpos(uid, ':') + 1) = $2
			OR lower(data->>'handle') = lower($3) OR data->>'name' = $2)`, d.ID, ref, strings.TrimPrefix(ref, "@"))
		if err != nil {
			return fmt.Errorf("postgres: find accounts by ref: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var data string
			var a tahqiq.Account
			if err := rows.Scan(&data); err != nil {
				return fmt.Errorf("postgres: find accounts by ref: %w", err)
			}
			if err := json.Unmarshal([]byte(data), &a); err != nil {
				return fmt.Errorf("postgres: find accounts by ref: %w", err)
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

func (db *DB) FindAccounts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Account, error) {
	d, err := db.FindDatasetByName(ctx, dataset)
	if err != nil {
		return nil, err
	}
	out := make(map[string]tahqiq.Account, len(uids))
	err = db.scoped(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT data::text FROM accounts WHERE dataset_id = $1 AND uid = ANY($2)`, d.ID, uids)
		if err != nil {
			return fmt.Errorf("postgres: find accounts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var data string
			var a tahqiq.Account
			if err := rows.Scan(&data); err != nil {
				return fmt.Errorf("postgres: find accounts: %w", err)
			}
			if err := json.Unmarshal([]byte(data), &a); err != nil {
				return fmt.Errorf("postgres: find accounts: %w", err)
			}
			out[a.UID] = a
		}
		return rows.Err()
	})
	return out, err
}
