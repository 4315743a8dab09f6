package httpapi

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
)

// A tar archive (.tar), or one compressed by gzip (.tar.gz, .tgz), is
// read like a zip archive (uploadarchive.go) with the same limits, but a
// tar archive has no directory to check before reading: it is read once,
// in order, when the import is asked for, and its regular members are
// extracted (through os.Root, to a temporary folder beside the uploads,
// removed after the import) while their headers are checked. Any problem
// refuses the whole archive with a 400, as a zip's does, and what was
// extracted is removed:
//
//   - a member's path that is absolute, has .. or a backslash (after
//     a leading ./, which tar -C DIR . writes);
//   - a member that is not a regular file or a folder: symbolic and hard
//     links (which could point out of the folder, or at another member),
//     devices, FIFOs, sparse files (whose declared size can be far more
//     than the bytes they hold);
//   - a name given twice, or a file where another member needs a folder;
//   - more members than the limit (--max-entries, 250,000);
//   - a member declaring more than the ratio allows for the archive's
//     size, members together declaring more than the total
//     (--max-decompressed), and a gzip stream expanding past either
//     (read through decompress.Gzip);
//   - a damaged archive (a header that does not parse, a member cut
//     short).
//
// pax global headers (git archive writes one) carry no file and are
// skipped.

// archiveKind says what an upload is by its first bytes: "zip", "tar",
// "tar.gz", or "" for a file to import as it is (a .gz data file is not
// a tar.gz: its content does not start with a tar header).
func archiveKind(p string) string {
	if isZip(p) {
		return "zip"
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(2)
	var r io.Reader = br
	kind := "tar"
	if decompress.IsGzip(head) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return ""
		}
		r, kind = io.LimitReader(zr, 512), "tar.gz"
	}
	var block [512]byte
	if _, err := io.ReadFull(r, block[:]); err != nil {
		return ""
	}
	if isTarHeader(block[:]) {
		return kind
	}
	return ""
}

// isTarHeader reports whether a 512-byte block is a ustar, pax or GNU tar
// header: its magic at byte 257 and a checksum that adds up.
func isTarHeader(b []byte) bool {
	if !bytes.HasPrefix(b[257:], []byte("ustar")) {
		return false
	}
	var sum int64
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	field := strings.TrimRight(strings.TrimSpace(string(bytes.TrimRight(b[148:156], "\x00 "))), "\x00")
	var want int64
	if _, err := fmt.Sscanf(field, "%o", &want); err != nil {
		return false
	}
	return sum == want
}

// tarNamed reports whether an upload's name says it is a tar archive.
func tarNamed(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".tar") || strings.HasSuffix(n, ".tar.gz") || strings.HasSuffix(n, ".tgz")
}

