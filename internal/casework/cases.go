package casework

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/imagehash"
)

// NewCase opens a case in the actor's organisation.
func (s *Service) NewCase(ctx context.Context, actor tahqiq.User, title, desc string, tlp tahqiq.TLP) (tahqiq.Case, error) {
	if tlp == "" {
		tlp = tahqiq.TLPAmber
	}
	c := tahqiq.Case{ID: s.newID("c"), OrgID: actor.OrgID, Title: title, Description: desc, TLP: tlp, CreatedBy: actor.ID, CreatedAt: s.now()}
	if !actor.Role.CanWrite() {
		return c, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not open cases", actor.Name, actor.Role)
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	_, err := s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "case.create", CaseID: c.ID, Details: fmt.Sprintf("title %q tlp %s", title, tlp),
		Records: []tahqiq.RecordRef{ref(tahqiq.RecCase, c.ID, c)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateCase(ctx, c) })
	return c, err
}

// CloseCase closes a case: its items, findings, recommendations, tasks
// and notes no longer change (each change answers ECONFLICT) until it is
// reopened; it is still read, reported, exported and shared. An admin of
// the case's organisation or the case's creator closes it. The change is
// logged as case.close with the case record's new digest.
func (s *Service) CloseCase(ctx context.Context, actor tahqiq.User, id string) (tahqiq.Case, error) {
	return s.setClosed(ctx, actor, id, true)
}

// ReopenCase reopens a closed case (case.reopen); the same people as
// CloseCase may.
func (s *Service) ReopenCase(ctx context.Context, actor tahqiq.User, id string) (tahqiq.Case, error) {
	return s.setClosed(ctx, actor, id, false)
}

func (s *Service) setClosed(ctx context.Context, actor tahqiq.User, id string, closed bool) (tahqiq.Case, error) {
	c, err := s.Store.FindCaseByID(ctx, id)
	if err != nil {
		return c, err
	}
	if err := s.access(ctx, actor, c, "", true); err != nil {
		return tahqiq.Case{}, err
	}
	if actor.OrgID != c.OrgID || (actor.Role != tahqiq.RoleAdmin && actor.ID != c.CreatedBy) {
		return c, tahqiq.Errorf(tahqiq.EFORBIDDEN, "only an admin of its organisation or the case's creator may close or reopen case %s", c.ID)
	}
	action := "case.close"
	if closed {
		if c.Closed() {
			return c, tahqiq.Errorf(tahqiq.ECONFLICT, "case %s is closed already", c.ID)
		}
		c.ClosedBy, c.ClosedAt = actor.ID, s.now()
	} else {
		if !c.Closed() {
			return c, tahqiq.Errorf(tahqiq.ECONFLICT, "case %s is open", c.ID)
		}
		c.ClosedBy, c.ClosedAt = "", time.Time{}
		action = "case.reopen"
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: action, CaseID: c.ID, Details: fmt.Sprintf("title %q", c.Title),
		Records: []tahqiq.RecordRef{ref(tahqiq.RecCase, c.ID, c)}},
		func(tx tahqiq.CaseTx) error { return tx.PutCase(ctx, c) })
	return c, err
}

// putBlob stores a file and, for images, its dHash and PDQ hash.
func (s *Service) putBlob(name string, data []byte) (tahqiq.BlobRef, error) {
	sum, n, err := s.Blobs.Put(bytes.NewReader(data))
	if err != nil {
		return tahqiq.BlobRef{}, err
	}
	ref := tahqiq.BlobRef{Name: name, SHA256: sum, Size: n, Type: mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))}
	setImageHashes(&ref, data)
	return ref, nil
}

// setImageHashes sets the dHash and PDQ hash of a blob that is a picture
// imagehash decodes (docs/images.md); other files get none.
func setImageHashes(ref *tahqiq.BlobRef, data []byte) {
	if r, err := imagehash.Sum(data); err == nil {
		ref.DHash = fmt.Sprintf("%016x", r.DHash)
		ref.PDQ, ref.PDQQuality = r.PDQ.String(), r.Quality
	}
}

