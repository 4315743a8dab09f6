package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/imagegroup"
	"github.com/tahqiq/tahqiq/internal/imagehash"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

// The pictures imports kept (docs/images.md, "Pictures kept"): the
// bytes are in the blob store by their SHA-256, shared by every dataset
// and case that holds the same file, so a blob is never served by its
// hash alone. GET /api/v1/datasets/{name}/pictures/{sha256} serves a
// picture to a caller who may read the dataset, and only when one of the
// dataset's hashed media rows has that SHA-256: a member of another
// organisation who knows (or guesses) the hash of a picture gets the
// same 404 as for a picture that does not exist. A picture shared
// through a case is read as the case item's file (a logged download).

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// pictureIndex is a dataset's hashed pictures by SHA-256: a media row of
// each (the first), cached per dataset until forget, or for
// pictureIndexTTL (a command-line import into the same store does not
// tell the server).
type pictureIndex map[string]tahqiq.MediaFile

// pictureCache holds the picture indexes of the datasets last asked for.
type pictureCache struct {
	mu sync.Mutex
	m  map[string]cachedPictures
}

type cachedPictures struct {
	idx pictureIndex
	at  time.Time
}

const pictureIndexTTL = time.Minute

// maxPictureIndexes bounds the datasets whose indexes are kept (about
// 200 bytes a picture each).
const maxPictureIndexes = 16

func (s *Server) pictureIndex(ctx context.Context, dataset string) (pictureIndex, error) {
	s.pictures.mu.Lock()
	cached, ok := s.pictures.m[dataset]
	s.pictures.mu.Unlock()
	if ok && time.Since(cached.at) < pictureIndexTTL {
		return cached.idx, nil
	}
	rows, err := s.Store.FindMedia(ctx, dataset)
	if err != nil {
		return nil, err
	}
	idx := pictureIndex{}
	for _, m := range rows {
		if m.Status != tahqiq.MediaHashed {
			continue
		}
		if _, ok := idx[m.SHA256]; !ok {
			m.Dihedral = "" // not needed here
			idx[m.SHA256] = m
		}
	}
	s.pictures.mu.Lock()
	if s.pictures.m == nil {
		s.pictures.m = map[string]cachedPictures{}
	}
	if len(s.pictures.m) >= maxPictureIndexes {
		for k := range s.pictures.m { // drop one
			delete(s.pictures.m, k)
			break
		}
	}
	s.pictures.m[dataset] = cachedPictures{idx: idx, at: time.Now()}
	s.pictures.mu.Unlock()
	return idx, nil
}

// forgetPictures drops a dataset's picture index (an import or a
// deletion changed its media rows).
func (s *Server) forgetPictures(dataset string) {
	s.pictures.mu.Lock()
	delete(s.pictures.m, dataset)
	s.pictures.mu.Unlock()
}

