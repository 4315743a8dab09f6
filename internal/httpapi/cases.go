package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/jobs"
)

func (s *Server) getCases(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := s.Cases.List(r.Context(), c.user)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []tahqiq.Case{}
	}
	return writeJSON(w, http.StatusOK, cs)
}

func (s *Server) postCase(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Title       string     `json:"title"`
		Description string     `json:"description"`
		TLP         tahqiq.TLP `json:"tlp"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	cs, err := s.Cases.NewCase(r.Context(), c.user, req.Title, req.Description, req.TLP)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, cs)
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, c *call) error {
	v, err := s.Cases.Show(r.Context(), c.user, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.Items, v.Findings, v.Recommendations = nonNil(v.Items), nonNil(v.Findings), nonNil(v.Recommendations)
	v.Tasks, v.Notes = nonNil(v.Tasks), nonNil(v.Notes)
	users, err := s.Cases.People(r.Context(), c.user, casework.ViewUsers(v))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		casework.View
		Users map[string]casework.Person `json:"users"`
	}{v, users})
}

// postItems attaches uploaded files (multipart, field "file"). Whether the
// caller may change the case, and the declared size, are checked before
// the body is read; the body is cut at the server's limit; the received
// files are removed once attached (or refused).
func (s *Server) postItems(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	caseID := r.PathValue("id")
	if err := s.Cases.CheckAttach(ctx, c.user, caseID); err != nil {
		return err
	}
	if lim := s.Uploads.Max; lim > 0 {
		if r.ContentLength > lim {
			return tahqiq.Errorf(eTooLarge, "%d bytes is more than the server accepts (%d)", r.ContentLength, lim)
		}
		r.Body = http.MaxBytesReader(w, r.Body, lim)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "want multipart/form-data with one or more \"file\" parts: %w", err)
	}
	dir, err := s.Uploads.dir()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, ".attach-")
	if err != nil {
		return fmt.Errorf("httpapi: attach: %w", err)
	}
	defer os.RemoveAll(tmp)
	out := []tahqiq.Item{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bodyError(err, "multipart body")
		}
		if p.FormName() != "file" || p.FileName() == "" {
			continue
		}
		name := filepath.Base(strings.ReplaceAll(p.FileName(), `\`, "/"))
		path := filepath.Join(tmp, fmt.Sprintf("%d", len(out)))
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("httpapi: attach: %w", err)
		}
		_, err = io.Copy(f, p)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return bodyError(err, "file "+name+": upload broken")
		}
		// the source says how, not who: added_by names the user, and a
		// record's text is disclosed to whoever the item is shared with
		it, err := s.Cases.AttachUpload(ctx, c.user, caseID, name, path, "uploaded to the server")
		if err != nil {
			return err
		}
		os.Remove(path)
		out = append(out, it)
	}
	if len(out) == 0 {
		return tahqiq.Errorf(tahqiq.EINVALID, "no \"file\" part in the request")
	}
	return writeJSON(w, http.StatusCreated, out)
}

// bodyError is a broken request body: too large (413), or cut short.
func bodyError(err error, what string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return err
	}
	return tahqiq.Errorf(tahqiq.EINVALID, "%s: %w", what, err)
}

func (s *Server) postItemPost(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Dataset string `json:"dataset"`
		UID     string `json:"uid"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	it, err := s.Cases.AttachPost(r.Context(), c.user, r.PathValue("id"), req.Dataset, req.UID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, it)
}

