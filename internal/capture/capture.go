// Package capture archives a web page: the HTTP exchange as a WARC/1.1 file
// (ISO 28500) with SHA-256 block and payload digests, the rendered HTML and
// a full-page screenshot through headless Chromium (internal/chromium)
// when it is installed. It stores
// nothing itself and never touches the custody log: it returns files for
// internal/casework to attach.
package capture

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"syscall"
	"time"

	"github.com/tahqiq/tahqiq/internal/chromium"
)

// Result is what a capture produced. Missing parts are explained in Notes.
type Result struct {
	URL        string
	WARC       []byte // request + response records
	HTML       []byte // rendered DOM when Chromium ran, else the response body
	Rendered   bool
	Screenshot []byte // full-page PNG, nil when Chromium is absent or failed
	Notes      []string
	Status     int
}

// Options configures a capture.
type Options struct {
	Client   *http.Client
	Chromium string // path; "" looks for /usr/bin/chromium, chromium, chromium-browser, google-chrome
	Now      func() time.Time
	MaxBody  int64 // bytes; default 64 MiB
	// Guard, when set, decides every address the capture connects to, the
	// server's fetch and the browser's requests alike (the browser goes
	// through a local proxy that dials with it): PublicOnly for a server
	// that must not be made to read its own network. Redirects and the
	// page's resources are checked too, since each is a new connection.
	Guard func(network, address string, c syscall.RawConn) error
}

// FindChromium returns the path of a Chromium binary or "".
func FindChromium() string { return chromium.Find() }

// Capture fetches url and archives it.
func Capture(ctx context.Context, url string, o Options) (*Result, error) {
	proxy := ""
	if o.Guard != nil {
		dialer := &net.Dialer{Timeout: 30 * time.Second, Control: o.Guard}
		o.Client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext,
			TLSHandshakeTimeout: 20 * time.Second, ResponseHeaderTimeout: 30 * time.Second}}
		gp, err := startGuardProxy(dialer)
		if err != nil {
			return nil, err
		}
		defer gp.Close()
		proxy = gp.URL()
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 60 * time.Second}
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
	if o.MaxBody == 0 {
		o.MaxBody = 64 << 20
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("capture: %s: %w", url, err)
	}
	req.Header.Set("User-Agent", "tahqiq-capture/1 (+https://github.com/tahqiq/tahqiq)")
	reqBytes, err := httputil.DumpRequestOut(req, false)
	if err != nil {
		return nil, fmt.Errorf("capture: %s: %w", url, err)
	}
	at := o.Now().UTC()
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("capture: fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, o.MaxBody))
	if err != nil {
		return nil, fmt.Errorf("capture: read %s: %w", url, err)
	}
	// The WARC keeps the payload as received (Content-Encoding already
	// undone by net/http; Transfer-Encoding removed), so headers are
	// rewritten to match the stored bytes.
	resp.Header.Del("Transfer-Encoding")
	resp.Header.Del("Content-Encoding")
	resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/%d.%d %s\r\n", resp.ProtoMajor, resp.ProtoMinor, resp.Status)
	resp.Header.Write(&head)
	head.WriteString("\r\n")
	respBlock := append(head.Bytes(), body...)

	r := &Result{URL: url, HTML: body, Status: resp.StatusCode}
	var w bytes.Buffer
	warcinfo := []byte("software: tahqiq capture\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n")
	writeRecord(&w, "warcinfo", "", at, "application/warc-fields", warcinfo, nil, "")
	respID := writeRecord(&w, "response", url, at, "application/http;msgtype=response", respBlock, body, "")
	writeRecord(&w, "request", url, at, "application/http;msgtype=request", reqBytes, nil, respID)
	r.WARC = w.Bytes()

	// The browser loads the page a second time: the WARC holds the bytes
	// of the first fetch, the DOM and screenshot what the browser saw.
	p, err := chromium.Render(ctx, url, chromium.Options{Path: o.Chromium, Proxy: proxy})
	switch {
	case errors.Is(err, chromium.ErrNotInstalled):
		r.Notes = append(r.Notes, "Chromium not installed: no screenshot and no rendered DOM (page.html is the response body); install chromium (/usr/bin/chromium) to get them")
	case err != nil:
		r.Notes = append(r.Notes, "Chromium failed, so no screenshot and no rendered DOM (page.html is the response body): "+err.Error())
	default:
		r.HTML, r.Rendered, r.Screenshot = p.DOM, true, p.Screenshot
	}
	return r, nil
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return "<urn:uuid:" + fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]) + ">"
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + strings.ToLower(base32.StdEncoding.EncodeToString(s[:]))
}

// writeRecord writes one WARC/1.1 record and returns its ID.
func writeRecord(w *bytes.Buffer, typ, uri string, at time.Time, ctype string, block, payload []byte, concurrent string) string {
	id := newID()
	fmt.Fprintf(w, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: %s\r\nWARC-Date: %s\r\n", typ, id, at.Format("2006-01-02T15:04:05.000000Z"))
	if uri != "" {
		fmt.Fprintf(w, "WARC-Target-URI: %s\r\n", uri)
	}
	if concurrent != "" {
		fmt.Fprintf(w, "WARC-Concurrent-To: %s\r\n", concurrent)
	}
	fmt.Fprintf(w, "WARC-Block-Digest: %s\r\n", digest(block))
	if payload != nil {
		fmt.Fprintf(w, "WARC-Payload-Digest: %s\r\n", digest(payload))
	}
	fmt.Fprintf(w, "Content-Type: %s\r\nContent-Length: %d\r\n\r\n", ctype, len(block))
	w.Write(block)
	w.WriteString("\r\n\r\n")
	return id
}

// PayloadSHA256 returns the hex SHA-256 of b (for tests and reports).
func PayloadSHA256(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
