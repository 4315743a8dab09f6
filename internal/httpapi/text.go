package httpapi

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/claims"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// The text analyses as server runs: narratives, claims match and targets
// on a stored dataset, made by the functions the CLI's --dataset runs use
// (runs.Dataset* then Store.Store*), kept under DATA/runs, read by those
// who may read the dataset (and, for a claims run, its claim set).

// runVisible checks that the caller may read a run: its dataset's
// readers, or for a run of files its maker's organisation
// (casework.RunAccess); a claims run also needs its claim set to be
// readable (another organisation's set does not exist for the caller).
func (s *Server) runVisible(ctx context.Context, c *call, in runs.Info) error {
	if err := s.Cases.RunAccess(ctx, c.user, in.Kind, in.ID, in.CreatedBy, in.Dataset); err != nil {
		return err
	}
	if in.ClaimSet != "" {
		si, err := claims.ReadSetInfo(s.claimsRoot(), in.ClaimSet)
		if err != nil || s.Cases.ClaimSetAccess(c.user, si) != nil {
			return tahqiq.Errorf(tahqiq.ENOTFOUND, "no %s run %q", in.Kind, in.ID)
		}
	}
	return nil
}

// claimsRoot is the claim sets' directory (DATA/claimsets, as the CLI's).
func (s *Server) claimsRoot() string { return filepath.Join(s.DataDir, "claimsets") }

// getRuns lists the runs of a kind the caller may read, newest first.
func (s *Server) getRuns(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		list, err := s.Runs.List(kind)
		if err != nil {
			return err
		}
		if list, err = s.visibleRuns(r.Context(), c, list); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, list)
	}
}

// getTextRun returns a run's run.json, manifest and files.
func (s *Server) getTextRun(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		id := r.PathValue("id")
		in, err := s.run(r.Context(), c, kind, id)
		if err != nil {
			return err
		}
		files, err := s.Runs.Files(kind, id)
		if err != nil {
			return err
		}
		mpath, _ := s.Runs.File(kind, id, "manifest.json")
		raw, err := os.ReadFile(mpath)
		if err != nil {
			return fmt.Errorf("httpapi: run %s manifest: %w", id, err)
		}
		return writeJSON(w, http.StatusOK, map[string]any{"run": in, "manifest": json.RawMessage(raw), "files": files})
	}
}

// coordGroups reads the communities of a stored coordination run of the
// dataset, for a run linked to it; the caller must be able to read it.
func (s *Server) coordGroups(ctx context.Context, c *call, dataset, id string) (*rundir.Communities, error) {
	if id == "" {
		return nil, nil
	}
	in, err := s.run(ctx, c, runs.Coord, id)
	if err != nil {
		return nil, err
	}
	if in.Dataset != dataset {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "coord_run %s is a run of dataset %q, not of %q", id, in.Dataset, dataset)
	}
	dir, err := s.Runs.Path(runs.Coord, id)
	if err != nil {
		return nil, err
	}
	return rundir.ReadCommunities(dir)
}

// startText checks the caller may read the dataset and starts a job
// making a run.
func (s *Server) startText(w http.ResponseWriter, r *http.Request, c *call, kind, dataset string, make func(ctx context.Context, report jobs.Report) (runs.Info, error)) error {
	if err := s.Cases.DatasetAccess(r.Context(), c.user, dataset); err != nil {
		return err
	}
	if _, err := s.Store.FindDatasetByName(r.Context(), dataset); err != nil {
		return err
	}
	j, err := s.startJob(c, kind, func(ctx context.Context, report jobs.Report) (any, error) {
		in, err := make(ctx, report)
		if err != nil {
			return nil, err
		}
		// the run is logged where it became a stored run (runs.Store.Log)
		report(3, 3, "steps")
		return map[string]any{"run": in.ID, "counts": in.Counts}, nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]jobs.Job{"job": j})
}

