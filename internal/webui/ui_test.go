package webui_test

// Browser tests of issue 16: the Urdu interface and right-to-left text,
// times in the user's zone, the per-user preferences, what the browser
// could not do before (verify a received bundle, capture a page, the PDF
// report, a password change, closing a case, choosing the case a post
// goes to, attaching an account or an alert, naming a run), errors and
// gaps (server stopped, session expired, import errors), a phone's
// width, and axe-core on every page. Screenshots of every page in
// English and Urdu, at desktop width and at 390 px:
//
//	go test ./internal/webui -run TestBrowserUrdu -shots /tmp/shots

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// urduChat is a Telegram Desktop export of one chat in which three
// accounts post the same Urdu texts seconds apart: one starts with a
// @mention, one with NA-56 and numbers, one carries a link; all have
// Urdu hashtags. Telegram gives no language: direction comes from the
// letters.
func urduChat(t *testing.T) string {
	t.Helper()
	type ent struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	texts := [][]ent{
		{{"mention", "@ecp_pakistan"}, {"plain", " حلقہ NA-56 کے فارم 45 میں 98,765 ووٹ جبکہ فارم 47 میں 1,23,456 درج ہیں "}, {"hashtag", "#دھاندلی"}},
		{{"plain", "NA-56 98,765 بمقابلہ 1,23,456 میں فرق کیوں؟ "}, {"hashtag", "#فارم45"}},
		{{"plain", "ریٹرننگ افسر کے خلاف مہم کا ثبوت "}, {"link", "https://example.org/ro-statement"}, {"plain", " "}, {"hashtag", "#انتخابات2024"}},
	}
	users := []struct{ name, id string }{{"علی رضا", "user101"}, {"زینب بی بی", "user102"}, {"ووٹر_نگران", "user103"}}
	type msg struct {
		ID           int    `json:"id"`
		Type         string `json:"type"`
		Date         string `json:"date"`
		DateUnix     string `json:"date_unixtime"`
		From         string `json:"from"`
		FromID       string `json:"from_id"`
		Text         []any  `json:"text"`
		TextEntities []ent  `json:"text_entities"`
	}
	var msgs []msg
	start := time.Date(2024, 2, 9, 5, 0, 0, 0, time.UTC) // 10:00 in Pakistan, the day after the vote
	id := 41
	for round := range 3 {
		for i, tx := range texts {
			for u, us := range users {
				at := start.Add(time.Duration(round)*time.Hour + time.Duration(i)*10*time.Minute + time.Duration(u*7)*time.Second)
				var text []any
				for _, e := range tx {
					if e.Type == "plain" {
						text = append(text, e.Text)
					} else {
						text = append(text, e)
					}
				}
				msgs = append(msgs, msg{ID: id, Type: "message", Date: at.Format("2006-01-02T15:04:05"), DateUnix: fmt.Sprint(at.Unix()),
					From: us.name, FromID: us.id, Text: text, TextEntities: tx})
				id++
			}
		}
	}
	b, err := json.MarshalIndent(map[string]any{"name": "حلقہ NA-56 گروپ", "type": "public_supergroup", "id": 1700000001, "messages": msgs}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "na56_chat.json")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// setTimezone makes the browser's own zone zone (the default of a user
// without a preference).
func (p *page) setTimezone(zone string) {
	p.t.Helper()
	p.do("browser time zone", chromedp.Action[chromedp.Void](func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return chromedp.Void{}, err
	}))
}

// visit opens a page and waits for cond.
func (p *page) visit(hash, what, cond string) {
	p.t.Helper()
	p.go_(hash)
	p.wait(what, cond, 60*time.Second)
}

