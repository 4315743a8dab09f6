package imagehash

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// Hash is a 256-bit PDQ hash. Its text form is 64 hex digits in the
// reference implementations' order: sixteen 16-bit words, the last word
// first; bit 16u+v is set when the DCT coefficient of vertical frequency
// u+1 and horizontal frequency v+1 is above the median of the 256.
type Hash [4]uint64

// String returns the 64 hex digits of h.
func (h Hash) String() string {
	return fmt.Sprintf("%016x%016x%016x%016x", h[0], h[1], h[2], h[3])
}

// ParseHash reads the 64 hex digits of a PDQ hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("imagehash: a PDQ hash is 64 hex digits, not %d characters", len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return h, fmt.Errorf("imagehash: PDQ hash %q: %w", s, err)
	}
	for i := range h {
		for _, c := range b[8*i : 8*i+8] {
			h[i] = h[i]<<8 | uint64(c)
		}
	}
	return h, nil
}

// Distance is the Hamming distance between two hashes, 0 to 256.
func Distance(a, b Hash) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// setBit sets bit b (0..255): word b/16 of the reference layout, which
// prints words from the 16th to the first.
func (h *Hash) setBit(b int) {
	pos := 15 - b>>4 // the word's place in the hex string
	h[pos>>2] |= 1 << (uint(3-pos&3)*16 + uint(b&15))
}

// word returns 16-bit word c (0..15) counted from the start of the hex
// string: the chunks of the multi-index (Index).
func (h Hash) word(c int) uint16 {
	return uint16(h[c>>2] >> (uint(3-c&3) * 16))
}

// Transform is one of the eight symmetries of a square picture: the
// dihedral group. A picture turned or mirrored by t hashes close to
// Dihedral(…)[t] of the original.
type Transform int

// The transforms, in the order Dihedral returns their hashes.
const (
	Original         Transform = iota
	Rotate90                   // a quarter turn clockwise
	Rotate180                  // a half turn
	Rotate270                  // a quarter turn anticlockwise
	MirrorHorizontal           // left and right swapped
	MirrorVertical             // top and bottom swapped
	Transpose                  // mirrored across the main diagonal (top left to bottom right)
	Transverse                 // mirrored across the other diagonal
)

var transformNames = [...]string{"original", "rotate-90", "rotate-180", "rotate-270", "mirror-horizontal", "mirror-vertical", "transpose", "transverse"}

func (t Transform) String() string {
	if t < 0 || int(t) >= len(transformNames) {
		return fmt.Sprintf("transform(%d)", int(t))
	}
	return transformNames[t]
}

// Result is what hashing one picture gives.
type Result struct {
	PDQ     Hash
	Quality int // 0 to 100: how much detail the picture has (see Quality)
	// Dihedral are the PDQ hashes of the picture turned and mirrored
	// (indexed by Transform; Dihedral[Original] is PDQ), derived from
	// one transform as the reference implementations do.
	Dihedral [8]Hash
	// Trimmed is the PDQ hash of the picture inside a uniform frame
	// (a border added around a re-posted picture, bars of a
	// screenshot), when it has one (HasTrimmed).
	Trimmed    Hash
	HasTrimmed bool
	DHash      uint64 // the 64-bit difference hash (see DHash)
	Width      int    // after the EXIF orientation
	Height     int
	// Orientation is the EXIF orientation applied (1 to 8; 1 when the
	// file has none).
	Orientation int
	Format      string // jpeg, png, gif, webp
}

// pdq hashes a luminance picture (values 0 to 255, w×h, row by row):
// the Jarosz filter and decimation to 64×64, the quality, the 16×16
// lowest non-constant DCT coefficients and the hash of each dihedral
// transform. It overwrites lum.
func pdq(lum []float32, w, h int) (hashes [8]Hash, quality int) {
	jarosz(lum, w, h)
	var small [64 * 64]float32
	decimate(lum, w, h, &small)
	quality = gradientQuality(&small)
	var coef [16 * 16]float32
	dct16(&small, &coef)
	for t := Original; t <= Transverse; t++ {
		hashes[t] = hashCoefficients(dihedral(&coef, t))
	}
	return hashes, quality
}

// jarosz smooths lum in place with the two-pass Jarosz filter: twice a
// box filter along the rows, then along the columns, each with a window
// of ceil(dim/128) samples, so that the 64×64 decimation that follows
// samples a picture without aliasing.
func jarosz(lum []float32, w, h int) {
	wr := (w + 127) / 128 // along a row: the number of columns decides
	wc := (h + 127) / 128
	scratch := make([]float32, max(w, h))
	for range 2 {
		for y := range h {
			row := lum[y*w : y*w+w]
			copy(scratch, row)
			box(scratch[:w], row, 1, wr)
		}
		for x := range w {
			for y := range h {
				scratch[y] = lum[y*w+x]
			}
			box(scratch[:h], lum[x:], w, wc)
		}
	}
}

