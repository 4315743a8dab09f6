package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/imagehash"
	"github.com/tahqiq/tahqiq/internal/ingest/telegram"
)

// MaxMediaSize bounds the media files read: a picture is megabytes, so a
// larger file is a video or an archive under a picture's name, and is not
// read whole.
const MaxMediaSize = 64 << 20

// DefaultKeepLimit is the largest picture an import keeps (Options.
// KeepLimit): a photo as Telegram or X serves it is under 1 MiB, a scan
// of a result form a few.
const DefaultKeepLimit = 20 << 20

// MediaSummary says what an import found of the pictures its posts name
// (docs/images.md): every picture is hashed or counted with the reason it
// was not.
type MediaSummary struct {
	Folders []string `json:"folders"` // the media folders read
	// Pictures are the pictures of posts (a post with two counts two);
	// NoFile of them name no file (Telegram Desktop's "File not
	// included", a photo without a link).
	Pictures int64 `json:"pictures"`
	NoFile   int64 `json:"no_file"`
	// Files are the picture files named, once per input file and name,
	// each hashed or missing, unreadable or no picture.
	Files      int64 `json:"files"`
	Hashed     int64 `json:"hashed"`
	Missing    int64 `json:"missing"`
	Unreadable int64 `json:"unreadable"`
	NotImage   int64 `json:"not_image"`
	// LowQuality of the hashed have a PDQ quality under 50: they share
	// an object with the same bytes only.
	LowQuality int64 `json:"low_quality"`
	// Objects are the image objects this import made: hashed pictures
	// not within 10 bits of any picture before them in the dataset.
	Objects  int64          `json:"objects"`
	Problems []MediaProblem `json:"problems"` // the first 1,000 files not hashed
	Hashing  string         `json:"hashing"`  // imagehash.Version
	// Kept of the hashed files are kept (Options.KeepPicture: the server
	// keeps the pictures it hashes, to show them); NotKept were larger
	// than the limit, NotKeptFiles names the first 1,000 of them. All
	// three are absent when pictures are not kept.
	Kept         int64          `json:"kept,omitempty"`
	NotKept      int64          `json:"not_kept,omitempty"`
	NotKeptFiles []MediaProblem `json:"not_kept_files,omitempty"`
}

// MediaProblem is a picture file an import could not hash.
type MediaProblem struct {
	File   string             `json:"file"` // the input file whose posts name it
	Name   string             `json:"name"`
	Status tahqiq.MediaStatus `json:"status"`
	Detail string             `json:"detail"`
}

// maxMediaProblems caps MediaSummary.Problems; the store keeps them all.
const maxMediaProblems = 1000

// isPicture reports whether a post's media is a still picture: a photo,
// or a file whose MIME type is image/* ("file:image/png",
// "document:image/jpeg"). Stickers are left out: they are reactions
// chosen from a shared set, not pictures people make or pass on.
func isPicture(m tahqiq.Media) bool {
	t := strings.ToLower(m.Type)
	switch {
	case t == "photo" || t == "image" || t == "picture":
		return true
	case strings.HasPrefix(t, "sticker"):
		return false
	}
	_, mime, ok := strings.Cut(t, ":")
	return ok && strings.HasPrefix(mime, "image/")
}

// pictureExts are tried after a name without an extension (a media key,
// the last segment of a URL such as pbs.twimg.com/media/ABC).
var pictureExts = []string{".jpg", ".jpeg", ".png", ".gif", ".webp"}