// openTarArchive reads the tar archive at p (gz: compressed by gzip),
// which the request names field, checking each member and extracting the
// regular ones to a new folder that tmp makes; data is as for
// openUploadArchive. Every problem is an EINVALID error naming the field
// and the member.
func openTarArchive(p, field string, gz bool, lim decompress.Limits, tmp func() (string, error), data bool) (_ *uploadArchive, err error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("httpapi: %s: %w", field, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("httpapi: %s: %w", field, err)
	}
	lim.RatioFlag, lim.SizeFlag, lim.EntriesFlag = "", "", ""
	var r io.Reader = bufio.NewReaderSize(f, 1<<16)
	if gz {
		zr, err := decompress.Gzip(field, r, st.Size(), lim)
		if err != nil {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: not a readable tar.gz archive: %v", field, err)
		}
		r = zr
	}
	dir, err := tmp()
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("httpapi: %s: %w", field, err)
	}
	a := &uploadArchive{dir: dir, root: root, fsys: root.FS(), field: field}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	var (
		problems []string
		members  int
		names    []string
		seen     = map[string]bool{}
		declared int64
		allowed  = lim.Allowed(st.Size()) // a member, and all together
		entries  = lim.Entries
	)
	if entries <= 0 {
		entries = decompress.DefaultEntries
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if decompress.IsLimit(err) {
				return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: refused: %s", field, strings.TrimPrefix(err.Error(), field+": "))
			}
			if members == 0 {
				return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: not a readable tar archive: %v", field, err)
			}
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: damaged after member %d: %v", field, members, err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		members++
		if members > entries {
			le := &decompress.LimitError{Name: field, Entries: entries}
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: refused: %s", field, strings.TrimPrefix(le.Error(), field+": "))
		}
		name := h.Name
		for strings.HasPrefix(name, "./") {
			name = name[2:]
		}
		isDir := h.Typeflag == tar.TypeDir
		if isDir {
			name = strings.TrimSuffix(name, "/")
			if name == "." || name == "" {
				continue
			}
		}
		sparse := false
		for k := range h.PAXRecords {
			if strings.HasPrefix(k, "GNU.sparse.") {
				sparse = true
			}
		}
		switch {
		case name == "" || strings.Contains(name, `\`) || !fs.ValidPath(name):
			problems = append(problems, fmt.Sprintf("member %q: unsafe path (absolute, .. or backslash)", h.Name))
			continue
		case sparse || h.Typeflag == tar.TypeGNUSparse:
			problems = append(problems, fmt.Sprintf("member %q: a sparse file (its declared size need not be in the archive)", h.Name))
			continue
		case h.Typeflag == tar.TypeSymlink:
			problems = append(problems, fmt.Sprintf("member %q: a symbolic link (to %q), not a regular file", h.Name, h.Linkname))
			continue
		case h.Typeflag == tar.TypeLink:
			problems = append(problems, fmt.Sprintf("member %q: a hard link (to %q), not a regular file", h.Name, h.Linkname))
			continue
		case !isDir && h.Typeflag != tar.TypeReg: // the reader gives an old regular file (type 0) as TypeReg
			problems = append(problems, fmt.Sprintf("member %q: not a regular file (tar type %q)", h.Name, h.Typeflag))
			continue
		case seen[name] && !isDir:
			problems = append(problems, fmt.Sprintf("member %q: appears more than once", h.Name))
			continue
		}
		if isDir {
			if err := root.MkdirAll(name, 0o750); err != nil && len(problems) == 0 {
				problems = append(problems, fmt.Sprintf("member %q: a folder where another member is a file", h.Name))
			}
			continue
		}
		seen[name] = true
		if h.Size > allowed {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: refused: member %q: declares %s, more than this archive of %s may expand to (%s): refused as a possible decompression bomb", field, h.Name, decompress.Bytes(h.Size), decompress.Bytes(st.Size()), decompress.Bytes(allowed))
		}
		if declared += h.Size; declared > allowed {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: refused: its members declare more than this archive of %s may expand to (%s): refused as a possible decompression bomb", field, decompress.Bytes(st.Size()), decompress.Bytes(allowed))
		}
		if len(problems) > 0 {
			continue // refused: read the other headers, to list their problems too
		}
		if err := extractTarMember(root, name, tr); err != nil {
			if decompress.IsLimit(err) {
				return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: refused: %s", field, strings.TrimPrefix(err.Error(), field+": "))
			}
			var pe *fs.PathError
			if errors.As(err, &pe) && !errors.Is(err, io.ErrUnexpectedEOF) {
				problems = append(problems, fmt.Sprintf("member %q: cannot be extracted beside the others (%v)", h.Name, pe.Err))
				continue
			}
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: member %q: %v", field, h.Name, err)
		}
		names = append(names, name)
	}
	if len(problems) > 0 {
		return nil, refusal(field, problems)
	}
	if members == 0 {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: an empty tar archive", field)
	}
	if data {
		if a.data = dataMembers(names); len(a.data) == 0 {
			return nil, noDataFile(field)
		}
	}
	return a, nil
}

// extractTarMember writes the member tr is at to name under root,
// creating its folders.
func extractTarMember(root *os.Root, name string, tr *tar.Reader) error {
	if d := path.Dir(name); d != "." {
		if err := root.MkdirAll(d, 0o750); err != nil {
			return err
		}
	}
	out, err := root.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, tr)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("cut short: the archive ends inside it")
	}
	return err
}
