package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/runs"
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
		if err := s.Cases.Record(context.WithoutCancel(ctx), actor, "coord.run", fmt.Sprintf("coordination run %s of dataset %q", in.ID, req.Dataset)); err != nil {
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
	id := r.PathValue("id")
	in, err := s.run(r.Context(), c, runs.Coord, id)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var label func([]string) map[string]string
	if in.Dataset != "" {
		label = func(uids []string) map[string]string {
			as, err := s.Store.FindAccounts(ctx, in.Dataset, uids)
			if err != nil {
				return nil
			}
			out := make(map[string]string, len(as))
			for k, a := range as {
				if a.Handle != "" {
					out[k] = a.Handle
				}
			}
			return out
		}
	}
	g, err := s.Runs.Graph(id, f, label)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, g)
}

type evidenceJSON struct {
	Type     string    `json:"type"`
	Object   string    `json:"object"`
	PostA    string    `json:"post_a"`
	AccountA string    `json:"account_a"`
	TimeA    time.Time `json:"time_a"`
	PostB    string    `json:"post_b"`
	AccountB string    `json:"account_b"`
	TimeB    time.Time `json:"time_b"`
	Dt       int64     `json:"dt_s"`
	Dataset  string    `json:"dataset,omitempty"`
}

// getCoordEvidence returns the co-share pairs behind an edge: evidence,
// so the read is logged.
func (s *Server) getCoordEvidence(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	a, b := r.URL.Query().Get("a"), r.URL.Query().Get("b")
	if a == "" || b == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "give both accounts: ?a=UID&b=UID")
	}
	in, err := s.run(r.Context(), c, runs.Coord, id)
	if err != nil {
		return err
	}
	rows, sum, err := s.Runs.Evidence(id, a, b)
	if err != nil {
		return err
	}
	out := make([]evidenceJSON, 0, len(rows))
	for _, e := range rows {
		out = append(out, evidenceJSON{Type: e.ObjectType, Object: e.Object, PostA: e.PostA, AccountA: e.AccountA, TimeA: time.Unix(e.TimeA, 0).UTC(),
			PostB: e.PostB, AccountB: e.AccountB, TimeB: time.Unix(e.TimeB, 0).UTC(), Dt: e.Dt(), Dataset: in.Dataset})
	}
	var hashes []string
	if sum != "" {
		hashes = append(hashes, "sha256:"+sum)
	}
	if err := s.Cases.Record(r.Context(), c.user, "coord.evidence.read", fmt.Sprintf("run %s edge %s %s: %d pairs", id, a, b, len(out)), hashes...); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) getCoordAccount(w http.ResponseWriter, r *http.Request, c *call) error {
	id, uid := r.PathValue("id"), r.PathValue("uid")
	in, err := s.run(r.Context(), c, runs.Coord, id)
	if err != nil {
		return err
	}
	n, edges, err := s.Runs.AccountEdges(id, uid)
	if err != nil {
		return err
	}
	out := map[string]any{"uid": uid, "label": n.Label, "community": n.Community, "degree": n.Degree, "strength": n.Strength, "edges": edges, "posts": []tahqiq.Post{}}
	if in.Dataset != "" {
		a, posts, err := s.Store.FindAccountPosts(r.Context(), in.Dataset, uid, 200)
		if err == nil {
			out["account"], out["posts"] = a, posts
			if a.Handle != "" {
				out["label"] = a.Handle
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