func (s *Server) postItemRun(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Kind string `json:"kind"`
		Run  string `json:"run"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if _, err := s.run(r.Context(), c, req.Kind, req.Run); err != nil {
		return err
	}
	dir, err := s.Runs.Path(req.Kind, req.Run)
	if err != nil {
		return err
	}
	it, err := s.Cases.AttachRunAs(r.Context(), c.user, r.PathValue("id"), dir, req.Kind+" run "+req.Run)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, it)
}

func (s *Server) getItem(w http.ResponseWriter, r *http.Request, c *call) error {
	cu, err := s.Cases.ItemCustody(r.Context(), c.user, r.PathValue("id"))
	if err != nil {
		return err
	}
	users, err := s.Cases.People(r.Context(), c.user, append([]string{cu.Item.AddedBy}, casework.EntryUsers(cu.History)...))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		casework.Custody
		Users map[string]casework.Person `json:"users"`
	}{cu, users})
}

// getItemContent sends an item's content (its first blob, or ?blob=NAME):
// a logged download.
func (s *Server) getItemContent(w http.ResponseWriter, r *http.Request, c *call) error {
	it, err := s.Cases.ReadItem(r.Context(), c.user, r.PathValue("id"))
	if err != nil {
		return err
	}
	want := r.URL.Query().Get("blob")
	for _, b := range it.Blobs {
		if want != "" && b.Name != want {
			continue
		}
		f, err := s.Cases.Blobs.Open(b.SHA256)
		if err != nil {
			return err
		}
		defer f.Close()
		ct := b.Type
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filepath.Base(b.Name)))
		w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
		w.Header().Set("X-Content-SHA256", b.SHA256)
		_, err = io.Copy(w, f)
		return err
	}
	return tahqiq.Errorf(tahqiq.ENOTFOUND, "item %s has no blob %q", it.ID, want)
}

func (s *Server) postFinding(w http.ResponseWriter, r *http.Request, c *call) error {
	var f tahqiq.Finding
	if err := readJSON(w, r, &f); err != nil {
		return err
	}
	f.CaseID = r.PathValue("id")
	out, err := s.Cases.AddFinding(r.Context(), c.user, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) postRecommendation(w http.ResponseWriter, r *http.Request, c *call) error {
	var rec tahqiq.Recommendation
	if err := readJSON(w, r, &rec); err != nil {
		return err
	}
	rec.CaseID = r.PathValue("id")
	out, err := s.Cases.Recommend(r.Context(), c.user, rec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) postDecision(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Approve *bool `json:"approve"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if req.Approve == nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "approve (true or false) is required")
	}
	out, err := s.Cases.Decide(r.Context(), c.user, r.PathValue("id"), *req.Approve)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) postTask(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Title    string `json:"title"`
		Assignee string `json:"assignee"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	t, err := s.Cases.AddTask(r.Context(), c.user, r.PathValue("id"), req.Title, req.Assignee)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, t)
}

func (s *Server) patchTask(w http.ResponseWriter, r *http.Request, c *call) error {
	var req tahqiq.TaskUpdate
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	t, err := s.Cases.UpdateTask(r.Context(), c.user, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) postNote(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Text string `json:"text"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	n, err := s.Cases.AddNote(r.Context(), c.user, r.PathValue("id"), req.Text)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, n)
}

func (s *Server) postShare(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Org  string     `json:"org"`
		Item string     `json:"item"`
		TLP  tahqiq.TLP `json:"tlp"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	err := s.Cases.Share(r.Context(), c.user, tahqiq.CaseShare{CaseID: r.PathValue("id"), ItemID: req.Item, OrgID: req.Org, TLP: req.TLP})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getReport(w http.ResponseWriter, r *http.Request, c *call) error {
	switch r.URL.Query().Get("format") {
	case "pdf":
		return s.getReportPDF(w, r, c)
	case "", "html":
	default:
		return tahqiq.Errorf(tahqiq.EINVALID, "format %q: want html or pdf", r.URL.Query().Get("format"))
	}
	// Rendered first, so that an error is an error page, not half a report.
	var b strings.Builder
	if err := s.Cases.WriteReport(r.Context(), c.user, r.PathValue("id"), &b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	_, err := io.WriteString(w, b.String())
	return err
}

func (s *Server) getLog(w http.ResponseWriter, r *http.Request, c *call) error {
	from, err := intParam(r, "from", 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 100, 1000)
	if err != nil {
		return err
	}
	n, es, err := s.Cases.LogPage(r.Context(), c.user, int64(from), int64(limit))
	if err != nil {
		return err
	}
	var ids []string
	for _, l := range es {
		if l.LogEntry != nil {
			ids = append(ids, l.Actor)
		}
	}
	users, err := s.Cases.People(r.Context(), c.user, ids)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"size": n, "entries": nonNil(es), "users": users})
}

func (s *Server) getCheckpoint(w http.ResponseWriter, r *http.Request, c *call) error {
	cp, err := s.Cases.Checkpoint(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err = w.Write(cp.Note)
	return err
}

func (s *Server) getConsistencyProof(w http.ResponseWriter, r *http.Request, c *call) error {
	from, err := intParam(r, "from", 0, 1<<62)
	if err != nil {
		return err
	}
	to, err := intParam(r, "to", 0, 1<<62)
	if err != nil {
		return err
	}
	p, err := s.Cases.ProveConsistency(r.Context(), int64(from), int64(to))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) getInclusionProof(w http.ResponseWriter, r *http.Request, c *call) error {
	i, err := intParam(r, "index", -1, 1<<62)
	if err != nil {
		return err
	}
	n, err := intParam(r, "size", 0, 1<<62)
	if err != nil {
		return err
	}
	p, err := s.Cases.ProveInclusion(r.Context(), c.user, int64(i), int64(n))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) postVerify(w http.ResponseWriter, r *http.Request, c *call) error {
	j, err := s.startJob(c, "verify", func(ctx context.Context, report jobs.Report) (any, error) {
		reader := c.user
		rep, err := s.Cases.VerifyStore(ctx, casework.VerifyOptions{Reader: &reader})
		if err != nil {
			return nil, err
		}
		return map[string]any{"ok": rep.OK(), "report": rep}, nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]jobs.Job{"job": j})
}