// mediaNames are the names a picture may have under a media folder, in
// the order tried (docs/images.md): its path in the export when the
// source gives one (Telegram Desktop's photos/…, files/…), else the last
// segment of its URL, then its media key; a name without an extension is
// also tried with each picture extension.
func mediaNames(m tahqiq.Media) []string {
	var out []string
	addName := func(n string) {
		if n == "" || n == "." || n == "/" {
			return
		}
		out = append(out, n)
		if path.Ext(n) == "" {
			for _, e := range pictureExts {
				out = append(out, n+e)
			}
		}
	}
	if u := m.URL; u != "" {
		if strings.Contains(u, "://") {
			if p, err := url.Parse(u); err == nil {
				addName(path.Base(p.Path))
			}
		} else {
			addName(path.Clean(filepath.ToSlash(u)))
		}
	}
	if m.Key != "" && !strings.ContainsAny(m.Key, "/\\") {
		addName(m.Key)
	}
	return out
}

// mediaResult is what reading and hashing one named file gave.
type mediaResult struct {
	name   string // the name found (or the first tried, when none was)
	status tahqiq.MediaStatus
	detail string
	sha    string
	size   int64
	r      imagehash.Result
	// kept: the bytes were kept (Options.KeepPicture); tooLarge: not kept
	// for their size; keepErr: keeping them failed
	kept, tooLarge bool
	keepErr        error
}

// keeper keeps pictures' bytes (Options.KeepPicture, KeepLimit).
type keeper struct {
	fn    func(sha string, data []byte) error
	limit int64
}

type mediaFuture struct {
	done chan struct{}
	res  mediaResult
}

type mediaJob struct {
	open  opener
	names []string
	fut   *mediaFuture
}

// leader is the first picture of an image object: the object is named
// after its hash.
type leader struct {
	object string
	hash   imagehash.Hash
}

// mediaStage finds, hashes and groups the pictures posts name, for one
// import or read: files are read and hashed by a pool of workers while
// the parser runs ahead, and each record's pictures get their objects in
// record order, so that the grouping does not depend on the pool.
type mediaStage struct {
	ctx     context.Context
	jobs    chan mediaJob
	wg      sync.WaitGroup
	started bool
	cache   map[string]*mediaFuture // folder + name -> the file's hashing

	sum  *MediaSummary
	keep keeper
	// the grouping state, used in record order only
	index   *imagehash.Index
	entries []int                  // index entry -> leader
	leaders []leader               //
	bySHA   map[[32]byte]objectRef // a file's bytes -> its object
	stored  map[string]bool        // names stored for the current input file
	// fixed is set when re-deriving: the stored rows by input file and
	// name, and nothing is read or hashed.
	fixed map[int64]map[string]tahqiq.MediaFile
}

type objectRef struct {
	object   string
	distance int
}

// mediaFolder is where one input file's pictures are looked up: a
// folder on disk (root) or in an archive (fsys).
type mediaFolder struct {
	dir  string
	root *os.Root
	fsys fs.FS
}

// opener opens a picture's file by its slash-separated name, failing
// with an error that says "escapes" for a name that leaves the folder.
type opener func(name string) (fs.File, error)

func (mf *mediaFolder) opener() opener {
	if mf.fsys != nil {
		return func(name string) (fs.File, error) {
			if !fs.ValidPath(name) {
				return nil, fmt.Errorf("%s: path escapes from parent", name)
			}
			return mf.fsys.Open(name)
		}
	}
	return func(name string) (fs.File, error) { return mf.root.Open(filepath.FromSlash(name)) }
}

// close releases the folder.
func (mf *mediaFolder) close() {
	if mf.root != nil {
		mf.root.Close()
	}
}

// MediaFolder is a folder of pictures that is not a directory on disk:
// the folder of an uploaded archive that holds an input file (Options.
// MediaFolders).
type MediaFolder struct {
	Name string // how summaries and problems name it, e.g. "export.zip: ChatExport/"
	FS   fs.FS
}

func newMediaStage(ctx context.Context, sum *MediaSummary) *mediaStage {
	sum.Hashing = imagehash.Version
	if sum.Problems == nil {
		sum.Problems = []MediaProblem{}
	}
	if sum.Folders == nil {
		sum.Folders = []string{}
	}
	return &mediaStage{ctx: ctx, cache: map[string]*mediaFuture{}, sum: sum,
		index: imagehash.NewIndex(), bySHA: map[[32]byte]objectRef{}, stored: map[string]bool{}}
}