func (s *Server) postNarrativesRun(w http.ResponseWriter, r *http.Request, c *call) error {
	var req runs.NarrativesRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	p, err := req.Params()
	if err != nil {
		return err
	}
	if err := s.Cases.DatasetAccess(r.Context(), c.user, req.Dataset); err != nil {
		return err
	}
	groups, err := s.coordGroups(r.Context(), c, req.Dataset, req.CoordRun)
	if err != nil {
		return err
	}
	actor := c.user.ID
	return s.startText(w, r, c, runs.Narratives, req.Dataset, func(ctx context.Context, report jobs.Report) (runs.Info, error) {
		nr, err := runs.DatasetNarratives(ctx, s.Store, req.Dataset)
		if err != nil {
			return runs.Info{}, err
		}
		report(1, 3, "steps")
		if groups != nil {
			if err := groups.SameInputs(nr.Source.Inputs); err != nil {
				return runs.Info{}, err
			}
		}
		nr.Params, nr.Groups, nr.CoordRun, nr.Name, nr.Actor = p, groups, req.CoordRun, req.Name, actor
		in, _, _, err := s.Runs.StoreNarratives(ctx, &nr, s.Version)
		return in, err
	})
}

func (s *Server) postClaimsRun(w http.ResponseWriter, r *http.Request, c *call) error {
	var req runs.ClaimsRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	p, err := req.Params()
	if err != nil {
		return err
	}
	if err := s.Cases.DatasetAccess(r.Context(), c.user, req.Dataset); err != nil {
		return err
	}
	si, cls, err := s.Cases.ReadClaimSet(r.Context(), c.user, s.claimsRoot(), req.Set)
	if err != nil {
		return err
	}
	actor := c.user.ID
	return s.startText(w, r, c, runs.Claims, req.Dataset, func(ctx context.Context, report jobs.Report) (runs.Info, error) {
		cr := runs.ClaimsRun{Claims: cls, ClaimInputs: []rundir.Input{{Name: req.Set, SHA256: si.SHA256, Source: "claim-set"}}, ClaimSet: req.Set, Params: p}
		cr.Posts, cr.TextRun, err = runs.DatasetClaimPosts(ctx, s.Store, req.Dataset)
		if err != nil {
			return runs.Info{}, err
		}
		report(1, 3, "steps")
		cr.Name, cr.Actor = req.Name, actor
		in, _, err := s.Runs.StoreClaims(ctx, &cr, s.Version)
		return in, err
	})
}

func (s *Server) postTargetsRun(w http.ResponseWriter, r *http.Request, c *call) error {
	var req runs.TargetsRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	p, wl, rejects, err := req.Params()
	if err != nil {
		return err
	}
	if len(rejects) > 0 {
		var why []string
		for _, rj := range rejects[:min(len(rejects), 5)] {
			why = append(why, fmt.Sprintf("line %d: %s", rj.Line, rj.Reason))
		}
		return tahqiq.Errorf(tahqiq.EINVALID, "watchlist: %d lines refused (%s)", len(rejects), strings.Join(why, "; "))
	}
	if err := s.Cases.DatasetAccess(r.Context(), c.user, req.Dataset); err != nil {
		return err
	}
	groups, err := s.coordGroups(r.Context(), c, req.Dataset, req.CoordRun)
	if err != nil {
		return err
	}
	actor := c.user.ID
	text := []byte(req.Watchlist)
	return s.startText(w, r, c, runs.Targets, req.Dataset, func(ctx context.Context, report jobs.Report) (runs.Info, error) {
		tr := runs.TargetsRun{Watchlist: wl, WatchlistInput: runs.WatchlistInput(text), WatchlistText: text, Params: p, Groups: groups, CoordRun: req.CoordRun}
		tr.Posts, tr.TextRun, err = runs.DatasetTargets(ctx, s.Store, req.Dataset)
		if err != nil {
			return runs.Info{}, err
		}
		report(1, 3, "steps")
		if groups != nil {
			if err := groups.SameInputs(tr.Source.Inputs); err != nil {
				return runs.Info{}, err
			}
		}
		tr.Name, tr.Actor = req.Name, actor
		in, _, err := s.Runs.StoreTargets(ctx, &tr, s.Version)
		return in, err
	})
}

