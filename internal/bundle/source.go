package bundle

import (
	"archive/zip"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/decompress"
)

// bundleSource is where a bundle's files are read from: a directory or a
// zip archive. Only regular files under safe relative paths are offered;
// anything else is reported when the source is made and never read.
type bundleSource interface {
	names() []string // every readable file, slash paths, sorted
	open(name string) (io.ReadCloser, error)
}

// safeName reports whether name is a relative slash path inside the
// bundle: no leading "/", no "." or ".." element, no backslash, no empty
// element (the zip-slip guard).
func safeName(name string) bool {
	return name != "." && fs.ValidPath(name) && !strings.Contains(name, `\`)
}

type dirSource struct {
	dir   string
	files map[string]bool
}

func newDirSource(dir string, r *casework.Report) *dirSource {
	d := &dirSource{dir: dir, files: map[string]bool{}}
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			r.Add("file", 0, "%s: unreadable: %v", p, err)
			return nil
		}
		if e.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !e.Type().IsRegular() {
			r.Add("file", 0, "%s: not a regular file (symlink or device): not read", rel)
			return nil
		}
		d.files[rel] = true
		return nil
	})
	return d
}

func (d *dirSource) names() []string { return slices.Sorted(maps.Keys(d.files)) }

func (d *dirSource) open(name string) (io.ReadCloser, error) {
	if !d.files[name] {
		return nil, fs.ErrNotExist
	}
	return os.Open(filepath.Join(d.dir, filepath.FromSlash(name)))
}

type zipSource struct {
	z     *decompress.Zip
	files map[string]*zip.File
}

// openZipSource checks the zip bundle ra (size bytes, named name) within
// lim before any member is read (internal/decompress: member count,
// declared sizes, ratio and total, methods, overlapping data); an archive
// that fails is reported, nothing of it is read, and it returns nil. Then
// it indexes the
// members, reporting (and never reading) members with unsafe paths,
// duplicate names, links or other non-regular modes.
func openZipSource(ra io.ReaderAt, size int64, name string, lim decompress.Limits, r *casework.Report) *zipSource {
	z, err := decompress.OpenZip(ra, size, name, lim)
	if err != nil {
		var ze *decompress.ZipError
		if !errors.As(err, &ze) {
			r.Add("file", 0, "%s: not a readable zip archive: %v", name, err)
			return nil
		}
		for _, p := range ze.Problems {
			r.Add("file", 0, "%s: %s: nothing read", name, p)
		}
		return nil
	}
	src := &zipSource{z: z, files: map[string]*zip.File{}}
	for _, f := range z.File {
		name := f.Name
		if strings.HasSuffix(name, "/") && f.FileInfo().IsDir() {
			if !safeName(strings.TrimSuffix(name, "/")) {
				r.Add("file", 0, "zip member %q: unsafe path (absolute, .. or backslash): rejected", name)
			}
			continue
		}
		switch {
		case !safeName(name):
			r.Add("file", 0, "zip member %q: unsafe path (absolute, .. or backslash): rejected, not read", name)
		case !f.Mode().IsRegular():
			r.Add("file", 0, "zip member %q: not a regular file (mode %v): rejected, not read", name, f.Mode())
		case src.files[name] != nil:
			r.Add("file", 0, "zip member %q: appears more than once: rejected", name)
		default:
			src.files[name] = f
		}
	}
	return src
}

func (z *zipSource) names() []string { return slices.Sorted(maps.Keys(z.files)) }

func (z *zipSource) open(name string) (io.ReadCloser, error) {
	f := z.files[name]
	if f == nil {
		return nil, fs.ErrNotExist
	}
	return z.z.Open(f) // its reads fail past the limits, on a CRC-32 mismatch or a corrupt stream
}
