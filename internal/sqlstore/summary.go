package sqlstore

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
)

// SummarizeDataset counts a dataset's posts per time bucket and lists its
// most active accounts and most shared hashtags, URLs and domains.
func (s *Store) SummarizeDataset(ctx context.Context, name string, o tahqiq.SummaryOptions) (tahqiq.DatasetSummary, error) {
	var sum tahqiq.DatasetSummary
	bucket := int64(o.Bucket / time.Second)
	if bucket <= 0 {
		bucket = 86400
	}
	top := o.Top
	if top <= 0 {
		top = 20
	}
	fail := func(what string, err error) error {
		return s.errorf("summarize dataset %q: %s: %w", name, what, err)
	}
	err := s.e.Scoped(ctx, func(q Conn) error {
		d, err := s.findDataset(ctx, q, name)
		if err != nil {
			return err
		}
		sum.Dataset = d
		rows, err := q.Query(ctx, `SELECT created_at - (created_at % $2) AS b, count(*) FROM posts
			WHERE dataset_id = $1 AND created_at > 0 GROUP BY b ORDER BY b`, d.ID, bucket)
		if err != nil {
			return fail("over time", err)
		}
		sum.OverTime = []tahqiq.TimeCount{}
		for rows.Next() {
			var t, n int64
			if err := rows.Scan(&t, &n); err != nil {
				rows.Close()
				return fail("over time", err)
			}
			sum.OverTime = append(sum.OverTime, tahqiq.TimeCount{T: time.Unix(t, 0).UTC(), Posts: n})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail("over time", err)
		}
		rows, err = q.Query(ctx, `SELECT a.uid, a.data, c.n FROM
			(SELECT account_id, count(*) AS n FROM posts WHERE dataset_id = $1 GROUP BY account_id ORDER BY n DESC, account_id LIMIT $2) c
			JOIN accounts a ON a.id = c.account_id ORDER BY c.n DESC, a.uid`, d.ID, top)
		if err != nil {
			return fail("top accounts", err)
		}
		sum.TopAccounts = []tahqiq.AccountCount{}
		for rows.Next() {
			var ac tahqiq.AccountCount
			var data []byte
			if err := rows.Scan(&ac.UID, &data, &ac.Posts); err != nil {
				rows.Close()
				return fail("top accounts", err)
			}
			var a tahqiq.Account
			if json.Unmarshal(data, &a) == nil {
				ac.Handle, ac.Name = a.Handle, a.Name
			}
			sum.TopAccounts = append(sum.TopAccounts, ac)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail("top accounts", err)
		}
		if sum.TopHashtags, sum.TopURLs, sum.TopDomains, err = s.topObjects(ctx, q, d.ID, top); err != nil {
			return fail("top objects", err)
		}
		return nil
	})
	return sum, err
}