// look takes the screenshots of a page at desktop width and at 390 px
// and runs axe-core and the phone checks on it.
func (p *page) look(name string) {
	p.t.Helper()
	lang := p.eval(`document.documentElement.lang`)
	time.Sleep(200 * time.Millisecond) // fonts and the last frame
	p.png(name + "-" + lang + "-desktop")
	p.axe(name + " (" + lang + ", desktop)")
	p.fitsWidth(name + " (" + lang + ", desktop)")
	p.viewport(390, 844)
	time.Sleep(300 * time.Millisecond)
	p.png(name + "-" + lang + "-390")
	p.fitsWidth(name + " (" + lang + ", 390 px)")
	if h := p.eval(`String(document.querySelector('header.top')?.getBoundingClientRect().height ?? 0)`); h != "" {
		var px float64
		fmt.Sscan(h, &px)
		if px > 110 {
			p.t.Errorf("%s (%s, 390 px): the header is %.0f px high", name, lang, px)
		}
	}
	p.axe(name + " (" + lang + ", 390 px)")
	p.viewport(1440, 900)
}

// evalAsync evaluates a script that returns a promise of a string.
func (p *page) evalAsync(js string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

// click clicks the first element sel matches, through the page's own
// click() (the element may be off screen at 390 px).
func (p *page) click(sel string) {
	p.t.Helper()
	if got := p.eval(`(() => { const e = document.querySelector(` + jsString(sel) + `); if (!e) return 'missing'; e.click(); return 'ok'; })()`); got != "ok" {
		p.shot("failure")
		p.t.Fatalf("click %s: %s", sel, got)
	}
}

// choose sets a select to the option whose text contains text.
func (p *page) choose(sel, text string) {
	p.t.Helper()
	if got := p.eval(`(() => { const s = document.querySelector(` + jsString(sel) + `); const o = s && [...s.options].find(o => o.text.includes(` + jsString(text) + `)); if (!o) return 'missing'; s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true})); return 'ok'; })()`); got != "ok" {
		p.t.Fatalf("choose %q in %s: %s", text, sel, got)
	}
}

// upload gives the file input sel a file made in the page from the
// answer of a GET of path (a bundle the server exported).
func (p *page) uploadFrom(sel, path, name string) {
	p.t.Helper()
	got := p.evalAsync(`fetch(` + jsString(path) + `).then(r => r.blob()).then(b => {
		const dt = new DataTransfer(); dt.items.add(new File([b], ` + jsString(name) + `, {type: 'application/zip'}));
		const i = document.querySelector(` + jsString(sel) + `); i.files = dt.files; i.dispatchEvent(new Event('change', {bubbles: true}));
		return String(b.size);
	})`)
	if got == "0" {
		p.t.Fatalf("%s: empty", path)
	}
}

const (
	urduOrg   = "انتخابی تحقیقاتی ٹیم"
	urduCase1 = "پہلا کیس: فارم 45 اور 47"
	urduCase2 = "دوسرا کیس: ریٹرننگ افسر"
	urduRun   = "NA-56 مہم، متن"
)

// TestBrowserUrdu walks the interface in Urdu, right to left, with the
// browser in Pakistan's time zone, using what the browser could not do
// before; then looks at every page in both languages, at desktop width
// and at 390 px, with axe-core.
func TestBrowserUrdu(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short mode")
	}
	ctx := browser(t)
	srv := startServer(t)
	p := &page{t: t, ctx: ctx, url: srv.url}
	p.setTimezone("Asia/Karachi")
	pages := map[string]string{}

	// The login page offers Urdu before anyone logs in; the choice made
	// there becomes the first user's preference.
	p.visit("/", "setup form", `!!document.querySelector('#setup-form')`)
	if got := p.eval(`document.documentElement.lang + ' ' + document.documentElement.dir`); got != "en ltr" {
		t.Fatalf("a browser in English starts in %q", got)
	}
	p.look("setup")
	p.click(`#login-lang`)
	p.wait("Urdu interface", `document.documentElement.lang === 'ur' && document.documentElement.dir === 'rtl'`, 10*time.Second)
	p.look("setup")
	p.fill(`#setup-form [name=org]`, urduOrg)
	p.fill(`#setup-form [name=name]`, adminName)
	p.fill(`#setup-form [name=password]`, password)
	p.fill(`#setup-form [name=password2]`, password)
	p.click(`#setup-form button[type=submit]`)
	p.wait("logged in", `!!document.querySelector('#who')`, 30*time.Second)
	p.wait("preference stored", `fetch('/api/v1/me/preferences').then(r => r.json()).then(x => x.lang === 'ur')`, 10*time.Second)
	// a new page load takes it from the server
	p.do("reload", chromedp.Reload())
	p.wait("Urdu after a reload", `!!document.querySelector('#who') && document.documentElement.lang === 'ur' && document.documentElement.dir === 'rtl'`, 30*time.Second)
	if got := p.eval(`getComputedStyle(document.body).fontFamily`); !strings.Contains(got, "Nastaliq") {
		t.Errorf("the Urdu interface's font is %q", got)
	}
	if got := p.eval(`getComputedStyle(document.documentElement).lineHeight`); got == "normal" {
		t.Errorf("the Urdu interface's line height: %q", got)
	}
	p.wait("Nastaliq face loaded", `document.fonts.check('16px "Tahqiq Nastaliq"', 'ابت')`, 20*time.Second)

	// Import a Telegram chat of Urdu posts (no language given).
	p.visit("/datasets", "import form", `!!document.querySelector('#import-form input[type=file]')`)
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type=file]`), []string{urduChat(t)}))
	p.fill(`#import-form [name=dataset]`, "na56")
	p.click(`#import-form button[type=submit]`)
	p.wait("import done", `document.querySelector('#import-result')?.innerText.includes('na56')`, 3*time.Minute)
	pages["datasets"] = "/datasets"

	// The dataset, an account and a post: the posts laid out right to
	// left although they start with @ecp_pakistan or NA-56; the raw record
	// named by its place in the JSON document, not "line 0".
	p.visit("/datasets/na56", "dataset page", `!!document.querySelector('#dataset-stats') && !!document.querySelector('#top-accounts')`)
	p.click(`section[aria-labelledby=top-accounts] tbody tr button.link`)
	p.wait("account", `document.querySelectorAll('#account tbody tr').length === 9`, 20*time.Second)
	if got := p.eval(`[...document.querySelectorAll('#account tbody td .u')].map(e => e.dir).join(' ')`); strings.Count(got, "rtl") != 9 {
		t.Errorf("the account's posts are laid out %q, want rtl each", got)
	}
	for i, start := range []string{"@ecp_pakistan", "NA-56", "ریٹرننگ"} {
		p.eval(`[...document.querySelectorAll('#account tbody td button')].find(b => b.innerText.trim().startsWith(` + jsString(start) + `)).click(), ''`)
		p.wait("post "+start, `document.querySelector('#post p.text')?.innerText.trim().startsWith(`+jsString(start)+`)`, 20*time.Second)
		if d := p.eval(`getComputedStyle(document.querySelector('#post p.text')).direction`); d != "rtl" {
			t.Errorf("a post starting with %s is laid out %s", start, d)
		}
		raw := p.text(`#post details.raw-record summary`)
		if !strings.Contains(raw, "#/messages/") || strings.Contains(raw, " 0 ") {
			t.Errorf("raw record of post %d: %q, want its locator #/messages/N", i, raw)
		}
		if n := p.eval(`String(document.querySelectorAll('#post bdi.tag').length)`); n != "1" {
			t.Errorf("post %s: %s isolated hashtags, want 1", start, n)
		}
		p.eval(`document.querySelector('#post details.raw-record').open = true, ''`)
		if i == 0 {
			p.axe("a post with its raw record (ur)")
		}
		if d := p.eval(`document.querySelector('#post pre.raw').dir`); d != "ltr" {
			t.Errorf("the raw JSON record is laid out %q", d)
		}
	}
	p.shot("urdu")
	// times: the browser's zone (Pakistan) by default, UTC on hover
	when := p.eval(`document.querySelector('#post time.when').innerText + '|' + document.querySelector('#post time.when').title`)
	if !strings.Contains(when, "UTC+5") || !strings.Contains(when, " UTC ") || !strings.Contains(when, "Asia/Karachi") {
		t.Errorf("a post's time: %q, want Pakistan time with UTC on hover", when)
	}
	pages["dataset"] = "/datasets/na56"

	// Two cases: a post goes to the one the user chooses, not the newest.
	for _, title := range []string{urduCase1, urduCase2} {
		p.visit("/cases", "case form", `!!document.querySelector('#case-form')`)
		p.fill(`#case-form [name=title]`, title)
		p.click(`#case-form button[type=submit]`)
		p.wait("case page", `document.querySelector('main h1')?.innerText === `+jsString(title), 20*time.Second)
		if title == urduCase1 {
			pages["case"] = p.eval(`location.hash`)[1:]
		}
	}
	pages["cases"] = "/cases"

	// A named coordination run on identical texts.
	p.visit("/coord?dataset=na56", "coord form", `!!document.querySelector('#coord-form select[name=dataset] option')`)
	p.fill(`#coord-form [name=name]`, urduRun)
	p.eval(`(() => { for (const c of document.querySelectorAll('#coord-form input[type=checkbox]')) if (c.checked !== (c.name === 'by-text')) c.click(); return ''; })()`)
	p.click(`#coord-form button[type=submit]`)
	p.wait("graph", `!!document.querySelector('#graph-counts') && !!window.tahqiqGraph && document.querySelectorAll('#edge-table tbody tr').length === 3`, 3*time.Minute)
	if h := p.text("main h1"); !strings.Contains(h, urduRun) {
		t.Errorf("run title %q lacks its name", h)
	}
	pages["coord-run"] = p.eval(`location.hash`)[1:]
	pages["coord"] = "/coord"
	// the evidence panel from the links table, announced and focused
	p.click(`#edge-table tbody tr button.edge`)
	p.wait("evidence", `!!document.querySelector('#edge-evidence tbody tr') && document.activeElement?.id === 'edge-evidence' && document.querySelector('#selection-status').innerText.trim() !== ''`, 20*time.Second)
	// the objects of a text run are shown as the Urdu texts their hashes
	// stand for, right to left, as are both posts of each pair
	if got := p.eval(`[...document.querySelectorAll('#edge-evidence td.object .object-text, #edge-evidence td.post .post-text')].map(e => e.dir).join(' ')`); got == "" || strings.Contains(got, "ltr") || strings.Contains(got, "auto") {
		t.Errorf("evidence texts laid out %q, want rtl each", got)
	}
	if got := p.text(`#edge-evidence td.object`); strings.Contains(got, "nt_") {
		t.Errorf("a text shown as its hash: %q", got)
	}
	p.axe("the evidence panel (ur)")
	if got := p.eval(`document.querySelector('#edge-evidence time.when').innerText`); !strings.HasSuffix(got, "UTC+5") {
		t.Errorf("evidence time %q, want Pakistan time", got)
	}
	// a post of the evidence goes to the first case (the older one)
	p.click(`#edge-evidence tbody tr td.post-a button.open-post`)
	p.wait("post", `!!document.querySelector('#raw-post #attach-post select')`, 20*time.Second)
	p.choose(`#attach-post select`, "پہلا کیس")
	p.click(`#attach-post button.attach`)
	p.wait("post attached", `!!document.querySelector('#attach-post .ok a[href^="#/items/"]')`, 20*time.Second)
	if got := p.text(`#attach-post .ok`); !strings.Contains(got, "پہلا کیس") {
		t.Errorf("post attached to %q", got)
	}
	// an account, reached from the table, not the canvas, to the newest case
	p.click(`#edge-table tbody tr button.account-a`)
	p.wait("account", `document.activeElement?.id === 'account' && !!document.querySelector('#attach-account button.attach')`, 20*time.Second)
	p.click(`#attach-account button.attach`)
	p.wait("account attached", `document.querySelector('#attach-account .ok')?.innerText.includes('دوسرا کیس')`, 30*time.Second)

	// The Russian sample raises alerts in the live stream: one goes to a case.
	p.visit("/datasets", "import form", `!!document.querySelector('#import-form input[type=file]')`)
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type=file]`), []string{filepath.Join(repoRoot(t), "internal", "demo", "data", "russian_coord_tweets.events.csv.gz")}))
	p.fill(`#import-form [name=dataset]`, "ru")
	p.click(`#import-form button[type=submit]`)
	p.wait("import done", `document.querySelector('#import-result')?.innerText.includes('ru')`, 3*time.Minute)
	p.visit("/alerts", "alerts", `document.querySelectorAll('#alerts tr.alert-row').length > 0`)
	p.click(`#alerts tr.alert-row button.link`)
	p.wait("alert detail", `!!document.querySelector('#alerts tr.alert-detail .attach-to button.attach')`, 20*time.Second)
	p.axe("an alert opened (ur)")
	p.choose(`#alerts tr.alert-detail .attach-to select`, "دوسرا کیس")
	p.click(`#alerts tr.alert-detail .attach-to button.attach`)
	p.wait("alert attached", `!!document.querySelector('#alerts tr.alert-detail .attach-to .ok')`, 20*time.Second)
	pages["alerts"] = "/alerts"

	// An audit run with a name; the claim tester offers the candidates.
	p.visit("/audit", "audit form", `!!document.querySelector('#audit-form select[name=map] option')`)
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#audit-form input[type=file]`), []string{filepath.Join(repoRoot(t), "internal", "audit", "testdata", "na999-template.csv")}))
	p.eval(`(() => { const s = document.querySelector('#audit-form select[name=map]'); s.value = 'pk-long'; s.dispatchEvent(new Event('change')); return ''; })()`)
	p.fill(`#audit-form [name=name]`, "حلقہ NA-999 کے فارم")
	p.click(`#audit-form button[type=submit]`)
	p.wait("flags", `!!document.querySelector('#flags tbody tr td.mono')`, 3*time.Minute)
	pages["audit-run"] = p.eval(`location.hash`)[1:]
	pages["audit"] = "/audit"
	if got := p.text("main"); strings.Contains(got, ".part") || !strings.Contains(got, "na999-template.csv") {
		t.Errorf("the audit run names its input %q", got[:min(len(got), 300)])
	}
	p.click(`#flags tbody tr td:nth-child(2) button`)
	p.wait("contest", `document.querySelectorAll('#contest table.copies-table').length > 0 && document.querySelectorAll('#candidates option').length >= 2`, 20*time.Second)
	if got := p.eval(`[...document.querySelectorAll('#candidates option')].map(o => o.value).join(',')`); got != "A,B" {
		t.Errorf("claim tester offers %q, want the candidates A,B", got)
	}

	// The first case: the post is there; the PDF report; closing refuses
	// changes until reopened; a capture of a server-side address is
	// refused, its error said once, in the form's words.
	p.visit(pages["case"], "case", `document.querySelectorAll('#items tbody tr a').length === 1`)
	// the page's own download link, as a click would fetch it
	if ct := p.evalAsync(`(() => { const a = document.querySelector('#report-pdf'); return fetch(a.href).then(r => r.headers.get('Content-Type') + ' ' + r.status + ' ' + (a.getAttribute('download') || '').endsWith('.pdf')); })()`); ct != "application/pdf 200 true" {
		t.Errorf("PDF report link: %s", ct)
	}
	p.fill(`#capture-form input[type=url]`, "http://127.0.0.1:9/")
	p.click(`#capture-form button[type=submit]`)
	p.wait("capture refused", `!!document.querySelector('.job[data-state=failed] .job-error')`, 60*time.Second)
	if got := p.eval(`document.querySelector('main').innerText`); strings.Count(got, "not a public address") != 1 {
		t.Errorf("the capture's error is shown %d times:\n%s", strings.Count(got, "not a public address"), got)
	}
	p.eval(`window.confirm = () => true, ''`)
	p.click(`#close-case`)
	p.wait("closed", `!!document.querySelector('#case-closed') && !document.querySelector('#attach-files') && !document.querySelector('#capture-form') && !!document.querySelector('#reopen-case')`, 20*time.Second)
	p.png("case-closed-ur-desktop")
	p.axe("a closed case (ur)")
	p.click(`#reopen-case`)
	p.wait("reopened", `!document.querySelector('#case-closed') && !!document.querySelector('#attach-files')`, 20*time.Second)
	p.click(`#items tbody tr a`)
	p.wait("item", `!!document.querySelector('#proof pre.note')`, 20*time.Second)
	pages["item"] = p.eval(`location.hash`)[1:]

	// The checkpoint, signed with a key named after the Urdu organisation:
	// every word of the signature line keeps its place, left to right.
	p.visit("/custody", "custody", `!!document.querySelector('#checkpoint .line')`)
	order := p.eval(`(() => {
		const lines = [...document.querySelectorAll('#checkpoint .line')];
		const sig = lines[lines.length - 1].querySelectorAll('bdi');
		const x = [...sig].map(b => b.getBoundingClientRect().left);
		return sig.length + ':' + (x[0] < x[1] && x[1] < x[2]) + ':' + sig[1].innerText;
	})()`)
	if !strings.HasPrefix(order, "3:true:tahqiq/") {
		t.Errorf("checkpoint signature line: %q, want dash, key name, signature left to right", order)
	}
	pages["custody"] = "/custody"

	// A bundle received: with the server's own key (pinned), then with the
	// key pasted (given).
	pages["verify"] = "/custody/verify"
	caseID := strings.Split(pages["case"], "/")[2]
	for _, tc := range []struct{ key, trust string }{{"", "pinned"}, {"own", "given"}} {
		p.visit("/custody/verify", "verify form", `!!document.querySelector('#verify-form')`)
		p.uploadFrom(`#verify-form input[type=file]`, "/api/v1/cases/"+caseID+"/export", "received.zip")
		if tc.key != "" {
			pub, err := os.ReadFile(filepath.Join(srv.data, "keys", "log.pub"))
			if err != nil {
				t.Fatal(err)
			}
			p.fill(`#verify-form textarea[name=key]`, strings.TrimSpace(string(pub)))
		}
		p.click(`#verify-form button[type=submit]`)
		p.wait("bundle verified", `document.querySelector('#trust-kind')?.dataset.trust === `+jsString(tc.trust), 60*time.Second)
		// the key: name, hash and key left to right, the Urdu name not
		// pulling the hash to its side
		if got := p.eval(`(() => { const b = [...document.querySelectorAll('#bundle-trust .key bdi')].slice(0, 3).map(e => e.getBoundingClientRect().left); return b.length + ':' + (b[0] < b[1] && b[1] < b[2]); })()`); got != "3:true" {
			t.Errorf("the key checked against is laid out %q, want its three parts left to right", got)
		}
		p.png("verify-report-" + tc.trust + "-ur-desktop")
		p.axe("a bundle's report (ur)")
		if got := p.eval(`document.querySelector('#bundle-report p').className`); got != "ok" {
			t.Errorf("bundle with %q key: %s\n%s", tc.key, got, p.text("#bundle-report"))
		}
	}

	pages["jobs"] = "/jobs"
	pages["admin"] = "/admin"
	pages["settings"] = "/settings"

	// The user's own zone: UTC, saved on the server.
	p.visit("/settings", "settings", `!!document.querySelector('#prefs-form select[name=zone]')`)
	p.eval(`(() => { const s = document.querySelector('#prefs-form select[name=zone]'); s.value = 'UTC'; s.dispatchEvent(new Event('change')); return ''; })()`)
	p.click(`#prefs-form button[type=submit]`)
	p.wait("saved", `fetch('/api/v1/me/preferences').then(r => r.json()).then(x => x.time_zone === 'UTC' && x.lang === 'ur')`, 10*time.Second)
	p.visit("/datasets/na56", "dataset", `!!document.querySelector('#dataset-stats time.when, main time.when')`)
	if got := p.eval(`document.querySelector('main time.when').innerText`); !strings.HasSuffix(got, " UTC") {
		t.Errorf("a time with the zone set to UTC: %q", got)
	}
	// back to the browser's zone for the look below
	if st := p.evalAsync(`fetch('/api/v1/me').then(r => r.json()).then(m => fetch('/api/v1/me/preferences', {method: 'PUT', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': m.csrf_token}, body: JSON.stringify({lang: 'ur', time_zone: ''})})).then(r => String(r.status))`); st != "200" {
		t.Fatalf("preferences back to the browser's zone: %s", st)
	}
	p.do("reload", chromedp.Reload())

	// Every page, in Urdu, then in English (the header's switch).
	order2 := []string{"datasets", "dataset", "coord", "coord-run", "alerts", "audit", "audit-run", "cases", "case", "item", "custody", "verify", "jobs", "admin", "settings"}
	for _, lang := range []string{"ur", "en"} {
		if lang == "en" {
			p.visit("/datasets", "datasets", `!!document.querySelector('#lang-switch')`)
			p.click(`#lang-switch`)
			p.wait("English", `document.documentElement.lang === 'en' && document.documentElement.dir === 'ltr'`, 10*time.Second)
			p.wait("saved", `fetch('/api/v1/me/preferences').then(r => r.json()).then(x => x.lang === 'en')`, 10*time.Second)
		}
		for _, name := range order2 {
			p.do("load "+name, chromedp.Navigate(srv.url+"/#"+pages[name]))
			p.wait(name, `document.documentElement.lang === `+jsString(lang)+` && !!document.querySelector('main h1') && !document.querySelector('[aria-busy=true]')`, 60*time.Second)
			if name == "coord-run" {
				p.wait("layout settled", `!!window.tahqiqGraph && !window.tahqiqGraph.running()`, 60*time.Second)
			}
			if name == "dataset" {
				p.click(`section[aria-labelledby=top-accounts] tbody tr button.link`)
				p.wait("account", `!!document.querySelector('#account tbody tr')`, 20*time.Second)
				// no zone of the user's own: the browser's (Pakistan)
				if got := p.eval(`document.querySelector('#account time.when').innerText + ' ' + Intl.DateTimeFormat().resolvedOptions().timeZone`); !strings.Contains(got, "UTC+5") {
					t.Errorf("a time in the browser's zone: %q (stored %s, server %s)", got, p.eval(`localStorage.getItem('tahqiq-zone')`), p.evalAsync(`fetch('/api/v1/me').then(r => r.text())`))
				}
			}
			p.look(name)
		}
	}

	// A password change ends the session: the login page says so.
	p.visit("/settings", "settings", `!!document.querySelector('#password-form')`)
	p.fill(`#password-form [name=current]`, password)
	p.fill(`#password-form [name=new]`, "a new long password")
	p.fill(`#password-form [name=again]`, "a new long password")
	p.click(`#password-form button[type=submit]`)
	p.wait("login again", `!!document.querySelector('#login-form') && !!document.querySelector('#login-notice')`, 20*time.Second)
	p.look("login")
	p.click(`#login-lang`)
	p.wait("Urdu login page", `document.documentElement.lang === 'ur'`, 10*time.Second)
	p.look("login")
	p.fill(`#login-form [name=name]`, adminName)
	p.fill(`#login-form [name=password]`, "a new long password")
	p.click(`#login-form button[type=submit]`)
	p.wait("logged in with the new password", `!!document.querySelector('#who')`, 30*time.Second)
}

