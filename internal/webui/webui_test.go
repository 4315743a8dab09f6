package webui_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/webui"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(webui.Handler())
	defer srv.Close()
	get := func(p string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, index := get("/")
	if res.StatusCode != 200 || !strings.Contains(index, `<div id="app">`) || !strings.Contains(index, "/assets/") {
		t.Fatalf("GET /: %d %q", res.StatusCode, index)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index Cache-Control = %q", cc)
	}
	// the script the index names is served, cached for good
	i := strings.Index(index, "/assets/")
	j := strings.IndexByte(index[i:], '"')
	asset := index[i : i+j]
	res, body := get(asset)
	if res.StatusCode != 200 || len(body) < 1000 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s: %d, %d bytes, Cache-Control %q", asset, res.StatusCode, len(body), res.Header.Get("Cache-Control"))
	}
	// compressed for a browser that takes it (Go's client asks for gzip and
	// unpacks it: the same bytes), as they are for one that does not
	if !res.Uncompressed {
		t.Errorf("GET %s: not gzip-compressed", asset)
	}
	req, _ := http.NewRequest("GET", srv.URL+asset, nil)
	req.Header.Set("Accept-Encoding", "identity")
	plain, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := io.ReadAll(plain.Body)
	plain.Body.Close()
	if string(pb) != body || plain.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(plain.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("GET %s without gzip: %d bytes, %q, %q; compressed: %d bytes", asset, len(pb), plain.Header.Get("Content-Encoding"), plain.Header.Get("Content-Type"), len(body))
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/cases/c-1", 200},         // an unknown page gets the UI
		{"/assets/missing.js", 404}, // a missing asset does not
		{"/api/v1/nothing", 404},
		{"/../../etc/passwd", 200}, // cleaned to the index, never a file outside dist
	} {
		res, body := get(tc.path)
		if res.StatusCode != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, res.StatusCode, tc.want)
		}
		if tc.want == 200 && body != index {
			t.Errorf("GET %s did not serve the index", tc.path)
		}
	}
	req, _ = http.NewRequest("POST", srv.URL+"/", nil)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d", res.StatusCode)
	}
}

// TestBuiltFromSources fails when web/ changed without `npm run build`:
// the committed bundle must be the one its committed sources give.
func TestBuiltFromSources(t *testing.T) {
	web := filepath.Join("..", "..", "web")
	var files []string
	err := filepath.WalkDir(filepath.Join(web, "src"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(web, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "index.html", "vite.config.js", "package-lock.json")
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(web, f))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s\n%x\n", f, sha256.Sum256(b))
	}
	stamp, err := os.ReadFile(filepath.Join("dist", "SOURCE"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%x", h.Sum(nil)), strings.TrimSpace(string(stamp)); got != want {
		t.Fatalf("web/ sources hash to %s but the committed bundle was built from %s: run `npm ci && npm run build` in web/ and commit internal/webui/dist", got, want)
	}
}
