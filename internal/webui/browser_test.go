package webui_test

// Browser tests: a real `tahqiq serve` process driven through headless
// Chromium (Debian's /usr/bin/chromium) as a person would use it. They skip
// with a message where Chromium is missing; CI installs it.
//
//	go test ./internal/webui -run Browser -screenshots ../../docs/screenshots
//
// rewrites the README's screenshots.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tahqiq/tahqiq/internal/chromium"
)

var screenshots = flag.String("screenshots", "", "directory to write screenshots of the main pages to (e.g. ../../docs/screenshots)")

// chromiumPath finds the browser: $TAHQIQ_CHROMIUM, then where
// internal/chromium looks.
func chromiumPath() string {
	if p := os.Getenv("TAHQIQ_CHROMIUM"); p != "" {
		return p
	}
	return chromium.Find()
}

// repoRoot walks up to go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test")
		}
		dir = parent
	}
}

// server is a running tahqiq serve process.
type server struct {
	url  string
	data string
	cmd  *exec.Cmd
	once sync.Once
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds tahqiq once per test process (the machine is shared: a
// build takes minutes under load).
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tahqiq-webui-test-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "tahqiq")
		build := exec.Command("go", "build", "-o", binPath, "./cmd/tahqiq")
		build.Dir = repoRoot(t)
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// startServer starts `tahqiq serve` on a free loopback port with a fresh
// data directory.
func startServer(t *testing.T) *server {
	t.Helper()
	return startServerAt(t, t.TempDir(), "127.0.0.1:0")
}

// startServerAt starts `tahqiq serve` on addr with the data directory
// data (a server stopped and started again keeps its store).
func startServerAt(t *testing.T, data, addr string) *server {
	t.Helper()
	bin := binary(t)
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr, "--grace", "5s", "--watch")
	// the trusted-keys file of the user running serve: none of this machine's
	cmd.Env = append(os.Environ(), "TAHQIQ_TRUSTED_KEYS="+filepath.Join(data, "no-trusted-keys"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv := &server{data: data, cmd: cmd}
	t.Cleanup(srv.stop)
	served := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`serving (http://\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				served <- m[1]
			}
			t.Log("serve: ", sc.Text())
		}
	}()
	select {
	case u := <-served:
		srv.url = u
		return srv
	case <-time.After(60 * time.Second):
		t.Fatal("tahqiq serve printed no address")
	}
	return nil
}

// stop ends the server (an interrupt, then a kill after 20 s); a second
// call does nothing.
func (s *server) stop() {
	s.once.Do(func() {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	})
}

// browser starts headless Chromium with the flags the issue names.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("Chromium not found (install Debian's chromium, or set TAHQIQ_CHROMIUM): browser tests skipped")
	}
	opts := append(chromium.AllocatorOptions(path),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("enable-unsafe-swiftshader", true), // WebGL in software for the graph
		chromedp.WindowSize(1440, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancel2)
	// every step below has its own deadline through wait; this bounds the whole
	ctx, cancel3 := context.WithTimeout(ctx, 15*time.Minute)
	t.Cleanup(cancel3)
	// the page's errors and uncaught exceptions go to the test's log
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ended := false
	t.Cleanup(func() { mu.Lock(); ended = true; mu.Unlock() })
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				if !ended {
					t.Logf("browser console: %s", m)
				}
				mu.Unlock()
			}
		}
	}()
	return ctx
}

// page is a browser tab with helpers that fail the test with context.
type page struct {
	t   *testing.T
	ctx context.Context
	url string
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.shot("failure")
		p.t.Fatalf("%s: %v", what, err)
	}
}

// wait waits up to d for a JavaScript condition to become true.
func (p *page) wait(what, cond string, d time.Duration) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		body, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string]("document.body.innerText.slice(0, 2000)"))
		p.shot("failure")
		p.t.Fatalf("%s: waiting for %s: %v\npage text:\n%s", what, cond, err, body)
	}
}

func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (p *page) eval(js string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

func (p *page) go_(hash string) {
	p.t.Helper()
	p.do("navigate to "+hash, chromedp.Navigate(p.url+"/#"+hash))
}

// fill empties a field (telling the page, as deleting by hand would) and
// types value into it.
func (p *page) fill(sel, value string) {
	p.t.Helper()
	p.eval(`(() => { const e = document.querySelector(` + jsString(sel) + `); e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return ''; })()`)
	p.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// shot saves a full-page screenshot as NAME.jpg under -screenshots, and
// always checks that it decodes.
func (p *page) shot(name string) {
	p.t.Helper()
	b, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(85))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		p.t.Errorf("screenshot %s is not a JPEG: %v", name, err)
		return
	}
	if r := img.Bounds(); r.Dx() < 800 || r.Dy() < 400 {
		p.t.Errorf("screenshot %s is %dx%d", name, r.Dx(), r.Dy())
	}
	dir := *screenshots
	if dir == "" {
		dir = p.t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, name+".jpg"), b, 0o644); err != nil {
		p.t.Error(err)
	}
}

// shotsDir is where png writes (-shots DIR; default a temporary one).
var shotsDir = flag.String("shots", "", "directory to write PNG screenshots of every page, in English and Urdu, desktop and 390 px, to look at")

// png saves a full-page PNG screenshot as NAME.png under -shots: the
// viewport is made as tall as the page for the capture (Chromium's own
// full-page capture misplaces right-to-left pages at a phone's width).
func (p *page) png(name string) {
	p.t.Helper()
	type size struct{ W, H, VH int64 }
	sz, err := chromedp.Run(p.ctx, chromedp.Evaluate[size](`({W: innerWidth, H: Math.min(document.documentElement.scrollHeight, 12000), VH: innerHeight})`))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p.viewport(sz.W, max(sz.H, sz.VH))
	time.Sleep(150 * time.Millisecond)
	b, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	p.viewport(sz.W, sz.VH)
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	dir := *shotsDir
	if dir == "" {
		dir = p.t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
		p.t.Error(err)
	}
}

// viewport sets the page's size in CSS pixels (390 x 844: a phone).
func (p *page) viewport(w, h int64) {
	p.t.Helper()
	opts := []chromedp.EmulateViewportOption{}
	if w < 600 {
		opts = append(opts, chromedp.EmulateScale(1))
	}
	p.do("viewport", chromedp.EmulateViewport(w, h, opts...))
}

// axeScript is axe-core (web/node_modules, a dev dependency of web/), or
// nil where it is not installed (npm ci in web/).
var (
	axeOnce   sync.Once
	axeScript []byte
)

// axe runs axe-core in the page and fails the test on every violation
// (WCAG 2 A and AA and best practices), naming the rule, its impact and
// the elements.
func (p *page) axe(what string) {
	p.t.Helper()
	axeOnce.Do(func() {
		axeScript, _ = os.ReadFile(filepath.Join(repoRoot(p.t), "web", "node_modules", "axe-core", "axe.min.js"))
	})
	if axeScript == nil {
		p.t.Logf("axe-core not installed (cd web && npm ci): %s not checked for accessibility", what)
		return
	}
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[chromedp.Void](string(axeScript))); err != nil {
		p.t.Fatalf("inject axe-core: %v", err)
	}
	type violation struct {
		ID, Impact, Help string
		Nodes            []string
	}
	vs, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]violation](`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		ID: v.id, Impact: v.impact || '', Help: v.help,
		Nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\n').slice(1, 2).join(''))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("axe-core on %s: %v", what, err)
	}
	for _, v := range vs {
		p.t.Errorf("axe-core on %s: %s (%s): %s\n\t%s", what, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

// fitsWidth checks that the page does not scroll sideways, and that no
// number, date or time is broken over two lines.
func (p *page) fitsWidth(what string) {
	p.t.Helper()
	type layout struct {
		Over   int
		Broken []string
		Wide   []string
	}
	l, err := chromedp.Run(p.ctx, chromedp.Evaluate[layout](`(() => {
		const over = document.documentElement.scrollWidth - window.innerWidth;
		// a value on two lines: its text's boxes at two heights (screen-reader-only text and a
		// tag beside the value, in a smaller font, aside)
		const lines = (e) => {
			const tops = new Set();
			const w = document.createTreeWalker(e, NodeFilter.SHOW_TEXT, {acceptNode: n => n.parentElement.closest('.sr-only, .tag') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
			for (let n = w.nextNode(); n; n = w.nextNode()) {
				const r = document.createRange(); r.selectNodeContents(n);
				for (const x of r.getClientRects()) if (x.width > 0) tops.add(Math.round(x.top / 3));
			}
			return tops.size;
		};
		const broken = [...document.querySelectorAll('td.num, time.when, .num')].filter(e => e.offsetParent && e.innerText.trim() && lines(e) > 1).map(e => e.innerText.slice(0, 40));
		// what sticks out of the page, innermost first
		const wide = over > 1 ? [...document.querySelectorAll('body *')].filter(e => {
			const r = e.getBoundingClientRect();
			return r.width > 0 && (r.right > innerWidth + 1 || r.left < -1) && !e.closest('.scroll, .scroll-x, .graph, nav');
		}).slice(-5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().left) + '..' + Math.round(e.getBoundingClientRect().right)) : [];
		return {Over: over, Broken: broken.slice(0, 5), Wide: wide};
	})()`))
	if err != nil {
		p.t.Fatalf("layout of %s: %v", what, err)
	}
	if l.Over > 1 {
		p.t.Errorf("%s scrolls sideways by %d px at %s: %q", what, l.Over, p.eval(`innerWidth + ' px'`), l.Wide)
	}
	if len(l.Broken) > 0 {
		p.t.Errorf("%s: values broken over two lines: %q", what, l.Broken)
	}
}

const (
	adminName = "amina"
	password  = "correct horse battery"
	// An Urdu case title: "Inquiry into the campaign against election officials".
	urduTitle = "انتخابی عملے کے خلاف مہم کی تحقیقات"
)

// TestBrowserWorkflow is the walk-through: create the admin, log
// in, upload a fixture, run a coordination analysis, open the graph, click
// an edge and see its evidence, open a case and attach the run, verify.
func TestBrowserWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short mode")
	}
	ctx := browser(t)
	srv := startServer(t)
	p := &page{t: t, ctx: ctx, url: srv.url}
	fixture := filepath.Join(repoRoot(t), "internal", "demo", "data", "russian_coord_tweets.events.csv.gz")

	// First run: the setup form, no default password.
	p.go_("/")
	p.wait("setup form", `!!document.querySelector('#setup-form')`, 30*time.Second)
	p.shot("setup")
	p.fill(`#setup-form [name=org]`, "Election Inquiry Team")
	p.fill(`#setup-form [name=name]`, adminName)
	p.fill(`#setup-form [name=password]`, password)
	p.fill(`#setup-form [name=password2]`, password)
	p.do("create admin", chromedp.Click(chromedp.CSS(`#setup-form button[type=submit]`)))
	p.wait("logged in after setup", `!!document.querySelector('#who')`, 30*time.Second)
	if who := p.text("#who"); !strings.Contains(who, adminName) || !strings.Contains(who, "admin") {
		t.Fatalf("after setup the header says %q", who)
	}

	// Log out, then a wrong password, then the right one.
	p.do("open the user menu", chromedp.Click(chromedp.CSS(`#who`)))
	p.do("log out", chromedp.Click(chromedp.CSS(`#logout`)))
	p.wait("login form", `!!document.querySelector('#login-form')`, 10*time.Second)
	p.fill(`#login-form [name=name]`, adminName)
	p.fill(`#login-form [name=password]`, "not the password")
	p.do("wrong login", chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
	p.wait("wrong password refused", `(document.querySelector('#login-form .error')||{}).innerText?.includes('wrong name or password')`, 30*time.Second)
	p.fill(`#login-form [name=password]`, password)
	p.do("login", chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
	p.wait("logged in", `!!document.querySelector('#who')`, 30*time.Second)

	// Upload the fixture through the resumable upload and import it.
	p.go_("/datasets")
	p.wait("import form", `!!document.querySelector('#import-form input[type=file]')`, 10*time.Second)
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type=file]`), []string{fixture}))
	p.fill(`#import-form [name=dataset]`, "ru")
	p.do("import", chromedp.Click(chromedp.CSS(`#import-form button[type=submit]`)))
	p.wait("import done", `!!document.querySelector('#import-result')`, 3*time.Minute)
	if got := p.text("#import-result"); !strings.Contains(got, "35,126 records") || !strings.Contains(got, "35,085 posts") {
		t.Fatalf("import result: %q", got)
	}
	p.wait("dataset listed", `document.querySelector('#datasets')?.innerText.includes('ru')`, 10*time.Second)

	// A second format through the same form: an X API v2 page (twarc2).
	p.go_("/datasets")
	p.wait("import form", `!!document.querySelector('#import-form input[type=file]')`, 10*time.Second)
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type=file]`), []string{filepath.Join(filepath.Dir(fixture), "brexit.jsonl.gz")}))
	p.fill(`#import-form [name=dataset]`, "brexit")
	p.do("import", chromedp.Click(chromedp.CSS(`#import-form button[type=submit]`)))
	p.wait("import done", `document.querySelector('#import-result')?.innerText.includes('brexit')`, 3*time.Minute)

	// The dataset page: counts, over time, top lists, imports.
	p.go_("/datasets/ru")
	p.wait("dataset page", `document.querySelector('#dataset-stats')?.innerText.includes('35,085')`, 30*time.Second)
	p.wait("chart", `document.querySelectorAll('.chart rect.bar').length > 0`, 10*time.Second)
	p.go_("/datasets/brexit")
	p.wait("brexit page", `[...document.querySelectorAll('section.panel')].some(s => /^Top hashtags/i.test(s.innerText) && /brexit/i.test(s.innerText))`, 30*time.Second)
	p.do("account", chromedp.Click(chromedp.CSS(`section.panel table tbody tr:first-child button.link`)))
	p.wait("account activity", `!!document.querySelector('#account tbody tr')`, 20*time.Second)
	p.shot("dataset")

	// The streaming mode (serve --watch): each import went to the live
	// stream; the Alerts page lists the groups the watcher raised, live,
	// and an alert opens on its edges and the co-shares behind them.
	p.go_("/alerts")
	p.wait("alerts", `document.querySelectorAll('#alerts tr.alert-row').length > 0 && document.querySelector('#feeds')?.innerText.includes('tahqiq.live.ru')`, time.Minute)
	p.wait("event stream", `document.querySelector('#alerts-live')?.innerText.includes('live')`, 10*time.Second)
	p.do("open an alert", chromedp.Click(chromedp.CSS(`#alerts tr.alert-row button.link`)))
	p.wait("alert evidence", `/\w+ .*: \S+ .* UTC, \S+ .* UTC \(\d+ s\)/.test(document.querySelector('#alerts tr.alert-detail')?.innerText || '')`, 10*time.Second)
	p.shot("alerts")

	// A coordination run on retweets within 60 s: CooRTweet's reference on
	// this sample is 3,721 edges between 2,110 accounts.
	p.go_("/coord?dataset=ru")
	p.wait("coord form", `!!document.querySelector('#coord-form select[name=dataset] option')`, 10*time.Second)
	p.eval(`(() => {
		for (const c of document.querySelectorAll('#coord-form input[type=checkbox]')) {
			if (c.checked !== (c.name === 'by-retweet')) c.click();
		}
		return '';
	})()`)
	p.do("run", chromedp.Click(chromedp.CSS(`#coord-form button[type=submit]`)))
	p.wait("graph loaded", `!!document.querySelector('#graph-counts') && !!window.tahqiqGraph`, 3*time.Minute)
	if got := p.text("#graph-counts"); !strings.Contains(got, "2,110 accounts") || !strings.Contains(got, "3,721 links shown of 3,721") {
		t.Fatalf("graph counts: %q", got)
	}
	if got := p.text("#run-params"); !strings.Contains(got, "retweet") || !strings.Contains(got, "60 s") {
		t.Errorf("run parameters: %q", got)
	}
	p.wait("export links", `document.querySelectorAll('#run-files a').length >= 5`, 10*time.Second)
	runURL := p.eval(`location.hash`)

	// The view is built once (it was twice: issue 16) and drawn at once:
	// the layout was made with the run, on the server.
	if b := p.eval(`String(window.tahqiqGraph.builds())`); b != "1" {
		t.Errorf("the network view was built %s times, want once", b)
	}
	// Click an edge in the WebGL canvas, as a person would: find a link on
	// screen and click it.
	p.wait("first frame", `window.tahqiqGraph.firstFrame() > 0`, time.Minute)
	time.Sleep(300 * time.Millisecond) // let the frame reach the screen
	// The point: the midpoint of a link that no node and no other link
	// covers, inside the canvas.
	// On a crowded layout (a slow machine stops the layout early) the
	// margins are relaxed step by step, a second apart.
	type point struct {
		X, Y float64
		Edge string
	}
	var pt point
	var err error
	for _, m := range [][2]int{{40, 8}, {40, 8}, {24, 6}, {16, 5}, {12, 4}} {
		pt, err = chromedp.Run(p.ctx, chromedp.Evaluate[point](fmt.Sprintf(`((minLen, clear) => {
		const v = window.tahqiqGraph.view();
		const box = document.querySelector('.graph').getBoundingClientRect();
		const nodes = v.nodes;
		const segs = v.edges.map(([e, ax, ay, bx, by]) => [e, {x: ax, y: ay}, {x: bx, y: by}]);
		const dist = (p, a, b) => {
			const l = (b.x - a.x) ** 2 + (b.y - a.y) ** 2;
			const t = l ? Math.max(0, Math.min(1, ((p.x - a.x) * (b.x - a.x) + (p.y - a.y) * (b.y - a.y)) / l)) : 0;
			return Math.hypot(p.x - a.x - t * (b.x - a.x), p.y - a.y - t * (b.y - a.y));
		};
		for (const [e, a, b] of segs) {
			const m = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
			if (Math.hypot(a.x - b.x, a.y - b.y) < minLen || m.x < 20 || m.y < 50 || m.x > box.width - 20 || m.y > box.height - 20) continue;
			if (!nodes.every(([x, y, r]) => Math.hypot(x - m.x, y - m.y) > r + clear)) continue;
			if (segs.every(([f, c, d]) => f === e || dist(m, c, d) > clear)) return {X: box.left + m.x, Y: box.top + m.y, Edge: e};
		}
		return {X: 0, Y: 0, Edge: ""};
	})(%d, %d)`, m[0], m[1])))
		if err == nil && pt.Edge != "" {
			break
		}
		time.Sleep(time.Second)
	}
	if err != nil || pt.Edge == "" {
		p.shot("failure")
		t.Fatalf("no link of the graph lies clear of every node on screen (%v)", err)
	}
	// A link is a few pixels wide: a person who misses by a pixel clicks again.
	selected := `!!document.querySelector('#edge-evidence tbody tr') && document.querySelector('#edge-evidence').dataset.edge === ` + jsString(pt.Edge)
	for i, off := range [][2]float64{{0, 0}, {0, 1}, {1, 0}, {0, -1}, {-1, 0}} {
		p.do("click edge", chromedp.MouseClickXY(pt.X+off[0], pt.Y+off[1]))
		if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](selected, chromedp.WithPollingTimeout(3*time.Second))); err == nil {
			break
		} else if i == 4 {
			p.shot("failure")
			t.Fatalf("clicking link %s at (%.0f, %.0f) never showed its evidence", pt.Edge, pt.X, pt.Y)
		}
	}
	ev := p.text("#edge-evidence")
	if !strings.Contains(ev, "retweet") || !strings.Contains(ev, "co-share pair") {
		t.Fatalf("edge evidence: %q", ev)
	}
	// Every evidence row is within the window.
	dts := p.eval(`[...document.querySelectorAll('#edge-evidence tbody tr td.dt')].map(td => td.dataset.dt).join(',')`)
	for _, d := range strings.Split(dts, ",") {
		var n int
		if _, err := fmt.Sscan(d, &n); err != nil || n < 0 || n > 60 {
			t.Fatalf("evidence Δt %q outside 0..60 s (all: %s)", d, dts)
		}
	}
	// A post of the evidence with its raw record.
	p.do("open post", chromedp.Click(chromedp.CSS(`#edge-evidence tbody tr td.post-a button.open-post`)))
	p.wait("raw record", `!!document.querySelector('#raw-post details.raw-record')`, 20*time.Second)
	p.shot("coordination")

	// An account's activity, from the links table (the keyboard path).
	p.do("open the first link's evidence", chromedp.Click(chromedp.CSS(`#edge-table tbody tr:first-child button.edge`)))
	p.wait("evidence of the first link", `!!document.querySelector('#edge-table tr.selected') && !!document.querySelector('#edge-evidence tbody tr')`, 20*time.Second)
	// (Enter on the focused button: a pointer click meets the page still
	// scrolling smoothly to the evidence, and misses on a loaded machine)
	p.do("open an account", chromedp.SendKeys(chromedp.CSS(`#edge-table tbody tr:first-child button.account-a`), kb.Enter))
	p.wait("account panel", `!!document.querySelector('#account h2') && document.activeElement === document.querySelector('#account')`, 20*time.Second)

	// A case with an Urdu title: shown right to left.
	p.go_("/cases")
	p.wait("case form", `!!document.querySelector('#case-form')`, 10*time.Second)
	p.fill(`#case-form [name=title]`, urduTitle)
	p.fill(`#case-form [name=description]`, "Accounts retweeting the same posts within a minute.")
	p.do("open case", chromedp.Click(chromedp.CSS(`#case-form button[type=submit]`)))
	p.wait("case page", `document.querySelector('main h1')?.innerText === `+jsString(urduTitle), 20*time.Second)
	if dir := p.eval(`getComputedStyle(document.querySelector('main h1 .u')).direction`); dir != "rtl" {
		t.Errorf("the Urdu case title is laid out %q, want rtl", dir)
	}
	caseURL := p.eval(`location.hash`)

	// Attach the run to the case from the run page.
	p.do("back to the run", chromedp.Navigate(p.url+"/"+runURL))
	p.wait("attach control", `!!document.querySelector('#attach-run button.attach')`, 60*time.Second)
	p.do("attach", chromedp.Click(chromedp.CSS(`#attach-run button.attach`)))
	p.wait("attached", `document.querySelector('#attach-run .ok')?.innerText.includes('Attached')`, 30*time.Second)

	// The case lists it; verify the store.
	p.do("case page", chromedp.Navigate(p.url+"/"+caseURL))
	p.wait("item listed", `document.querySelector('#items')?.innerText.includes('coord')`, 20*time.Second)
	p.do("verify", chromedp.Click(chromedp.CSS(`#verify`)))
	p.wait("verified", `document.querySelector('#verify-result')?.innerText.includes('Verified')`, 2*time.Minute)
	p.shot("case")

	// The item's custody: history with the attach, inclusion proof, checkpoint.
	p.do("item page", chromedp.Click(chromedp.CSS(`#items tbody tr:first-child a`)))
	p.wait("custody", `!!document.querySelector('#custody-history tbody tr') && !!document.querySelector('#proof pre')`, 20*time.Second)
	hist := p.text("#custody-history")
	for _, want := range []string{"item.attach", "item.read"} {
		if !strings.Contains(hist, want) {
			t.Errorf("custody history lacks %s:\n%s", want, hist)
		}
	}
	if cp := p.text("#proof pre"); !strings.Contains(cp, "tahqiq/") {
		t.Errorf("checkpoint: %q", cp)
	}
	p.shot("custody")

	// The log page shows the evidence reads of this session.
	p.go_("/custody")
	p.wait("log", `!!document.querySelector('#log tbody tr')`, 20*time.Second)
	log := p.eval(`document.querySelector('#log').innerText`)
	for _, want := range []string{"coord.evidence.read", "dataset.post.read", "dataset.import", "case.create"} {
		if !strings.Contains(log, want) {
			t.Errorf("log page lacks %s", want)
		}
	}

	// Administration: a user of the admin's organisation, disabled and
	// enabled again; an API token with an expiry, listed and revoked.
	p.go_("/admin")
	p.wait("admin page", `!!document.querySelector('#user-form')`, 10*time.Second)
	p.fill(`#user-form input[dir=auto]`, "bilal")
	p.fill(`#user-form input[type=password]`, "bilal's long password")
	p.do("create user", chromedp.Click(chromedp.CSS(`#user-form button[type=submit]`)))
	p.wait("user listed", `document.querySelector('#users')?.innerText.includes('bilal')`, 10*time.Second)
	p.eval(`[...document.querySelectorAll('#users tr')].find(r => r.cells[0]?.innerText === 'bilal').querySelector('button').click(), 'clicked'`)
	p.wait("user disabled", `[...document.querySelectorAll('#users tr')].some(r => r.innerText.includes('bilal') && r.innerText.includes('disabled'))`, 10*time.Second)
	p.fill(`#token-form input[aria-label="Token name"]`, "nightly export")
	p.fill(`#token-form input[type=number]`, "7")
	p.do("create token", chromedp.Click(chromedp.CSS(`#token-form button[type=submit]`)))
	p.wait("token shown once and listed", `document.querySelector('#token')?.innerText.startsWith('tq_') && document.querySelector('#tokens')?.innerText.includes('nightly export')`, 10*time.Second)
	p.eval(`[...document.querySelectorAll('#tokens tr')].find(r => r.cells[0]?.innerText === 'nightly export').querySelector('button').click(), 'clicked'`)
	p.wait("token revoked", `[...document.querySelectorAll('#tokens tr')].some(r => r.innerText.includes('nightly export') && r.innerText.includes('revoked'))`, 10*time.Second)
}