// topObjects returns the top hashtags, URLs and domains of the dataset
// by the posts sharing them (most first, then by object), from one pass
// over its shares: packed in their posts, they are counted here rather
// than by a GROUP BY (packed.go).
func (s *Store) topObjects(ctx context.Context, q Conn, dataset int64, top int) (hashtags, urls, domains []tahqiq.KeyCount, err error) {
	types := []tahqiq.ObjectType{tahqiq.ObjHashtag, tahqiq.ObjURL, tahqiq.ObjDomain}
	counts := make([]map[string]int64, len(types))
	for i := range counts {
		counts[i] = map[string]int64{}
	}
	err = s.eachShare(ctx, q, dataset, types, func(sh tahqiq.Share) error {
		counts[slices.Index(types, sh.Type)][sh.Object]++
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	out := make([][]tahqiq.KeyCount, len(types))
	for i, m := range counts {
		out[i] = []tahqiq.KeyCount{}
		for k, n := range m {
			out[i] = append(out[i], tahqiq.KeyCount{Key: k, Count: n})
		}
		slices.SortFunc(out[i], func(a, b tahqiq.KeyCount) int {
			if a.Count != b.Count {
				return cmp.Compare(b.Count, a.Count)
			}
			return strings.Compare(a.Key, b.Key)
		})
		out[i] = out[i][:min(len(out[i]), max(top, 0))]
	}
	return out[0], out[1], out[2], nil
}

// FindRejects returns a page of a dataset's rejects in the order stored.
func (s *Store) FindRejects(ctx context.Context, dataset string, limit, offset int) ([]tahqiq.RejectRecord, error) {
	if limit <= 0 {
		limit = 100
	}
	out := []tahqiq.RejectRecord{}
	err := s.e.Scoped(ctx, func(q Conn) error {
		id, err := s.datasetID(ctx, q, dataset)
		if err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT f.name, r.line, r.reason, r.raw FROM rejects r JOIN files f ON f.id = r.file_id
			WHERE f.dataset_id = $1 ORDER BY r.id LIMIT $2 OFFSET $3`, id, limit, max(offset, 0))
		if err != nil {
			return s.errorf("find rejects: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r tahqiq.RejectRecord
			if err := rows.Scan(&r.File, &r.Line, &r.Reason, &r.Raw); err != nil {
				return s.errorf("find rejects: %w", err)
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindAccountPosts returns an account of a dataset and up to limit of its
// posts, oldest first.
func (s *Store) FindAccountPosts(ctx context.Context, dataset, uid string, limit int) (tahqiq.Account, []tahqiq.Post, error) {
	var a tahqiq.Account
	if limit <= 0 {
		limit = 200
	}
	posts := []tahqiq.Post{}
	err := s.e.Scoped(ctx, func(q Conn) error {
		ds, err := s.datasetID(ctx, q, dataset)
		if err != nil {
			return err
		}
		var id int64
		var data []byte
		if err := q.QueryRow(ctx, `SELECT id, data FROM accounts WHERE dataset_id = $1 AND uid = $2`, ds, uid).Scan(&id, &data); err != nil {
			return s.notFound(err, "no account %q in dataset %q", uid, dataset)
		}
		if err := json.Unmarshal(data, &a); err != nil {
			return s.errorf("account %s: %w", uid, err)
		}
		rows, err := q.Query(ctx, `SELECT data FROM posts WHERE dataset_id = $1 AND account_id = $2 ORDER BY created_at, id LIMIT $3`, ds, id, limit)
		if err != nil {
			return s.errorf("account posts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p tahqiq.Post
			if err := rows.Scan(&data); err != nil {
				return s.errorf("account posts: %w", err)
			}
			if err := json.Unmarshal(data, &p); err != nil {
				return s.errorf("account posts: %w", err)
			}
			posts = append(posts, p)
		}
		return rows.Err()
	})
	if err != nil {
		return a, nil, err
	}
	return a, posts, nil
}

// uidsPerQuery is how many UIDs one query of FindAccounts and FindPosts
// asks for.
const uidsPerQuery = 500

// FindAccounts returns the accounts of a dataset with the given UIDs.
func (s *Store) FindAccounts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Account, error) {
	return findByUID(ctx, s, "accounts", dataset, uids, func(a tahqiq.Account) string { return a.UID })
}

// FindAccountsByRef returns the accounts of a dataset that ref may name:
// its UID, its id as the user's file wrote it (the UID after the
// platform's "platform:"), its handle (with or without "@", in any case)
// or its display name. The SQL narrows them; the rule of
// tahqiq.ResolveAccount decides.
func (s *Store) FindAccountsByRef(ctx context.Context, dataset, ref string) ([]tahqiq.Account, error) {
	var out []tahqiq.Account
	err := s.e.Scoped(ctx, func(q Conn) error {
		id, err := s.datasetID(ctx, q, dataset)
		if err != nil {
			return err
		}
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(ref)
		rows, err := q.Query(ctx, `SELECT data FROM accounts WHERE dataset_id = $1 AND (uid = $2 OR uid LIKE $3 ESCAPE '\'
			OR lower(`+s.e.JSONText("data", "handle")+`) = lower($4) OR `+s.e.JSONText("data", "name")+` = $2)`,
			id, ref, "%:"+esc, strings.TrimPrefix(ref, "@"))
		if err != nil {
			return s.errorf("find accounts by ref: %w", err)
		}
		defer rows.Close()
		var data []byte
		dest := []any{&data}
		for rows.Next() {
			var a tahqiq.Account
			if err := rows.Scan(dest...); err != nil {
				return s.errorf("find accounts by ref: %w", err)
			}
			if err := json.Unmarshal(data, &a); err != nil {
				return s.errorf("find accounts by ref: %w", err)
			}
			out = append(out, a)
		}
		if err := rows.Err(); err != nil {
			return s.errorf("find accounts by ref: %w", err)
		}
		return nil
	})
	return out, err
}

// FindPosts returns the posts of a dataset with the given UIDs, by UID.
func (s *Store) FindPosts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Post, error) {
	return findByUID(ctx, s, "posts", dataset, uids, func(p tahqiq.Post) string { return p.UID })
}

// findByUID reads the rows of table (accounts or posts: a JSON data column)
// of a dataset with the given UIDs, uidsPerQuery to a query, in one scoped
// read that looks the dataset's id up alone (FindDatasetByName would
// count the dataset's records on every call).
func findByUID[T any](ctx context.Context, s *Store, table, dataset string, uids []string, uidOf func(T) string) (map[string]T, error) {
	out := make(map[string]T, len(uids))
	err := s.e.Scoped(ctx, func(q Conn) error {
		id, err := s.datasetID(ctx, q, dataset)
		if err != nil {
			return err
		}
		for rest := uids; len(rest) > 0; {
			n := min(len(rest), uidsPerQuery)
			args := []any{id}
			for _, u := range rest[:n] {
				args = append(args, u)
			}
			rest = rest[n:]
			rows, err := q.Query(ctx, `SELECT data FROM `+table+` WHERE dataset_id = $1 AND uid IN (`+placeholders(2, n)+`)`, args...)
			if err != nil {
				return s.errorf("find %s: %w", table, err)
			}
			var data []byte
			dest := []any{&data}
			for rows.Next() {
				var v T
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return s.errorf("find %s: %w", table, err)
				}
				if err := json.Unmarshal(data, &v); err != nil {
					rows.Close()
					return s.errorf("find %s: %w", table, err)
				}
				out[uidOf(v)] = v
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return s.errorf("find %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
