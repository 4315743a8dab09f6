package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/signals"
)

func (s *Server) getCoordRuns(w http.ResponseWriter, r *http.Request, c *call) error {
	list, err := s.Runs.List(runs.Coord)
	if err != nil {
		return err
	}
	if list, err = s.visibleRuns(r.Context(), c, list); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

func (s *Server) getCoordDefaults(w http.ResponseWriter, r *http.Request, c *call) error {
	return writeJSON(w, http.StatusOK, runs.DefaultRequest())
}

func (s *Server) postCoordRun(w http.ResponseWriter, r *http.Request, c *call) error {
	var req runs.CoordRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if _, err := req.Params(); err != nil { // refuse bad parameters now, not in the job
		return err
	}
	if err := s.Cases.DatasetAccess(r.Context(), c.user, req.Dataset); err != nil {
		return err
	}
	if _, err := s.Store.FindDatasetByName(r.Context(), req.Dataset); err != nil {
		return err
	}
	actor := c.user
	j, err := s.startJob(c, "coord", func(ctx context.Context, report jobs.Report) (any, error) {
		in, err := s.Runs.RunCoord(ctx, s.Store, req, s.Version, actor.ID, func(done, total int64) { report(done, total, "steps") })
		if err != nil {
			return nil, err
		}
		// the network and evidence index in memory before the job says done,
		// so that no reader of the new run waits for them
		if err := s.Runs.Warm(in.ID); err != nil {
			return nil, err
		}
		// and what the dataset calls its accounts, for the network view
		if _, err := s.Runs.Overview(in.ID, 1, func(uids []string) (map[string]tahqiq.Account, error) {
			return s.Store.FindAccounts(ctx, req.Dataset, uids)
		}); err != nil {
			return nil, err
		}
		return map[string]any{"run": in.ID, "counts": in.Counts}, nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]jobs.Job{"job": j})
}

func (s *Server) getCoordRun(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	in, err := s.run(r.Context(), c, runs.Coord, id)
	if err != nil {
		return err
	}
	files, err := s.Runs.Files(runs.Coord, id)
	if err != nil {
		return err
	}
	mpath, _ := s.Runs.File(runs.Coord, id, "manifest.json")
	raw, err := os.ReadFile(mpath)
	if err != nil {
		return fmt.Errorf("httpapi: run %s manifest: %w", id, err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"id": id, "name": in.Name, "dataset": in.Dataset, "created": in.CreatedAt,
		"manifest": json.RawMessage(raw), "files": files})
}

func (s *Server) getCoordGraph(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	f := runs.GraphFilter{FlaggedOnly: q.Get("flagged") == "1" || q.Get("flagged") == "true", From: q.Get("from"), To: q.Get("to")}
	if v := q.Get("min_weight"); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return tahqiq.Errorf(tahqiq.EINVALID, "min_weight=%q: want a number", v)
		}
		f.MinWeight = x
	}
	limit, err := intParam(r, "limit", 50000, 500000)
	if err != nil {
		return err
	}
	f.Limit = limit
	if v := q.Get("types"); v != "" {
		f.Types = strings.Split(v, ",")
	}
	if f.Where, err = signals.ParseFilters(q["where"]); err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "where: %v", err)
	}
	id := r.PathValue("id")
	in, err := s.run(r.Context(), c, runs.Coord, id)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var names func([]string) map[string]coord.AccountName
	if in.Dataset != "" { // a run made before its files named the accounts
		names = func(uids []string) map[string]coord.AccountName {
			as, err := s.Store.FindAccounts(ctx, in.Dataset, uids)
			if err != nil {
				return nil
			}
			out := make(map[string]coord.AccountName, len(as))
			for k, a := range as {
				out[k] = coord.AccountName{Handle: a.Handle, Name: a.Name}
			}
			return out
		}
	}
	g, err := s.Runs.Graph(id, f, names)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, g)
}

// evidencePairJSON is a co-share pair behind a link: the object, readable
// where it is a hash or an id, and the two posts (in the page's posts).
type evidencePairJSON struct {
	Type       string     `json:"type"`
	Object     string     `json:"object"`
	ObjectText string     `json:"object_text,omitempty"`
	ObjectPost string     `json:"object_post,omitempty"`
	PostA      string     `json:"post_a"`
	AccountA   string     `json:"account_a"`
	TimeA      *time.Time `json:"time_a"`
	PostB      string     `json:"post_b"`
	AccountB   string     `json:"account_b"`
	TimeB      *time.Time `json:"time_b"`
	Dt         *int64     `json:"dt_s"`
}

