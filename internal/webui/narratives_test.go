package webui_test

// Browser test of issue 17: the Narratives page (runs, the list with
// sparklines, a narrative's posts, accounts, groups, timeline and the
// fact-checks its posts match), a claims match and the watchlist view,
// account signals in the account panels, attaching to a case; axe-core on
// every page in English and Urdu, at desktop width and at 390 px.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ukClaims is a hand-made fact-check (CSV) of a story the demo's twarc2
// sample tells.
const ukClaims = "claim,url,rating,publisher,language\n" +
	"\"Boris Johnson has revealed his favourite bottle of wine, Tignanello, costs 180 pounds while 20 pounds is taken from Universal Credit\",https://factcheck.example.org/boris-wine,Missing context,Example Fact Check,en\n"

func TestBrowserNarratives(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short mode")
	}
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

	// the demo's real twarc2 sample (Brexit, 2021)
	p.visit("/datasets", "import form", `!!document.querySelector('#import-form input[type=file]')`)
	p.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type=file]`), []string{filepath.Join(repoRoot(t), "internal", "demo", "data", "brexit.jsonl.gz")}))
	p.fill(`#import-form [name=dataset]`, "brexit")
	p.click(`#import-form button[type=submit]`)
	p.wait("import done", `document.querySelector('#import-result')?.innerText.includes('brexit')`, 3*time.Minute)

	// a claim set, imported on the command line beside the running server
	checks := filepath.Join(t.TempDir(), "checks.csv")
	if err := os.WriteFile(checks, []byte(ukClaims), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary(t), "--data", srv.data, "--as", adminName, "claims", "import", "--set", "uk", checks).CombinedOutput()
	if err != nil {
		t.Fatalf("claims import: %v\n%s", err, out)
	}

	// a coordination run on hashtags, for the groups and the account panel
	p.visit("/coord?dataset=brexit", "coord form", `!!document.querySelector('#coord-form select[name=dataset] option')`)
	p.eval(`(() => {
		for (const c of document.querySelectorAll('#coord-form input[type=checkbox]')) {
			if (c.checked !== (c.name === 'by-hashtag')) c.click();
		}
		return '';
	})()`)
	p.fill(`#coord-form [name=window]`, "none")
	p.fill(`#coord-form [name=name]`, "hashtags")
	p.click(`#coord-form button[type=submit]`)
	// the links table comes once the network has drawn its first frame
	p.wait("graph loaded", `!!document.querySelector('#graph-counts') && !!document.querySelector('#edge-table button.account-a')`, 3*time.Minute)
	coordURL := p.eval(`location.hash`)

	// the account panel of the run: its signals from nodes.csv
	p.click(`#edge-table button.account-a`)
	p.wait("account signals", `!!document.querySelector('#account #account-signals dd[data-signal=posts_total]')`, 20*time.Second)
	if got := p.text(`#account #account-signals dd[data-signal=posts_total]`); got == "" || got == "–" {
		t.Errorf("the account panel's posts signal: %q", got)
	}
	if n := p.eval(`String(document.querySelectorAll('#account #account-signals .hours rect.bar').length)`); n != "24" {
		t.Errorf("hour profile: %s bars, want 24", n)
	}
	p.look("account-signals")
	// the network filtered by the accounts' signals: no account has a billion followers
	p.setText(`#graph-filter textarea[name=where]`, "followers>=1000000000")
	p.click(`#graph-filter button[type=submit]`)
	p.wait("filtered network", `/^0 accounts/.test(document.querySelector('#graph-counts')?.innerText || '')`, 30*time.Second)

	// the dataset's accounts filtered by their signals
	p.visit("/datasets/brexit", "dataset page", `!!document.querySelector('#signals-form')`)
	p.setText(`#signals-form textarea`, "default_handle=true\nfollowers>=100")
	p.click(`#signals-form button[type=submit]`)
	p.wait("filtered accounts", `/\d+ of \d+ accounts/.test(document.querySelector('#signals-matched')?.innerText || '')`, 30*time.Second)
	if got := p.text(`#signals-matched`); strings.HasPrefix(got, "0 of") {
		t.Errorf("signal filter: %q", got)
	}
	// the filtered accounts by handle (and name), the UID beside
	if got := p.eval(`(() => { const rows = [...document.querySelectorAll('#signals-table tbody tr')]; return [rows.length, rows.filter(r => r.querySelector('.account-label')?.innerText.startsWith('@')).length, rows.filter(r => r.querySelector('.account-id')).length].join(' '); })()`); func() bool {
		var n, handles, ids int
		fmt.Sscan(got, &n, &handles, &ids)
		return n == 0 || handles != n || ids != n
	}() {
		t.Errorf("signals table: rows, handles, UIDs = %s", got)
	}
	p.look("dataset-signals")

	// a claims match, then narratives linked to the coordination run
	p.visit("/narratives?dataset=brexit", "narratives page", `!!document.querySelector('#claims-form select[name=set] option') && !!document.querySelector('#text-coord-run option[value^="c-"]')`)
	p.look("narratives")
	p.click(`#claims-form button[type=submit]`)
	p.wait("claims run", `location.hash.startsWith('#/claims/m-') && !!document.querySelector('#claims tbody tr')`, 3*time.Minute)
	p.click(`#claims button.claim-link`)
	p.wait("matches", `!!document.querySelector('#claim-matches tbody tr')`, 20*time.Second)
	p.look("claims-run")

	p.visit("/narratives?dataset=brexit", "narratives page", `!!document.querySelector('#text-coord-run option[value^="c-"]')`)
	p.choose(`#text-coord-run`, "hashtags")
	p.click(`#narratives-form button[type=submit]`)
	p.wait("narratives run", `location.hash.startsWith('#/narratives/n-') && document.querySelectorAll('#narratives tbody tr a.narrative-link').length > 10`, 3*time.Minute)
	if n := p.eval(`String(document.querySelectorAll('#narratives svg.spark').length)`); n == "0" {
		t.Error("no sparkline in the narratives list")
	}
	if got := p.text(`#narratives tbody tr:first-child`); !strings.Contains(got, "Tignanello") && !strings.Contains(strings.ToLower(got), "bottle") {
		t.Errorf("first narrative: %q", got)
	}
	runURL := p.eval(`location.hash`)
	p.look("narratives-run")
	p.click(`#narratives tbody tr:first-child a.narrative-link`)
	p.wait("narrative", `document.querySelectorAll('#narrative-posts tbody tr').length === 18 && !!document.querySelector('#fact-checks li')`, 30*time.Second)
	if got := p.text(`#fact-checks`); !strings.Contains(got, "factcheck.example.org/boris-wine") || !strings.Contains(got, "misleading") {
		t.Errorf("fact-checks of the narrative: %q", got)
	}
	if n := p.eval(`String(document.querySelectorAll('#narrative-groups tbody tr').length)`); n == "0" {
		t.Error("no coordinated group in the narrative")
	}
	p.wait("timeline", `document.querySelectorAll('.chart rect.bar').length > 0`, 10*time.Second)
	// accounts and posts' authors by handle and name, the UID beside (issue 16)
	for _, tbl := range []string{"#narrative-accounts", "#narrative-posts"} {
		got := p.eval(`(() => { const rows = [...document.querySelectorAll('` + tbl + ` tbody tr')]; return [rows.length, rows.filter(r => r.querySelector('.account-label')?.innerText.startsWith('@')).length, rows.filter(r => r.querySelector('.account-display')).length, rows.filter(r => /^x:\d+$/.test(r.querySelector('.account-id')?.innerText || '')).length].join(' '); })()`)
		var n, handles, names, ids int
		fmt.Sscan(got, &n, &handles, &names, &ids)
		if n == 0 || handles != n || names == 0 || ids != n {
			t.Errorf("%s: of %d rows %d show a handle, %d a name, %d the UID", tbl, n, handles, names, ids)
		}
	}
	p.click(`#narrative-accounts button.account-link`)
	p.wait("account signals in the narrative", `!!document.querySelector('#narrative-account #account-signals dd[data-signal=followers]')`, 30*time.Second)
	narrativeURL := p.eval(`location.hash`)
	p.look("narrative")

	// evidence: the run, with its parameters, into a case
	p.visit("/cases", "cases", `!!document.querySelector('#case-form')`)
	p.fill(`#case-form [name=title]`, "Brexit stories")
	p.click(`#case-form button[type=submit]`)
	p.wait("case opened", `location.hash.startsWith('#/cases/')`, 20*time.Second)
	p.go_(strings.TrimPrefix(narrativeURL, "#"))
	p.wait("attach control", `!!document.querySelector('#attach-run select[name=case] option')`, 20*time.Second)
	p.click(`#attach-run button.attach`)
	p.wait("attached", `!!document.querySelector('#attach-run .ok a')`, 30*time.Second)

	// the watchlist view
	p.visit("/narratives?dataset=brexit", "narratives page", `!!document.querySelector('#targets-form textarea')`)
	p.setText(`#targets-form textarea`, "account,label\nBorisJohnson,Prime Minister\nmetpoliceuk,Metropolitan Police")
	p.click(`#targets-form button[type=submit]`)
	p.wait("targets run", `location.hash.startsWith('#/targets/t-') && document.querySelectorAll('#targets tbody tr').length === 2`, 3*time.Minute)
	p.click(`#targets button.target-link`)
	p.wait("events", `!!document.querySelector('#target-events tbody tr')`, 20*time.Second)
	// the events' actors by handle and name (events.csv actor_name), the UID beside
	if got := p.eval(`(() => { const rows = [...document.querySelectorAll('#target-events tbody tr')]; return [rows.length, rows.filter(r => r.querySelector('.account-label')?.innerText.startsWith('@')).length, rows.filter(r => r.querySelector('.account-display')).length, rows.filter(r => r.querySelector('.account-id')).length].join(' '); })()`); func() bool {
		var n, handles, names, ids int
		fmt.Sscan(got, &n, &handles, &names, &ids)
		return n == 0 || handles != n || names == 0 || ids != n
	}() {
		t.Errorf("targets events: rows, handles, names, UIDs = %s", got)
	}
	targetsURL := p.eval(`location.hash`)
	p.look("targets-run")

	// the same pages in Urdu, right to left
	p.click(`#lang-switch`)
	p.wait("Urdu", `document.documentElement.lang === 'ur'`, 10*time.Second)
	for _, v := range []struct{ name, url, cond string }{
		{"narratives-run", runURL, `document.querySelectorAll('#narratives tbody tr').length > 10`},
		{"narrative", narrativeURL, `!!document.querySelector('#fact-checks li')`},
		{"targets-run", targetsURL, `!!document.querySelector('#targets tbody tr')`},
		{"coord-run", coordURL, `!!document.querySelector('#graph-counts') && !!document.querySelector('#edge-table button.account-a')`},
	} {
		p.visit(strings.TrimPrefix(v.url, "#"), v.name+" in Urdu", v.cond)
		if v.name == "coord-run" {
			p.click(`#edge-table button.account-a`)
			p.wait("account signals in Urdu", `!!document.querySelector('#account #account-signals dd[data-signal=posts_total]')`, 20*time.Second)
		}
		p.look(v.name)
	}
}

// setText sets a field's value (lines included) as typing would.
func (p *page) setText(sel, value string) {
	p.t.Helper()
	p.eval(`(() => { const e = document.querySelector(` + jsString(sel) + `); e.value = ` + jsString(value) + `; e.dispatchEvent(new Event('input', {bubbles: true})); return ''; })()`)
}
