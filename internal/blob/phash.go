package blob

import (
	"fmt"
	"io"

	"github.com/tahqiq/tahqiq/internal/imagehash"
)

// DHash is the 64-bit difference hash of an image (imagehash's, on the
// picture turned upright by its EXIF orientation): the picture is reduced
// to 9x8 grey cells and each bit says whether a cell is brighter than its
// right neighbour. Re-encoded, resized or lightly recompressed copies of
// the same picture differ in few bits (see Distance).
func DHash(r io.Reader) (uint64, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return 0, fmt.Errorf("blob: dhash: %w", err)
	}
	res, err := imagehash.Sum(data)
	if err != nil {
		return 0, fmt.Errorf("blob: dhash: %w", err)
	}
	return res.DHash, nil
}

// Distance is the Hamming distance between two hashes; 10 or less out of
// 64 usually means the same picture.
func Distance(a, b uint64) int { return imagehash.DHashDistance(a, b) }
