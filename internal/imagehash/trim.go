package imagehash

// borderTolerance is how far (of 255) a pixel of a border line may be
// from the line's first pixel: JPEG noise, not content.
const borderTolerance = 16

// trimBorders finds the uniform frame around a picture: from each side,
// the lines (rows, then columns within the rows left) whose every pixel
// is within borderTolerance of the line's first one. It returns the
// rectangle inside, and ok only when two opposite sides lose at least 1%
// of the width or height each (a frame, or the bars of a screenshot; not
// a clear sky above a landscape) and at least half of each remains (not
// a picture that is mostly flat).
func trimBorders(lum []float32, w, h int) (x0, y0, x1, y1 int, ok bool) {
	uniform := func(get func(i int) float32, n int) bool {
		if n <= 0 {
			return true
		}
		ref := get(0)
		for i := 1; i < n; i++ {
			if d := get(i) - ref; d > borderTolerance || d < -borderTolerance {
				return false
			}
		}
		return true
	}
	row := func(y, from, to int) bool {
		return uniform(func(i int) float32 { return lum[y*w+from+i] }, to-from)
	}
	col := func(x, from, to int) bool {
		return uniform(func(i int) float32 { return lum[(from+i)*w+x] }, to-from)
	}
	x0, y0, x1, y1 = 0, 0, w, h
	for y0 < y1 && row(y0, 0, w) {
		y0++
	}
	for y1 > y0 && row(y1-1, 0, w) {
		y1--
	}
	for x0 < x1 && col(x0, y0, y1) {
		x0++
	}
	for x1 > x0 && col(x1-1, y0, y1) {
		x1--
	}
	tw, th := x1-x0, y1-y0
	bars := y0*100 >= h && (h-y1)*100 >= h    // above and below
	pillars := x0*100 >= w && (w-x1)*100 >= w // left and right
	return x0, y0, x1, y1, (bars || pillars) && tw*2 >= w && th*2 >= h
}

// trimmed returns the picture inside its frame, or nil when it has none.
func trimmed(lum []float32, w, h int) ([]float32, int, int) {
	x0, y0, x1, y1, ok := trimBorders(lum, w, h)
	if !ok {
		return nil, 0, 0
	}
	tw, th := x1-x0, y1-y0
	out := make([]float32, tw*th)
	for y := range th {
		copy(out[y*tw:], lum[(y0+y)*w+x0:(y0+y)*w+x1])
	}
	return out, tw, th
}
