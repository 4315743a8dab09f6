package httpapi

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/capture"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/chromium"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// What the web UI needs beyond the first API: closing a case, attaching
// an account, an alert or a captured web page, the report as PDF and the
// verification of a bundle someone sent.

func (s *Server) postCaseState(closed bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		var (
			cs  tahqiq.Case
			err error
		)
		if closed {
			cs, err = s.Cases.CloseCase(r.Context(), c.user, r.PathValue("id"))
		} else {
			cs, err = s.Cases.ReopenCase(r.Context(), c.user, r.PathValue("id"))
		}
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, cs)
	}
}

// maxAccountPosts bounds the posts an attached account carries.
const maxAccountPosts = 1000

// postItemAccount attaches an account of a dataset: one blob,
// account.json, with the account, its posts (at most maxAccountPosts)
// and each post's raw records, so that the item stands on its own in a
// bundle.
func (s *Server) postItemAccount(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Dataset string `json:"dataset"`
		UID     string `json:"uid"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	caseID := r.PathValue("id")
	if err := s.Cases.CheckAttach(ctx, c.user, caseID); err != nil {
		return err
	}
	if err := s.Cases.DatasetAccess(ctx, c.user, req.Dataset); err != nil {
		return err
	}
	uid, err := runs.DatasetAccount(ctx, s.Store, req.Dataset, req.UID)
	if err != nil {
		return err
	}
	a, posts, err := s.Store.FindAccountPosts(ctx, req.Dataset, uid, maxAccountPosts)
	if err != nil {
		return err
	}
	type postJSON struct {
		Post    tahqiq.Post `json:"post"`
		Records []rawJSON   `json:"records"`
	}
	doc := struct {
		Dataset string         `json:"dataset"`
		Account tahqiq.Account `json:"account"`
		Posts   []postJSON     `json:"posts"`
		Limit   int            `json:"posts_limit"`
		// the account's signals in the dataset with their definitions
		// (docs/signals.md); a note says why when they could not be
		// computed (a dataset of other derivation rules, say)
		Signals     *signals.Row   `json:"signals"`
		SignalsNote string         `json:"signals_note,omitempty"`
		Definitions []signalColumn `json:"signal_definitions"`
	}{Dataset: req.Dataset, Account: a, Posts: []postJSON{}, Limit: maxAccountPosts, Definitions: signalColumns()}
	if sig, err := s.accountSignals(ctx, req.Dataset, a.UID); err == nil {
		doc.Signals = sig
	} else if tahqiq.ErrorCode(err) == tahqiq.EINTERNAL {
		return err
	} else {
		doc.SignalsNote = tahqiq.ErrorMessage(err)
	}
	for _, p := range posts {
		pr, err := s.Store.FindPost(ctx, req.Dataset, p.UID)
		if err != nil {
			return err
		}
		pj := postJSON{Post: pr.Post, Records: []rawJSON{}}
		for _, rec := range pr.Records {
			pj.Records = append(pj.Records, rawJSON{File: rec.SourceFile, Format: rec.Format, Line: rec.Line, Offset: rec.Offset,
				Locator: rec.Locator, SHA256: hex.EncodeToString(rec.SHA256[:]), Collected: rec.CollectedAt, Raw: string(rec.Raw)})
		}
		doc.Posts = append(doc.Posts, pj)
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return err
	}
	ref, err := s.Cases.PutBlob("account.json", append(b, '\n'))
	if err != nil {
		return err
	}
	ref.Type = "application/json"
	name := a.Handle
	if name == "" {
		name = a.UID
	}
	it, err := s.Cases.AttachBlobs(ctx, c.user, tahqiq.Item{CaseID: caseID, Kind: tahqiq.ItemAccount,
		Title: fmt.Sprintf("account %s of %s", name, req.Dataset), Source: req.Dataset + "/" + a.UID, Blobs: []tahqiq.BlobRef{ref}})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, it)
}

// postItemAlert attaches an alert of the streaming mode as it was raised:
// its JSON (accounts, edges with the co-shares behind them, parameters).
func (s *Server) postItemAlert(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Alert int64 `json:"alert"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	caseID := r.PathValue("id")
	if err := s.Cases.CheckAttach(ctx, c.user, caseID); err != nil {
		return err
	}
	var found []live.Record
	if s.Alerts != nil && req.Alert > 0 {
		found = s.Alerts.After(req.Alert-1, s.alertFilter(ctx, c), 1)
	}
	if len(found) == 0 || found[0].ID != req.Alert {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "no alert %d", req.Alert)
	}
	a := found[0]
	b, err := json.MarshalIndent(a, "", " ")
	if err != nil {
		return err
	}
	ref, err := s.Cases.PutBlob(fmt.Sprintf("alert-%d.json", a.ID), append(b, '\n'))
	if err != nil {
		return err
	}
	ref.Type = "application/json"
	it, err := s.Cases.AttachBlobs(ctx, c.user, tahqiq.Item{CaseID: caseID, Kind: tahqiq.ItemAnalysis,
		Title: fmt.Sprintf("alert %d of %s (%d accounts)", a.ID, a.Dataset, len(a.Accounts)), Source: a.Subject + "#" + strconv.FormatInt(a.ID, 10), Blobs: []tahqiq.BlobRef{ref}})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, it)
}

