package casework_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io/fs"
	"os"
	"sync/atomic"
	"testing"

	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/decompress"
)

// countingReaderAt counts the bytes verification reads of an archive.
type countingReaderAt struct {
	r *bytes.Reader
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// zipBomb is a bundle-shaped zip whose manifest.json declares size bytes
// of zeros deflated to about a thousandth of that.
func zipBomb(t testing.TB, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "SHA256SUMS", Method: zip.Deflate})
	w.Write([]byte("0000000000000000000000000000000000000000000000000000000000000000  manifest.json\n"))
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "manifest.json", Method: zip.Deflate})
	zero := make([]byte, 1<<20)
	for range size >> 20 {
		w.Write(zero)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestZipBundleBomb: a zip bomb given to verify is refused from its
// central directory, before any member is read: the report names the
// member and the limit, and verification reads a few KiB of the archive,
// not its 64 KiB of compressed zeros (so memory and time stay flat
// however far the member would expand; before, a 4 GiB member was read
// whole into memory: 81 s and 9.7 GB).
func TestZipBundleBomb(t *testing.T) {
	b := zipBomb(t, 64<<20)
	ra := &countingReaderAt{r: bytes.NewReader(b)}
	r := bundle.VerifyZip(ra, int64(len(b)), "bomb.zip", casework.VerifyOptions{})
	wantProblem(t, r, nil, `bomb.zip: member "manifest.json": declares 64 MiB, more than 100 times its compressed size`)
	if n := ra.n.Load(); n > 16<<10 {
		t.Errorf("verification read %d bytes of a %d-byte zip bomb, want under 16 KiB", n, len(b))
	}
	t.Logf("%d-byte bomb refused after reading %d bytes: %v", len(b), ra.n.Load(), r.Problems)
}

// BenchmarkVerifyZipBomb: a member declaring 1 GiB (1 MiB compressed).
func BenchmarkVerifyZipBomb(b *testing.B) {
	z := zipBomb(b, 1<<30)
	b.ReportAllocs()
	for b.Loop() {
		if r := bundle.VerifyZip(bytes.NewReader(z), int64(len(z)), "bomb.zip", casework.VerifyOptions{}); r.OK() {
			b.Fatal("a zip bomb verified")
		}
	}
}

// overlap adds to the zip at path a central directory entry named name
// for the data of the member called of: two members, one range of bytes.
func overlap(t *testing.T, path, of, name string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	end := bytes.LastIndex(b, []byte("PK\x05\x06"))
	cd := int(le.Uint32(b[end+16:]))
	var entry []byte
	for i := cd; i < end; {
		n, m, k := int(le.Uint16(b[i+28:])), int(le.Uint16(b[i+30:])), int(le.Uint16(b[i+32:]))
		if string(b[i+46:i+46+n]) == of {
			entry = bytes.Clone(b[i : i+46+n+m+k])
			break
		}
		i += 46 + n + m + k
	}
	if entry == nil || len(name) != len(of) {
		t.Fatalf("no member %q (or a name of another length)", of)
	}
	copy(entry[46:], name)
	tail := bytes.Clone(b[end:])
	le.PutUint16(tail[8:], le.Uint16(tail[8:])+1)
	le.PutUint16(tail[10:], le.Uint16(tail[10:])+1)
	le.PutUint32(tail[12:], le.Uint32(tail[12:])+uint32(len(entry)))
	out := append(append(b[:end:end], entry...), tail...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestZipBundleHostile: archives built to attack the verifier are
// refused, each with its problem named, before anything is hashed.
func TestZipBundleHostile(t *testing.T) {
	tests := []struct {
		name   string
		opt    casework.VerifyOptions
		tamper func(t *testing.T, path string)
		want   string
	}{
		{"overlapping members", casework.VerifyOptions{}, func(t *testing.T, path string) {
			overlap(t, path, "manifest.json", "manifest.jsoo")
		}, `members "manifest.json" and "manifest.jsoo" overlap`},
		{"too many members", casework.VerifyOptions{Limits: decompress.Limits{Entries: 5, EntriesFlag: "--max-entries"}}, func(*testing.T, string) {},
			"more than 5 members: refused before reading any; for a large, trusted file raise --max-entries"},
		{"members over the total", casework.VerifyOptions{Limits: decompress.Limits{Size: 100}}, func(*testing.T, string) {},
			"more than 100 B"},
		{"symlink member", casework.VerifyOptions{}, func(t *testing.T, path string) {
			rezipWith(t, path, func(zw *zip.Writer) {
				h := &zip.FileHeader{Name: "blobs/link", Method: zip.Store}
				h.SetMode(fs.ModeSymlink | 0o777)
				w, _ := zw.CreateHeader(h)
				w.Write([]byte("/etc/passwd"))
			})
		}, `zip member "blobs/link": not a regular file`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			out := exportZip(t, f)
			tc.tamper(t, out)
			r, err := bundle.Verify(out, tc.opt)
			if r != nil {
				t.Logf("problems: %v", r.Problems)
			}
			wantProblem(t, r, err, tc.want)
		})
	}
}

// rezipWith copies the zip at path and lets add write more members.
func rezipWith(t *testing.T, path string, add func(*zip.Writer)) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	zr.Close()
	add(zw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
