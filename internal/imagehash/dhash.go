package imagehash

import "math/bits"

// dhash is the 64-bit difference hash of a luminance picture: the
// picture is cut into 9×8 cells, each averaged (over at most 16×16 sample
// points, to bound the cost), and each bit says whether a cell is
// brighter than its right neighbour, row by row from the most
// significant bit. Re-encoded, resized or lightly recompressed copies
// differ in few bits: 0 is the same picture, up to 10 a variant.
func dhash(lum []float32, w, h int) uint64 {
	const cw, ch = 9, 8
	var grey [ch][cw]float64
	for y := range ch {
		y0 := y * h / ch
		y1 := max((y+1)*h/ch, y0+1)
		for x := range cw {
			x0 := x * w / cw
			x1 := max((x+1)*w/cw, x0+1)
			sy := max((y1-y0)/16, 1)
			sx := max((x1-x0)/16, 1)
			var sum float64
			var n int
			for yy := y0; yy < y1 && yy < h; yy += sy {
				for xx := x0; xx < x1 && xx < w; xx += sx {
					sum += float64(lum[yy*w+xx])
					n++
				}
			}
			if n > 0 {
				grey[y][x] = sum / float64(n)
			}
		}
	}
	var hash uint64
	for y := range ch {
		for x := range cw - 1 {
			hash <<= 1
			if grey[y][x] > grey[y][x+1] {
				hash |= 1
			}
		}
	}
	return hash
}

// DHashDistance is the Hamming distance between two dHashes, 0 to 64.
func DHashDistance(a, b uint64) int { return bits.OnesCount64(a ^ b) }
