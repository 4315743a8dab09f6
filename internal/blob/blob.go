// Package blob stores evidence files by content: the SHA-256 is computed as
// the bytes arrive, the file is written to a temporary name, fsynced and
// renamed to objects/<2 hex>/<64 hex>. Stored blobs are never modified or
// overwritten. It knows nothing of cases or the custody log.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tahqiq/tahqiq"
)

// Store is a directory of content-addressed blobs.
type Store struct {
	Dir string
}

// Open returns a Store rooted at dir, creating it.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("blob: open: %w", err)
	}
	return &Store{Dir: dir}, nil
}

// Path returns where the blob with hex digest sum lives.
func (s *Store) Path(sum string) string {
	if len(sum) < 2 {
		return filepath.Join(s.Dir, "objects", "invalid")
	}
	return filepath.Join(s.Dir, "objects", sum[:2], sum)
}

// Put copies r into the store and returns its hex SHA-256 and size.
func (s *Store) Put(r io.Reader) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(filepath.Join(s.Dir, "tmp"), "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst := s.Path(sum)
	if _, serr := os.Stat(dst); serr == nil {
		os.Remove(tmp.Name()) // already stored: never overwrite an original
		return sum, size, nil
	}
	if err = os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	if err = os.Chmod(tmp.Name(), 0o400); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	if err = os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	syncDir(filepath.Dir(dst))
	return sum, size, nil
}

// PutFile stores the file at path.
func (s *Store) PutFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, tahqiq.Errorf(tahqiq.ENOTFOUND, "blob: %s: %w", path, err)
	}
	defer f.Close()
	return s.Put(f)
}

// Open opens a blob for reading.
func (s *Store) Open(sum string) (*os.File, error) {
	f, err := os.Open(s.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "blob %s not in store", sum)
	}
	return f, err
}

// Check re-hashes a blob file and reports a named error if it is missing
// or its content no longer matches sum.
func Check(path, sum string) error {
	f, err := os.Open(path)
	if err != nil {
		return tahqiq.Errorf(tahqiq.EVERIFY, "blob %s: missing (%s)", sum, path)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return tahqiq.Errorf(tahqiq.EVERIFY, "blob %s: read: %w", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return tahqiq.Errorf(tahqiq.EVERIFY, "blob %s: content hashes to %s: the file was changed", sum, got)
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