// load takes the media files a dataset holds: their objects stay, and
// the first pictures of their objects are what new pictures are grouped
// with.
func (ms *mediaStage) load(m tahqiq.MediaFile) error {
	if m.Status != tahqiq.MediaHashed {
		return nil
	}
	var sha [32]byte
	if b, err := hex.DecodeString(m.SHA256); err == nil && len(b) == 32 {
		copy(sha[:], b)
		if _, ok := ms.bySHA[sha]; !ok {
			ms.bySHA[sha] = objectRef{m.Object, m.Distance}
		}
	}
	if m.Object != "pdq:"+m.PDQ || m.Quality < imagehash.MinQuality {
		return nil // not the first picture of its object
	}
	h, err := imagehash.ParseHashes(m.PDQ, m.Dihedral, m.Trimmed)
	if err != nil {
		return fmt.Errorf("media file %s of %s: %w", m.Name, m.File, err)
	}
	ms.addLeader(m.Object, h)
	return nil
}

func (ms *mediaStage) addLeader(object string, h imagehash.Hashes) {
	ms.leaders = append(ms.leaders, leader{object: object, hash: h.Dihedral[imagehash.Original]})
	for _, e := range h.Entries() {
		ms.index.Add(e)
		ms.entries = append(ms.entries, len(ms.leaders)-1)
	}
}

// open returns the media folder of an input file, or nil when its
// pictures are not looked up: its folder in opt.MediaFolders, else the
// --media folder (opt.Media), else the folder of a Telegram Desktop
// export read from its own path.
func (ms *mediaStage) open(opt Options, in *input, format string) (*mediaFolder, error) {
	if f, ok := opt.MediaFolders[in.path]; ok {
		if !containsString(ms.sum.Folders, f.Name) {
			ms.sum.Folders = append(ms.sum.Folders, f.Name)
		}
		return &mediaFolder{dir: f.Name, fsys: f.FS}, nil
	}
	dir := opt.Media
	if dir == "" {
		// an upload (a file the caller renames) has no folder of its own
		_, renamed := opt.Names[in.path]
		if format != telegram.FormatDesktop || in.path == "-" || renamed {
			return nil, nil
		}
		dir = filepath.Dir(in.path)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "media folder %s: %v", dir, err)
	}
	if !containsString(ms.sum.Folders, dir) {
		ms.sum.Folders = append(ms.sum.Folders, dir)
	}
	return &mediaFolder{dir: dir, root: root}, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// start starts the hashing workers on first use.
func (ms *mediaStage) start() {
	if ms.started {
		return
	}
	ms.started = true
	n := max(1, runtime.GOMAXPROCS(0))
	ms.jobs = make(chan mediaJob, 256)
	for range n {
		ms.wg.Add(1)
		go func() {
			defer ms.wg.Done()
			for j := range ms.jobs {
				if ms.ctx.Err() == nil {
					j.fut.res = hashFile(j.open, j.names, ms.keep)
				}
				close(j.fut.done)
			}
		}()
	}
}

// close stops the workers.
func (ms *mediaStage) close() {
	if ms != nil && ms.started {
		close(ms.jobs)
		ms.wg.Wait()
		ms.started = false
	}
}

