package decompress

import (
	"compress/gzip"
	"io"
)

// IsGzip reports whether head starts with the gzip magic.
func IsGzip(head []byte) bool { return len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b }

// Gzip returns a reader of the gzip stream r (members concatenated, as
// gzip -d reads them), of compressed bytes in all, bounded by l: it fails
// with a *LimitError once the content passes what l allows. The error of
// a bad header is gzip's.
func Gzip(name string, r io.Reader, compressed int64, l Limits) (*Reader, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	zr.Multistream(true)
	return NewReader(name, zr, compressed, l), nil
}