// box writes to out (every stride-th value) the mean of in over a window
// of size samples around each position: size/2 samples after it and the
// rest before, fewer where the window runs past an end (the mean is then
// over the samples there are). The running sum adds the sample entering
// the window before it drops the one leaving, in float32.
func box(in []float32, out []float32, stride, size int) {
	n := len(in)
	after := size / 2          // samples after the position
	before := size - 1 - after // samples before it
	var sum float32
	count := 0
	// the window of position 0 is [0, after]
	next := 0 // the next sample to enter
	for ; next < after && next < n; next++ {
		sum += in[next]
		count++
	}
	for i := range n {
		if next < n { // the sample at i+after enters
			sum += in[next]
			count++
			next++
		}
		if left := i - before - 1; left >= 0 { // the sample before i-before leaves
			sum -= in[left]
			count--
		}
		out[i*stride] = sum / float32(count)
	}
}

// decimate samples the smoothed picture at the centres of a 64×64 grid.
func decimate(lum []float32, w, h int, out *[64 * 64]float32) {
	for i := range 64 {
		y := int((float64(i) + 0.5) * float64(h) / 64)
		for j := range 64 {
			x := int((float64(j) + 0.5) * float64(w) / 64)
			out[i*64+j] = lum[y*w+x]
		}
	}
}

// gradientQuality is PDQ's quality: the sum over neighbouring samples of
// the 64×64 picture (down and across) of their absolute difference in
// whole percent of the full range, divided by 90 and capped at 100. A
// flat or nearly flat picture scores low; its hash is mostly noise.
func gradientQuality(s *[64 * 64]float32) int {
	sum := 0
	for i := range 63 {
		for j := range 64 {
			sum += abs(int((s[i*64+j] - s[(i+1)*64+j]) * 100 / 255))
		}
	}
	for i := range 64 {
		for j := range 63 {
			sum += abs(int((s[i*64+j] - s[i*64+j+1]) * 100 / 255))
		}
	}
	return min(sum/90, 100)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// dctMatrix holds the 16 lowest non-constant DCT-II basis rows of length
// 64: sqrt(2/64)·cos(π/128·(u+1)·(2x+1)).
var dctMatrix = func() (m [16 * 64]float32) {
	scale := math.Sqrt(2.0 / 64)
	for u := range 16 {
		for x := range 64 {
			m[u*64+x] = float32(scale * math.Cos(math.Pi/128*float64(u+1)*float64(2*x+1)))
		}
	}
	return m
}()

// dct16 computes D·S·Dᵀ, the 16×16 coefficients of frequencies 1 to 16
// (the constant term left out): coef[u*16+v] has vertical frequency u+1
// and horizontal frequency v+1.
func dct16(s *[64 * 64]float32, coef *[16 * 16]float32) {
	var t [16 * 64]float32 // D·S
	for u := range 16 {
		for x := range 64 {
			var sum float32
			for k := range 64 {
				sum += dctMatrix[u*64+k] * s[k*64+x]
			}
			t[u*64+x] = sum
		}
	}
	for u := range 16 {
		for v := range 16 {
			var sum float32
			for k := range 64 {
				sum += t[u*64+k] * dctMatrix[v*64+k]
			}
			coef[u*16+v] = sum
		}
	}
}

// dihedral returns the coefficients of the picture transformed by t. A
// basis function of odd frequency k+1 (even index k) changes sign when
// the picture is mirrored along its axis, one of even frequency does
// not; swapping the axes transposes the matrix.
func dihedral(c *[16 * 16]float32, t Transform) *[16 * 16]float32 {
	if t == Original {
		return c
	}
	var out [16 * 16]float32
	sign := func(k int) float32 { // of a mirror along an axis, at index k
		if k&1 == 0 {
			return -1
		}
		return 1
	}
	for u := range 16 {
		for v := range 16 {
			var x float32
			switch t {
			case MirrorHorizontal: // columns reversed
				x = sign(v) * c[u*16+v]
			case MirrorVertical: // rows reversed
				x = sign(u) * c[u*16+v]
			case Rotate180:
				x = sign(u) * sign(v) * c[u*16+v]
			case Transpose:
				x = c[v*16+u]
			case Transverse: // transposed, then turned a half
				x = sign(u) * sign(v) * c[v*16+u]
			case Rotate90: // transposed, then columns reversed
				x = sign(v) * c[v*16+u]
			case Rotate270: // transposed, then rows reversed
				x = sign(u) * c[v*16+u]
			}
			out[u*16+v] = x
		}
	}
	return &out
}

// hashCoefficients sets a bit for each coefficient above the median (the
// 128th smallest of the 256).
func hashCoefficients(c *[16 * 16]float32) Hash {
	sorted := *c
	slices.Sort(sorted[:])
	median := sorted[127]
	var h Hash
	for b, x := range c {
		if x > median {
			h.setBit(b)
		}
	}
	return h
}