// hashFile reads the first of names that is a file under the folder
// (open) and hashes it.
func hashFile(open opener, names []string, keep keeper) mediaResult {
	res := mediaResult{name: names[0], status: tahqiq.MediaMissing, detail: "not in the media folder"}
	if len(names) > 1 {
		res.detail = "not in the media folder (tried " + strings.Join(names, ", ") + ")"
	}
	var f fs.File
	for _, n := range names {
		g, err := open(n)
		if err == nil {
			if st, err := g.Stat(); err == nil && st.Mode().IsRegular() {
				f, res.name = g, n
				break
			}
			g.Close()
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "not a directory") {
			if strings.Contains(err.Error(), "escapes") {
				res.detail = "names a file outside the media folder: not read"
			} else {
				res.status, res.detail, res.name = tahqiq.MediaUnreadable, err.Error(), n
			}
			return res
		}
	}
	if f == nil {
		return res
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxMediaSize+1))
	if err != nil {
		res.status, res.detail = tahqiq.MediaUnreadable, "cannot be read: "+err.Error()
		return res
	}
	sum := sha256.Sum256(data)
	res.sha, res.size = hex.EncodeToString(sum[:]), int64(len(data))
	if len(data) > MaxMediaSize {
		res.sha, res.size = "", 0
		res.status, res.detail = tahqiq.MediaUnreadable, fmt.Sprintf("larger than %d MiB: not read as a picture", MaxMediaSize>>20)
		return res
	}
	r, err := imagehash.Sum(data)
	if err != nil {
		var e *imagehash.Error
		if errors.As(err, &e) && e.NotImage {
			res.status, res.detail = tahqiq.MediaNotImage, e.Reason
		} else if errors.As(err, &e) {
			res.status, res.detail = tahqiq.MediaUnreadable, e.Reason
		} else {
			res.status, res.detail = tahqiq.MediaUnreadable, err.Error()
		}
		return res
	}
	res.status, res.detail, res.r = tahqiq.MediaHashed, "", r
	switch {
	case keep.fn == nil:
	case res.size > keep.limit:
		res.tooLarge = true
	default:
		res.keepErr = keep.fn(res.sha, data)
		res.kept = res.keepErr == nil
	}
	return res
}

// pendingRecord is a parsed record whose pictures are being hashed.
type pendingRecord struct {
	p    *tahqiq.Parsed
	futs []*mediaFuture // one per picture of the record's posts, in order (nil: no name)
}

// submit sends the record's pictures to the workers (a file named before
// is hashed once).
func (ms *mediaStage) submit(mf *mediaFolder, p *tahqiq.Parsed) *pendingRecord {
	pr := &pendingRecord{p: p}
	if p.Reject != "" {
		return pr
	}
	for i := range p.Posts {
		for _, m := range p.Posts[i].Media {
			if !isPicture(m) {
				continue
			}
			names := mediaNames(m)
			if len(names) == 0 {
				pr.futs = append(pr.futs, nil)
				continue
			}
			key := mf.dir + "\x00" + strings.Join(names, "\x00")
			fut := ms.cache[key]
			if fut == nil {
				fut = &mediaFuture{done: make(chan struct{})}
				ms.cache[key] = fut
				ms.start()
				ms.jobs <- mediaJob{open: mf.opener(), names: names, fut: fut}
			}
			pr.futs = append(pr.futs, fut)
		}
	}
	return pr
}

// finish waits for a record's pictures, gives each hashed one its object
// (in record order) and returns the media rows the record adds for its
// input file.
func (ms *mediaStage) finish(file string, pr *pendingRecord) ([]tahqiq.MediaFile, error) {
	var rows []tahqiq.MediaFile
	k := 0
	for i := range pr.p.Posts {
		post := &pr.p.Posts[i]
		for j := range post.Media {
			m := &post.Media[j]
			if !isPicture(*m) {
				continue
			}
			fut := pr.futs[k]
			k++
			ms.sum.Pictures++
			if fut == nil {
				ms.sum.NoFile++
				continue
			}
			select {
			case <-fut.done:
			case <-ms.ctx.Done():
				return nil, ms.ctx.Err()
			}
			if err := ms.ctx.Err(); err != nil {
				return nil, err // the workers stopped hashing
			}
			res := &fut.res
			if res.keepErr != nil {
				return nil, fmt.Errorf("ingest: keeping picture %s of %s: %w", res.name, file, res.keepErr)
			}
			var ref objectRef
			if res.status == tahqiq.MediaHashed {
				ref = ms.object(res)
				m.Image = &tahqiq.MediaImage{Name: res.name, SHA256: res.sha, PDQ: res.r.PDQ.String(), Quality: res.r.Quality, Object: ref.object}
			}
			if ms.stored[res.name] {
				continue
			}
			ms.stored[res.name] = true
			rows = append(rows, ms.row(file, res, ref))
		}
	}
	return rows, nil
}

