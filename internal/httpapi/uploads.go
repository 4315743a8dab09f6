package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tahqiq/tahqiq/internal/rundir"

	"github.com/tahqiq/tahqiq"
)

// Uploads keeps files sent to the server, resumably: the bytes go to
// ID.part, the state (name, size, offset reached, owner, SHA-256 once
// complete) to ID.json, written after the bytes are synced. After a crash
// the stored offset is where the client resumes; bytes past it are cut.
//
// An upload is removed once imported (the store keeps its bytes), and any
// upload is removed TTL after it started (by the next upload to start);
// a file to keep as evidence is attached to a case.
type Uploads struct {
	Dir string
	Max int64            // largest upload (and attachment) accepted, bytes
	TTL time.Duration    // an unused upload is removed after this (default 7 days)
	Now func() time.Time // the clock (tests); time.Now when nil

	mu    sync.Mutex
	locks map[string]*sync.Mutex
	swept time.Time
}

func (u *Uploads) now() time.Time {
	if u.Now == nil {
		return time.Now()
	}
	return u.Now()
}

// defaultUploadTTL is how long an unused upload is kept.
const defaultUploadTTL = 7 * 24 * time.Hour

// dir makes sure the uploads directory exists and returns it.
func (u *Uploads) dir() (string, error) {
	if err := os.MkdirAll(u.Dir, 0o750); err != nil {
		return "", fmt.Errorf("httpapi: uploads: %w", err)
	}
	return u.Dir, nil
}

// tempDir makes a temporary directory in the uploads directory, named
// prefix and a random suffix (removed by sweep if left by a crash).
func (u *Uploads) tempDir(prefix string) (string, error) {
	dir, err := u.dir()
	if err != nil {
		return "", err
	}
	d, err := os.MkdirTemp(dir, prefix)
	if err != nil {
		return "", fmt.Errorf("httpapi: uploads: %w", err)
	}
	return d, nil
}

// Remove deletes an upload of owner (its bytes and its state).
func (u *Uploads) Remove(id, owner string) error {
	defer u.lock(id)()
	if _, err := u.Get(id, owner); err != nil {
		return err
	}
	return u.remove(id)
}

func (u *Uploads) remove(id string) error {
	err := os.Remove(u.path(id, ".json")) // first: without its state an upload is gone
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("httpapi: remove upload %s: %w", id, err)
	}
	if err := os.Remove(u.path(id, ".part")); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("httpapi: remove upload %s: %w", id, err)
	}
	return nil
}

// sweep removes the uploads started more than TTL ago, at most once an
// hour (or TTL, if shorter).
func (u *Uploads) sweep(now time.Time) {
	ttl := u.TTL
	if ttl <= 0 {
		ttl = defaultUploadTTL
	}
	u.mu.Lock()
	if now.Sub(u.swept) < min(ttl, time.Hour) {
		u.mu.Unlock()
		return
	}
	u.swept = now
	u.mu.Unlock()
	states, _ := filepath.Glob(filepath.Join(u.Dir, "u-*.json"))
	for _, p := range states {
		id := strings.TrimSuffix(filepath.Base(p), ".json")
		raw, err := os.ReadFile(p)
		var m uploadMeta
		if err != nil || json.Unmarshal(raw, &m) != nil || now.Sub(m.Created) < ttl {
			continue
		}
		unlock := u.lock(id)
		u.remove(id)
		unlock()
	}
	// archives' data files extracted for imports that a crash left
	imports, _ := filepath.Glob(filepath.Join(u.Dir, ".import-*"))
	for _, p := range imports {
		if st, err := os.Stat(p); err == nil && now.Sub(st.ModTime()) > ttl {
			os.RemoveAll(p)
		}
	}
	// attachments' temporary directories left by a crash
	tmps, _ := filepath.Glob(filepath.Join(u.Dir, ".attach-*"))
	for _, p := range tmps {
		if st, err := os.Stat(p); err == nil && now.Sub(st.ModTime()) > time.Hour {
			os.RemoveAll(p)
		}
	}
}

