package plot_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/plot"
)

func TestHistogramRenders(t *testing.T) {
	c := plot.Histogram("t <&>", "x", []float64{1, 3, 2}, 0, 1, [][2]float64{{0, 1}, {1, 2}, {1, 2}})
	var s, p bytes.Buffer
	if err := c.SVG(&s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.String(), "t &lt;&amp;&gt;") || strings.Count(s.String(), "<rect") < 7 {
		t.Errorf("svg: %s", s.String())
	}
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