// postItemCapture archives a web page into a case (a job: the fetch and
// the browser take seconds): the WARC of the server's fetch, the
// rendered HTML and a full-page screenshot, as tahqiq capture does. Only
// public addresses are fetched, by the server and by the browser: a page
// that is, or leads to, a loopback, private or link-local address is
// refused, so that a caller cannot make the server read its own network.
func (s *Server) postItemCapture(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		URL string `json:"url"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	caseID := r.PathValue("id")
	if err := s.Cases.CheckAttach(ctx, c.user, caseID); err != nil {
		return err
	}
	u, err := url.Parse(strings.TrimSpace(req.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "url %q: want an http or https address", req.URL)
	}
	actor := c.user
	target := u.String()
	j, err := s.startJob(c, "capture", func(ctx context.Context, report jobs.Report) (any, error) {
		report(0, 2, "steps")
		guard := s.CaptureGuard
		if guard == nil {
			guard = capture.PublicOnly
		}
		res, err := capture.Capture(ctx, target, capture.Options{Guard: guard})
		if err != nil {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%v", err)
		}
		report(1, 2, "steps")
		it := tahqiq.Item{CaseID: caseID, Kind: tahqiq.ItemCapture, Title: "capture of " + target, Source: target}
		for _, p := range []struct {
			name, typ string
			b         []byte
		}{{"page.warc", "application/warc", res.WARC}, {"page.html", "text/html", res.HTML}, {"screenshot.png", "image/png", res.Screenshot}} {
			if p.b == nil {
				continue
			}
			ref, err := s.Cases.PutBlob(p.name, p.b)
			if err != nil {
				return nil, err
			}
			ref.Type = p.typ
			it.Blobs = append(it.Blobs, ref)
		}
		it, err = s.Cases.AttachBlobs(context.WithoutCancel(ctx), actor, it)
		if err != nil {
			return nil, err
		}
		return map[string]any{"item": it.ID, "case": caseID, "status": res.Status, "notes": res.Notes}, nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]jobs.Job{"job": j})
}

// getReportPDF prints the case report to PDF with Chromium.
func (s *Server) getReportPDF(w http.ResponseWriter, r *http.Request, c *call) error {
	var b strings.Builder
	if err := s.Cases.WriteReport(r.Context(), c.user, r.PathValue("id"), &b); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tahqiq-report-")
	if err != nil {
		return fmt.Errorf("httpapi: report: %w", err)
	}
	defer os.RemoveAll(dir)
	html := filepath.Join(dir, "report.html")
	if err := os.WriteFile(html, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("httpapi: report: %w", err)
	}
	pdf, err := chromium.PDF(r.Context(), (&url.URL{Scheme: "file", Path: html}).String(), chromium.Options{})
	if errors.Is(err, chromium.ErrNotInstalled) {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "this server has no Chromium to print PDF with: use the HTML report (your browser prints it to PDF)")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "case-"+r.PathValue("id")+".pdf"))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, err = w.Write(pdf)
	return err
}

// postVerifyBundle verifies a bundle someone sent (a zip, multipart field
// "file"), with the key the caller pastes (multipart field "key": trusted
// as given) or else the keys this server trusts: its own log key and the
// trusted-keys file it was started with (pinned). A job; the report says
// which key was checked against and how it came to be trusted.
func (s *Server) postVerifyBundle(w http.ResponseWriter, r *http.Request, c *call) error {
	if lim := s.Uploads.Max; lim > 0 {
		if r.ContentLength > lim {
			return tahqiq.Errorf(eTooLarge, "%d bytes is more than the server accepts (%d)", r.ContentLength, lim)
		}
		r.Body = http.MaxBytesReader(w, r.Body, lim)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "want multipart/form-data with a \"file\" part (the bundle's zip) and optionally a \"key\": %v", err)
	}
	dir, err := s.Uploads.dir()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".bundle-*.zip")
	if err != nil {
		return fmt.Errorf("httpapi: verify bundle: %w", err)
	}
	path := f.Name()
	keep := false
	defer func() {
		if !keep {
			f.Close()
			os.Remove(path)
		}
	}()
	var name, key string
	var size int64
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bodyError(err, "multipart body")
		}
		switch p.FormName() {
		case "file":
			if name != "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "one bundle per verification")
			}
			name = filepath.Base(strings.ReplaceAll(p.FileName(), `\`, "/"))
			if name == "" || name == "." || name == "/" {
				name = "bundle.zip"
			}
			if size, err = io.Copy(f, p); err != nil {
				return bodyError(err, "file "+name+": upload broken")
			}
		case "key":
			b, err := io.ReadAll(io.LimitReader(p, 4096))
			if err != nil {
				return bodyError(err, "key")
			}
			key = strings.TrimSpace(string(b))
		}
	}
	if name == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "no \"file\" part: send the bundle's zip")
	}
	if key != "" {
		if _, err := ledger.NewVerifier(key); err != nil {
			return tahqiq.Errorf(tahqiq.EINVALID, "key: not a log public key (name+hash+key, as keys/log.pub or tahqiq org init prints it): %v", err)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("httpapi: verify bundle: %w", err)
	}
	opts := casework.VerifyOptions{LogKey: key, Trusted: s.trustedKeys()}
	keep = true
	j, err := s.startJob(c, "verify", func(ctx context.Context, report jobs.Report) (any, error) {
		defer os.Remove(path)
		defer f.Close()
		rep := bundle.VerifyZip(f, size, name, opts)
		return map[string]any{"ok": rep.OK(), "established": rep.Established(), "report": rep}, nil
	}, map[string]string{path: name})
	if err != nil {
		keep = false
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]jobs.Job{"job": j})
}

// trustedKeys are the log keys this server trusts for bundles it is
// given: its own and those of its trusted-keys file.
func (s *Server) trustedKeys() *ledger.TrustedKeys {
	t := &ledger.TrustedKeys{Path: "this server's trusted keys"}
	if s.Trusted != nil {
		t.Logs = append(t.Logs, s.Trusted.Logs...)
		t.Witnesses = append(t.Witnesses, s.Trusted.Witnesses...)
		t.Quorum = s.Trusted.Quorum
	}
	if k, ok := s.Cases.LogKey.(fmt.Stringer); ok && k.String() != "" {
		t.Logs = append(t.Logs, k.String())
	}
	return t
}
