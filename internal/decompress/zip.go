package decompress

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Zip is a zip archive that passed OpenZip's checks. Read its members
// with Open, never with zip.File.Open, so that every read is bounded.
type Zip struct {
	*zip.Reader
	name string
	l    Limits
}

// ZipError says what is wrong with a zip archive's structure. Nothing of
// such an archive should be read.
type ZipError struct {
	Name     string   // the archive
	Problems []string // each in the user's terms, without the archive's name
}

func (e *ZipError) Error() string { return e.Name + ": " + strings.Join(e.Problems, "; ") }

// maxProblems caps the problems a ZipError lists.
const maxProblems = 20

// OpenZip checks the zip archive ra of size bytes, named name, from its
// central directory before any member is read, and returns it. It fails
// with a *ZipError when the archive has more members than l allows, when
// a member declares more bytes than l allows for its compressed size (or
// all of them together more than the total, or more than the ratio for
// the archive's size), uses a compression method other than stored or
// deflated, declares a stored size unlike its data's, or has data that
// overlap another member's (the overlapping zip bomb) or run past the end;
// with another error when it is not a zip archive at all. The central
// directory is counted before archive/zip indexes it, so a directory of
// millions of members costs no memory. Names, duplicates and links are
// the caller's to judge (they depend on what the archive is for).
func OpenZip(ra io.ReaderAt, size int64, name string, l Limits) (*Zip, error) {
	cd, err := readCentral(ra, size, l.entries())
	if err != nil {
		return nil, err
	}
	zerr := &ZipError{Name: name}
	if len(cd.local) > l.entries() {
		le := &LimitError{Name: name, Entries: l.entries(), Flag: l.EntriesFlag}
		zerr.Problems = append(zerr.Problems, strings.TrimPrefix(le.Error(), name+": "))
		return nil, zerr
	}
	// archive/zip reads what the walk above read, give or take its
	// buffering; if it read further, it would see members the walk did
	// not count.
	guard := &budgetReaderAt{ra: ra, left: cd.read + 256<<10}
	zr, err := zip.NewReader(guard, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // insecure names are the caller's to report
		return nil, err
	}
	guard.left = -1 // members are read through Open, bounded there
	if len(zr.File) != len(cd.local) {
		zerr.Problems = append(zerr.Problems, fmt.Sprintf("its central directory is ambiguous (%d members counted, %d indexed)", len(cd.local), len(zr.File)))
		return nil, zerr
	}
	type span struct {
		start, end int64
		name       string
	}
	spans := make([]span, 0, len(zr.File))
	var total int64
	memberTooBig := false
	add := func(f string, a ...any) {
		if len(zerr.Problems) < maxProblems {
			zerr.Problems = append(zerr.Problems, fmt.Sprintf(f, a...))
		}
	}
	const huge = 1 << 62
	for i, f := range zr.File {
		u, c := f.UncompressedSize64, f.CompressedSize64
		if u > huge || c > huge {
			add("member %q: declares an impossible size", f.Name)
			continue
		}
		switch f.Method {
		case zip.Store:
			if u != c {
				add("member %q: stored without compression, but declares %d bytes in %d", f.Name, u, c)
			}
		case zip.Deflate:
		default:
			add("member %q: compression method %d (only stored and deflated members are read)", f.Name, f.Method)
		}
		if a := l.Allowed(int64(c)); int64(u) > a {
			le := l.refuse(fmt.Sprintf("member %q", f.Name), int64(c), a)
			le.Declared = int64(u)
			add("%s", le.Error())
			memberTooBig = true
		}
		total += int64(u)
		data, err := f.DataOffset()
		if err != nil {
			add("member %q: no local header where the directory says (%v)", f.Name, err)
			continue
		}
		start, end := cd.local[i], data+int64(c)
		if start >= data || end > size {
			add("member %q: its data runs past the end of the archive", f.Name)
			continue
		}
		spans = append(spans, span{start, end, f.Name})
	}
	if a := l.Allowed(size); total > a && !memberTooBig {
		le := l.refuse("the archive", size, a)
		le.Declared = total
		add("%s", strings.Replace(le.Error(), "the archive: declares", "its members declare", 1))
	}
	slices.SortFunc(spans, func(a, b span) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	for i := 1; i < len(spans); i++ {
		if p, s := spans[i-1], spans[i]; s.start < p.end {
			add("members %q and %q overlap (bytes %d-%d and %d-%d of the archive), as in an overlapping zip bomb", p.name, s.name, p.start, p.end, s.start, s.end)
		}
	}
	if len(zerr.Problems) > 0 {
		return nil, zerr
	}
	return &Zip{Reader: zr, name: name, l: l}, nil
}

// Open opens member f of z for reading: its content, failing with a
// *LimitError past what its compressed size allows (archive/zip already
// fails past its declared size and on a CRC-32 mismatch).
func (z *Zip) Open(f *zip.File) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	b := NewReader(z.name, rc, int64(f.CompressedSize64), z.l)
	b.member, b.closer = f.Name, rc
	return b, nil
}

// budgetReaderAt fails reads once left bytes are spent (left < 0: no
// budget).
type budgetReaderAt struct {
	ra   io.ReaderAt
	left int64
}

var errBudget = errors.New("the central directory is larger than the one counted")

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.left >= 0 {
		if int64(len(p)) > b.left {
			return 0, errBudget
		}
		b.left -= int64(len(p))
	}
	return b.ra.ReadAt(p, off)
}