// Upload is the state of one upload.
type Upload struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	Offset  int64     `json:"offset"`
	SHA256  string    `json:"sha256,omitempty"` // set once complete
	Owner   string    `json:"-"`
	Created time.Time `json:"created"`
}

// uploadMeta is the stored form (with the owner).
type uploadMeta struct {
	Upload
	Owner string `json:"owner"`
}

var uploadID = regexp.MustCompile(`^u-[0-9a-f]{16}$`)

func (u *Uploads) lock(id string) func() {
	u.mu.Lock()
	if u.locks == nil {
		u.locks = map[string]*sync.Mutex{}
	}
	m, ok := u.locks[id]
	if !ok {
		m = &sync.Mutex{}
		u.locks[id] = m
	}
	u.mu.Unlock()
	m.Lock()
	return m.Unlock
}

func (u *Uploads) path(id, ext string) string { return filepath.Join(u.Dir, id+ext) }

// Get returns an upload of owner.
func (u *Uploads) Get(id, owner string) (Upload, error) {
	if !uploadID.MatchString(id) {
		return Upload{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "no upload %q", id)
	}
	raw, err := os.ReadFile(u.path(id, ".json"))
	if err != nil {
		return Upload{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "no upload %q", id)
	}
	var m uploadMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return Upload{}, fmt.Errorf("httpapi: upload %s: %w", id, err)
	}
	if m.Owner != owner {
		return Upload{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "no upload %q", id)
	}
	m.Upload.Owner = m.Owner
	return m.Upload, nil
}

// File returns the path of a complete upload of owner.
func (u *Uploads) File(id, owner string) (Upload, string, error) {
	up, err := u.Get(id, owner)
	if err != nil {
		return up, "", err
	}
	if up.SHA256 == "" {
		return up, "", tahqiq.Errorf(tahqiq.ECONFLICT, "upload %s (%s) is incomplete: %d of %d bytes", id, up.Name, up.Offset, up.Size)
	}
	return up, u.path(id, ".part"), nil
}

func (u *Uploads) save(up Upload) error {
	raw, err := json.Marshal(uploadMeta{Upload: up, Owner: up.Owner})
	if err != nil {
		return err
	}
	tmp := u.path(up.ID, ".json.tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("httpapi: upload state: %w", err)
	}
	_, err = f.Write(raw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, u.path(up.ID, ".json"))
	}
	if err != nil {
		return fmt.Errorf("httpapi: upload state: %w", err)
	}
	return nil
}

// Create starts an upload of size bytes called name.
func (u *Uploads) Create(name string, size int64, owner string) (Upload, error) {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "" || name == "." || name == "/" {
		return Upload{}, tahqiq.Errorf(tahqiq.EINVALID, "give the file name: ?name=FILE")
	}
	if size < 0 {
		return Upload{}, tahqiq.Errorf(tahqiq.EINVALID, "give the file size in bytes: header Upload-Length")
	}
	if u.Max > 0 && size > u.Max {
		return Upload{}, tahqiq.Errorf(tahqiq.EINVALID, "%s: %d bytes is more than the server accepts (%d)", name, size, u.Max)
	}
	if _, err := u.dir(); err != nil {
		return Upload{}, err
	}
	u.sweep(u.now())
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Upload{}, err
	}
	up := Upload{ID: "u-" + hex.EncodeToString(b[:]), Name: name, Size: size, Owner: owner, Created: u.now().UTC()}
	f, err := os.OpenFile(u.path(up.ID, ".part"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return Upload{}, fmt.Errorf("httpapi: uploads: %w", err)
	}
	f.Close()
	if size == 0 {
		up.SHA256 = hex.EncodeToString(sha256.New().Sum(nil))
	}
	return up, u.save(up)
}

