package httpapi

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

// An upload that is a zip or tar archive (uploadtar.go) is an export with its pictures
// (docs/images.md, "Uploads with their pictures"): its data files are
// its members named result.json (Telegram Desktop exports), or, when it
// has none, its members ending .json, .jsonl, .ndjson, .csv or .tsv
// (optionally .gz), never those macOS adds (__MACOSX/, ._NAME); each is imported with the archive's folder that
// holds it as its media folder. The archive is checked from its central
// directory (decompress.OpenZip: members, declared sizes and ratio,
// methods, overlaps) before anything is read, every member is read
// through the bounded reader, and only the data files are extracted (to
// a temporary folder beside the uploads); pictures are read from the
// archive.

// isZip reports whether the file at p starts as a zip archive.
func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [4]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return false
	}
	return bytes.Equal(head[:], []byte("PK\x03\x04")) || bytes.Equal(head[:], []byte("PK\x05\x06"))
}

// uploadArchive is an uploaded zip or tar archive opened for an import.
type uploadArchive struct {
	f     *os.File        // a zip archive
	z     *decompress.Zip // a zip archive
	zfs   zipFS           // a zip archive's members
	dir   string          // a tar archive: the folder its members were extracted to, removed by Close
	root  *os.Root        // a tar archive: dir
	fsys  fs.FS           // its regular members as files
	data  []string        // its data files' names, in archive order
	field string          // how the request names it: uploads[0] (export.zip)
}