// central is what readCentral learns from the central directory.
type central struct {
	local []int64 // each member's local header offset in the file, in directory order
	read  int64   // bytes read
}

// Zip record signatures and lengths (APPNOTE.TXT).
const (
	sigCentral  = 0x02014b50
	sigEnd      = 0x06054b50
	sigEnd64    = 0x06064b50
	sigLocator  = 0x07064b50
	lenEnd      = 22
	lenLocator  = 20
	lenEnd64    = 56
	lenCentral  = 46
	zip64Extra  = 0x0001
	maxUint32   = 1<<32 - 1
	maxUint16   = 1<<16 - 1
	endSearches = 65 << 10
)

// readCentral finds the central directory as archive/zip does (end
// record in the last 1 KiB or 65 KiB, zip64 end through its locator, the
// same base offset) and walks it without keeping it, collecting the local
// header offsets of at most max+1 members.
func readCentral(ra io.ReaderAt, size int64, max int) (central, error) {
	var c central
	var buf []byte
	var end int64 = -1
	for _, n := range []int64{1024, endSearches} {
		n = min(n, size)
		buf = make([]byte, n)
		if _, err := ra.ReadAt(buf, size-n); err != nil && err != io.EOF {
			return c, err
		}
		c.read += n
		if p := findEnd(buf); p >= 0 {
			buf, end = buf[p:], size-n+int64(p)
			break
		}
		if n == size {
			break
		}
	}
	if end < 0 {
		return c, zip.ErrFormat
	}
	le := binary.LittleEndian
	records, dirSize, dirOff := uint64(le.Uint16(buf[10:])), uint64(le.Uint32(buf[12:])), uint64(le.Uint32(buf[16:]))
	if records == maxUint16 || dirSize == maxUint16 || dirOff == maxUint32 {
		if loc := end - lenLocator; loc >= 0 {
			b := make([]byte, lenLocator)
			if _, err := ra.ReadAt(b, loc); err != nil {
				return c, err
			}
			if le.Uint32(b) == sigLocator && le.Uint32(b[4:]) == 0 && le.Uint32(b[16:]) == 1 {
				p := int64(le.Uint64(b[8:]))
				e := make([]byte, lenEnd64)
				if p < 0 || p > size-lenEnd64 {
					return c, zip.ErrFormat
				}
				if _, err := ra.ReadAt(e, p); err != nil {
					return c, err
				}
				if le.Uint32(e) != sigEnd64 {
					return c, zip.ErrFormat
				}
				end, dirSize, dirOff = p, le.Uint64(e[40:]), le.Uint64(e[48:])
			}
		}
	}
	if dirSize > 1<<62 || dirOff > 1<<62 {
		return c, zip.ErrFormat
	}
	base := end - int64(dirSize) - int64(dirOff)
	if o := base + int64(dirOff); o < 0 || o >= size {
		return c, zip.ErrFormat
	}
	if base > 0 { // archive/zip prefers 0 when a header is found there
		h := make([]byte, 4)
		if _, err := ra.ReadAt(h, int64(dirOff)); err == nil && le.Uint32(h) == sigCentral {
			base = 0
		}
	}
	off := base + int64(dirOff)
	br := bufio.NewReaderSize(io.NewSectionReader(ra, off, size-off), int(min(size-off, 64<<10)))
	h := make([]byte, lenCentral)
	var extra []byte
	for len(c.local) <= max {
		if _, err := io.ReadFull(br, h); err != nil || le.Uint32(h) != sigCentral {
			break
		}
		n, m, k := int(le.Uint16(h[28:])), int(le.Uint16(h[30:])), int(le.Uint16(h[32:]))
		local := uint64(le.Uint32(h[42:]))
		if _, err := br.Discard(n); err != nil {
			break
		}
		if m > len(extra) {
			extra = make([]byte, m)
		}
		if _, err := io.ReadFull(br, extra[:m]); err != nil {
			break
		}
		if _, err := br.Discard(k); err != nil {
			break
		}
		if local == maxUint32 {
			local = zip64Offset(extra[:m], le.Uint32(h[24:]) == maxUint32, le.Uint32(h[20:]) == maxUint32, local)
		}
		c.read += int64(lenCentral + n + m + k)
		c.local = append(c.local, base+int64(min(local, 1<<62)))
	}
	return c, nil
}

// findEnd returns the offset of the end of central directory record in
// b, searching from the end, or -1 (as archive/zip: a record whose
// comment would run past b ends the search).
func findEnd(b []byte) int {
	for i := len(b) - lenEnd; i >= 0; i-- {
		if binary.LittleEndian.Uint32(b[i:]) == sigEnd {
			if n := int(binary.LittleEndian.Uint16(b[i+lenEnd-2:])); n+lenEnd+i > len(b) {
				return -1
			}
			return i
		}
	}
	return -1
}

// zip64Offset reads a member's local header offset from its zip64 extra
// field, whose values are those of the directory header that are all
// ones, in the order uncompressed size, compressed size, offset.
func zip64Offset(extra []byte, usize, csize bool, def uint64) uint64 {
	le := binary.LittleEndian
	for len(extra) >= 4 {
		tag, n := le.Uint16(extra), int(le.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			break
		}
		field := extra[:n]
		extra = extra[n:]
		if tag != zip64Extra {
			continue
		}
		if usize {
			if len(field) < 8 {
				return def
			}
			field = field[8:]
		}
		if csize {
			if len(field) < 8 {
				return def
			}
			field = field[8:]
		}
		if len(field) < 8 {
			return def
		}
		return le.Uint64(field)
	}
	return def
}
