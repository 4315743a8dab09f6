package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
)

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
		return fmt.Errorf("sqlite: summarize dataset %q: %s: %w", name, what, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT created_at - (created_at % ?2) AS b, count(*) FROM posts
		WHERE dataset_id = ?1 AND created_at > 0 GROUP BY b ORDER BY b`, d.ID, bucket)
	if err != nil {
		return s, fail("over time", err)
	}
	s.OverTime = []tahqiq.TimeCount{}
	for rows.Next() {
		var t, n int64
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return s, fail("over time", err)
		}
		s.OverTime = append(s.OverTime, tahqiq.TimeCount{T: time.Unix(t, 0).UTC(), Posts: n})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, fail("over time", err)
	}

	rows, err = db.read.QueryContext(ctx, `SELECT a.uid, a.data, c.n FROM
		(SELECT account_id, count(*) AS n FROM posts WHERE dataset_id = ?1 GROUP BY account_id ORDER BY n DESC, account_id LIMIT ?2) c
		JOIN accounts a ON a.id = c.account_id ORDER BY c.n DESC, a.uid`, d.ID, top)
	if err != nil {
		return s, fail("top accounts", err)
	}
	s.TopAccounts = []tahqiq.AccountCount{}
	for rows.Next() {
		var ac tahqiq.AccountCount
		var data []byte
		if err := rows.Scan(&ac.UID, &data, &ac.Posts); err != nil {
			rows.Close()
			return s, fail("top accounts", err)
		}
		var a tahqiq.Account
		if json.Unmarshal(data, &a) == nil {
			ac.Handle, ac.Name = a.Handle, a.Name
		}
		s.TopAccounts = append(s.TopAccounts, ac)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, fail("top accounts", err)
	}

	for _, t := range []struct {
		typ tahqiq.ObjectType
		out *[]tahqiq.KeyCount
	}{{tahqiq.ObjHashtag, &s.TopHashtags}, {tahqiq.ObjURL, &s.TopURLs}, {tahqiq.ObjDomain, &s.TopDomains}} {
		*t.out, err = db.topObjects(ctx, d.ID, t.typ, top)
		if err != nil {
			return s, fail("top "+string(t.typ), err)
		}
	}
	return s, nil
}

func (db *DB) topObjects(ctx context.Context, dataset int64, typ tahqiq.ObjectType, top int) ([]tahqiq.KeyCount, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT object, count(*) AS n FROM shares
		WHERE dataset_id = ? AND type = ? GROUP BY object ORDER BY n DESC, object LIMIT ?`, dataset, string(typ), top)
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
	rows, err := db.read.QueryContext(ctx, `SELECT f.name, r.line, r.reason, r.raw FROM rejects r JOIN files f ON f.id = r.file_id
		WHERE f.dataset_id = ? ORDER BY r.id LIMIT ? OFFSET ?`, d.ID, limit, max(offset, 0))
	if err != nil {
		return nil, fmt.Errorf("sqlite: find rejects: %w", err)
	}
	defer rows.Close()
	out := []tahqiq.RejectRecord{}
	for rows.Next() {
		var r tahqiq.RejectRecord
		if err := rows.Scan(&r.File, &r.Line, &r.Reason, &r.Raw); err != nil {
			return nil, fmt.Errorf("sqlite: find rejects: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
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
	var data []byte
	err = db.read.QueryRowContext(ctx, `SELECT id, data FROM accounts WHERE dataset_id = ? AND uid = ?`, d.ID, uid).Scan(&id, &data)
	if err != nil {
		return a, nil, notFound(err, "no account %q in dataset %q", uid, dataset)
	}
	if err := json.Unmarshal(data, &a); err != nil {
		return a, nil, fmt.Errorf("sqlite: account %s: %w", uid, err)
	}
	if limit <= 0 {
		limit = 200
	}
	rows, err := db.read.QueryContext(ctx, `SELECT data FROM posts WHERE dataset_id = ? AND account_id = ? ORDER BY created_at, id LIMIT ?`, d.ID, id, limit)
	if err != nil {
		return a, nil, fmt.Errorf("sqlite: account posts: %w", err)
	}
	defer rows.Close()
	posts := []tahqiq.Post{}
	for rows.Next() {
		var p tahqiq.Post
		if err := rows.Scan(&data); err != nil {
			return a, nil, fmt.Errorf("sqlite: account posts: %w", err)
		}
		if err := json.Unmarshal(data, &p); err != nil {
			return a, nil, fmt.Errorf("sqlite: account posts: %w", err)
		}
		posts = append(posts, p)
	}
	return a, posts, rows.Err()
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
	rows, err := db.read.QueryContext(ctx, `SELECT data FROM accounts WHERE dataset_id = ?1 AND (uid = ?2 OR substr(uid, instr(uid, ':') + 1) = ?2
		OR lower(json_extract(data, '$.handle')) = lower(?3) OR json_extract(data, '$.name') = ?2)`, d.ID, ref, strings.TrimPrefix(ref, "@"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: find accounts by ref: %w", err)
	}
	defer rows.Close()
	var out []tahqiq.Account
	for rows.Next() {
		var data []byte
		var a tahqiq.Account
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("sqlite: find accounts by ref: %w", err)
		}
		if err := json.Unmarshal(data, &a); err != nil {
			return nil, fmt.Errorf("sqlite: find accounts by ref: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: find accounts by ref: %w", err)
	}
	return out, nil
}

func (db *DB) FindAccounts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Account, error) {
	d, err := db.FindDatasetByName(ctx, dataset)
	if err != nil {
		return nil, err
	}
	out := make(map[string]tahqiq.Account, len(uids))
	for len(uids) > 0 {
		n := min(len(uids), 500)
		args := []any{d.ID}
		q := make([]byte, 0, 2*n)
		for i, u := range uids[:n] {
			if i > 0 {
				q = append(q, ',')
			}
			q = append(q, '?')
			args = append(args, u)
		}
		uids = uids[n:]
		rows, err := db.read.QueryContext(ctx, `SELECT data FROM accounts WHERE dataset_id = ? AND uid IN (`+string(q)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: find accounts: %w", err)
		}
		for rows.Next() {
			var data []byte
			var a tahqiq.Account
			if err := rows.Scan(&data); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: find accounts: %w", err)
			}
			if err := json.Unmarshal(data, &a); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: find accounts: %w", err)
			}
			out[a.UID] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlite: find accounts: %w", err)
		}
	}
	return out, nil
}
