package webui_test

// Browser test of claims feedback (issue 17): a post found through one
// of the claim's best matches shows which post it came through and the
// words it shares with it, in English and Urdu; axe-core on the page.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBrowserClaimsFeedback(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short mode")
	}
	data := t.TempDir()
	// the claim's words in a post (a seed), a Roman Urdu post repeating the
	// seed with more of its own words (found through it), and a background
	posts := "id,account,time,text\n" +
		"1,amina,1707400000,Jailed Imran Khan has cast his vote inside Adiala Jail\n" +
		"2,bilal,1707400600,\"Imran Khan ne Adiala jail mein vote cast kar diya, Sheikh Rasheed aur Bushra Bibi ne bhi vote cast kiya, NA 47 Islamabad\"\n" +
		"3,chand,1707401200,Polling stations in Lahore stayed open late because of long queues\n"
	for i := 0; i < 40; i++ {
		posts += fmt.Sprintf("%d,bg%d,%d,the weather in city %d was hot and dry today\n", 10+i, i, 1707402000+i*60, i)
	}
	input := filepath.Join(data, "posts.csv")
	if err := os.WriteFile(input, []byte(posts), 0o644); err != nil {
		t.Fatal(err)
	}
	cli(t, data, "import", "--dataset", "jail", "--map", "account=account,id=id,time=time,time_format=unix,text=text", input)
	srv := startServerAt(t, data, "127.0.0.1:0")
	ctx := browser(t)
	p := &page{t: t, ctx: ctx, url: srv.url}
	p.visit("/", "setup form", `!!document.querySelector('#setup-form')`)
	p.fill(`#setup-form [name=org]`, "Election Inquiry Team")
	p.fill(`#setup-form [name=name]`, adminName)
	p.fill(`#setup-form [name=password]`, password)
	p.fill(`#setup-form [name=password2]`, password)
	p.click(`#setup-form button[type=submit]`)
	p.wait("logged in", `!!document.querySelector('#who')`, 30*time.Second)

	checks := filepath.Join(t.TempDir(), "checks.csv")
	claim := "claim,url,rating,publisher,language\n" +
		"A photo shows the jailed former prime minister Imran Khan casting his vote inside Adiala Jail,https://factcheck.example.org/jail-vote,False,Example Fact Check,en\n"
	if err := os.WriteFile(checks, []byte(claim), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(binary(t), "--data", data, "--as", adminName, "claims", "import", "--set", "jail", checks).CombinedOutput(); err != nil {
		t.Fatalf("claims import: %v\n%s", err, out)
	}

	p.visit("/narratives?dataset=jail", "narratives page", `!!document.querySelector('#claims-form select[name=set] option')`)
	p.click(`#claims-form button[type=submit]`)
	p.wait("claims run", `location.hash.startsWith('#/claims/m-') && !!document.querySelector('#claims tbody tr')`, 3*time.Minute)
	p.click(`#claims button.claim-link`)
	p.wait("matches", `document.querySelectorAll('#claim-matches tbody tr').length === 2`, 20*time.Second)
	rows := p.eval(`[...document.querySelectorAll('#claim-matches tbody tr')].map(r => r.innerText.replace(/\s+/g, ' ')).join('\n')`)
	lines := strings.Split(rows, "\n")
	if len(lines) != 2 || strings.Contains(lines[0], "found through") || !strings.Contains(lines[1], "found through post") ||
		!strings.Contains(lines[1], "adiala") || !strings.Contains(lines[1], "Bushra Bibi") {
		t.Errorf("matches: want the seed first, then the Roman Urdu post found through it with the words it shares:\n%s", rows)
	}
	p.look("claims-feedback")

	p.click(`#lang-switch`)
	p.wait("Urdu", `document.documentElement.lang === 'ur'`, 10*time.Second)
	p.wait("matches in Urdu", `document.querySelectorAll('#claim-matches tbody tr').length === 2`, 20*time.Second)
	if got := p.text(`#claim-matches tbody tr:nth-child(2)`); !strings.Contains(got, "کے ذریعے ملی") {
		t.Errorf("the feedback row in Urdu: %q", got)
	}
	p.look("claims-feedback")
}
