package httpapi

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/runs"
)

type datasetJSON struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Files   int       `json:"files"`
	tahqiq.DatasetCounts
	// Derivation names the rules its posts and shares were derived by;
	// when not the current ones, runs and imports refuse it until
	// tahqiq datasets rederive NAME.
	Derivation        string `json:"derivation"`
	DerivationCurrent bool   `json:"derivation_current"`
}

func toDatasetJSON(d tahqiq.Dataset) datasetJSON {
	return datasetJSON{Name: d.Name, Created: d.CreatedAt, Files: len(d.Sources), DatasetCounts: d.Counts,
		Derivation: d.Derivation, DerivationCurrent: d.Derivation == ingest.Derivation}
}

func (s *Server) getDatasets(w http.ResponseWriter, r *http.Request, c *call) error {
	ds, err := s.Store.FindDatasets(r.Context())
	if err != nil {
		return err
	}
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	visible, err := s.Cases.VisibleDatasets(r.Context(), c.user, names)
	if err != nil {
		return err
	}
	out := make([]datasetJSON, 0, len(ds))
	for _, d := range ds {
		if slices.Contains(visible, d.Name) {
			out = append(out, toDatasetJSON(d))
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

type summaryJSON struct {
	Dataset datasetJSON `json:"dataset"`
	tahqiq.DatasetSummary
	Imports []tahqiq.ImportFile `json:"imports"`
}

// getDataset answers from a cache: a dataset changes only by an import or
// a deletion, which empty the cache. A cached answer older than
// summaryFresh is still served at once while one background refresh
// compares the files imported (so a change made by another process, the
// CLI, is seen) and recomputes only when they differ: counting a large
// dataset takes seconds, and no reader waits for it but the first.
func (s *Server) getDataset(w http.ResponseWriter, r *http.Request, c *call) error {
	name := r.PathValue("name")
	bucket := 24 * time.Hour
	switch r.URL.Query().Get("bucket") {
	case "", "day":
	case "hour":
		bucket = time.Hour
	default:
		return tahqiq.Errorf(tahqiq.EINVALID, "bucket: want day or hour")
	}
	if err := s.Cases.DatasetAccess(r.Context(), c.user, name); err != nil {
		return err
	}
	ck := name + "|" + bucket.String()
	if v, ok := s.summaries.Load(ck); ok {
		cs := v.(cachedSummary)
		if time.Since(cs.at) >= s.summaryFresh() {
			go s.refreshSummary(name, bucket, ck)
		}
		return writeJSON(w, http.StatusOK, cs.v)
	}
	cs, err := s.summarize(r.Context(), name, bucket, ck)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cs.v)
}

// summarize computes a dataset summary into the cache.
func (s *Server) summarize(ctx context.Context, name string, bucket time.Duration, ck string) (cachedSummary, error) {
	return s.cached(ctx, name, ck, func(ctx context.Context) (any, error) {
		sum, err := s.Store.SummarizeDataset(ctx, name, tahqiq.SummaryOptions{Bucket: bucket})
		if err != nil {
			return nil, err
		}
		o := summaryJSON{Dataset: toDatasetJSON(sum.Dataset), DatasetSummary: sum, Imports: sum.Dataset.Sources}
		if o.Imports == nil {
			o.Imports = []tahqiq.ImportFile{}
		}
		return o, nil
	})
}

// cached computes what the cache keeps of a dataset under ck (its summary,
// its account signals), one computation per key at a time (readers
// arriving meanwhile get its result); a cached value of the same imported
// files is kept.
func (s *Server) cached(ctx context.Context, name, ck string, compute func(context.Context) (any, error)) (cachedSummary, error) {
	m, _ := s.summaryMu.LoadOrStore(ck, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()
	gen := s.summaryGen.Load()
	prev, cached := s.summaries.Load(ck)
	if cached && time.Since(prev.(cachedSummary).at) < s.summaryFresh() {
		return prev.(cachedSummary), nil // computed while this caller waited
	}
	d, err := s.Store.FindDatasetByName(ctx, name)
	if err != nil {
		return cachedSummary{}, err
	}
	key := fmt.Sprintf("%d|%d|%s", d.ID, len(d.Sources), d.Derivation)
	if len(d.Sources) > 0 {
		key += "|" + d.Sources[len(d.Sources)-1].SHA256
	}
	var out any
	if cached && prev.(cachedSummary).key == key {
		out = prev.(cachedSummary).v
	} else if out, err = compute(ctx); err != nil {
		return cachedSummary{}, err
	}
	cs := cachedSummary{key: key, at: time.Now(), v: out}
	if s.summaryGen.Load() == gen {
		s.summaries.Store(ck, cs)
	}
	return cs, nil
}

// refreshSummary brings a stale cached summary up to date in the
// background; a refresh already running for the key is enough.
func (s *Server) refreshSummary(name string, bucket time.Duration, ck string) {
	s.refresh(name, ck, func(ctx context.Context) error {
		_, err := s.summarize(ctx, name, bucket, ck)
		return err
	})
}

// refresh runs fn (a cached computation of key ck) in the background
// unless one is running; on an error the key is dropped, so that the next
// reader computes it and sees the error.
func (s *Server) refresh(name, ck string, fn func(context.Context) error) {
	m, _ := s.summaryMu.LoadOrStore(ck, new(sync.Mutex))
	if !m.(*sync.Mutex).TryLock() {
		return
	}
	m.(*sync.Mutex).Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := fn(ctx); err != nil {
		s.summaries.Delete(ck)
		if s.Log != nil {
			s.Log.Debug("dataset cache refresh", "dataset", name, "key", ck, "err", err)
		}
	}
}

func intParam(r *http.Request, name string, def, maxv int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, tahqiq.Errorf(tahqiq.EINVALID, "%s=%q: want a whole number >= 0", name, v)
	}
	return min(n, maxv), nil
}

type rejectJSON struct {
	File   string `json:"file"`
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
	Raw    string `json:"raw,omitempty"`
}

func (s *Server) getRejects(w http.ResponseWriter, r *http.Request, c *call) error {
	limit, err := intParam(r, "limit", 100, 1000)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 1<<31-1)
	if err != nil {
		return err
	}
	if err := s.Cases.DatasetAccess(r.Context(), c.user, r.PathValue("name")); err != nil {
		return err
	}
	rs, err := s.Store.FindRejects(r.Context(), r.PathValue("name"), limit, offset)
	if err != nil {
		return err
	}
	out := make([]rejectJSON, 0, len(rs))
	for _, x := range rs {
		raw := string(x.Raw)
		if len(raw) > 2000 {
			raw = raw[:2000] + "…"
		}
		out = append(out, rejectJSON{File: x.File, Line: x.Line, Reason: x.Reason, Raw: raw})
	}
	return writeJSON(w, http.StatusOK, out)
}

type rawJSON struct {
	File      string    `json:"file"`
	Format    string    `json:"format"`
	Line      int64     `json:"line"`
	Offset    int64     `json:"offset"`
	Locator   string    `json:"locator"`
	SHA256    string    `json:"sha256"`
	Collected time.Time `json:"collected_at,omitzero"`
	Raw       string    `json:"raw"`
}

// getPost returns a post with its raw records: reading evidence, logged.
func (s *Server) getPost(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	name, uid := r.PathValue("name"), r.PathValue("uid")
	if err := s.Cases.DatasetAccess(ctx, c.user, name); err != nil {
		return err
	}
	pr, err := s.Store.FindPost(ctx, name, uid)
	if err != nil {
		return err
	}
	out := struct {
		Post    tahqiq.Post     `json:"post"`
		Account *tahqiq.Account `json:"account,omitempty"` // its author, as the dataset describes it
		Records []rawJSON       `json:"records"`
	}{Post: pr.Post, Records: []rawJSON{}}
	if pr.Post.AuthorUID != "" {
		as, err := s.Store.FindAccounts(ctx, name, []string{pr.Post.AuthorUID})
		if err != nil {
			return err
		}
		if a, ok := as[pr.Post.AuthorUID]; ok {
			out.Account = &a
		}
	}
	var hashes []string
	for _, rec := range pr.Records {
		h := hex.EncodeToString(rec.SHA256[:])
		hashes = append(hashes, "sha256:"+h)
		out.Records = append(out.Records, rawJSON{File: rec.SourceFile, Format: rec.Format, Line: rec.Line, Offset: rec.Offset,
			Locator: rec.Locator, SHA256: h, Collected: rec.CollectedAt, Raw: string(rec.Raw)})
	}
	if err := s.Cases.Record(ctx, c.user, "dataset.post.read", fmt.Sprintf("dataset %q post %s", name, uid), hashes...); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, c *call) error {
	limit, err := intParam(r, "limit", 200, 5000)
	if err != nil {
		return err
	}
	if err := s.Cases.DatasetAccess(r.Context(), c.user, r.PathValue("name")); err != nil {
		return err
	}
	uid, err := runs.DatasetAccount(r.Context(), s.Store, r.PathValue("name"), r.PathValue("uid"))
	if err != nil {
		return err
	}
	a, posts, err := s.Store.FindAccountPosts(r.Context(), r.PathValue("name"), uid, limit)
	if err != nil {
		return err
	}
	out := map[string]any{"account": a, "posts": posts}
	if r.URL.Query().Get("signals") != "0" {
		sig, err := s.accountSignals(r.Context(), r.PathValue("name"), r.PathValue("uid"))
		if err != nil {
			return err
		}
		out["signals"], out["signal_columns"] = sig, signalColumns()
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteDataset(w http.ResponseWriter, r *http.Request, c *call) error {
	name := r.PathValue("name")
	_, err := s.Cases.DeleteDataset(r.Context(), c.user, name)
	s.forget(name)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) forget(dataset string) {
	s.forgetPictures(dataset)
	s.summaryGen.Add(1)
	s.summaries.Range(func(k, _ any) bool {
		if len(k.(string)) > len(dataset) && k.(string)[:len(dataset)+1] == dataset+"|" {
			s.summaries.Delete(k)
		}
		return true
	})
}

func (s *Server) getFormats(w http.ResponseWriter, r *http.Request, c *call) error {
	type format struct {
		Name string `json:"name"`
		Doc  string `json:"doc"`
	}
	out := []format{}
	for _, f := range s.Importer.Formats.Formats() {
		out = append(out, format{f.Name, f.Doc})
	}
	return writeJSON(w, http.StatusOK, out)
}

type importReq struct {
	Dataset string   `json:"dataset"`
	Uploads []string `json:"uploads"`
	Format  string   `json:"format,omitempty"`
	Map     string   `json:"map,omitempty"`
	// Media is an upload: a zip or tar archive of the pictures the uploads' posts
	// name, looked up in it as in tahqiq import --media DIR (an upload that
	// is itself an archive looks in its own folders). NoMedia hashes no
	// picture.
	Media   string `json:"media,omitempty"`
	NoMedia bool   `json:"no_media,omitempty"`
}

// openArchive opens the upload at p when it is a zip or tar archive
// (uploadarchive.go, uploadtar.go); a nil archive and error is a file to
// import as it is. An upload named .tar, .tar.gz or .tgz must be one.
func (s *Server) openArchive(p, field, name string, lim decompress.Limits, data bool) (*uploadArchive, error) {
	tmp := func() (string, error) { return s.Uploads.tempDir(".import-") }
	switch archiveKind(p) {
	case "zip":
		return openUploadArchive(p, field, lim, data)
	case "tar":
		return openTarArchive(p, field, false, lim, tmp, data)
	case "tar.gz":
		return openTarArchive(p, field, true, lim, tmp, data)
	}
	if tarNamed(name) {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: named as a tar archive, but its content is not one (no tar header at its start, compressed by gzip or not)", field)
	}
	return nil, nil
}

// postImport starts an import of complete uploads into a dataset: one
// store transaction, all or nothing, as tahqiq import. An upload may be
// a zip or tar archive of an export with its pictures (uploadarchive.go,
// uploadtar.go).
func (s *Server) postImport(w http.ResponseWriter, r *http.Request, c *call) error {
	var req importReq
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if req.Dataset == "" || len(req.Uploads) == 0 {
		return tahqiq.Errorf(tahqiq.EINVALID, "dataset and uploads are required")
	}
	if req.Media != "" && req.NoMedia {
		return tahqiq.Errorf(tahqiq.EINVALID, "media and no_media: give one or the other")
	}
	var files []string
	names := map[string]string{}
	var archives []*uploadArchive
	// the uploads in order: a file (path) or an archive (a, name)
	type input struct {
		path, name string
		a          *uploadArchive
	}
	var inputs []input
	closeAll := func() {
		for _, a := range archives {
			a.Close()
		}
	}
	lim := s.Importer.Limits
	var total int64
	for i, id := range req.Uploads {
		up, path, err := s.Uploads.File(id, c.user.ID)
		if err != nil {
			closeAll()
			return err
		}
		total += up.Size
		if a, err := s.openArchive(path, fmt.Sprintf("uploads[%d] (%s)", i, up.Name), up.Name, lim, true); a != nil || err != nil {
			if err != nil {
				closeAll()
				return err
			}
			archives = append(archives, a)
			inputs = append(inputs, input{name: up.Name, a: a})
			continue
		}
		files = append(files, path)
		names[path] = up.Name
		inputs = append(inputs, input{path: path, name: up.Name})
	}
	var media *uploadArchive
	var mediaName string
	if req.Media != "" {
		up, path, err := s.Uploads.File(req.Media, c.user.ID)
		if err == nil {
			media, err = s.openArchive(path, fmt.Sprintf("media (%s)", up.Name), up.Name, lim, false)
		}
		if err == nil && media == nil {
			err = tahqiq.Errorf(tahqiq.EINVALID, "media (%s): not an archive: give the pictures as a zip, tar, tar.gz or .tgz archive", up.Name)
		}
		if err != nil {
			closeAll()
			return err
		}
		archives = append(archives, media)
		mediaName = up.Name
	}
	// who may import into the dataset is casework's to decide, now (to
	// answer at once) and again in the job, which claims a new dataset
	// for the caller's organisation with the import
	if err := s.Cases.MayImport(r.Context(), c.user, req.Dataset); err != nil {
		closeAll()
		return err
	}
	opt := ingest.Options{Dataset: req.Dataset, Format: req.Format, Names: names, NoMedia: req.NoMedia, MediaFolders: map[string]ingest.MediaFolder{}}
	if req.Map != "" {
		opt.FormatOptions = map[string]string{"map": req.Map}
	}
	if media != nil {
		for _, f := range files {
			opt.MediaFolders[f] = ingest.MediaFolder{Name: mediaName, FS: media.fsys}
		}
	}
	uploads := req.Uploads
	if req.Media != "" {
		uploads = append(slices.Clone(uploads), req.Media)
	}
	actor := c.user
	j, err := s.startJob(c, "import", func(ctx context.Context, report jobs.Report) (any, error) {
		defer closeAll()
		if len(files) < len(inputs) { // archives: their data files, in the uploads' order
			dir, err := s.Uploads.tempDir(".import-")
			if err != nil {
				return nil, err
			}
			defer os.RemoveAll(dir)
			files = files[:0]
			for _, in := range inputs {
				if in.a == nil {
					files = append(files, in.path)
					continue
				}
				paths, an, am, err := in.a.extract(dir, in.name)
				if err != nil {
					return nil, err
				}
				files = append(files, paths...)
				maps.Copy(names, an)
				if !req.NoMedia {
					maps.Copy(opt.MediaFolders, am)
				}
			}
		}
		opt.OnRecords = func(n int64) { report(n, 0, "records") }
		var shares []tahqiq.Share
		if s.Publish != nil {
			opt.OnShares = func(sh []tahqiq.Share) { shares = append(shares, sh...) }
		}
		// the import commits with its custody-log entry
		sum, err := s.Cases.Import(ctx, actor, s.Importer, s.Store, files, opt)
		if err != nil {
			return nil, onceNamed(s.scrub(err, names))
		}
		s.forget(req.Dataset)
		if s.Publish != nil {
			// the import is stored; the watchers see its shares in time order
			if err := s.Publish(context.WithoutCancel(ctx), sum.Dataset, shares); err != nil {
				s.Log.Warn("import stored, but its shares were not published to the live stream", "dataset", sum.Dataset, "err", err)
			}
		}
		for _, id := range uploads { // imported: the store keeps every byte of them (of an archive, its data files)
			if err := s.Uploads.Remove(id, actor.ID); err != nil {
				s.Log.Warn("imported upload not removed", "upload", id, "err", err)
			}
		}
		return sum, nil
	}, names)
	if err != nil {
		closeAll()
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]jobs.Job{"job": j})
}

// getJobs lists the caller's jobs; an admin's ?all=1 adds those of its
// organisation's users.
func (s *Server) getJobs(w http.ResponseWriter, r *http.Request, c *call) error {
	if r.URL.Query().Get("all") != "1" {
		return writeJSON(w, http.StatusOK, s.Jobs.List(c.user.ID))
	}
	out := []jobs.Job{}
	for _, j := range s.Jobs.List("") {
		if s.Cases.JobAccess(r.Context(), c.user, j.Owner, j.ID) == nil {
			out = append(out, j)
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) ownJob(ctx context.Context, c *call, id string) (jobs.Job, error) {
	j, err := s.Jobs.Get(id)
	if err != nil {
		return j, err
	}
	if err := s.Cases.JobAccess(ctx, c.user, j.Owner, id); err != nil {
		return jobs.Job{}, err
	}
	return j, nil
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request, c *call) error {
	j, err := s.ownJob(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, j)
}

func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := s.ownJob(r.Context(), c, r.PathValue("id")); err != nil {
		return err
	}
	j, err := s.Jobs.Cancel(r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, j)
}

// postPublish replays a dataset's shares, in time order, to the live
// stream, for the watchers (like tahqiq publish).
func (s *Server) postPublish(w http.ResponseWriter, r *http.Request, c *call) error {
	name := r.PathValue("name")
	if err := s.Cases.DatasetAccess(r.Context(), c.user, name); err != nil {
		return err
	}
	if _, err := s.Store.FindDatasetByName(r.Context(), name); err != nil {
		return err
	}
	if s.Publish == nil {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "this server does not watch a live stream (start it with tahqiq serve --watch)")
	}
	j, err := s.startJob(c, "publish", func(ctx context.Context, report jobs.Report) (any, error) {
		shares, _, err := runs.DatasetShares(ctx, s.Store, name, nil)
		if err != nil {
			return nil, err
		}
		report(0, int64(len(shares)), "shares")
		if err := s.Publish(ctx, name, shares); err != nil {
			return nil, err
		}
		report(int64(len(shares)), int64(len(shares)), "shares")
		return map[string]any{"dataset": name, "subject": live.SubjectPrefix + name, "shares": len(shares)}, nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]jobs.Job{"job": j})
}

// onceNamed rewrites an import error (its server paths already replaced
// by the files' names) to name a file once where the pipeline and the
// parser both named it ("a.csv: a.csv: …"). The parameters it names are
// the request's fields already (tahqiq.ParamError).
func onceNamed(err error) error {
	var e *tahqiq.Error
	if err == nil || !errors.As(err, &e) || e.Code == tahqiq.EINTERNAL {
		return err
	}
	msg := tahqiq.ErrorMessage(err)
	parts := strings.Split(msg, ": ")
	out := parts[:1]
	for _, p := range parts[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	clean := strings.Join(out, ": ")
	if clean == msg {
		return err
	}
	return &tahqiq.Error{Code: e.Code, Message: clean, Err: err}
}
