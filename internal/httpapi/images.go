package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/imagegroup"
	"github.com/tahqiq/tahqiq/internal/imagehash"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

// mediaJSON is what GET /api/v1/datasets/{name}/media answers.
type mediaJSON struct {
	// Counts are the dataset's media files by status (hashed, missing,
	// unreadable, not_image), over all of them.
	Counts map[tahqiq.MediaStatus]int `json:"counts"`
	Total  int                        `json:"total"` // of the status asked for
	Media  []tahqiq.MediaFile         `json:"media"`
}

// getMedia lists the media files the imports of a dataset found: the
// pictures they hashed and those they could not, with the reason.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request, c *call) error {
	name := r.PathValue("name")
	status := tahqiq.MediaStatus(r.URL.Query().Get("status"))
	switch status {
	case "", tahqiq.MediaHashed, tahqiq.MediaMissing, tahqiq.MediaUnreadable, tahqiq.MediaNotImage:
	default:
		return tahqiq.Errorf(tahqiq.EINVALID, "status=%q: want hashed, missing, unreadable or not_image", status)
	}
	limit, err := intParam(r, "limit", 100, 1000)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 1<<31-1)
	if err != nil {
		return err
	}
	if err := s.Cases.DatasetAccess(r.Context(), c.user, name); err != nil {
		return err
	}
	rows, err := s.Store.FindMedia(r.Context(), name)
	if err != nil {
		return err
	}
	out := mediaJSON{Counts: map[tahqiq.MediaStatus]int{}, Media: []tahqiq.MediaFile{}}
	for _, m := range rows {
		out.Counts[m.Status]++
		if status != "" && m.Status != status {
			continue
		}
		if out.Total >= offset && len(out.Media) < limit {
			out.Media = append(out.Media, m)
		}
		out.Total++
	}
	return writeJSON(w, http.StatusOK, out)
}

// getImages groups the near-identical pictures of the datasets and
// cases named (docs/images.md), as tahqiq images --json does: every
// dataset must be one the caller may read, and every case is read as
// the caller (a logged read of the case).
func (s *Server) getImages(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	q := r.URL.Query()
	datasets, cases := q["dataset"], q["case"]
	if len(datasets) == 0 && len(cases) == 0 {
		return tahqiq.Errorf(tahqiq.EINVALID, "dataset or case: give at least one (each repeatable)")
	}
	if len(datasets)+len(cases) > 20 {
		return tahqiq.Errorf(tahqiq.EINVALID, "dataset, case: at most 20 in all")
	}
	maxDist, err := intParam(r, "max_distance", imagehash.SameImage, 1<<31-1)
	if err != nil {
		return err
	}
	if maxDist > imagehash.Variant {
		return tahqiq.Errorf(tahqiq.EINVALID, "max_distance=%d: want 0 to %d bits (beyond PDQ's own match threshold, unrelated pictures match)", maxDist, imagehash.Variant)
	}
	all := false
	if v := q.Get("all"); v != "" {
		if all, err = strconv.ParseBool(v); err != nil {
			return tahqiq.Errorf(tahqiq.EINVALID, "all=%q: want true or false", v)
		}
	}
	rep, err := s.imageReport(ctx, c, datasets, cases, maxDist, all)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

// imageReport groups the pictures of the datasets and cases as the
// caller: every dataset must be one it may read, and every case is read
// as it (a logged read).
func (s *Server) imageReport(ctx context.Context, c *call, datasets, cases []string, maxDist int, all bool) (imagegroup.Report, error) {
	set := imagegroup.NewSet()
	for _, name := range datasets {
		if err := s.Cases.DatasetAccess(ctx, c.user, name); err != nil {
			return imagegroup.Report{}, err
		}
		if err := set.AddDataset(ctx, s.Store, name); err != nil {
			return imagegroup.Report{}, err
		}
	}
	for _, id := range cases {
		v, err := s.Cases.Show(ctx, c.user, id)
		if err != nil {
			return imagegroup.Report{}, err
		}
		set.AddItems(id, v.Items, s.Cases.BlobHashes)
	}
	rep := set.Group(maxDist, all)
	rep.Params = imagegroup.NewParams(datasets, cases, maxDist, all)
	s.markKept(&rep)
	return rep, nil
}

// imagesItem is what an images-group item holds: the grouping's
// parameters and the group as it was when attached.
type imagesItem struct {
	Params imagegroup.Params `json:"params"`
	Group  imagegroup.Group  `json:"group"`
	// Files are the group's picture files the item carries (its other
	// blobs, named pictures/…), NotCarried those it does not, and why.
	Files      []carriedPicture `json:"files"`
	NotCarried []carriedPicture `json:"not_carried"`
}

// carriedPicture is a picture file of an attached group.
type carriedPicture struct {
	SHA256  string `json:"sha256"`
	Dataset string `json:"dataset"`
	Name    string `json:"name"`           // its name in the dataset's import
	Blob    string `json:"blob,omitempty"` // the item's blob holding it
	Reason  string `json:"reason,omitempty"`
}

// maxCarried bounds the picture files one attached group carries.
const maxCarried = 200

// carryPictures returns the blobs of the picture files a group's members
// from datasets hold (each distinct file once, kept by the imports, at
// most maxCarried), and what it carries and does not.
func (s *Server) carryPictures(ctx context.Context, g imagegroup.Group) (refs []tahqiq.BlobRef, files, not []carriedPicture) {
	files, not = []carriedPicture{}, []carriedPicture{}
	for _, m := range g.Members {
		if len(m.Files) == 0 {
			continue // only in cases: the case item holds it
		}
		cp := carriedPicture{SHA256: m.SHA256, Dataset: m.Files[0].Dataset, Name: m.Files[0].Name}
		switch {
		case !m.Kept:
			cp.Reason = "not kept on the server (imported before imports kept pictures, or larger than the " + decompress.Bytes(ingest.DefaultKeepLimit) + " kept)"
		case len(refs) >= maxCarried:
			cp.Reason = fmt.Sprintf("more than the %d picture files an attached group carries", maxCarried)
		}
		if cp.Reason != "" {
			not = append(not, cp)
			continue
		}
		st, err := os.Stat(s.Cases.Blobs.Path(m.SHA256))
		if err != nil {
			cp.Reason = "not kept on the server"
			not = append(not, cp)
			continue
		}
		cp.Blob = "pictures/" + m.SHA256[:16] + "-" + path.Base(cp.Name)
		ref := tahqiq.BlobRef{Name: cp.Blob, SHA256: m.SHA256, Size: st.Size(), Type: mime.TypeByExtension(strings.ToLower(path.Ext(cp.Name))), PDQ: m.PDQ, PDQQuality: m.Quality}
		if idx, err := s.pictureIndex(ctx, cp.Dataset); err == nil {
			ref.DHash = idx[m.SHA256].DHash
		}
		if ref.Type == "" || !strings.HasPrefix(ref.Type, "image/") {
			ref.Type = sniffPicture(s.Cases.Blobs.Path(m.SHA256))
		}
		refs = append(refs, ref)
		files = append(files, cp)
	}
	return refs, files, not
}

// sniffPicture returns the type of the picture file at p by its first
// bytes (image/jpeg, image/png, image/gif, image/webp), or
// application/octet-stream.
func sniffPicture(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return "application/octet-stream"
	}
	defer f.Close()
	var head [512]byte
	n, _ := io.ReadFull(f, head[:])
	if ct := http.DetectContentType(head[:n]); pictureTypes[ct] {
		return ct
	}
	return "application/octet-stream"
}

