package cli_test

import (
	"bytes"
	"encoding/json"
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

// TestCaptureAndReportCLI captures a page served on 127.0.0.1 into a case,
// writes the report (HTML, and PDF where Chromium is installed) and
// verifies the store.
func TestCaptureAndReportCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("a web capture in Chromium and the case report: not in -short (go test ./..., as CI runs it, does)")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><body><h1>Form 47, NA-54</h1><p>صوبائی اسمبلی</p></body></html>`)
	}))
	defer srv.Close()
	data := t.TempDir()
	if out, code := runCase(t, data, "org", "init", "--org", "Team", "--admin", "amina"); code != 0 {
		t.Fatalf("org init = %d: %s", code, out)
	}
	out, _ := runCase(t, data, "case", "new", "--title", "T", "--json")
	var id struct{ ID string }
	json.Unmarshal([]byte(out), &id)
	out, code := runCase(t, data, "capture", srv.URL, "--case", id.ID, "--as", "amina", "--json")
	if code != 0 {
		t.Fatalf("capture = %d: %s", code, out)
	}
	var it struct {
		Blobs []struct{ Name, SHA256 string }
	}
	// The JSON item may be followed by a note on stderr (no Chromium).
	if err := json.NewDecoder(strings.NewReader(out[strings.Index(out, "{"):])).Decode(&it); err != nil {
		t.Fatalf("capture --json output: %v: %s", err, out)
	}
	names := map[string]string{}
	for _, b := range it.Blobs {
		names[b.Name] = b.SHA256
	}
	have := chromium.Find() != ""
	if names["page.warc"] == "" || names["page.html"] == "" || (names["screenshot.png"] != "") != have {
		t.Fatalf("capture item blobs %v (Chromium installed: %v): %s", names, have, out)
	}
	if !have && !strings.Contains(out, "Chromium not installed") {
		t.Errorf("capture without Chromium does not say so: %s", out)
	}
	if have {
		b, err := findBlob(data, names["screenshot.png"])
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != 1280 || cfg.Height < 20 {
			t.Errorf("screenshot %dx%d, %v; want a 1280-wide PNG", cfg.Width, cfg.Height, err)
		}
	}
	dir := t.TempDir()
	html, pdf := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.pdf")
	out, code = runCase(t, data, "case", "report", id.ID, "--out", html, "--pdf", pdf)
	if code != 0 {
		t.Fatalf("report = %d: %s", code, out)
	}
	if b, _ := os.ReadFile(html); !bytes.Contains(b, []byte("capture of "+srv.URL)) {
		t.Errorf("HTML report lacks the capture item")
	}
	b, err := os.ReadFile(pdf)
	switch {
	case have && (err != nil || !bytes.HasPrefix(b, []byte("%PDF-"))):
		t.Errorf("PDF report: %d bytes, %v", len(b), err)
	case !have && (err == nil || !strings.Contains(out, "Chromium not installed")):
		t.Errorf("without Chromium: PDF written or not explained: %s", out)
	}
	if out, code := runCase(t, data, "verify", "--key", filepath.Join(data, "keys", "log.pub")); code != 0 {
		t.Fatalf("verify = %d: %s", code, out)
	}
}

func findBlob(data, sum string) ([]byte, error) {
	var found []byte
	err := filepath.Walk(data, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Name() == sum {
			found, err = os.ReadFile(p)
		}
		return err
	})
	if found == nil && err == nil {
		err = os.ErrNotExist
	}
	return found, err
}