// BlobHashes hashes a stored blob as a picture (imagehash.Sum): for
// grouping the pictures of cases with those of datasets.
func (s *Service) BlobHashes(sum string) (imagehash.Result, error) {
	f, err := s.Blobs.Open(sum)
	if err != nil {
		return imagehash.Result{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, ingestMaxPicture+1))
	if err != nil {
		return imagehash.Result{}, fmt.Errorf("casework: read blob %s: %w", sum, err)
	}
	if len(data) > ingestMaxPicture {
		return imagehash.Result{}, tahqiq.Errorf(tahqiq.EINVALID, "larger than %d MiB: not read as a picture", ingestMaxPicture>>20)
	}
	r, err := imagehash.Sum(data)
	if err != nil {
		return r, tahqiq.Errorf(tahqiq.EINVALID, "%s", strings.TrimPrefix(err.Error(), "imagehash: "))
	}
	return r, nil
}

// ingestMaxPicture bounds the blobs read as pictures, as imports bound
// the media files they read (ingest.MaxMediaSize).
const ingestMaxPicture = 64 << 20

func (s *Service) putPath(path, name string) (tahqiq.BlobRef, error) {
	f, err := os.Open(path)
	if err != nil {
		return tahqiq.BlobRef{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "cannot read %s: %w", path, err)
	}
	defer f.Close()
	sum, n, err := s.Blobs.Put(f)
	if err != nil {
		return tahqiq.BlobRef{}, err
	}
	ref := tahqiq.BlobRef{Name: name, SHA256: sum, Size: n, Type: mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))}
	if strings.HasPrefix(ref.Type, "image/") && n <= ingestMaxPicture {
		if data, err := os.ReadFile(s.Blobs.Path(sum)); err == nil {
			setImageHashes(&ref, data)
		}
	}
	return ref, nil
}

// addItem stores blobs already put and logs the attachment.
func (s *Service) addItem(ctx context.Context, actor tahqiq.User, it tahqiq.Item) (tahqiq.Item, error) {
	c, err := s.openCase(ctx, actor, it.CaseID, true)
	if err != nil {
		return it, err
	}
	it.ID, it.AddedBy, it.AddedAt, it.CaseID = s.newID("i"), actor.ID, s.now(), c.ID
	if err := it.Validate(); err != nil {
		return it, err
	}
	if it.DerivedFrom != "" {
		if _, err := s.Store.FindItemByID(ctx, it.DerivedFrom); err != nil {
			return it, err
		}
	}
	var hashes []string
	for _, b := range it.Blobs {
		hashes = append(hashes, "sha256:"+b.SHA256)
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "item.attach", CaseID: c.ID, ItemID: it.ID, Hashes: hashes,
		Details: fmt.Sprintf("%s %q", it.Kind, it.Title), Records: []tahqiq.RecordRef{itemRef(it)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateItem(ctx, it) })
	return it, err
}

