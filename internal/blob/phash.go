package blob

import (
	"fmt"
	"image"
	_ "image/gif"  // register decoder
	_ "image/jpeg" // register decoder
	_ "image/png"  // register decoder
	"io"
	"math/bits"
)

// DHash is a 64-bit difference hash of an image: the picture is reduced to
// 9x8 grey cells (box average) and each bit says whether a cell is brighter
// than its right neighbour. Re-encoded, resized or lightly recompressed
// copies of the same picture differ in few bits (see Distance).
func DHash(r io.Reader) (uint64, error) {
	img, _, err := image.Decode(r)
	if err != nil {
		return 0, fmt.Errorf("blob: dhash: %w", err)
	}
	b := img.Bounds()
	if b.Dx() < 1 || b.Dy() < 1 {
		return 0, fmt.Errorf("blob: dhash: empty image")
	}
	const w, h = 9, 8
	var grey [h][w]float64
	for y := 0; y < h; y++ {
		y0 := b.Min.Y + y*b.Dy()/h
		y1 := max(b.Min.Y+(y+1)*b.Dy()/h, y0+1)
		for x := 0; x < w; x++ {
			x0 := b.Min.X + x*b.Dx()/w
			x1 := max(b.Min.X+(x+1)*b.Dx()/w, x0+1)
			var sum float64
			var n int
			// sample at most 16x16 points per cell to bound the cost
			sy := max((y1-y0)/16, 1)
			sx := max((x1-x0)/16, 1)
			for yy := y0; yy < y1; yy += sy {
				for xx := x0; xx < x1; xx += sx {
					r, g, bl, _ := img.At(xx, yy).RGBA()
					sum += 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)
					n++
				}
			}
			grey[y][x] = sum / float64(n)
		}
	}
	var hash uint64
	for y := 0; y < h; y++ {
		for x := 0; x < w-1; x++ {
			hash <<= 1
			if grey[y][x] > grey[y][x+1] {
				hash |= 1
			}
		}
	}
	return hash, nil
}

// Distance is the Hamming distance between two hashes; 10 or less out of
// 64 usually means the same picture.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }
