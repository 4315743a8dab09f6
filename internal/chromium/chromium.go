// Package chromium drives headless Chromium through the DevTools protocol
// (github.com/chromedp/chromedp): a full-page screenshot and the rendered
// DOM of a URL, and HTML printed to PDF. It finds the browser, starts it
// with fixed flags in a throw-away profile, and stops it when done; when
// no browser is installed it returns ErrNotInstalled so that callers can
// say so and carry on.
package chromium

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrNotInstalled is returned when no Chromium binary is found.
//
//lint:ignore ST1005 Chromium is the program's name
var ErrNotInstalled = errors.New("Chromium is not installed (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome)")

// Find returns the path of a Chromium binary, or "".
func Find() string {
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium"
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// Options configures a browser run.
type Options struct {
	Path    string        // the binary; "" uses Find
	Width   int           // viewport width in CSS pixels; default 1280
	Timeout time.Duration // for the whole run; default 90 s
	// Proxy, when set, is the HTTP proxy (http://HOST:PORT) every request
	// of the browser goes through, loopback addresses included (which
	// Chromium otherwise sends directly): the caller's proxy decides what
	// the browser may reach.
	Proxy string
}

// Flags are the command-line switches Chromium runs with (besides
// --user-data-dir of a fresh temporary profile and chromedp's defaults,
// which include these and others such as --disable-sync).
var Flags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"}

// AllocatorOptions are chromedp's options for the binary at path with
// Flags (the browser tests of internal/webui start Chromium with them too).
func AllocatorOptions(path string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
	}
}

// start launches the browser and returns a tab's context.
func start(ctx context.Context, o Options) (context.Context, func(), error) {
	path := o.Path
	if path == "" {
		path = Find()
	}
	if path == "" {
		return nil, nil, ErrNotInstalled
	}
	if o.Width == 0 {
		o.Width = 1280
	}
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	profile, err := os.MkdirTemp("", "tahqiq-chromium-")
	if err != nil {
		return nil, nil, fmt.Errorf("chromium: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], AllocatorOptions(path)...)
	opts = append(opts, chromedp.UserDataDir(profile), chromedp.WindowSize(o.Width, 900))
	if o.Proxy != "" {
		opts = append(opts, chromedp.ProxyServer(o.Proxy), chromedp.Flag("proxy-bypass-list", "<-loopback>"),
			chromedp.Flag("disable-quic", true), chromedp.Flag("force-webrtc-ip-handling-policy", "disable_non_proxied_udp"))
	}
	tctx, cancelT := context.WithTimeout(ctx, o.Timeout)
	actx, cancelA := chromedp.NewExecAllocator(tctx, opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	stop := func() {
		cancelB()
		cancelA()
		cancelT()
		os.RemoveAll(profile)
	}
	return bctx, stop, nil
}

// Page is what Render returns.
type Page struct {
	DOM        []byte // document.documentElement.outerHTML after load
	Screenshot []byte // PNG of the whole page, not only the viewport
}

// maxHeight bounds the screenshot (CSS pixels): Chromium refuses larger
// surfaces, and endless pages would never end.
const maxHeight = 16384

// Render loads url, waits for the load event, and returns the rendered DOM
// and a full-page PNG screenshot.
func Render(ctx context.Context, url string, o Options) (*Page, error) {
	bctx, stop, err := start(ctx, o)
	if err != nil {
		return nil, err
	}
	defer stop()
	if err := chromedp.Do(bctx, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("chromium: load %s: %w", url, err)
	}
	dom, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		return nil, fmt.Errorf("chromium: DOM of %s: %w", url, err)
	}
	shot, err := chromedp.Run(bctx, fullPage())
	if err != nil {
		return nil, fmt.Errorf("chromium: screenshot of %s: %w", url, err)
	}
	return &Page{DOM: []byte("<!DOCTYPE html>\n" + dom), Screenshot: shot}, nil
}

// fullPage captures the page's whole scrollable area as PNG.
func fullPage() chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		w, h := 1280.0, 900.0
		if m.CSSContentSize != nil {
			w, h = math.Ceil(m.CSSContentSize.Width), math.Ceil(m.CSSContentSize.Height)
		}
		h = min(max(h, 1), maxHeight)
		w = max(w, 1)
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			CaptureBeyondViewport: ptr(true),
			FromSurface:           ptr(true),
			Clip:                  &page.Viewport{X: 0, Y: 0, Width: w, Height: h, Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	}
}

// PDF loads url (typically file:///…/report.html) and prints it on A4 with
// backgrounds.
func PDF(ctx context.Context, url string, o Options) ([]byte, error) {
	bctx, stop, err := start(ctx, o)
	if err != nil {
		return nil, err
	}
	defer stop()
	if err := chromedp.Do(bctx, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("chromium: load %s: %w", url, err)
	}
	b, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFMargin(0.5), chromedp.PDFPrintBackground()))
	if err != nil {
		return nil, fmt.Errorf("chromium: print %s to PDF: %w", url, err)
	}
	return b, nil
}

func ptr[T any](v T) *T { return &v }
