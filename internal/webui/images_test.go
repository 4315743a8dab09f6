package webui_test

import (
	"archive/zip"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// zipFolder writes the files under dir to a zip archive at out, inside
// the folder prefix (a Telegram Desktop export folder zipped).
func zipFolder(t *testing.T, dir, prefix, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(prefix + filepath.ToSlash(rel))
		if err == nil {
			_, err = w.Write(data)
		}
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestBrowserImages: a Telegram Desktop export zipped with its photos is
// imported through the import form (its pictures hashed and kept on the
// server); a case holds the fake ballot's photo as a file. The pictures
// page, given the dataset and the case, shows the ballot's group: its four
// pictures as loaded thumbnails (the files the import kept), tiers and
// turns in words, the posts with their accounts'
// names and texts, the group's four accounts, its image objects with a
// link to start a coordination run; the group is attached to the case
// with its parameters and its four picture files, and the item holds
// them. The post view of the dataset's page shows a post's picture (in
// English at desktop width, in Urdu at 390 px). axe-core finds nothing in
// English and in Urdu, at desktop width and at 390 px, and the page fits
// a phone's width.
func TestBrowserImages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short mode")
	}
	dir := t.TempDir()
	ex := parsetest.TelegramMediaExport(t, filepath.Join(dir, "export"))
	archive := filepath.Join(dir, "ChatExport.zip")
	zipFolder(t, ex.Dir, "ChatExport_2024-02-08/", archive)
	ballot := filepath.Join(ex.Dir, "photos", "photo_1@08-02-2024_10-00-00.jpg")

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

	p.importFile(archive, "tg")
	if got := p.text(`#import-pictures`); !strings.Contains(got, "Pictures: 7 hashed, 1 missing, 1 unreadable, 1 not pictures, 1 without a file in the export.") {
		t.Errorf("the import's pictures: %q", got)
	}
	if got := p.evalAsync(`fetch('/api/v1/datasets/tg/media').then(r => r.json()).then(m => JSON.stringify(m.counts))`); got != `{"hashed":7,"missing":1,"not_image":1,"unreadable":1}` {
		t.Errorf("pictures of the zipped export imported through the form: %s", got)
	}

	// a case with the ballot's photo as a file
	p.visit("/cases", "case form", `!!document.querySelector('#case-form')`)
	p.fill(`#case-form [name=title]`, "Fake ballot paper")
	p.click(`#case-form button[type=submit]`)
	p.wait("case page", `document.querySelector('main h1')?.innerText === 'Fake ballot paper'`, 20*time.Second)
	caseID := strings.Split(p.eval(`location.hash`), "/")[2]
	p.do("choose the photo", chromedp.SetUploadFiles(chromedp.CSS(`#attach-files input[type=file]`), []string{ballot}))
	p.click(`#attach-files button[type=submit]`)
	p.wait("file attached", `document.querySelectorAll('#items tbody tr a').length === 1`, 60*time.Second)

	// the pictures page, from the menu
	p.visit("/datasets", "datasets", `!!document.querySelector('nav a[href="#/images"]')`)
	p.click(`nav a[href="#/images"]`)
	p.wait("images form", `!!document.querySelector('#images-form input[name=dataset][value=tg]') && !!document.querySelector('#images-form input[name=case]')`, 30*time.Second)
	p.click(`#images-form input[name=dataset][value=tg]`)
	p.click(`#images-form input[name=case][value="` + caseID + `"]`)
	p.click(`#images-form button[type=submit]`)
	p.wait("groups", `!!document.querySelector('#group-0') && !!document.querySelector('#images-counts')`, 60*time.Second)
	if got := p.eval(`location.hash`); got != "#/images?dataset=tg&case="+caseID+"&max_distance=10" {
		t.Errorf("the page's address: %s, want the choices (a link to the same view)", got)
	}
	if n := p.eval(`String(document.querySelectorAll('section.image-group').length)`); n != "1" {
		t.Errorf("%s groups shown, want the ballot's only (the other pictures are shown once)", n)
	}
	group := p.text(`#group-0`)
	for _, want := range []string{
		"5 posts · 4 accounts · 1 case items",                         // the counts
		"first picture", "same picture", "mirrored", "inside a frame", // tiers, turns and frames in words
		"Form rigged! پولنگ اسٹیشن 45", "dhandli", "see this", // the posts' texts
		"member 1", "member 4", "telegram:user7001", // accounts by name, UID beside
		"Fake ballot paper",                // the case's item
		"pdq:", "start a coordination run", // objects
	} {
		if !strings.Contains(group, want) {
			t.Errorf("the group does not show %q:\n%.1500s", want, group)
		}
	}
	// every picture is a thumbnail of the file the import kept (made on the
	// server), linked to the file
	p.wait("thumbnails", `(() => { const i = [...document.querySelectorAll('#group-0 img')]; return i.length === 4 && i.every(x => x.complete && x.naturalWidth > 0); })()`, 30*time.Second)
	if got := p.eval(`[...document.querySelectorAll('#group-0 img')].map(i => i.getAttribute('src').replace(/[0-9a-f]{64}\?/, 'SHA?')).join(' ')`); got != strings.TrimSpace(strings.Repeat("/api/v1/datasets/tg/pictures/SHA?size=thumb ", 4)) {
		t.Errorf("thumbnails: %s, want the dataset's kept pictures", got)
	}
	if strings.Contains(group, "no file on the server") {
		t.Errorf("a picture shown by hash, though the import kept it")
	}
	if got := p.eval(`document.querySelector('#group-0 a[href^="#/coord"]')?.getAttribute('href') || ''`); got != "#/coord?dataset=tg" {
		t.Errorf("link to coordination: %q", got)
	}
	if accts := p.eval(`String([...document.querySelectorAll('#group-0 h3')].find(h => h.innerText === 'Accounts')?.nextElementSibling?.children.length)`); accts != "4" {
		t.Errorf("the group lists %s accounts, want 4", accts)
	}
	p.axe("pictures (en, desktop)")
	p.fitsWidth("pictures (en, desktop)")

	// attach the group to the case, with its parameters
	p.wait("attach form", `!!document.querySelector('#attach-group-0 select[name=case] option')`, 20*time.Second)
	p.click(`#attach-group-0 button.attach`)
	p.wait("attached", `!!document.querySelector('#attach-group-0 .ok a')`, 30*time.Second)
	item := p.eval(`document.querySelector('#attach-group-0 .ok a').innerText`)
	held := p.evalAsync(`fetch('/api/v1/items/` + item + `/content').then(r => r.json()).then(x => JSON.stringify([x.params.datasets, x.params.cases, x.params.max_distance, x.group.posts, x.group.items, x.files.length]))`)
	if held != `[["tg"],["`+caseID+`"],10,5,1,4]` {
		t.Errorf("the attached item holds %s", held)
	}
	if n := p.evalAsync(`fetch('/api/v1/items/` + item + `').then(r => r.json()).then(x => String(x.item.blobs.filter(b => b.name.startsWith('pictures/') && b.type === 'image/jpeg').length))`); n != "4" {
		t.Errorf("the attached item carries %s picture files, want 4", n)
	}

	// the post view shows a post's picture
	p.visit("/datasets/tg", "dataset page", `[...document.querySelectorAll('button.link')].some(b => b.innerText.includes('member 1'))`)
	p.eval(`[...document.querySelectorAll('button.link')].find(b => b.innerText.includes('member 1')).click(), ''`)
	p.wait("account", `[...document.querySelectorAll('#account button.link')].some(b => b.innerText.includes('Form rigged!'))`, 20*time.Second)
	p.eval(`[...document.querySelectorAll('#account button.link')].find(b => b.innerText.includes('Form rigged!')).click(), ''`)
	p.wait("the post's picture", `(() => { const i = document.querySelector('#post .post-pictures img'); return !!i && i.complete && i.naturalWidth > 0; })()`, 20*time.Second)
	if got := p.text(`#post .post-pictures`); !strings.Contains(got, "photos/photo_1@08-02-2024_10-00-00.jpg") {
		t.Errorf("the post's picture is not named: %q", got)
	}
	p.axe("post with its picture (en)")
	p.go_("/images?dataset=tg&case=" + caseID + "&max_distance=10")
	p.wait("groups again", `!!document.querySelector('#group-0')`, 30*time.Second)

	// Urdu, right to left; and a phone's width
	p.click(`#lang-switch`)
	p.wait("urdu", `document.documentElement.lang === 'ur' && document.documentElement.dir === 'rtl' && !!document.querySelector('#group-0')`, 20*time.Second)
	if got := p.text(`#group-0`); !strings.Contains(got, "پہلی تصویر") || !strings.Contains(got, "Form rigged!") {
		t.Errorf("the group in Urdu:\n%.800s", got)
	}
	p.axe("pictures (ur, desktop)")
	p.fitsWidth("pictures (ur, desktop)")
	p.viewport(390, 844)
	time.Sleep(300 * time.Millisecond)
	p.fitsWidth("pictures (ur, 390 px)")
	p.axe("pictures (ur, 390 px)")

	// the post view with its picture, in Urdu on a phone
	p.visit("/datasets/tg", "dataset page", `[...document.querySelectorAll('button.link')].some(b => b.innerText.includes('member 1'))`)
	p.eval(`[...document.querySelectorAll('button.link')].find(b => b.innerText.includes('member 1')).click(), ''`)
	p.wait("account", `[...document.querySelectorAll('#account button.link')].some(b => b.innerText.includes('Form rigged!'))`, 20*time.Second)
	p.eval(`[...document.querySelectorAll('#account button.link')].find(b => b.innerText.includes('Form rigged!')).click(), ''`)
	p.wait("the post's picture (ur)", `(() => { const i = document.querySelector('#post .post-pictures img'); return !!i && i.complete && i.naturalWidth > 0 && i.alt.startsWith('پوسٹ کی تصویر'); })()`, 20*time.Second)
	p.fitsWidth("post with its picture (ur, 390 px)")
	p.axe("post with its picture (ur, 390 px)")
	p.viewport(1440, 900)
}