// object returns the object of a hashed picture, making one when it is
// like no picture before it (docs/images.md): the same bytes share their
// first copy's object; a picture of PDQ quality under 50 is named by its
// bytes alone; any other joins the object of the nearest first picture
// within 10 bits over its dihedral and framed-picture hashes (the
// earliest among equally near ones), or starts one named after itself.
func (ms *mediaStage) object(res *mediaResult) objectRef {
	var sha [32]byte
	hex.Decode(sha[:], []byte(res.sha))
	if ref, ok := ms.bySHA[sha]; ok {
		return ref
	}
	var ref objectRef
	switch h := res.r.Hashes(); {
	case res.r.Quality < imagehash.MinQuality:
		ref = objectRef{object: "sha256:" + res.sha}
		ms.sum.LowQuality++
	default:
		if id, _, d, ok := ms.index.Nearest(h.Probes(), imagehash.SameImage); ok {
			ref = objectRef{object: ms.leaders[ms.entries[id]].object, distance: d}
		} else {
			ref = objectRef{object: "pdq:" + res.r.PDQ.String()}
			ms.addLeader(ref.object, h)
			ms.sum.Objects++
		}
	}
	ms.bySHA[sha] = ref
	return ref
}

// row is the stored form of a file's result, counted in the summary.
func (ms *mediaStage) row(file string, res *mediaResult, ref objectRef) tahqiq.MediaFile {
	ms.sum.Files++
	m := tahqiq.MediaFile{File: file, Name: res.name, Status: res.status, Detail: res.detail, SHA256: res.sha, Size: res.size}
	switch res.status {
	case tahqiq.MediaHashed:
		ms.sum.Hashed++
		r := res.r
		m.Width, m.Height, m.Orientation = r.Width, r.Height, r.Orientation
		m.PDQ, m.Quality, m.Dihedral = r.PDQ.String(), r.Quality, r.Hashes().DihedralText()
		if r.HasTrimmed {
			m.Trimmed = r.Trimmed.String()
		}
		m.DHash = fmt.Sprintf("%016x", r.DHash)
		m.Object, m.Distance, m.Hashing = ref.object, ref.distance, imagehash.Version
		switch {
		case res.kept:
			ms.sum.Kept++
		case res.tooLarge:
			ms.sum.NotKept++
			if len(ms.sum.NotKeptFiles) < maxMediaProblems {
				ms.sum.NotKeptFiles = append(ms.sum.NotKeptFiles, MediaProblem{File: file, Name: res.name, Status: res.status,
					Detail: fmt.Sprintf("hashed, not kept: %s, more than the %s a picture kept", decompress.Bytes(res.size), decompress.Bytes(ms.keep.limit))})
			}
		}
		return m
	case tahqiq.MediaMissing:
		ms.sum.Missing++
	case tahqiq.MediaUnreadable:
		ms.sum.Unreadable++
	case tahqiq.MediaNotImage:
		ms.sum.NotImage++
	}
	if len(ms.sum.Problems) < maxMediaProblems {
		ms.sum.Problems = append(ms.sum.Problems, MediaProblem{File: file, Name: res.name, Status: res.status, Detail: res.detail})
	}
	return m
}

