package httpapi

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/decompress"
)

// FuzzTarArchive: whatever the bytes of an uploaded tar (or tar.gz)
// archive, reading it never panics, and what it leaves is either nothing
// (refused: the extraction folder is gone) or regular files and folders
// only, all inside the extraction folder, none larger than the limit,
// with every data file it names among them.
func FuzzTarArchive(f *testing.F) {
	add := func(gz bool, members ...[3]string) { // name, type, body
		var b bytes.Buffer
		var zw *gzip.Writer
		tw := tar.NewWriter(&b)
		if gz {
			zw = gzip.NewWriter(&b)
			tw = tar.NewWriter(zw)
		}
		for _, m := range members {
			h := &tar.Header{Name: m[0], Typeflag: m[1][0], Mode: 0o644, Size: int64(len(m[2]))}
			if h.Typeflag != tar.TypeReg {
				h.Size, h.Linkname = 0, m[2]
			}
			tw.WriteHeader(h)
			if h.Typeflag == tar.TypeReg {
				tw.Write([]byte(m[2]))
			}
		}
		tw.Close()
		if gz {
			zw.Close()
		}
		f.Add(b.Bytes(), gz)
	}
	reg, dir, sym, link := string(tar.TypeReg), string(tar.TypeDir), string(tar.TypeSymlink), string(tar.TypeLink)
	add(false, [3]string{"result.json", reg, "{}"}, [3]string{"photos/", dir, ""}, [3]string{"photos/a.jpg", reg, "x"})
	add(true, [3]string{"./export/result.json", reg, "{}"}, [3]string{"export/photos/a.jpg", reg, "x"})
	add(false, [3]string{"result.json", reg, "{}"}, [3]string{"photos/a.jpg", sym, "/etc/passwd"})
	add(false, [3]string{"result.json", reg, "{}"}, [3]string{"photos/a.jpg", link, "result.json"})
	add(false, [3]string{"../x.json", reg, "{}"})
	add(true, [3]string{"a", reg, "x"}, [3]string{"a/b.json", reg, "{}"})
	lim := decompress.Limits{Ratio: 10, Size: 1 << 20, Entries: 50, Floor: 4096}
	f.Fuzz(func(t *testing.T, data []byte, gz bool) {
		work := t.TempDir()
		p := filepath.Join(work, "upload")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var made []string
		tmp := func() (string, error) {
			d, err := os.MkdirTemp(work, ".import-")
			made = append(made, d)
			return d, err
		}
		a, err := openTarArchive(p, "uploads[0] (x.tar)", gz, lim, tmp, true)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "uploads[0] (x.tar): ") && !strings.Contains(err.Error(), "uploads[0] (x.tar)") {
				t.Errorf("an error that does not name the upload: %v", err)
			}
			for _, d := range made {
				if _, err := os.Stat(d); err == nil {
					t.Errorf("refused, but %s is left", d)
				}
			}
			return
		}
		defer a.Close()
		err = filepath.WalkDir(a.dir, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if rel, _ := filepath.Rel(a.dir, q); strings.HasPrefix(rel, "..") {
				t.Errorf("%s is outside the extraction folder", q)
			}
			st, err := os.Lstat(q)
			if err != nil {
				return err
			}
			if !st.Mode().IsRegular() && !st.IsDir() {
				t.Errorf("%s is neither a file nor a folder (%v)", q, st.Mode())
			}
			if st.Mode().IsRegular() && st.Size() > lim.Allowed(int64(len(data))) {
				t.Errorf("%s holds %d bytes, more than the %d allowed", q, st.Size(), lim.Allowed(int64(len(data))))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range a.data {
			if st, err := os.Lstat(filepath.Join(a.dir, filepath.FromSlash(name))); err != nil || !st.Mode().IsRegular() {
				t.Errorf("data file %s: %v", name, err)
			}
		}
	})
}
