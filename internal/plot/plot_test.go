package plot_test

import (
	"bytes"
	"image/png"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq/internal/plot"
)

func svg(t *testing.T, c *plot.Canvas) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.SVG(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

type text struct {
	x, y      float64
	s, rotate string
}

var textRE = regexp.MustCompile(`<text x="([0-9.-]+)" y="([0-9.-]+)"[^>]*?(?: transform="rotate\(([^ ]+)[^"]*")?>([^<]*)</text>`)

// texts returns the text items of an SVG.
func texts(s string) []text {
	var out []text
	for _, m := range textRE.FindAllStringSubmatch(s, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		out = append(out, text{x, y, m[4], m[3]})
	}
	return out
}

var rectRE = regexp.MustCompile(`<rect x="([0-9.-]+)" y="([0-9.-]+)" width="([0-9.-]+)" height="([0-9.-]+)" fill="#466eaa"`)

func TestHistogramRenders(t *testing.T) {
	c := plot.Histogram(plot.HistOptions{Title: "t <&>", XLabel: "x", YLabel: "stations", X0: 0, DX: 1, Band: [][2]float64{{0, 1}, {1, 2}, {1, 2}}}, []float64{1, 3, 2})
	s := svg(t, c)
	if !strings.Contains(s, "t &lt;&amp;&gt;") || strings.Count(s, "<rect") < 7 {
		t.Errorf("svg: %s", s)
	}
	var p bytes.Buffer
	if err := c.PNG(&p); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&p)
	if err != nil || img.Bounds().Dx() != 720 {
		t.Fatalf("png: %v", err)
	}
	// the tallest bar's pixel is blue
	if r, g, b, _ := img.At(300, 300).RGBA(); r == g && g == b {
		t.Errorf("expected a bar at (300,300), got grey %d", r)
	}
}

// A histogram of values 0..100 (one bar per integer percentage) has its
// ticks at round values under the bars' centres (they read 0..50, 61, 71,
// 81, 91, 101); the count axis has round ticks and its title is turned
// vertical, clear of the tick labels.
func TestHistogramTicks(t *testing.T) {
	ys := make([]float64, 101)
	for i := range ys {
		ys[i] = float64(7 * i)
	}
	s := svg(t, plot.Histogram(plot.HistOptions{Title: "integers", XLabel: "percentage", YLabel: "stations", X0: 0, DX: 1, Centred: true}, ys))
	bars := rectRE.FindAllStringSubmatch(s, -1)
	if len(bars) != 101 {
		t.Fatalf("%d bars", len(bars))
	}
	centre := func(i int) float64 {
		x, _ := strconv.ParseFloat(bars[i][1], 64)
		w, _ := strconv.ParseFloat(bars[i][3], 64)
		return x + w/2
	}
	var xt, yt []string
	var ylabel *text
	all := texts(s)
	for i, tx := range all {
		switch {
		case tx.rotate != "":
			ylabel = &all[i]
		case tx.y > 320 && tx.y < 345: // under the x axis
			xt = append(xt, tx.s)
			if v, err := strconv.Atoi(tx.s); err == nil && math.Abs(tx.x-centre(v)) > 0.6 {
				t.Errorf("tick %s at x %.1f, bar %d's centre at %.1f", tx.s, tx.x, v, centre(v))
			}
		case tx.x < 70 && tx.s != "stations":
			yt = append(yt, tx.s)
		}
	}
	if d := cmp.Diff([]string{"0", "10", "20", "30", "40", "50", "60", "70", "80", "90", "100"}, xt); d != "" {
		t.Errorf("x ticks (-want +got):\n%s", d)
	}
	// max 700: round steps of 100 or 200
	if d := cmp.Diff([]string{"0", "200", "400", "600", "800"}, yt); d != "" {
		t.Errorf("y ticks (-want +got):\n%s", d)
	}
	if ylabel == nil || ylabel.s != "stations" || ylabel.rotate != "-90" {
		t.Fatalf("y label %+v: want \"stations\" turned -90 degrees", ylabel)
	}
	for _, tx := range all {
		// a tick label is at most 6 characters of 10 px type, right-aligned
		// at its x: it starts about 6*6 px before; the vertical title is 11
		// px high around its x
		if tx.rotate == "" && tx.x < 70 && tx.x-6*6 < ylabel.x+6 {
			t.Errorf("tick label %q at x %.1f overlaps the axis title at x %.1f", tx.s, tx.x, ylabel.x)
		}
	}
}

// The heat map has a colour key: a gradient with the counts it stands for
// on a log scale, from 1 to the largest count.
func TestHeatMapKey(t *testing.T) {
	counts := make([][]int64, 10)
	for i := range counts {
		counts[i] = make([]int64, 10)
		counts[i][i] = int64(math.Pow(3, float64(i)))
	}
	s := svg(t, plot.HeatMap("fp", "turnout %", "share %", "stations per cell", counts))
	var labels []string
	for _, tx := range texts(s) {
		if tx.x > 560 {
			labels = append(labels, tx.s)
		}
	}
	if d := cmp.Diff([]string{"stations per cell", "log scale", "0", "1", "10", "100", "1000", "10000", "19683"}, labels); d != "" {
		t.Errorf("colour key labels (-want +got):\n%s", d)
	}
	if strings.Count(s, "<rect") < 10+1+20 {
		t.Errorf("no colour gradient in the key: %d rects", strings.Count(s, "<rect"))
	}
}
