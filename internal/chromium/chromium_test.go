package chromium_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/chromium"
)

func needChromium(t *testing.T) {
	t.Helper()
	if chromium.Find() == "" {
		t.Skip("Chromium not installed (apt-get install chromium): screenshot and PDF not tested")
	}
}

// tall is a page taller than the 900-pixel viewport, so that a viewport
// screenshot and a full-page one differ.
const tall = `<!doctype html><html><head><meta charset="utf-8"><title>Form 45</title></head>
<body style="margin:0"><h1>Result form 45, PS-112</h1><div style="height:2400px;background:#eee">votes</div><p id="end">end</p></body></html>`

func TestRenderFullPage(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium renders a full page: not in -short (go test ./..., as CI runs it, does)")
	}
	needChromium(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, tall)
	}))
	defer srv.Close()
	p, err := chromium.Render(context.Background(), srv.URL, chromium.Options{Width: 1024})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(p.Screenshot))
	if err != nil {
		t.Fatalf("screenshot (%d bytes) is not a PNG: %v", len(p.Screenshot), err)
	}
	// 1024 wide; at least the 2400-pixel div plus the heading and the
	// paragraph tall, far more than the 900-pixel viewport.
	if cfg.Width != 1024 || cfg.Height < 2450 || cfg.Height > 3000 {
		t.Errorf("screenshot %dx%d, want 1024 x 2450..3000 (the whole page)", cfg.Width, cfg.Height)
	}
	if !strings.Contains(string(p.DOM), `<p id="end">end</p>`) || !strings.Contains(string(p.DOM), "PS-112") {
		t.Errorf("DOM lacks the page's content: %.200s", p.DOM)
	}
}

func TestPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium prints a PDF: not in -short (go test ./..., as CI runs it, does)")
	}
	needChromium(t)
	f := filepath.Join(t.TempDir(), "r.html")
	os.WriteFile(f, []byte(tall), 0o644)
	b, err := chromium.PDF(context.Background(), "file://"+f, chromium.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) || len(b) < 1000 {
		t.Errorf("PDF: %d bytes starting %q", len(b), b[:min(len(b), 8)])
	}
}

func TestNotInstalled(t *testing.T) {
	if chromium.Find() == "" {
		if _, err := chromium.Render(context.Background(), "http://127.0.0.1:1/", chromium.Options{}); err != chromium.ErrNotInstalled {
			t.Errorf("err = %v, want ErrNotInstalled", err)
		}
	}
	// A missing binary is an error, not a hang or a panic.
	if _, err := chromium.Render(context.Background(), "http://127.0.0.1:1/", chromium.Options{Path: "/nonexistent/chromium"}); err == nil {
		t.Error("Render with a missing binary: no error")
	}
}