// Append writes body at offset; offset must be the stored one.
func (u *Uploads) Append(id, owner string, offset int64, body io.Reader) (Upload, error) {
	defer u.lock(id)()
	up, err := u.Get(id, owner)
	if err != nil {
		return up, err
	}
	if up.SHA256 != "" {
		return up, tahqiq.Errorf(tahqiq.ECONFLICT, "upload %s is complete", id)
	}
	if offset != up.Offset {
		return up, tahqiq.Errorf(tahqiq.ECONFLICT, "upload %s: Upload-Offset %d, but the server has %d bytes: resume from there", id, offset, up.Offset)
	}
	f, err := os.OpenFile(u.path(id, ".part"), os.O_WRONLY, 0)
	if err != nil {
		return up, fmt.Errorf("httpapi: upload %s: %w", id, err)
	}
	defer f.Close()
	// Bytes past the stored offset are from a write whose state was not
	// saved (a crash): cut them.
	if err := f.Truncate(up.Offset); err != nil {
		return up, fmt.Errorf("httpapi: upload %s: %w", id, err)
	}
	if _, err := f.Seek(up.Offset, io.SeekStart); err != nil {
		return up, fmt.Errorf("httpapi: upload %s: %w", id, err)
	}
	left := up.Size - up.Offset
	n, cerr := io.Copy(f, io.LimitReader(body, left+1))
	if n > left {
		f.Truncate(up.Offset)
		return up, tahqiq.Errorf(tahqiq.EINVALID, "upload %s: more bytes than Upload-Length %d", id, up.Size)
	}
	// What arrived before a broken connection is kept: the client resumes.
	if err := f.Sync(); err != nil {
		return up, fmt.Errorf("httpapi: upload %s: %w", id, err)
	}
	up.Offset += n
	if up.Offset == up.Size {
		sum, err := rundir.FileSHA256(u.path(id, ".part"))
		if err != nil {
			return up, err
		}
		up.SHA256 = sum
	}
	if err := u.save(up); err != nil {
		return up, err
	}
	if cerr != nil {
		return up, tahqiq.Errorf(tahqiq.EINVALID, "upload %s: body ended early after %d bytes (%v): resume at offset %d", id, n, cerr, up.Offset)
	}
	return up, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Server) postUpload(w http.ResponseWriter, r *http.Request, c *call) error {
	size, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64)
	if err != nil {
		size, err = r.ContentLength, nil
		if size < 0 {
			return tahqiq.Errorf(tahqiq.EINVALID, "give the file size in bytes: header Upload-Length")
		}
	}
	up, err := s.Uploads.Create(r.URL.Query().Get("name"), size, c.user.ID)
	if err != nil {
		return err
	}
	if r.ContentLength != 0 && size > 0 {
		if up, err = s.Uploads.Append(up.ID, c.user.ID, 0, r.Body); err != nil {
			return err
		}
	}
	w.Header().Set("Location", "/api/v1/uploads/"+up.ID)
	w.Header().Set("Upload-Offset", itoa(up.Offset))
	return writeJSON(w, http.StatusCreated, up)
}

func (s *Server) patchUpload(w http.ResponseWriter, r *http.Request, c *call) error {
	off, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "header Upload-Offset: want the byte offset of this part")
	}
	up, err := s.Uploads.Append(r.PathValue("id"), c.user.ID, off, r.Body)
	if err != nil {
		return err
	}
	w.Header().Set("Upload-Offset", itoa(up.Offset))
	return writeJSON(w, http.StatusOK, up)
}

func (s *Server) getUpload(w http.ResponseWriter, r *http.Request, c *call) error {
	up, err := s.Uploads.Get(r.PathValue("id"), c.user.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Upload-Offset", itoa(up.Offset))
	w.Header().Set("Upload-Length", itoa(up.Size))
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return writeJSON(w, http.StatusOK, up)
}