// postItemImages attaches a group of near-identical pictures to a case,
// with the parameters that made it: the grouping is run again as the
// caller, and the group named must be among its groups.
func (s *Server) postItemImages(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Datasets    []string `json:"datasets"`
		Cases       []string `json:"cases"`
		MaxDistance *int     `json:"max_distance"`
		All         bool     `json:"all"`
		Group       string   `json:"group"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	caseID := r.PathValue("id")
	if err := s.Cases.CheckAttach(ctx, c.user, caseID); err != nil {
		return err
	}
	if len(req.Datasets) == 0 && len(req.Cases) == 0 {
		return tahqiq.Errorf(tahqiq.EINVALID, "datasets or cases: give at least one")
	}
	if len(req.Datasets)+len(req.Cases) > 20 {
		return tahqiq.Errorf(tahqiq.EINVALID, "datasets, cases: at most 20 in all")
	}
	if req.Group == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "group: give the group's id (pdq:… or sha256:…, as GET /api/v1/images names it)")
	}
	maxDist := imagehash.SameImage
	if req.MaxDistance != nil {
		maxDist = *req.MaxDistance
	}
	if maxDist < 0 || maxDist > imagehash.Variant {
		return tahqiq.Errorf(tahqiq.EINVALID, "max_distance %d: want 0 to %d bits", maxDist, imagehash.Variant)
	}
	rep, err := s.imageReport(ctx, c, req.Datasets, req.Cases, maxDist, req.All)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(rep.Groups, func(g imagegroup.Group) bool { return g.ID == req.Group })
	if i < 0 {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "group %s: not among the groups of these datasets and cases at max_distance %d (the pictures may have changed: list them again)", req.Group, maxDist)
	}
	g := rep.Groups[i]
	pictures, carried, notCarried := s.carryPictures(ctx, g)
	b, err := json.MarshalIndent(imagesItem{Params: rep.Params, Group: g, Files: carried, NotCarried: notCarried}, "", " ")
	if err != nil {
		return err
	}
	short := strings.TrimPrefix(strings.TrimPrefix(g.ID, "pdq:"), "sha256:")
	if len(short) > 16 {
		short = short[:16]
	}
	ref, err := s.Cases.PutBlob("images-"+short+".json", append(b, '\n'))
	if err != nil {
		return err
	}
	ref.Type = "application/json"
	title := fmt.Sprintf("pictures %s: %d near-identical, %d posts by %d accounts in %s (within %d bits)",
		g.ID[:min(len(g.ID), 20)]+"…", g.Pictures, g.Posts, g.Accounts, strings.Join(g.Datasets, ", "), maxDist)
	if len(g.Datasets) == 0 {
		title = fmt.Sprintf("pictures %s: %d near-identical in %d case items (within %d bits)", g.ID[:min(len(g.ID), 20)]+"…", g.Pictures, g.Items, maxDist)
	}
	it, err := s.Cases.AttachBlobs(ctx, c.user, tahqiq.Item{CaseID: caseID, Kind: tahqiq.ItemAnalysis,
		Title: title, Source: "images " + g.ID, Blobs: append([]tahqiq.BlobRef{ref}, pictures...)})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, it)
}