// TestBrowserAudit runs an audit of the Pakistan 2024 Form-47 vs claimed
// Form-45 table through the UI: flags, plots, contest drill-down with the
// differing digits marked, and the claim tester.
func TestBrowserAudit(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short mode")
	}
	data := os.Getenv("TAHQIQ_TESTDATA")
	if data == "" {
		data = filepath.Join(repoRoot(t), "..", "shared", "data")
	}
	results := filepath.Join(data, "elections", "pk", "pk_2024_na_form47_vs_claimed_form45.csv")
	if _, err := os.Stat(results); errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s absent (set TAHQIQ_TESTDATA to the shared data): audit browser test skipped", results)
	}
	ctx := browser(t)
	srv := startServer(t)
	p := &page{t: t, ctx: ctx, url: srv.url}
	p.go_("/")
	p.wait("setup form", `!!document.querySelector('#setup-form')`, 30*time.Second)
	p.fill(`#setup-form [name=org]`, "Observers")
	p.fill(`#setup-form [name=name]`, adminName)
	p.fill(`#setup-form [name=password]`, password)
	p.fill(`#setup-form [name=password2]`, password)
	p.do("create admin", chromedp.Click(chromedp.CSS(`#setup-form button[type=submit]`)))
	p.wait("logged in", `!!document.querySelector('#who')`, 30*time.Second)

	p.go_("/audit")
	p.wait("audit form", `!!document.querySelector('#audit-form select[name=map] option')`, 10*time.Second)
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#audit-form input[type=file]`), []string{results}))
	p.do("map", chromedp.SetValue(chromedp.CSS(`#audit-form select[name=map]`), "pk2024"))
	p.eval(`document.querySelector('#audit-form select[name=map]').dispatchEvent(new Event('change')), ''`)
	p.do("run", chromedp.Click(chromedp.CSS(`#audit-form button[type=submit]`)))
	p.wait("flags", `!!document.querySelector('#flags tbody tr td.mono')`, 3*time.Minute)
	counts := p.text("#audit-counts")
	if !strings.Contains(counts, "flags") || !strings.Contains(counts, "forms") {
		t.Fatalf("audit counts: %q", counts)
	}
	p.wait("plots", `[...document.querySelectorAll('.plot img')].every(i => i.complete && i.naturalWidth > 0)`, 20*time.Second)

	// Drill down into a contest whose winner differs between Form 47 and
	// the claimed Form 45: the copies side by side.
	p.fill(`#flag-filter [name=rule]`, "P8-winner-flip")
	p.do("filter", chromedp.Click(chromedp.CSS(`#flag-filter button[type=submit]`)))
	p.wait("filtered", `[...document.querySelectorAll('#flags tbody tr td:first-child')].every(td => td.innerText === 'P8-winner-flip')`, 20*time.Second)
	p.do("contest", chromedp.Click(chromedp.CSS(`#flags tbody tr:first-child td:nth-child(2) button`)))
	p.wait("copies", `document.querySelectorAll('#contest table.copies-table th').length >= 3`, 20*time.Second)
	if n := p.eval(`String(document.querySelectorAll('#contest mark.digit-diff').length)`); n == "0" {
		t.Errorf("contest %s: no differing digit marked between Form 47 and the claimed Form 45", p.text("#contest h2"))
	}
	p.shot("audit")

	// The claim tester answers for the contest it was opened on.
	cands := p.eval(`[...document.querySelectorAll('#contest table.copies-table tbody tr td:first-child')].map(td => td.innerText).join('|')`)
	names := strings.Split(cands, "|")
	if len(names) < 2 {
		t.Fatalf("contest lines: %q", cands)
	}
	p.fill(`#claim-form [aria-label=candidate]`, names[0])
	p.fill(`#claim-form [aria-label=over]`, names[1])
	p.do("test claim", chromedp.Click(chromedp.CSS(`#claim-form button[type=submit]`)))
	p.wait("claim result", `!!document.querySelector('#claim-result') || !!document.querySelector('#claim-form ~ .error')`, 20*time.Second)
	if got := p.text("#claim-result"); !strings.Contains(got, "Evidence set") {
		t.Errorf("claim result: %q", got)
	}

	// Station-level forensics on the Russian 2011 Duma election (Kobak et
	// al.'s integer-percentage excess): the plots and the A1 table.
	ru := filepath.Join(data, "elections", "ru", "ru_2011.csv.gz")
	if _, err := os.Stat(ru); err != nil {
		t.Skipf("%s absent: forensics part skipped", ru)
	}
	p.go_("/audit")
	p.wait("audit form", `!!document.querySelector('#audit-form select[name=map] option')`, 10*time.Second)
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#audit-form input[type=file]`), []string{ru}))
	p.do("map", chromedp.SetValue(chromedp.CSS(`#audit-form select[name=map]`), "ru"))
	p.eval(`document.querySelector('#audit-form select[name=map]').dispatchEvent(new Event('change')), ''`)
	p.do("Klimek fit", chromedp.Click(chromedp.CSS(`#audit-form input[name=klimek]`)))
	p.do("run", chromedp.Click(chromedp.CSS(`#audit-form button[type=submit]`)))
	p.wait("forensics", `!!document.querySelector('#forensics h3')`, 5*time.Minute)
	if got := p.text("#klimek-fit"); !strings.Contains(got, "Klimek model fit") {
		t.Errorf("Klimek fit: %q", got)
	}
	p.wait("plots", `[...document.querySelectorAll('.plot img')].length >= 3 && [...document.querySelectorAll('.plot img')].every(i => i.complete && i.naturalWidth > 0)`, 30*time.Second)
	a1 := p.eval(`[...document.querySelectorAll('#forensics h3')].find(h => h.innerText.startsWith('A1')).nextElementSibling.innerText`)
	if !strings.Contains(a1, "either") || strings.Contains(a1, "either\t0\t") {
		t.Errorf("A1 table: %q", a1)
	}
	p.do("scroll to forensics", chromedp.ScrollIntoView(chromedp.CSS(`#forensics`)))
	p.shot("forensics")
}

func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		fmt.Fprintf(&b, "\\u%04x", r)
	}
	b.WriteByte('"')
	return b.String()
}