// AttachFiles attaches each file as one item (kind file, or derived when
// derivedFrom is set: a working copy of another item).
func (s *Service) AttachFiles(ctx context.Context, actor tahqiq.User, caseID, derivedFrom string, paths ...string) ([]tahqiq.Item, error) {
	if _, err := s.openCase(ctx, actor, caseID, true); err != nil {
		return nil, err
	}
	var out []tahqiq.Item
	for _, p := range paths {
		ref, err := s.putPath(p, filepath.Base(p))
		if err != nil {
			return out, err
		}
		kind := tahqiq.ItemFile
		if derivedFrom != "" {
			kind = tahqiq.ItemDerived
		}
		it, err := s.addItem(ctx, actor, tahqiq.Item{CaseID: caseID, Kind: kind, Title: filepath.Base(p), Source: p, Blobs: []tahqiq.BlobRef{ref}, DerivedFrom: derivedFrom})
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

// AttachPost attaches a post of an imported dataset with its raw records
// (one blob per record, the bytes verbatim) so that bundles are
// self-contained.
func (s *Service) AttachPost(ctx context.Context, actor tahqiq.User, caseID, dataset, uid string) (tahqiq.Item, error) {
	if s.Posts == nil {
		return tahqiq.Item{}, tahqiq.Errorf(tahqiq.EINVALID, "no dataset store")
	}
	if _, err := s.openCase(ctx, actor, caseID, true); err != nil {
		return tahqiq.Item{}, err
	}
	if err := s.DatasetAccess(ctx, actor, dataset); err != nil {
		return tahqiq.Item{}, err
	}
	pr, err := s.Posts.FindPost(ctx, dataset, uid)
	if err != nil {
		return tahqiq.Item{}, err
	}
	it := tahqiq.Item{CaseID: caseID, Kind: tahqiq.ItemPost, Title: fmt.Sprintf("post %s of %s", uid, dataset), Source: dataset + "/" + uid}
	for i, r := range pr.Records {
		ref, err := s.putBlob(fmt.Sprintf("record-%d.json", i+1), r.Raw) // raw bytes; origin file/line in the post
		if err != nil {
			return it, err
		}
		ref.Type = "application/json"
		it.Blobs = append(it.Blobs, ref)
	}
	return s.addItem(ctx, actor, it)
}

// AttachRun attaches an analysis run directory (coord/audit --out DIR with
// its manifest.json): one item whose blobs are all its files; its source
// is the directory.
func (s *Service) AttachRun(ctx context.Context, actor tahqiq.User, caseID, dir string) (tahqiq.Item, error) {
	return s.AttachRunAs(ctx, actor, caseID, dir, "")
}

// AttachRunAs is AttachRun with the item's title and source naming the
// run as source says (the server's runs by kind and ID, not by where it
// keeps them); "" names the directory.
func (s *Service) AttachRunAs(ctx context.Context, actor tahqiq.User, caseID, dir, source string) (tahqiq.Item, error) {
	if _, err := s.openCase(ctx, actor, caseID, true); err != nil {
		return tahqiq.Item{}, err
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		return tahqiq.Item{}, tahqiq.Errorf(tahqiq.EINVALID, "%s is not an analysis run: no manifest.json", dir)
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return tahqiq.Item{}, tahqiq.Errorf(tahqiq.EINVALID, "read %s: %w", dir, err)
	}
	sort.Strings(files)
	it := tahqiq.Item{CaseID: caseID, Kind: tahqiq.ItemAnalysis, Title: "analysis run " + filepath.Base(dir), Source: dir}
	if source != "" {
		it.Source = source
	}
	for _, p := range files {
		rel, _ := filepath.Rel(dir, p)
		ref, err := s.putPath(p, filepath.ToSlash(rel))
		if err != nil {
			return it, err
		}
		it.Blobs = append(it.Blobs, ref)
	}
	return s.addItem(ctx, actor, it)
}

// AttachBlobs attaches blobs already in the store (used by capture).
func (s *Service) AttachBlobs(ctx context.Context, actor tahqiq.User, it tahqiq.Item) (tahqiq.Item, error) {
	return s.addItem(ctx, actor, it)
}

// PutBlob stores bytes in the blob store (for capture).
func (s *Service) PutBlob(name string, data []byte) (tahqiq.BlobRef, error) {
	return s.putBlob(name, data)
}

// ReadItem returns an item and logs the read (who read which hashes).
func (s *Service) ReadItem(ctx context.Context, actor tahqiq.User, id string) (tahqiq.Item, error) {
	it, err := s.Store.FindItemByID(ctx, id)
	if err != nil {
		return it, err
	}
	c, err := s.Store.FindCaseByID(ctx, it.CaseID)
	if err != nil {
		return it, err
	}
	if err := s.itemVisible(ctx, actor, c, it); err != nil {
		return tahqiq.Item{}, err
	}
	var hs []string
	for _, b := range it.Blobs {
		hs = append(hs, "sha256:"+b.SHA256)
	}
	return it, s.logRead(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "item.read", CaseID: c.ID, ItemID: it.ID, Hashes: hs})
}

// Similar returns items in any case the actor can read whose images have
// a dHash within maxDist bits of the item's images.
func (s *Service) Similar(ctx context.Context, actor tahqiq.User, itemID string, maxDist int) ([]tahqiq.Item, error) {
	it, err := s.ReadItem(ctx, actor, itemID)
	if err != nil {
		return nil, err
	}
	cases, err := s.Store.FindCases(ctx)
	if err != nil {
		return nil, err
	}
	var out []tahqiq.Item
	for _, c := range cases {
		if s.access(ctx, actor, c, "", false) != nil {
			continue
		}
		items, err := s.Store.FindItems(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, o := range s.visibleItems(ctx, actor, c, items) {
			if o.ID != it.ID && similar(it, o, maxDist) {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

func similar(a, b tahqiq.Item, maxDist int) bool {
	for _, x := range a.Blobs {
		for _, y := range b.Blobs {
			if x.DHash == "" || y.DHash == "" {
				continue
			}
			var hx, hy uint64
			fmt.Sscanf(x.DHash, "%x", &hx)
			fmt.Sscanf(y.DHash, "%x", &hy)
			if blob.Distance(hx, hy) <= maxDist {
				return true
			}
		}
	}
	return false
}
