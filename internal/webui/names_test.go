package webui_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// TestBrowserAccountNames: a coordination run shows accounts by what the
// data calls them, their UID beside: the links table by handle and name
// (an X account with an Urdu-script name, Telegram accounts with Urdu
// names and no handle), the graph's node labels, the account panel; the
// run page's account search finds an account by its handle, by its Urdu
// name typed with the Arabic yeh (علي for علی), by the id its file wrote,
// and choosing one (a click, or Enter on words naming one account)
// centres it in the network and opens its panel; the links filter by
// Urdu name, either yeh. On the X API v2 sample withheld.jsonl and the
// Telegram export of TestBrowserUrdu, imported through the page.
func TestBrowserAccountNames(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short mode")
	}
	withheld := filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "withheld.jsonl")
	ctx := browser(t)
	srv := startServer(t)
	p := &page{t: t, ctx: ctx, url: srv.url}
	p.visit("/", "setup form", `!!document.querySelector('#setup-form')`)
	p.fill(`#setup-form [name=org]`, "Election Inquiry Team")
	p.fill(`#setup-form [name=name]`, adminName)
	p.fill(`#setup-form [name=password]`, password)
	p.fill(`#setup-form [name=password2]`, password)
	p.click(`#setup-form button[type=submit]`)
	p.wait("logged in", `!!document.querySelector('#who')`, 30*time.Second)

	p.visit("/datasets", "import form", `!!document.querySelector('#import-form input[type=file]')`)
	p.do("choose files", chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type=file]`), []string{withheld, urduChat(t)}))
	p.fill(`#import-form [name=dataset]`, "pk")
	p.click(`#import-form button[type=submit]`)
	p.wait("import done", `document.querySelector('#import-result')?.innerText.includes('pk')`, 3*time.Minute)

	// the form starts from the server's defaults, CooRTweet's percentile
	// 0.5 among them, and says what it does next to it
	p.visit("/coord?dataset=pk", "coord form", `!!document.querySelector('#coord-form select[name=dataset] option') && document.querySelector('#coord-form [aria-describedby=percentile-help]')?.value === '0.5'`)
	if help := p.text(`#percentile-help`); !strings.Contains(help, "median") || !strings.Contains(help, "0.5") {
		t.Errorf("percentile help: %q", help)
	}
	// no object type ticked: the form says so instead of running on every type
	p.eval(`(() => { for (const c of document.querySelectorAll('#coord-form input[type=checkbox]')) if (c.checked) c.click(); return ''; })()`)
	p.wait("no type", `!!document.querySelector('#coord-no-type')`, 10*time.Second)
	p.eval(`(() => { for (const c of document.querySelectorAll('#coord-form input[type=checkbox]')) if (c.name === 'by-retweet' || c.name === 'by-url') c.click(); return ''; })()`)
	p.wait("types chosen", `!document.querySelector('#coord-no-type')`, 10*time.Second)
	p.fill(`#coord-form [name=window]`, "1h")
	p.eval(`(() => { const i = document.querySelector('#coord-form input[type=number]'); i.value = '1'; i.dispatchEvent(new Event('input', {bubbles: true})); return ''; })()`)
	p.click(`#coord-form button[type=submit]`)
	p.wait("graph", `!!document.querySelector('#graph-counts') && !!window.tahqiqGraph && document.querySelectorAll('#edge-table tbody tr').length > 20`, 3*time.Minute)

	if got := p.text(`#run-params`); !strings.Contains(got, "Flag above percentile\t0.5") && !strings.Contains(got, "Flag above percentile\n0.5") {
		t.Errorf("run parameters: %q, want percentile 0.5", got)
	}
	// the links table: handles and names, the UID beside
	table := p.text(`#edge-table`)
	for _, s := range []string{"@", "x:", "علی رضا", "telegram:user101"} {
		if !strings.Contains(table, s) {
			t.Errorf("the links table does not show %q:\n%.600s", s, table)
		}
	}
	// the graph's labels
	for uid, want := range map[string]string{"telegram:user101": "علی رضا", "x:1235574652895989760": "@Zimal23_K"} {
		if got := p.eval(`window.tahqiqGraph.label(` + jsString(uid) + `)`); got != want {
			t.Errorf("graph label of %s: %q, want %q", uid, got, want)
		}
	}

	// the run page's one account search: by Urdu name typed with the
	// Arabic yeh, by handle, by the id the file wrote; candidates listed
	for _, tc := range []struct{ query, uid string }{
		{"علي رضا", "telegram:user101"},
		{"@zimal23", "x:1235574652895989760"},
		{"user102", "telegram:user102"},
		{"1235574652895989760", "x:1235574652895989760"},
	} {
		p.fill(`#net-search`, tc.query)
		p.wait("search "+tc.query, `!!document.querySelector('#search-hits button[data-uid=`+jsString(tc.uid)+`]')`, 10*time.Second)
	}
	p.fill(`#net-search`, "علي")
	p.wait("search علي", `!!document.querySelector('#search-hits button[data-uid="telegram:user101"]')`, 10*time.Second)
	p.axe("account search results")
	p.png("account-search")
	// choosing one centres it in the network and opens its panel, focused
	p.click(`#search-hits button[data-uid="telegram:user101"]`)
	p.wait("account panel", `document.activeElement?.id === 'account' && document.querySelector('#account-h')?.innerText.includes('علی رضا')`, 20*time.Second)
	if got := p.text(`#account`); !strings.Contains(got, "telegram:user101") {
		t.Errorf("the account panel does not show the UID: %.300s", got)
	}
	p.wait("centred", `(() => { const q = window.tahqiqGraph.place('telegram:user101'); return !!q && Math.hypot(q.x, q.y) < 2; })()`, 20*time.Second)
	// Enter on words that name one account opens it without the list
	p.fill(`#net-search`, "@Zimal23_K")
	p.do("Enter", chromedp.SendKeys(chromedp.CSS(`#net-search`), kb.Enter))
	p.wait("account panel by Enter", `document.activeElement?.id === 'account' && document.querySelector('#account')?.innerText.includes('x:1235574652895989760')`, 20*time.Second)
	p.fill(`#net-search`, "nobody-at-all")
	p.wait("no match", `document.querySelector('#search-hits')?.innerText.includes('No account')`, 10*time.Second)

	// the links filter by Urdu name, typed with the Urdu or the Arabic yeh
	for _, q := range []string{"زینب", "زينب"} {
		p.fill(`#edge-table-filter`, q)
		p.wait("filtered links "+q, `document.querySelectorAll('#edge-table tbody tr').length === 2`, 10*time.Second)
		if rows := p.eval(`[...document.querySelectorAll('#edge-table tbody tr')].every(r => r.innerText.includes('زینب بی بی')) ? 'all' : 'not all'`); rows != "all" {
			t.Errorf("links filtered by %s: %s rows show her", q, rows)
		}
	}
	p.shot("account-names")
}
