package decompress_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tahqiq/tahqiq/internal/decompress"
)

// countingReaderAt counts the bytes read from an archive.
type countingReaderAt struct {
	r *bytes.Reader
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

type file struct {
	name   string
	data   []byte
	method uint16
}

func makeZip(t testing.TB, files ...file) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: f.method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zeros(n int) []byte { return make([]byte, n) }

// rawZip writes a stored zip by hand: one local header and data per
// distinct local name, then a central directory entry per name of names,
// each pointing at the local header of locals[i]; so that two entries
// may share one member's data (the overlapping zip bomb).
func rawZip(locals []file, names []string, point []int) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	offs := make([]int, len(locals))
	for i, f := range locals {
		offs[i] = b.Len()
		h := make([]byte, 30)
		le.PutUint32(h, 0x04034b50)
		le.PutUint16(h[4:], 20)
		le.PutUint32(h[14:], crc32.ChecksumIEEE(f.data))
		le.PutUint32(h[18:], uint32(len(f.data)))
		le.PutUint32(h[22:], uint32(len(f.data)))
		le.PutUint16(h[26:], uint16(len(f.name)))
		b.Write(h)
		b.WriteString(f.name)
		b.Write(f.data)
	}
	cd := b.Len()
	for i, n := range names {
		f := locals[point[i]]
		h := make([]byte, 46)
		le.PutUint32(h, 0x02014b50)
		le.PutUint16(h[4:], 20)
		le.PutUint16(h[6:], 20)
		le.PutUint32(h[16:], crc32.ChecksumIEEE(f.data))
		le.PutUint32(h[20:], uint32(len(f.data)))
		le.PutUint32(h[24:], uint32(len(f.data)))
		le.PutUint16(h[28:], uint16(len(n)))
		le.PutUint32(h[42:], uint32(offs[point[i]]))
		b.Write(h)
		b.WriteString(n)
	}
	e := make([]byte, 22)
	le.PutUint32(e, 0x06054b50)
	le.PutUint16(e[8:], uint16(len(names)))
	le.PutUint16(e[10:], uint16(len(names)))
	le.PutUint32(e[12:], uint32(b.Len()-cd))
	le.PutUint32(e[16:], uint32(cd))
	b.Write(e)
	return b.Bytes()
}

func open(t testing.TB, b []byte, l decompress.Limits) (*decompress.Zip, error) {
	t.Helper()
	return decompress.OpenZip(bytes.NewReader(b), int64(len(b)), "case.zip", l)
}

// TestZipBombRefusedBeforeReading: a member declaring 64 MiB of zeros in
// 64 KiB (1,000:1) is refused from the central directory: the check reads
// a few KiB of the archive, never the member, so memory and time stay flat
// whatever the member declares.
func TestZipBombRefusedBeforeReading(t *testing.T) {
	b := makeZip(t, file{"SHA256SUMS", []byte("x"), zip.Deflate}, file{"manifest.json", zeros(64 << 20), zip.Deflate})
	ra := &countingReaderAt{r: bytes.NewReader(b)}
	_, err := decompress.OpenZip(ra, int64(len(b)), "case.zip", decompress.Limits{RatioFlag: "--max-ratio"})
	var ze *decompress.ZipError
	if !errorsAs(err, &ze) || len(ze.Problems) != 1 {
		t.Fatalf("err = %v, want one problem", err)
	}
	for _, s := range []string{`member "manifest.json": declares 64 MiB, more than 100 times its compressed size`, "decompression bomb", "raise --max-ratio"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if n := ra.n.Load(); n > 16<<10 {
		t.Errorf("read %d bytes of a %d-byte archive to refuse it, want under 16 KiB", n, len(b))
	}
	t.Logf("%d-byte archive refused after reading %d bytes: %v", len(b), ra.n.Load(), err)
}

func errorsAs(err error, ze **decompress.ZipError) bool {
	e, ok := err.(*decompress.ZipError)
	*ze = e
	return ok
}

func TestZipChecks(t *testing.T) {
	small := []byte("hello, world\n")
	many := make([]file, 12)
	for i := range many {
		many[i] = file{fmt.Sprintf("f%d", i), small, zip.Store}
	}
	tests := []struct {
		name string
		zip  []byte
		l    decompress.Limits
		want string // "" accepts
	}{
		{"ordinary", makeZip(t, file{"a", small, zip.Deflate}, file{"b", small, zip.Store}), decompress.Limits{}, ""},
		{"compressible but small (below the floor)", makeZip(t, file{"a", zeros(4 << 20), zip.Deflate}), decompress.Limits{}, ""},
		{"too many members", makeZip(t, many...), decompress.Limits{Entries: 10, EntriesFlag: "--max-entries"},
			"case.zip: more than 10 members: refused before reading any; for a large, trusted file raise --max-entries"},
		{"as many members as allowed", makeZip(t, many...), decompress.Limits{Entries: 12}, ""},
		{"member over the total", makeZip(t, file{"a", zeros(2 << 20), zip.Store}), decompress.Limits{Size: 1 << 20, SizeFlag: "--max-decompressed"},
			`member "a": declares 2 MiB, more than 1 MiB: refused as a possible decompression bomb; for a large, trusted file raise --max-decompressed`},
		{"members over the total together", makeZip(t, file{"a", zeros(600 << 10), zip.Store}, file{"b", zeros(600 << 10), zip.Store}), decompress.Limits{Size: 1 << 20},
			"its members declare 1.2 MiB, more than 1 MiB"},
		{"overlapping members", rawZip([]file{{name: "a", data: small}}, []string{"a", "b"}, []int{0, 0}), decompress.Limits{},
			`members "a" and "b" overlap (bytes 0-44 and 0-44 of the archive), as in an overlapping zip bomb`},
		{"distinct members side by side", rawZip([]file{{name: "a", data: small}, {name: "b", data: small}}, []string{"a", "b"}, []int{0, 1}), decompress.Limits{}, ""},
		{"unknown method", withMethod(makeZip(t, file{"a", small, zip.Store}), 12), decompress.Limits{},
			`member "a": compression method 12 (only stored and deflated members are read)`},
		{"stored member whose sizes differ", withSizes(makeZip(t, file{"a", small, zip.Store}), 13, 1<<30), decompress.Limits{},
			`member "a": stored without compression, but declares 1073741824 bytes in 13`},
		{"data past the end", withSizes(makeZip(t, file{"a", small, zip.Store}), 1<<20, 1<<20), decompress.Limits{},
			`member "a": its data runs past the end of the archive`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z, err := open(t, tc.zip, tc.l)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				for _, f := range z.File {
					rc, err := z.Open(f)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := io.Copy(io.Discard, rc); err != nil {
						t.Errorf("%s: %v", f.Name, err)
					}
					rc.Close()
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant %q", err, tc.want)
			}
		})
	}
}