// evidencePageJSON is a page of a link's evidence with everything a
// reader needs to read it: the posts and their authors.
type evidencePageJSON struct {
	Run      string                    `json:"run"`
	Dataset  string                    `json:"dataset"`
	A        string                    `json:"a"`
	B        string                    `json:"b"`
	Total    int                       `json:"total"`
	Types    map[string]int            `json:"types"`
	Sort     string                    `json:"sort"`
	Order    string                    `json:"order"`
	Type     string                    `json:"type,omitempty"`
	Offset   int                       `json:"offset"`
	Limit    int                       `json:"limit"`
	Pairs    []evidencePairJSON        `json:"pairs"`
	Posts    map[string]tahqiq.Post    `json:"posts"`
	Accounts map[string]tahqiq.Account `json:"accounts"`
}

// evidenceTypes are the object types a link's pairs can have.
var evidenceTypes = func() []string {
	out := []string{string(coord.ObjNearText), string(coord.ObjPost)}
	for _, t := range tahqiq.ObjectTypes {
		out = append(out, string(t))
	}
	return out
}()

// evidenceQuery reads the query of a page of evidence, naming the
// parameter that is wrong.
func evidenceQuery(r *http.Request) (runs.EvidenceQuery, error) {
	q := r.URL.Query()
	var eq runs.EvidenceQuery
	eq.Sort = q.Get("sort")
	if eq.Sort == "" {
		eq.Sort = runs.SortTime
	}
	if !slices.Contains(runs.EvidenceSorts, eq.Sort) {
		return eq, tahqiq.Errorf(tahqiq.EINVALID, "sort=%q: want %s", eq.Sort, strings.Join(runs.EvidenceSorts, ", "))
	}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		eq.Desc = true
	default:
		return eq, tahqiq.Errorf(tahqiq.EINVALID, "order=%q: want asc or desc", q.Get("order"))
	}
	eq.Type = q.Get("type")
	if eq.Type != "" && !slices.Contains(evidenceTypes, eq.Type) {
		return eq, tahqiq.Errorf(tahqiq.EINVALID, "type=%q: want one of %s", eq.Type, strings.Join(evidenceTypes, ", "))
	}
	var err error
	if eq.Limit, err = intParam(r, "limit", 50, 1000); err != nil {
		return eq, err
	}
	if eq.Limit == 0 {
		return eq, tahqiq.Errorf(tahqiq.EINVALID, "limit=0: want 1 to 1000 pairs a page")
	}
	if eq.Offset, err = intParam(r, "offset", 0, 1<<31-1); err != nil {
		return eq, err
	}
	return eq, nil
}