// run parses an input file through parse while its pictures are hashed,
// and hands each record, its pictures' objects set, with the media rows it
// adds to next, in order, on the calling goroutine.
func (ms *mediaStage) run(ctx context.Context, file string, mf *mediaFolder, parse func(ctx context.Context, emit func(*tahqiq.Parsed) error) error,
	next func(p *tahqiq.Parsed, rows []tahqiq.MediaFile) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	clear(ms.stored)
	ch := make(chan *pendingRecord, 1024)
	var perr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		perr = parse(ctx, func(p *tahqiq.Parsed) error {
			pr := ms.submit(mf, p)
			select {
			case ch <- pr:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var err error
	for pr := range ch {
		if err != nil {
			continue // drain, so that the parser stops
		}
		var rows []tahqiq.MediaFile
		if rows, err = ms.finish(file, pr); err == nil {
			err = next(pr.p, rows)
		}
		if err != nil {
			cancel()
		}
	}
	<-done
	if err != nil {
		return err
	}
	return perr
}

// newFixedMedia is the media stage of a re-derivation: the pictures of
// re-derived posts get the hashes and objects the dataset holds, found by
// the names the import tried (the first it found), and nothing is read.
func newFixedMedia(ctx context.Context, tx tahqiq.RederiveTx) (*mediaStage, error) {
	ms := &mediaStage{ctx: ctx, fixed: map[int64]map[string]tahqiq.MediaFile{}}
	err := tx.EachMedia(ctx, func(m tahqiq.MediaFile) error {
		byName := ms.fixed[m.FileID]
		if byName == nil {
			byName = map[string]tahqiq.MediaFile{}
			ms.fixed[m.FileID] = byName
		}
		byName[m.Name] = m
		return nil
	})
	if len(ms.fixed) == 0 {
		return nil, err
	}
	return ms, err
}

// attachFixed sets the pictures of a re-derived record from the stored
// media rows of its file: for each picture, the first of its names that
// the import found as a file; only a hashed one gets an image.
func (ms *mediaStage) attachFixed(file int64, p *tahqiq.Parsed) {
	rows := ms.fixed[file]
	if len(rows) == 0 {
		return
	}
	for i := range p.Posts {
		for j := range p.Posts[i].Media {
			m := &p.Posts[i].Media[j]
			if !isPicture(*m) {
				continue
			}
			for _, n := range mediaNames(*m) {
				row, ok := rows[n]
				if !ok || row.Status == tahqiq.MediaMissing {
					continue
				}
				if row.Status == tahqiq.MediaHashed {
					m.Image = &tahqiq.MediaImage{Name: row.Name, SHA256: row.SHA256, PDQ: row.PDQ, Quality: row.Quality, Object: row.Object}
				}
				break
			}
		}
	}
}

// media returns the media stage of an import or read (nil with
// opt.NoMedia), with the media files the dataset holds loaded through
// each (nil for a read of files). Its summary goes to sum.Media once the
// files are read (done).
func (im *Importer) media(ctx context.Context, opt Options, sum *Summary, each func(context.Context, func(tahqiq.MediaFile) error) error) (*mediaStage, error) {
	if opt.NoMedia {
		return nil, nil
	}
	ms := newMediaStage(ctx, &MediaSummary{})
	if opt.KeepPicture != nil {
		ms.keep = keeper{fn: opt.KeepPicture, limit: opt.KeepLimit}
		if ms.keep.limit <= 0 {
			ms.keep.limit = DefaultKeepLimit
		}
	}
	if opt.Media != "" {
		if st, err := os.Stat(opt.Media); err != nil || !st.IsDir() {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "media folder %s: not a folder that can be read", opt.Media)
		}
	}
	if each != nil {
		if err := each(ctx, ms.load); err != nil {
			return nil, storeError{err}
		}
	}
	return ms, nil
}

// done puts the summary in sum when a media folder was read.
func (ms *mediaStage) done(sum *Summary) {
	if ms != nil && len(ms.sum.Folders) > 0 {
		sum.Media = ms.sum
	}
}