// pictureTypes are the types a kept picture is served as, by its first
// bytes; anything else is sent as a download.
var pictureTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// getPicture serves a picture a dataset's import kept.
func (s *Server) getPicture(w http.ResponseWriter, r *http.Request, c *call) error {
	name, sha := r.PathValue("name"), r.PathValue("sha256")
	if !sha256Hex.MatchString(sha) {
		return tahqiq.Errorf(tahqiq.EINVALID, "sha256 %q: want the picture's SHA-256, 64 lower-case hex digits (as GET /api/v1/datasets/%s/media gives it)", sha, name)
	}
	ctx := r.Context()
	if err := s.Cases.DatasetAccess(ctx, c.user, name); err != nil {
		return err
	}
	if _, err := s.Store.FindDatasetByName(ctx, name); err != nil {
		return err // as for a dataset of another organisation
	}
	idx, err := s.pictureIndex(ctx, name)
	if err != nil {
		return err
	}
	m, ok := idx[sha]
	if !ok {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "dataset %q has no hashed picture %s", name, sha)
	}
	thumb := false
	switch v := r.URL.Query().Get("size"); v {
	case "", "full":
	case "thumb":
		thumb = true
	default:
		return tahqiq.Errorf(tahqiq.EINVALID, "size=%q: want thumb (at most %d pixels a side) or full (the file as imported)", v, thumbSize)
	}
	f, err := s.Cases.Blobs.Open(sha)
	if err != nil {
		if m.Size > ingest.DefaultKeepLimit {
			return tahqiq.Errorf(tahqiq.ENOTFOUND, "picture %s of dataset %q (%s) is not kept on the server: %s, more than the %s a picture kept", sha, name, m.Name, decompress.Bytes(m.Size), decompress.Bytes(ingest.DefaultKeepLimit))
		}
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "picture %s of dataset %q (%s) is not kept on the server: imported before imports kept pictures; import its file again to keep it", sha, name, m.Name)
	}
	defer f.Close()
	if thumb {
		return s.serveThumb(w, r, f, sha, m.Name)
	}
	var head [512]byte
	n, _ := io.ReadFull(f, head[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	ct := http.DetectContentType(head[:n])
	h := w.Header()
	if pictureTypes[ct] {
		h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", path.Base(m.Name)))
	} else {
		ct = "application/octet-stream"
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", path.Base(m.Name)))
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-SHA256", sha)
	h.Set("Cache-Control", "private, max-age=86400") // content-addressed: never changes
	h.Set("ETag", `"`+sha+`"`)
	if st, err := f.Stat(); err == nil {
		h.Set("Content-Length", fmt.Sprint(st.Size()))
	}
	if r.Header.Get("If-None-Match") == `"`+sha+`"` {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	_, err = io.Copy(w, f)
	return err
}

// markKept sets Kept on the members of a report's groups that a
// dataset's import kept: the UI shows those (GET
// /api/v1/datasets/{name}/pictures/{sha256}). The report holds only
// datasets the caller may read.
func (s *Server) markKept(rep *imagegroup.Report) {
	for gi := range rep.Groups {
		for mi := range rep.Groups[gi].Members {
			m := &rep.Groups[gi].Members[mi]
			if len(m.Files) == 0 {
				continue
			}
			if _, err := os.Stat(s.Cases.Blobs.Path(m.SHA256)); err == nil {
				m.Kept = true
			}
		}
	}
}

// thumbSize is the largest side of a thumbnail (?size=thumb).
const thumbSize = 320

// thumbSlots bounds the thumbnails being made at once.
var thumbSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// serveThumb sends the thumbnail of the kept picture f (imagehash.
// Thumbnail: within 320 pixels, upright, as JPEG), made once and kept
// beside the blobs (blobs/thumbs/<2 hex>/<SHA-256>-320.jpg): it is derived
// from the picture alone, and served only after the same checks.
func (s *Server) serveThumb(w http.ResponseWriter, r *http.Request, f *os.File, sha, name string) error {
	p := filepath.Join(s.Cases.Blobs.Dir, "thumbs", sha[:2], fmt.Sprintf("%s-%d.jpg", sha, thumbSize))
	data, err := os.ReadFile(p)
	if err != nil {
		// at most one thumbnail made a core: a picture of 50 million pixels
		// decodes to 200 MB
		select {
		case thumbSlots <- struct{}{}:
		case <-r.Context().Done():
			return r.Context().Err()
		}
		defer func() { <-thumbSlots }()
		raw, err := io.ReadAll(io.LimitReader(f, ingest.MaxMediaSize+1))
		if err != nil {
			return err
		}
		if data, err = imagehash.Thumbnail(raw, thumbSize); err != nil {
			return tahqiq.Errorf(tahqiq.EINVALID, "picture %s (%s): no thumbnail: %s", sha, name, strings.TrimPrefix(err.Error(), "imagehash: "))
		}
		if err := writeFileAtomic(p, data); err != nil {
			s.Log.Warn("thumbnail not kept", "picture", sha, "err", err)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", strings.TrimSuffix(path.Base(name), path.Ext(name))+"-thumb.jpg"))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-SHA256", sha) // the picture's, of which this is the thumbnail
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", fmt.Sprintf(`"%s-%d"`, sha, thumbSize))
	h.Set("Content-Length", fmt.Sprint(len(data)))
	if r.Header.Get("If-None-Match") == h.Get("ETag") {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	_, err = w.Write(data)
	return err
}

// writeFileAtomic writes data to p through a temporary file renamed into
// place, making p's folder.
func writeFileAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".thumb-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