// openUploadArchive opens and checks the zip archive at p, which the
// request names field; data is whether its data files are wanted (an
// upload to import) or only its pictures (the request's media). Every
// problem is an EINVALID error naming the field and the member.
func openUploadArchive(p, field string, lim decompress.Limits, data bool) (*uploadArchive, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("httpapi: %s: %w", field, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("httpapi: %s: %w", field, err)
	}
	lim.RatioFlag, lim.SizeFlag, lim.EntriesFlag = "", "", ""
	z, err := decompress.OpenZip(f, st.Size(), field, lim)
	if err != nil {
		f.Close()
		var ze *decompress.ZipError
		var le *decompress.LimitError
		if errors.As(err, &ze) || errors.As(err, &le) {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: refused: %s", field, strings.TrimPrefix(err.Error(), field+": "))
		}
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: not a readable zip archive: %v", field, err)
	}
	a := &uploadArchive{f: f, z: z, zfs: zipFS{z: z, files: map[string]*zip.File{}}, field: field}
	a.fsys = a.zfs
	var problems []string
	for _, m := range z.File {
		name := m.Name
		switch {
		case strings.HasSuffix(name, "/") && m.Mode().IsDir():
			continue
		case name == "" || strings.Contains(name, `\`) || !fs.ValidPath(name):
			problems = append(problems, fmt.Sprintf("member %q: unsafe path (absolute, .. or backslash)", name))
			continue
		case !m.Mode().IsRegular():
			problems = append(problems, fmt.Sprintf("member %q: not a regular file (mode %v)", name, m.Mode()))
			continue
		case a.zfs.files[name] != nil:
			problems = append(problems, fmt.Sprintf("member %q: appears more than once", name))
			continue
		}
		a.zfs.files[name] = m
	}
	if len(problems) > 0 {
		f.Close()
		return nil, refusal(field, problems)
	}
	if !data {
		return a, nil
	}
	var names []string
	for _, m := range z.File {
		if a.zfs.files[m.Name] == m {
			names = append(names, m.Name)
		}
	}
	if a.data = dataMembers(names); len(a.data) == 0 {
		f.Close()
		return nil, noDataFile(field)
	}
	return a, nil
}

// refusal is the error of an archive refused for problems (at most five
// listed).
func refusal(field string, problems []string) error {
	if len(problems) > 5 {
		problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
	}
	return tahqiq.Errorf(tahqiq.EINVALID, "%s: refused: %s", field, strings.Join(problems, "; "))
}

func noDataFile(field string) error {
	return tahqiq.Errorf(tahqiq.EINVALID, "%s: no data file in the archive: want a Telegram Desktop export's result.json (with its photos/ and files/ beside it), or files ending .json, .jsonl, .ndjson, .csv or .tsv", field)
}

// dataMembers are an archive's data files among its regular members
// (in archive order): those named result.json, or, when there is none,
// those isDataName accepts; never the resource forks macOS's Archive
// Utility adds (__MACOSX/, ._NAME).
func dataMembers(names []string) []string {
	var results, others []string
	for _, name := range names {
		switch base := path.Base(name); {
		case strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(base, "._"):
		case base == "result.json":
			results = append(results, name)
		case isDataName(base):
			others = append(others, name)
		}
	}
	if len(results) > 0 {
		return results
	}
	return others
}

// isDataName reports whether a member's name is that of a data file.
func isDataName(base string) bool {
	base = strings.TrimSuffix(strings.ToLower(base), ".gz")
	return slices.ContainsFunc([]string{".json", ".jsonl", ".ndjson", ".csv", ".tsv"}, func(ext string) bool { return strings.HasSuffix(base, ext) })
}

// extract copies the archive's data files into dir, through the bounded
// reader, and returns their paths, their names for the import (the
// upload's name, a slash and the member's) and their media folders.
func (a *uploadArchive) extract(dir, uploadName string) (paths []string, names map[string]string, media map[string]ingest.MediaFolder, err error) {
	names, media = map[string]string{}, map[string]ingest.MediaFolder{}
	for i, name := range a.data {
		var p string
		if a.z != nil {
			p = filepath.Join(dir, fmt.Sprintf("%03d-%s", i, path.Base(name)))
			if err := a.copyMember(a.zfs.files[name], p); err != nil {
				return nil, nil, nil, err
			}
		} else {
			p = filepath.Join(a.dir, filepath.FromSlash(name)) // extracted when opened
		}
		paths = append(paths, p)
		names[p] = uploadName + "/" + name
		folder := path.Dir(name)
		sub := fs.FS(a.fsys)
		label := uploadName + ": the archive's top folder"
		if folder != "." {
			if sub, err = fs.Sub(a.fsys, folder); err != nil {
				return nil, nil, nil, fmt.Errorf("httpapi: %s: %w", a.field, err)
			}
			label = uploadName + ": " + folder + "/"
		}
		media[p] = ingest.MediaFolder{Name: label, FS: sub}
	}
	return paths, names, media, nil
}

func (a *uploadArchive) copyMember(m *zip.File, p string) error {
	rc, err := a.z.Open(m)
	if err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "%s: member %q cannot be read: %v", a.field, m.Name, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("httpapi: extract %s: %w", a.field, err)
	}
	_, err = io.Copy(out, rc)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if decompress.IsLimit(err) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
			return tahqiq.Errorf(tahqiq.EINVALID, "%s: member %q: %s", a.field, m.Name, strings.TrimPrefix(err.Error(), a.field+": "))
		}
		return fmt.Errorf("httpapi: extract %s: %w", a.field, err)
	}
	return nil
}

func (a *uploadArchive) Close() error {
	if a.dir != "" {
		a.root.Close()
		return os.RemoveAll(a.dir)
	}
	return a.f.Close()
}

// zipFS is the regular members of a checked archive as a file system,
// each read through the archive's bounded reader. Only files can be
// opened; a folder is not a file.
type zipFS struct {
	z     *decompress.Zip
	files map[string]*zip.File
}

func (z zipFS) Open(name string) (fs.File, error) {
	m := z.files[name]
	if !fs.ValidPath(name) || m == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	rc, err := z.z.Open(m)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return zipFile{ReadCloser: rc, info: m.FileInfo()}, nil
}

type zipFile struct {
	io.ReadCloser
	info fs.FileInfo
}

func (f zipFile) Stat() (fs.FileInfo, error) { return f.info, nil }