// withMethod sets the compression method of every member.
func withMethod(b []byte, m uint16) []byte {
	return patchCentral(b, func(h []byte) { binary.LittleEndian.PutUint16(h[10:], m) })
}

// withSizes sets the compressed and uncompressed sizes every central
// directory entry declares.
func withSizes(b []byte, c, u uint32) []byte {
	return patchCentral(b, func(h []byte) {
		binary.LittleEndian.PutUint32(h[20:], c)
		binary.LittleEndian.PutUint32(h[24:], u)
	})
}

func patchCentral(b []byte, edit func(h []byte)) []byte {
	b = bytes.Clone(b)
	for i := 0; i+46 <= len(b); i++ {
		if binary.LittleEndian.Uint32(b[i:]) == 0x02014b50 {
			edit(b[i : i+46])
		}
	}
	return b
}

// TestZip64Count: an archive of more than 65,535 members (zip64 end
// record) is counted exactly.
func TestZip64Count(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 70,000 members")
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range 70000 {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprint(i), Method: zip.Store})
		w.Write([]byte{1})
	}
	zw.Close()
	if _, err := open(t, b.Bytes(), decompress.Limits{Entries: 70000}); err != nil {
		t.Fatalf("70,000 members, 70,000 allowed: %v", err)
	}
	if _, err := open(t, b.Bytes(), decompress.Limits{Entries: 69999}); err == nil || !strings.Contains(err.Error(), "more than 69999 members") {
		t.Fatalf("70,000 members, 69,999 allowed: %v", err)
	}
}

// TestZipMemberReadIsBounded: a member whose declared sizes are within
// the limits but whose stream goes on is cut off by archive/zip at its
// declared size; one that lies about its compressed size cannot pass the
// ratio either.
func TestZipMemberReadIsBounded(t *testing.T) {
	b := makeZip(t, file{"a", zeros(1 << 20), zip.Deflate})
	b = withSizes(b, 0, 0) // declares nothing: the compressed stream is cut to 0 bytes
	z, err := open(t, b, decompress.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := z.Open(z.File[0])
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc)
	if err == nil || n > 0 {
		t.Fatalf("a member declaring 0 bytes read %d bytes, err %v", n, err)
	}
}

func FuzzOpenZip(f *testing.F) {
	f.Add(makeZip(f, file{"a", []byte("hello"), zip.Deflate}, file{"b/c", zeros(1000), zip.Store}))
	f.Add(rawZip([]file{{name: "a", data: []byte("x")}}, []string{"a", "b"}, []int{0, 0}))
	f.Fuzz(func(t *testing.T, b []byte) {
		z, err := open(t, b, decompress.Limits{Size: 1 << 20})
		if err != nil {
			return
		}
		var total int64
		for _, f := range z.File {
			rc, err := z.Open(f)
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, rc)
			rc.Close()
			total += n
		}
		if total > 1<<20 {
			t.Fatalf("read %d bytes from an archive allowed 1 MiB", total)
		}
	})
}

func BenchmarkOpenZipSmall(b *testing.B) {
	z := makeZip(b, file{"a", []byte("hello"), zip.Deflate}, file{"b/c", zeros(1000), zip.Store})
	for b.Loop() {
		open(b, z, decompress.Limits{})
	}
}