// TestBrowserErrors: with the server stopped a banner says so and pages
// say what failed (never "nothing here"); the banner goes and the page
// loads once the server is back; an expired session returns to the login
// page and, logged in again, to the page the user was on; an import error
// is said once, with the file's name as sent and the form's words.
func TestBrowserErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short mode")
	}
	ctx := browser(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	data := t.TempDir()
	srv := startServerAt(t, data, addr)
	p := &page{t: t, ctx: ctx, url: srv.url}
	p.visit("/", "setup form", `!!document.querySelector('#setup-form')`)
	p.fill(`#setup-form [name=org]`, "Observers")
	p.fill(`#setup-form [name=name]`, adminName)
	p.fill(`#setup-form [name=password]`, password)
	p.fill(`#setup-form [name=password2]`, password)
	p.click(`#setup-form button[type=submit]`)
	p.wait("logged in", `!!document.querySelector('#who')`, 30*time.Second)

	// An import error: once, the file by its name, no flag of the CLI.
	garbage := filepath.Join(t.TempDir(), "posts.csv")
	os.WriteFile(garbage, []byte("user,created,body\nali,2024-02-08T10:00:00Z,hello\n"), 0o644)
	p.visit("/datasets", "import form", `!!document.querySelector('#import-form input[type=file]') && !!document.querySelector('#no-datasets')`)
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type=file]`), []string{garbage}))
	p.fill(`#import-form [name=dataset]`, "bad")
	p.click(`#import-form button[type=submit]`)
	p.wait("import failed", `!!document.querySelector('.job[data-state=failed] .job-error')`, 60*time.Second)
	msg := p.text(`.job-error`)
	body := p.eval(`document.querySelector('main').innerText`)
	if strings.Count(body, "format not recognised") != 1 || strings.Contains(msg, "--") || strings.Contains(msg, ".part") || strings.Contains(msg, "posts.csv: posts.csv") || !strings.Contains(msg, "posts.csv") {
		t.Errorf("import error %q (shown %d times)", msg, strings.Count(body, "format not recognised"))
	}
	p.png("import-error-en-desktop")

	// A rejected record of a JSON document: its place in the document
	// (#/messages/1), not "0", in the rejects table.
	chat := rejectedChat(t)
	p.do("choose chat", chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type=file]`), []string{chat}))
	p.fill(`#import-form [name=dataset]`, "tg")
	p.click(`#import-form button[type=submit]`)
	p.wait("chat imported", `document.querySelector('#import-result')?.innerText.includes('tg')`, 3*time.Minute)
	p.visit("/datasets/tg", "rejects", `!!document.querySelector('#rejects tbody tr')`)
	if got := p.eval(`[...document.querySelectorAll('#rejects tbody tr')].map(r => [...r.cells].slice(1, 3).map(c => c.innerText.trim()).join(' | ')).join('\n')`); got != `#/messages/1 | date_unixtime "x" is not unix seconds` {
		t.Errorf("rejects table: %q, want the record's place and the reason without it", got)
	}

	// The server stops: a banner, and a page says it could not load.
	srv.stop()
	p.go_("/cases")
	p.wait("banner", `!!document.querySelector('#offline-banner') && !!document.querySelector('main .error-box')`, 30*time.Second)
	if got := p.eval(`document.querySelector('main').innerText`); strings.Contains(got, "No case you may read") {
		t.Errorf("with the server stopped the cases page says there is none:\n%s", got)
	}
	p.png("offline-en-desktop")
	p.axe("offline banner")
	p.go_("/datasets")
	p.wait("datasets failed", `!!document.querySelector('main .error-box')`, 30*time.Second)
	if p.eval(`String(!!document.querySelector('#no-datasets'))`) != "false" {
		t.Error(`with the server stopped the datasets page says "No dataset yet"`)
	}
	// back: the banner goes and the page loads by itself
	startServerAt(t, data, addr) // stopped with the test
	p.wait("back", `!document.querySelector('#offline-banner') && !document.querySelector('main .error-box') && !!document.querySelector('#datasets, #no-datasets')`, 60*time.Second)

	// The session ends behind the page's back: the next request brings the
	// login page, which then returns to the same page.
	p.go_("/cases")
	p.wait("cases", `!!document.querySelector('#cases')`, 20*time.Second)
	p.evalAsync(`fetch('/api/v1/me').then(r => r.json()).then(m => fetch('/api/v1/logout', {method: 'POST', headers: {'X-CSRF-Token': m.csrf_token}})).then(r => String(r.status))`)
	p.go_("/jobs")
	p.wait("login page", `!!document.querySelector('#login-form') && !!document.querySelector('#session-expired') && !document.querySelector('#who')`, 20*time.Second)
	p.png("expired-en-desktop")
	p.fill(`#login-form [name=name]`, adminName)
	p.fill(`#login-form [name=password]`, password)
	p.click(`#login-form button[type=submit]`)
	p.wait("back where it was", `!!document.querySelector('#who') && location.hash === '#/jobs' && !!document.querySelector('#jobs')`, 30*time.Second)
}

// rejectedChat is the project's Telegram Desktop export of Urdu posts
// (internal/cli/testdata/na56_chat.json) with one message whose date is
// not a date: a rejected record of a JSON document, which has no line.
func rejectedChat(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "cli", "testdata", "na56_chat.json"))
	if err != nil {
		t.Fatal(err)
	}
	var chat map[string]any
	if err := json.Unmarshal(b, &chat); err != nil {
		t.Fatal(err)
	}
	msg := chat["messages"].([]any)[1].(map[string]any)
	msg["date"], msg["date_unixtime"] = "not a date", "x"
	b, _ = json.Marshal(chat)
	path := filepath.Join(t.TempDir(), "chat.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
