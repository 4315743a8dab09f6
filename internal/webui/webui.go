// Package webui serves the web UI: the static files built from web/ by
// Vite (npm run build in web/ writes them to dist/), embedded in the binary
// so that go build needs no Node.
package webui

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed dist
var dist embed.FS

// Handler serves the UI. Paths that name no file get index.html (the UI
// routes in the fragment, so only / and mistyped paths reach it); files
// under assets/ carry a content hash in their names and are cached for a
// year, index.html is revalidated every time. Scripts, styles and text go
// gzip-compressed to browsers that take it (compressed once, kept).
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("webui: embedded dist missing: " + err.Error())
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p != "" && p != "index.html" {
			if st, err := fs.Stat(sub, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
					if z := gzipped(sub, p); z != nil && acceptsGzip(r) {
						h := w.Header()
						h.Set("Content-Encoding", "gzip")
						h.Add("Vary", "Accept-Encoding")
						h.Set("Content-Type", compressible[path.Ext(p)])
						h.Set("Content-Length", strconv.Itoa(len(z)))
						if r.Method != http.MethodHead {
							w.Write(z)
						}
						return
					}
				}
				files.ServeHTTP(w, r)
				return
			}
			if strings.HasPrefix(p, "assets/") || strings.HasPrefix(p, "api/") {
				http.NotFound(w, r)
				return
			}
		}
		index, err := fs.ReadFile(sub, "index.html")
		if err != nil {
			http.Error(w, "web UI not built: run npm run build in web/", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(index)
	})
}

// compressible are the assets worth compressing, by their media types.
var compressible = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
	".svg": "image/svg+xml",
}

var zipped sync.Map // asset path -> []byte (nil: not compressible)

// gzipped returns the asset p of fsys compressed, or nil when it is not
// worth compressing (fonts and images are compressed already).
func gzipped(fsys fs.FS, p string) []byte {
	if v, ok := zipped.Load(p); ok {
		return v.([]byte)
	}
	var out []byte
	if _, ok := compressible[path.Ext(p)]; ok {
		if raw, err := fs.ReadFile(fsys, p); err == nil {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			zw.Write(raw)
			if zw.Close() == nil && b.Len() < len(raw) {
				out = b.Bytes()
			}
		}
	}
	zipped.Store(p, out)
	return out
}

// acceptsGzip reports whether the request takes a gzip-compressed answer.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(name) == "gzip" && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
