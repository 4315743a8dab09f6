package capture_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/capture"
)

func TestCapture(t *testing.T) {
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
		if r.Screenshot != nil || len(r.Notes) == 0 {
			t.Errorf("without Chromium: screenshot %d bytes, notes %v; want none and a note", len(r.Screenshot), r.Notes)
		}
		t.Log("Chromium not installed: screenshot path not tested")
		return
	}
	if !bytes.HasPrefix(r.Screenshot, []byte("\x89PNG")) || !strings.Contains(string(r.HTML), "Result form 45") {
		t.Errorf("with Chromium: screenshot %d bytes, html %q, notes %v", len(r.Screenshot), r.HTML, r.Notes)
	}
}