// getClaimSets lists the claim sets the caller may read (to match one).
func (s *Server) getClaimSets(w http.ResponseWriter, r *http.Request, c *call) error {
	sets, err := s.Cases.ClaimSets(r.Context(), c.user, s.claimsRoot())
	if err != nil {
		return err
	}
	if sets == nil {
		sets = []claims.SetInfo{}
	}
	return writeJSON(w, http.StatusOK, sets)
}

// table is a run's CSV file read whole, as objects keyed by its header.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) col(name string) int {
	for i, h := range t.header {
		if h == name {
			return i
		}
	}
	return -1
}

func (t *table) object(row []string) map[string]string {
	o := make(map[string]string, len(t.header))
	for i, h := range t.header {
		if i < len(row) {
			o[h] = row[i]
		}
	}
	return o
}

var tables struct {
	sync.Mutex
	m     map[string]*table
	order []string
}

// readTable reads (and keeps, the last 16) a run's CSV file; run files
// do not change once the run is listed.
func (s *Server) readTable(kind, id, name string) (*table, error) {
	p, err := s.Runs.File(kind, id, name)
	if err != nil {
		return nil, err
	}
	tables.Lock()
	t, ok := tables.m[p]
	tables.Unlock()
	if ok {
		return t, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.ReuseRecord = false
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("httpapi: run %s %s: %w", id, name, err)
	}
	t = &table{}
	if len(recs) > 0 {
		t.header, t.rows = recs[0], recs[1:]
	}
	tables.Lock()
	defer tables.Unlock()
	if tables.m == nil {
		tables.m = map[string]*table{}
	}
	if _, ok := tables.m[p]; !ok {
		tables.m[p] = t
		tables.order = append(tables.order, p)
		if len(tables.order) > 16 {
			delete(tables.m, tables.order[0])
			tables.order = tables.order[1:]
		}
	}
	return t, nil
}

// page returns the objects of rows[offset:offset+limit].
func page(t *table, rows [][]string, r *http.Request, def int) ([]map[string]string, error) {
	limit, err := intParam(r, "limit", def, 10000)
	if err != nil {
		return nil, err
	}
	offset, err := intParam(r, "offset", 0, 1<<30)
	if err != nil {
		return nil, err
	}
	out := []map[string]string{}
	for _, row := range rows[min(offset, len(rows)):min(offset+limit, len(rows))] {
		out = append(out, t.object(row))
	}
	return out, nil
}

// filterRows keeps the rows whose column equals the query parameter of
// the same name, for each of cols given in the query.
func filterRows(t *table, r *http.Request, cols ...string) [][]string {
	rows := t.rows
	for _, c := range cols {
		v := r.URL.Query().Get(c)
		i := t.col(c)
		if v == "" || i < 0 {
			continue
		}
		var kept [][]string
		for _, row := range rows {
			if row[i] == v {
				kept = append(kept, row)
			}
		}
		rows = kept
	}
	return rows
}

// getRunTable returns rows of one CSV file of a run as objects, filtered
// by equality on the given columns (query parameters of the same names)
// and paged (limit, offset).
func (s *Server) getRunTable(kind, file string, cols ...string) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		id := r.PathValue("id")
		if _, err := s.run(r.Context(), c, kind, id); err != nil {
			return err
		}
		t, err := s.readTable(kind, id, file)
		if err != nil {
			return err
		}
		rows := filterRows(t, r, cols...)
		objs, err := page(t, rows, r, 500)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"total": len(rows), "columns": t.header, "rows": objs})
	}
}

// atoi reads a count cell (0 when empty or not a number).
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
