package capture_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/capture"
)

func TestCapture(t *testing.T) {
	if testing.Short() {
		t.Skip("a web capture through Chromium: not in -short (go test ./..., as CI runs it, does)")
	}
	page := "<html><body><h1>Result form 45</h1></body></html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	r, err := capture.Capture(context.Background(), srv.URL, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := string(r.WARC)
	sum := sha256.Sum256([]byte(page))
	want := "WARC-Payload-Digest: sha256:" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))
	for _, s := range []string{"WARC/1.1\r\n", "WARC-Type: response", "WARC-Type: request", want, page} {
		if !strings.Contains(w, s) {
			t.Errorf("WARC lacks %q", s)
		}
	}
	if capture.FindChromium() == "" {
		if r.Screenshot != nil || len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "Chromium not installed") {
			t.Errorf("without Chromium: screenshot %d bytes, notes %v; want none and a note saying so", len(r.Screenshot), r.Notes)
		}
		if string(r.HTML) != page {
			t.Errorf("without Chromium: HTML %q, want the response body", r.HTML)
		}
		t.Skip("Chromium not installed (apt-get install chromium): WARC checked, screenshot not tested")
	}
	if len(r.Notes) != 0 || !r.Rendered {
		t.Fatalf("with Chromium: rendered %v, notes %v", r.Rendered, r.Notes)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(r.Screenshot))
	if err != nil {
		t.Fatalf("screenshot (%d bytes) does not decode as PNG: %v", len(r.Screenshot), err)
	}
	// The default viewport is 1280 wide; the page is one heading, so the
	// full page is at least a few pixels and at most the default height.
	if cfg.Width != 1280 || cfg.Height < 20 || cfg.Height > 2000 {
		t.Errorf("screenshot %dx%d, want 1280 wide and 20..2000 high", cfg.Width, cfg.Height)
	}
	if !strings.Contains(string(r.HTML), "<h1>Result form 45</h1>") {
		t.Errorf("rendered HTML %q lacks the heading", r.HTML)
	}
}