// getCoordEvidence returns a page of the co-share pairs behind the link
// between accounts a and b, with the pairs' posts, the posts their
// objects stand for and the authors of both, read in one query each: the
// evidence, so the read is logged.
func (s *Server) getCoordEvidence(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	a, b := r.URL.Query().Get("a"), r.URL.Query().Get("b")
	if a == "" || b == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "give both accounts: ?a=UID&b=UID (or their ids, handles or names)")
	}
	in, err := s.run(r.Context(), c, runs.Coord, id)
	if err != nil {
		return err
	}
	if a, err = s.Runs.ResolveAccount(id, a); err != nil {
		return err
	}
	if b, err = s.Runs.ResolveAccount(id, b); err != nil {
		return err
	}
	eq, err := evidenceQuery(r)
	if err != nil {
		return err
	}
	page, err := s.Runs.EvidencePage(id, a, b, eq)
	if err != nil {
		return err
	}
	out := evidencePageJSON{Run: id, Dataset: in.Dataset, A: page.A, B: page.B, Total: page.Total, Types: page.ByType,
		Sort: eq.Sort, Order: "asc", Type: eq.Type, Offset: eq.Offset, Limit: eq.Limit,
		Pairs: make([]evidencePairJSON, 0, len(page.Rows)), Posts: map[string]tahqiq.Post{}, Accounts: map[string]tahqiq.Account{}}
	if eq.Desc {
		out.Order = "desc"
	}
	if in.Dataset != "" && len(page.Rows) > 0 {
		var uids []string
		for _, e := range page.Rows {
			uids = append(uids, e.PostA, e.PostB)
			if p := runs.ObjectPost(e); p != "" {
				uids = append(uids, p)
			}
		}
		slices.Sort(uids)
		posts, err := s.Store.FindPosts(r.Context(), in.Dataset, slices.Compact(uids))
		if err != nil && tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND { // a dataset deleted since: the pairs alone
			return err
		}
		if posts != nil {
			out.Posts = posts
		}
	}
	for _, e := range page.Rows {
		p := evidencePairJSON{Type: e.ObjectType, Object: e.Object, ObjectText: runs.ObjectText(e, out.Posts), PostA: e.PostA, AccountA: e.AccountA,
			TimeA: unixTime(e.TimeA), PostB: e.PostB, AccountB: e.AccountB, TimeB: unixTime(e.TimeB)}
		if op := runs.ObjectPost(e); op != "" {
			p.ObjectPost = op
		}
		if p.TimeA != nil && p.TimeB != nil {
			dt := e.Dt()
			p.Dt = &dt
		}
		out.Pairs = append(out.Pairs, p)
	}
	if in.Dataset != "" {
		authors := []string{page.A, page.B}
		for _, p := range out.Posts {
			authors = append(authors, p.AuthorUID)
		}
		slices.Sort(authors)
		accounts, err := s.Store.FindAccounts(r.Context(), in.Dataset, slices.Compact(authors))
		if err != nil && tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
			return err
		}
		if accounts != nil {
			out.Accounts = accounts
		}
	}
	var hashes []string
	if page.SHA256 != "" {
		hashes = append(hashes, "sha256:"+page.SHA256)
	}
	what := fmt.Sprintf("run %s edge %s %s: pairs %d-%d of %d", id, page.A, page.B, min(eq.Offset+1, page.Total), min(eq.Offset, page.Total)+len(page.Rows), page.Total)
	if eq.Type != "" {
		what += " of type " + eq.Type
	}
	if err := s.Cases.Record(r.Context(), c.user, "coord.evidence.read", what+" by "+eq.Sort+" "+out.Order, hashes...); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// unixTime is a time of evidence.csv.gz: nil for 0, a post without a time.
func unixTime(t int64) *time.Time {
	if t == 0 {
		return nil
	}
	u := time.Unix(t, 0).UTC()
	return &u
}

func (s *Server) getCoordAccount(w http.ResponseWriter, r *http.Request, c *call) error {
	id, uid := r.PathValue("id"), r.PathValue("uid")
	in, err := s.run(r.Context(), c, runs.Coord, id)
	if err != nil {
		return err
	}
	if uid, err = s.Runs.ResolveAccount(id, uid); err != nil {
		return err
	}
	n, edges, err := s.Runs.AccountEdges(id, uid)
	if err != nil {
		return err
	}
	sig, err := s.Runs.AccountSignals(id, uid)
	if err != nil {
		return err
	}
	out := map[string]any{"uid": uid, "label": n.Label, "handle": n.Handle, "name": n.Name, "community": n.Community, "degree": n.Degree,
		"strength": n.Strength, "edges": edges, "posts": []tahqiq.Post{}, "signals": sig, "signal_columns": signalColumns()}
	if in.Dataset != "" {
		a, posts, err := s.Store.FindAccountPosts(r.Context(), in.Dataset, uid, 200)
		if err == nil {
			out["account"], out["posts"] = a, posts
			if n.Handle == "" && n.Name == "" { // a run made before its files named the accounts
				x := coord.AccountName{Handle: a.Handle, Name: a.Name}
				out["label"], out["handle"], out["name"] = x.Label(uid), a.Handle, a.Name
			}
		} else if tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

var contentTypes = map[string]string{
	".csv": "text/csv; charset=utf-8", ".json": "application/json", ".gz": "application/gzip",
	".gexf": "application/xml", ".graphml": "application/xml", ".svg": "image/svg+xml", ".png": "image/png",
	".html": "text/html; charset=utf-8", ".jsonl": "application/x-ndjson",
}

// serveRunFile sends an output file of a run: HTML and SVG inline (the
// report and plots are shown in the UI), the rest as downloads.
func (s *Server) serveRunFile(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		id, name := r.PathValue("id"), r.PathValue("name")
		if _, err := s.run(r.Context(), c, kind, id); err != nil {
			return err
		}
		p, err := s.Runs.File(kind, id, name)
		if err != nil {
			return err
		}
		ext := filepath.Ext(name)
		ct, ok := contentTypes[ext]
		if !ok {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		if ext != ".html" && ext != ".svg" && ext != ".png" {
			w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", id+"-"+name))
		}
		if ext == ".html" || ext == ".svg" {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
		}
		http.ServeFile(w, r, p)
		return nil
	}
}
