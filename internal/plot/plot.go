// Package plot draws the few charts of the audit report (histograms with a
// null band, a heat map, bar charts) on a small canvas of rectangles, lines
// and text that renders to SVG and, without the text, to PNG (image/png).
package plot

import (
	"bufio"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strconv"
)

type kind int

const (
	kRect kind = iota
	kLine
	kText
)

type item struct {
	k            kind
	x, y, w, h   float64 // rect; line: x,y -> w,h as x2,y2
	c            color.RGBA
	text, anchor string
	size         float64
	rotate       float64 // text: degrees around (x, y)
}

// Canvas is a drawing of W x H pixels.
type Canvas struct {
	W, H  int
	items []item
}

// New returns a canvas with a white background.
func New(w, h int) *Canvas {
	c := &Canvas{W: w, H: h}
	c.Rect(0, 0, float64(w), float64(h), color.RGBA{255, 255, 255, 255})
	return c
}

// Rect fills a rectangle.
func (c *Canvas) Rect(x, y, w, h float64, col color.RGBA) {
	c.items = append(c.items, item{k: kRect, x: x, y: y, w: w, h: h, c: col})
}

// Line draws a line.
func (c *Canvas) Line(x1, y1, x2, y2 float64, col color.RGBA) {
	c.items = append(c.items, item{k: kLine, x: x1, y: y1, w: x2, h: y2, c: col})
}

// Text writes text (SVG only); anchor is start, middle or end.
func (c *Canvas) Text(x, y float64, s, anchor string, size float64) {
	c.items = append(c.items, item{k: kText, x: x, y: y, text: s, anchor: anchor, size: size, c: color.RGBA{0, 0, 0, 255}})
}

// TextRotated writes text turned by deg degrees around (x, y) (SVG only;
// -90 reads bottom to top, for a vertical axis title).
func (c *Canvas) TextRotated(x, y float64, s, anchor string, size, deg float64) {
	c.items = append(c.items, item{k: kText, x: x, y: y, text: s, anchor: anchor, size: size, rotate: deg, c: color.RGBA{0, 0, 0, 255}})
}

func hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// SVG writes the canvas as SVG.
func (c *Canvas) SVG(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">`+"\n", c.W, c.H, c.W, c.H)
	for _, it := range c.items {
		switch it.k {
		case kRect:
			op := ""
			if it.c.A != 255 {
				op = fmt.Sprintf(` fill-opacity="%.2f"`, float64(it.c.A)/255)
			}
			fmt.Fprintf(bw, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"%s/>`+"\n", it.x, it.y, it.w, it.h, hex(it.c), op)
		case kLine:
			fmt.Fprintf(bw, `<line x1="%.2f" y1="%.2f" x2="%.2f" y2="%.2f" stroke="%s" stroke-width="1"/>`+"\n", it.x, it.y, it.w, it.h, hex(it.c))
		case kText:
			rot := ""
			if it.rotate != 0 {
				rot = fmt.Sprintf(` transform="rotate(%g %.2f %.2f)"`, it.rotate, it.x, it.y)
			}
			fmt.Fprintf(bw, `<text x="%.2f" y="%.2f" font-size="%.0f" text-anchor="%s"%s>%s</text>`+"\n", it.x, it.y, it.size, it.anchor, rot, html.EscapeString(it.text))
		}
	}
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}

// PNG writes the canvas as PNG (text is not rasterised).
func (c *Canvas) PNG(w io.Writer) error {
	img := image.NewRGBA(image.Rect(0, 0, c.W, c.H))
	blend := func(x, y int, col color.RGBA) {
		if x < 0 || y < 0 || x >= c.W || y >= c.H {
			return
		}
		if col.A == 255 {
			img.SetRGBA(x, y, col)
			return
		}
		o := img.RGBAAt(x, y)
		a := float64(col.A) / 255
		mix := func(p, q uint8) uint8 { return uint8(float64(p)*(1-a) + float64(q)*a + 0.5) }
		img.SetRGBA(x, y, color.RGBA{mix(o.R, col.R), mix(o.G, col.G), mix(o.B, col.B), 255})
	}
	for _, it := range c.items {
		switch it.k {
		case kRect:
			x0, y0 := int(math.Round(it.x)), int(math.Round(it.y))
			x1, y1 := int(math.Round(it.x+it.w)), int(math.Round(it.y+it.h))
			if x1 == x0 && it.w > 0 {
				x1++
			}
			if y1 == y0 && it.h > 0 {
				y1++
			}
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					blend(x, y, it.c)
				}
			}
		case kLine:
			n := int(math.Max(math.Abs(it.w-it.x), math.Abs(it.h-it.y))) + 1
			for i := 0; i <= n; i++ {
				t := float64(i) / float64(n)
				blend(int(math.Round(it.x+t*(it.w-it.x))), int(math.Round(it.y+t*(it.h-it.y))), it.c)
			}
		}
	}
	return png.Encode(w, img)
}

