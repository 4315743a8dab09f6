package ingest

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// headSize is how much of an input the format sniffers see.
const headSize = 64 << 10

// input is one opened input file: its identity and a buffered reader of its
// (decompressed) bytes.
type input struct {
	path  string // as opened ("-" for stdin); file.Name may be the name the user knows it by
	file  tahqiq.ImportFile
	r     *bufio.Reader
	count *countingReader
	close func() error
	gz    *decompress.Reader // the bounded gunzip of a .gz input; nil for plain input
	raw   *rawCounter        // the bytes of the file as given read so far
}

// openInput opens name ("-" for stdin). It hashes the file as given first
// (a regular file is read twice; stdin is spooled to a temporary file), so
// that an already imported file is known before it is parsed, then returns
// a reader of the content, gunzipped when it starts with the gzip magic,
// within lim (see refused). display is the name the user knows it by
// (an upload's original name), or "". The file's bytes (as given, before
// gunzip) count to prog as they are read; stdin adds its size to prog's
// total once spooled.
func openInput(name, display string, stdin io.Reader, lim decompress.Limits, prog *progress.Phase) (*input, error) {
	var f *os.File
	var cleanup func()
	if name == "-" {
		tmp, err := os.CreateTemp("", "tahqiq-stdin-*")
		if err != nil {
			return nil, fmt.Errorf("ingest: spool stdin: %w", err)
		}
		cleanup = func() { os.Remove(tmp.Name()) }
		if _, err := io.Copy(tmp, stdin); err != nil {
			tmp.Close()
			cleanup()
			return nil, fmt.Errorf("ingest: spool stdin: %w", err)
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			tmp.Close()
			cleanup()
			return nil, fmt.Errorf("ingest: spool stdin: %w", err)
		}
		f = tmp
		if st, err := tmp.Stat(); err == nil {
			prog.AddTotal(st.Size())
		}
	} else {
		var err error
		f, err = os.Open(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "%s: no such file", name)
			}
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: cannot open: %w", name, err)
		}
		if st, err := f.Stat(); err == nil && st.IsDir() {
			f.Close()
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: is a directory", name)
		}
	}
	closeAll := func() error {
		err := f.Close()
		if cleanup != nil {
			cleanup()
		}
		return err
	}
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("ingest: read %s: %w", name, err)
	}
	in := &input{
		path:  name,
		file:  tahqiq.ImportFile{Name: name, SHA256: hex.EncodeToString(h.Sum(nil)), Size: size},
		close: closeAll,
	}
	in.raw = &rawCounter{r: f, prog: prog}
	br := bufio.NewReaderSize(in.raw, 1<<20)
	magic, _ := br.Peek(2)
	var content io.Reader = br
	if decompress.IsGzip(magic) {
		label := cmp.Or(display, name)
		if name == "-" && display == "" {
			label = "standard input"
		}
		zr, err := decompress.Gzip(label, br, size, lim)
		if err != nil {
			closeAll()
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: bad gzip header: %w", name, err)
		}
		content, in.gz = zr, zr
	}
	in.count = &countingReader{r: content}
	in.r = bufio.NewReaderSize(in.count, 1<<20)
	return in, nil
}

// refused returns the refusal of in's decompression, if it expanded
// beyond its limits, whatever the parser made of the failed read: the
// file cannot be imported in part, so the import must fail.
func (in *input) refused() error {
	if in.gz == nil {
		return nil
	}
	return in.gz.Err()
}

// head returns up to headSize bytes from the start of the content without
// consuming them.
func (in *input) head() ([]byte, error) {
	b, err := in.r.Peek(headSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return b, fmt.Errorf("ingest: read %s: %w", in.file.Name, err)
	}
	return b, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// rawCounter counts the bytes read of an input file as given, to its
// progress phase (one report per buffer filled).
type rawCounter struct {
	r    io.Reader
	n    int64
	prog *progress.Phase
}

func (c *rawCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.prog.Add(int64(n))
	return n, err
}

// finished counts to prog the bytes of in not read (a file skipped, or
// whose reading stopped), so that the bytes done reach the total.
func (in *input) finished(prog *progress.Phase) {
	if rest := in.file.Size - in.raw.n; rest > 0 {
		prog.Add(rest)
		in.raw.n = in.file.Size
	}
}

// inputSize is the size of the files, as far as they can be seen before
// they are read (stdin counts once spooled).
func inputSize(files []string) int64 {
	var n int64
	for _, f := range files {
		if f == "-" {
			continue
		}
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			n += st.Size()
		}
	}
	return n
}
