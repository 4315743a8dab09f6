package httpapi

import (
	"net/http"
	"strconv"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/imagegroup"
	"github.com/tahqiq/tahqiq/internal/imagehash"
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
	set := imagegroup.NewSet()
	for _, name := range datasets {
		if err := s.Cases.DatasetAccess(ctx, c.user, name); err != nil {
			return err
		}
		if err := set.AddDataset(ctx, s.Store, name); err != nil {
			return err
		}
	}
	for _, id := range cases {
		v, err := s.Cases.Show(ctx, c.user, id)
		if err != nil {
			return err
		}
		set.AddItems(id, v.Items, s.Cases.BlobHashes)
	}
	rep := set.Group(maxDist, all)
	rep.Params = imagegroup.NewParams(datasets, cases, maxDist, all)
	return writeJSON(w, http.StatusOK, rep)
}