// Colours used by the charts.
var (
	Bar  = color.RGBA{70, 110, 170, 255}
	Band = color.RGBA{230, 120, 40, 90}
	Null = color.RGBA{200, 80, 20, 255}
	Axis = color.RGBA{60, 60, 60, 255}
	Neg  = color.RGBA{190, 50, 50, 255}
)

const margin = 50.0

// left is where the plot area of the histograms and the heat map starts:
// room for tick labels of six characters and a vertical axis title.
const left = 70.0

// niceStep is a round step (1, 2 or 5 times a power of ten) that cuts span
// into about n parts.
func niceStep(span float64, n int) float64 {
	if span <= 0 || n < 1 {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// axes draws the frame, the title, the axis titles (the vertical one
// turned) and round ticks on the count axis from 0 to ymax, which it
// rounds up to the last tick; it returns the plot area and that ymax.
func axes(c *Canvas, title, xlabel, ylabel string, ymax float64) (x0, y0, pw, ph, top float64) {
	x0, y0 = left, float64(c.H)-margin
	pw, ph = float64(c.W)-x0-20, float64(c.H)-2*margin
	step := niceStep(ymax, 4)
	top = math.Ceil(ymax/step-1e-9) * step
	if top <= 0 {
		top = step
	}
	c.Line(x0, y0, x0+pw, y0, Axis)
	c.Line(x0, y0, x0, y0-ph, Axis)
	c.Text(float64(c.W)/2, 22, title, "middle", 14)
	c.Text(x0+pw/2, float64(c.H)-12, xlabel, "middle", 11)
	c.TextRotated(16, y0-ph/2, ylabel, "middle", 11, -90)
	for v := 0.0; v <= top*(1+1e-9); v += step {
		y := y0 - ph*v/top
		c.Line(x0-4, y, x0, y, Axis)
		c.Text(x0-6, y+4, trim(v), "end", 10)
	}
	return
}

func trim(v float64) string {
	if v == 0 {
		return "0" // not -0
	}
	if v >= 100 || v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2g", v)
}

// HistOptions describe a histogram. Bar i spans [X0 + i*DX, X0 + (i+1)*DX)
// (bins: ticks on the bars' edges), or, with Centred, stands for the one
// value X0 + i*DX (ticks under the bars' centres). Band, when not nil,
// gives a [lo, hi] null band per bar.
type HistOptions struct {
	Title, XLabel, YLabel string
	X0, DX                float64
	Centred               bool
	Band                  [][2]float64
}

// Histogram draws bars of heights ys with round ticks on both axes.
func Histogram(o HistOptions, ys []float64) *Canvas {
	c := New(720, 360)
	if o.DX == 0 {
		o.DX = 1
	}
	ymax := 0.0
	for i, y := range ys {
		ymax = math.Max(ymax, y)
		if o.Band != nil {
			ymax = math.Max(ymax, o.Band[i][1])
		}
	}
	if ymax == 0 {
		ymax = 1
	}
	x0, y0, pw, ph, top := axes(c, o.Title, o.XLabel, o.YLabel, ymax)
	n := float64(len(ys))
	bw := pw / n
	for i, y := range ys {
		h := ph * y / top
		c.Rect(x0+float64(i)*bw, y0-h, math.Max(bw-0.5, 0.5), h, Bar)
		if o.Band != nil {
			lo, hi := ph*o.Band[i][0]/top, ph*o.Band[i][1]/top
			c.Rect(x0+float64(i)*bw, y0-hi, math.Max(bw, 1), math.Max(hi-lo, 1), Band)
		}
	}
	// x ticks at round values: bin edges, or the centres of the bars
	lo, hi := o.X0, o.X0+n*o.DX
	shift := 0.0
	if o.Centred {
		hi = o.X0 + (n-1)*o.DX
		shift = bw / 2
	}
	step := niceStep(hi-lo, 10)
	for v := math.Ceil(lo/step-1e-9) * step; v <= hi+step*1e-9; v += step {
		x := x0 + (v-o.X0)/o.DX*bw + shift
		c.Line(x, y0, x, y0+4, Axis)
		c.Text(x, y0+16, trim(v), "middle", 10)
	}
	return c
}

// heat is the colour of t in [0, 1] (white to dark red).
func heat(t float64) color.RGBA {
	return color.RGBA{uint8(255 * (1 - t*0.2)), uint8(255 * (1 - t)), uint8(255 * (1 - t*0.9)), 255}
}

// HeatMap draws counts[i][j] with i along x and j along y, on a log colour
// scale (log(1 + count)) with its key (keyLabel above it: what is counted;
// white is 0). Axes are percentages 0..100.
func HeatMap(title, xlabel, ylabel, keyLabel string, counts [][]int64) *Canvas {
	c := New(700, 560)
	x0, y0 := left, float64(c.H)-margin
	pw, ph := 460.0, float64(c.H)-2*margin
	c.Text(float64(c.W)/2, 22, title, "middle", 14)
	c.Text(x0+pw/2, float64(c.H)-12, xlabel, "middle", 11)
	c.TextRotated(16, y0-ph/2, ylabel, "middle", 11, -90)
	var max int64
	for _, r := range counts {
		for _, v := range r {
			if v > max {
				max = v
			}
		}
	}
	nx := len(counts)
	if nx == 0 || max == 0 {
		return c
	}
	ny := len(counts[0])
	cw, chh := pw/float64(nx), ph/float64(ny)
	lm := math.Log1p(float64(max))
	for i, r := range counts {
		for j, v := range r {
			if v == 0 {
				continue
			}
			c.Rect(x0+float64(i)*cw, y0-float64(j+1)*chh, cw+0.3, chh+0.3, heat(math.Log1p(float64(v))/lm))
		}
	}
	c.Line(x0, y0, x0+pw, y0, Axis)
	c.Line(x0, y0, x0, y0-ph, Axis)
	for i := 0; i <= 10; i++ {
		c.Text(x0+pw*float64(i)/10, y0+16, fmt.Sprintf("%d", i*10), "middle", 10)
		c.Text(x0-6, y0-ph*float64(i)/10+4, fmt.Sprintf("%d", i*10), "end", 10)
	}
	// colour key: the gradient from 0 (white) to the largest count, with
	// the counts 1, 10, 100, ... and the largest at their heights
	kx, kw := x0+pw+34, 14.0
	ktop := y0 - ph
	c.Text(kx, ktop-22, keyLabel, "start", 10)
	c.Text(kx, ktop-10, "log scale", "start", 10)
	const steps = 40
	for k := range steps {
		t := (float64(k) + 0.5) / steps
		c.Rect(kx, y0-ph*float64(k+1)/steps, kw, ph/steps+0.3, heat(t))
	}
	c.Line(kx, y0, kx+kw, y0, Axis)
	c.Line(kx, ktop, kx+kw, ktop, Axis)
	at := func(v int64) float64 { return y0 - ph*math.Log1p(float64(v))/lm }
	c.Text(kx+kw+6, at(0)+4, "0", "start", 10)
	for v := int64(1); v < max; v *= 10 {
		if at(v)-at(max) < 12 {
			break // too close to the largest count's label
		}
		c.Line(kx+kw, at(v), kx+kw+4, at(v), Axis)
		c.Text(kx+kw+6, at(v)+4, strconv.FormatInt(v, 10), "start", 10)
	}
	c.Line(kx+kw, at(max), kx+kw+4, at(max), Axis)
	c.Text(kx+kw+6, at(max)+4, strconv.FormatInt(max, 10), "start", 10)
	return c
}

// Bars draws labelled signed bars (e.g. per-candidate deltas).
func Bars(title string, labels []string, values []float64) *Canvas {
	h := 80 + 22*len(labels)
	c := New(720, h)
	c.Text(360, 22, title, "middle", 14)
	max := 0.0
	for _, v := range values {
		max = math.Max(max, math.Abs(v))
	}
	if max == 0 {
		max = 1
	}
	mid := 460.0
	half := 230.0
	c.Line(mid, 40, mid, float64(h-20), Axis)
	for i, v := range values {
		y := 44 + 22*float64(i)
		w := half * math.Abs(v) / max
		col := Bar
		x := mid
		if v < 0 {
			col, x = Neg, mid-w
		}
		c.Rect(x, y, math.Max(w, 1), 16, col)
		c.Text(8, y+12, labels[i], "start", 10)
		c.Text(mid+half+25, y+12, fmt.Sprintf("%+.0f", v), "end", 10)
	}
	return c
}
