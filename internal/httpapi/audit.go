package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"os"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/audit"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/runs"
)

func (s *Server) getAuditMaps(w http.ResponseWriter, r *http.Request, c *call) error {
	type m struct {
		Name string `json:"name"`
	}
	out := []m{}
	for _, n := range audit.MapNames() {
		out = append(out, m{n})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) getAuditRuns(w http.ResponseWriter, r *http.Request, c *call) error {
	list, err := s.Runs.List(runs.Audit)
	if err != nil {
		return err
	}
	if list, err = s.visibleRuns(r.Context(), c, list); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

type auditReq struct {
	Uploads []string `json:"uploads"`
	Map     string   `json:"map"`
	Leader  string   `json:"leader,omitempty"`
	Turnout string   `json:"turnout,omitempty"`
	// KlimekFit also fits Klimek et al.'s fraud model (a few seconds per
	// 100,000 stations).
	KlimekFit bool `json:"klimek_fit,omitempty"`
	// Name is what the run's author calls it.
	Name string `json:"name,omitempty"`
}

func (s *Server) postAuditRun(w http.ResponseWriter, r *http.Request, c *call) error {
	var req auditReq
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if len(req.Uploads) != 1 {
		return tahqiq.Errorf(tahqiq.EINVALID, "uploads: give exactly one results file per audit run")
	}
	up, path, err := s.Uploads.File(req.Uploads[0], c.user.ID)
	if err != nil {
		return err
	}
	actor := c.user
	ar := runs.AuditRequest{File: path, Name: up.Name, Map: req.Map, Leader: req.Leader, Turnout: req.Turnout, KlimekFit: req.KlimekFit, RunName: req.Name}
	j, err := s.startJob(c, "audit", func(ctx context.Context, report jobs.Report) (any, error) {
		in, err := s.Runs.RunAudit(ctx, ar, actor.ID, func(done, total int64) { report(done, total, "steps") })
		if err != nil {
			return nil, err
		}
		return map[string]any{"run": in.ID, "counts": in.Counts}, nil
	}, map[string]string{path: up.Name})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]jobs.Job{"job": j})
}

func (s *Server) getAuditRun(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	in, err := s.run(r.Context(), c, runs.Audit, id)
	if err != nil {
		return err
	}
	files, err := s.Runs.Files(runs.Audit, id)
	if err != nil {
		return err
	}
	out := map[string]any{"id": id, "name": in.Name, "created": in.CreatedAt, "inputs": in.Inputs, "map": in.Map, "counts": in.Counts, "files": files}
	if p, err := s.Runs.File(runs.Audit, id, "forensics.json"); err == nil {
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out["forensics"] = json.RawMessage(raw)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) getAuditFlags(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := s.run(r.Context(), c, runs.Audit, r.PathValue("id")); err != nil {
		return err
	}
	q := r.URL.Query()
	limit, err := intParam(r, "limit", 200, 5000)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 1<<31-1)
	if err != nil {
		return err
	}
	flags, total, err := s.Runs.Flags(r.PathValue("id"), runs.FlagFilter{Rule: q.Get("rule"), Contest: q.Get("contest"), Severity: q.Get("severity"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": total, "flags": flags})
}

func (s *Server) getAuditContest(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := s.run(r.Context(), c, runs.Audit, r.PathValue("id")); err != nil {
		return err
	}
	contest := r.PathValue("contest")
	st, err := s.Runs.Contest(r.PathValue("id"), contest)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"contest": contest, "stations": st})
}

type claimReq struct {
	Contest   string `json:"contest"`
	Candidate string `json:"candidate"`
	Over      string `json:"over"`
	AtLeast   int64  `json:"at_least"`
}

func (s *Server) postAuditClaim(w http.ResponseWriter, r *http.Request, c *call) error {
	var req claimReq
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if _, err := s.run(r.Context(), c, runs.Audit, r.PathValue("id")); err != nil {
		return err
	}
	if req.Contest == "" || req.Candidate == "" || req.Over == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "contest, candidate and over are required")
	}
	imp, err := s.Runs.Election(r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := audit.TestClaim(imp, audit.Claim{Contest: req.Contest, X: req.Candidate, Y: req.Over, N: req.AtLeast})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
