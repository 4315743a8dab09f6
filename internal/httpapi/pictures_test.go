package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/jobs"
)

// TestPicturesKept: an import over HTTP keeps every picture it hashes in
// the blob store (counted in its summary), GET /datasets/{name}/
// pictures/{sha256} serves each as the picture it is, the Pictures
// report marks the members it can show, and attaching a group to a case
// carries the group's picture files into the item, each SHA-256 in the
// custody log's entry.
//
// And the attack of an insider of a partner organisation: knowing the
// SHA-256 of another organisation's picture (from a shared report, a
// leak, or a guess) gives it nothing: not through the other
// organisation's dataset, nor through a dataset of its own, nor through
// the grouping of its own pictures, nor the other's case items; the same
// 404 as for a picture that does not exist. Once the case holding the
// group is shared with it, it reads the pictures as the case's items (a
// logged download).
func TestPicturesKept(t *testing.T) { picturesKept(t, newEnv(t)) }

// TestPicturesKeptPostgres: the same on PostgreSQL, with row-level
// security (not in -short mode).
func TestPicturesKeptPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL: not in -short mode")
	}
	picturesKept(t, newEnvPostgres(t))
}

func picturesKept(t *testing.T, e *env) {
	a := e.setup()
	ex := parsetest.TelegramMediaExport(t, t.TempDir())
	up := a.upload("ChatExport.zip", zipDir(t, ex.Dir, "ChatExport/", func(string) bool { return true }))
	j := a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "tg", "uploads": []string{up}}))
	if j.State != jobs.Done {
		t.Fatalf("import: %s %s", j.State, j.Error)
	}
	var sum ingest.Summary
	json.Unmarshal(j.Result, &sum)
	if sum.Media == nil || sum.Media.Hashed != 7 || sum.Media.Kept != 7 || sum.Media.NotKept != 0 {
		t.Fatalf("import: media %+v, want 7 hashed and kept", sum.Media)
	}
	var media struct{ Media []tahqiq.MediaFile }
	a.want(200, "GET", "/api/v1/datasets/tg/media?status=hashed", nil, &media)
	if len(media.Media) != 7 {
		t.Fatalf("%d hashed media rows, want 7", len(media.Media))
	}
	var shas []string
	for _, m := range media.Media {
		r := a.call("GET", "/api/v1/datasets/tg/pictures/"+m.SHA256, nil)
		got := sha256.Sum256(r.body)
		want, _ := os.ReadFile(ex.Dir + "/" + m.Name)
		if r.status != 200 || hex.EncodeToString(got[:]) != m.SHA256 || string(r.body) != string(want) {
			t.Errorf("picture %s: %d, %d bytes, want the file's %d", m.Name, r.status, len(r.body), len(want))
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "image/") || r.header.Get("X-Content-SHA256") != m.SHA256 {
			t.Errorf("picture %s: Content-Type %q, X-Content-SHA256 %q", m.Name, ct, r.header.Get("X-Content-SHA256"))
		}
		shas = append(shas, m.SHA256)
		// its thumbnail: a JPEG within 320 pixels, made once
		th := a.call("GET", "/api/v1/datasets/tg/pictures/"+m.SHA256+"?size=thumb", nil)
		cfg, format, err := image.DecodeConfig(bytes.NewReader(th.body))
		if th.status != 200 || err != nil || format != "jpeg" || th.header.Get("Content-Type") != "image/jpeg" || max(cfg.Width, cfg.Height) > 320 {
			t.Errorf("thumbnail of %s: %d %s, %v %s %dx%d", m.Name, th.status, th.header.Get("Content-Type"), err, format, cfg.Width, cfg.Height)
		}
		if again := a.call("GET", "/api/v1/datasets/tg/pictures/"+m.SHA256+"?size=thumb", nil); !bytes.Equal(again.body, th.body) {
			t.Errorf("thumbnail of %s: another the second time", m.Name)
		}
		if _, err := os.Stat(filepath.Join(e.dir, "blobs", "thumbs", m.SHA256[:2], m.SHA256+"-320.jpg")); err != nil {
			t.Errorf("thumbnail of %s not kept: %v", m.Name, err)
		}
	}
	if r := a.call("GET", "/api/v1/datasets/tg/pictures/"+shas[0]+"?size=huge", nil); r.status != 400 || !strings.Contains(string(r.body), `size=\"huge\": want thumb`) {
		t.Errorf("size=huge: %d %s", r.status, r.body)
	}
	for path, want := range map[string]int{
		"/api/v1/datasets/tg/pictures/" + strings.Repeat("0", 64):       404,
		"/api/v1/datasets/tg/pictures/" + strings.ToUpper(shas[0]):      400,
		"/api/v1/datasets/tg/pictures/..%2f..%2fsigning.key":            400,
		"/api/v1/datasets/nosuch/pictures/" + shas[0]:                   404,
		"/api/v1/datasets/tg/pictures/" + shas[0][:63]:                  400,
		"/api/v1/datasets/tg/pictures/" + strings.Repeat("0", 63) + "g": 400,
	} {
		if r := a.call("GET", path, nil); r.status != want {
			t.Errorf("GET %s: %d %s, want %d", path, r.status, r.body, want)
		}
	}

	// the Pictures report marks the members it can show
	var rep struct {
		Groups []struct {
			ID      string
			Members []struct {
				SHA256 string
				Kept   bool
			}
		}
	}
	a.want(200, "GET", "/api/v1/images?dataset=tg", nil, &rep)
	if len(rep.Groups) == 0 {
		t.Fatal("no group of pictures")
	}
	for _, m := range rep.Groups[0].Members {
		if !m.Kept {
			t.Errorf("member %s of group %s: not marked kept", m.SHA256, rep.Groups[0].ID)
		}
	}

	// attaching the group carries its picture files, logged by SHA-256
	var cs tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "ballot pictures", "tlp": "amber"}, &cs)
	var it tahqiq.Item
	a.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/images", map[string]any{"datasets": []string{"tg"}, "group": rep.Groups[0].ID}, &it)
	if len(it.Blobs) != 1+len(rep.Groups[0].Members) {
		t.Fatalf("attached group: %d blobs, want the JSON and %d pictures", len(it.Blobs), len(rep.Groups[0].Members))
	}
	var held struct {
		Files []struct{ SHA256, Dataset, Name, Blob string }
	}
	a.call("GET", "/api/v1/items/"+it.ID+"/content", nil).json(t, &held)
	if len(held.Files) != len(rep.Groups[0].Members) {
		t.Errorf("the item's JSON lists %d files carried, want %d", len(held.Files), len(rep.Groups[0].Members))
	}
	var logged struct{ History []tahqiq.LogEntry }
	a.want(200, "GET", "/api/v1/items/"+it.ID, nil, &logged)
	var attach *tahqiq.LogEntry
	for i, le := range logged.History {
		if le.Action == "item.attach" && le.ItemID == it.ID {
			attach = &logged.History[i]
		}
	}
	if attach == nil {
		t.Fatalf("no item.attach entry for %s in %+v", it.ID, logged.History)
	}
	for _, b := range it.Blobs[1:] {
		if !strings.HasPrefix(b.Name, "pictures/") || b.Type != "image/jpeg" || b.PDQ == "" || b.DHash == "" {
			t.Errorf("carried picture %+v", b)
		}
		if !strings.Contains(strings.Join(attach.Hashes, " "), "sha256:"+b.SHA256) {
			t.Errorf("picture %s: its SHA-256 is not in the custody log's entry (%v)", b.Name, attach.Hashes)
		}
		r := a.call("GET", "/api/v1/items/"+it.ID+"/content?blob="+b.Name, nil)
		if got := sha256.Sum256(r.body); r.status != 200 || hex.EncodeToString(got[:]) != b.SHA256 {
			t.Errorf("the case item's picture %s: %d", b.Name, r.status)
		}
	}

	// the partner's insider
	orgB, b := e.partner("Partner", "padmin")
	ownUp := b.upload("own.zip", zipOf(t, "chat/result.json", `{"name":"own","type":"public_channel","id":1,"messages":[{"id":1,"type":"message","date":"2024-02-08T10:00:00","date_unixtime":"1707386400","from":"x","from_id":"user1","text":"hello","photo":"photos/p.jpg"}]}`, "chat/photos/p.jpg", "not a picture"))
	if j := b.job(b.call("POST", "/api/v1/imports", map[string]any{"dataset": "own", "uploads": []string{ownUp}})); j.State != jobs.Done {
		t.Fatalf("the partner's import: %s %s", j.State, j.Error)
	}
	for _, sha := range shas {
		for _, path := range []string{
			"/api/v1/datasets/tg/pictures/" + sha,  // the other organisation's dataset
			"/api/v1/datasets/own/pictures/" + sha, // its own dataset, another's hash
			"/api/v1/datasets/tg/pictures/" + sha + "?size=thumb",
			"/api/v1/datasets/own/pictures/" + sha + "?size=thumb",
		} {
			if r := b.call("GET", path, nil); r.status != 404 || strings.Contains(string(r.body), "not kept") {
				t.Errorf("the partner's GET %s: %d (%d bytes, %s); want 404, saying nothing of the picture", path, r.status, len(r.body), r.header.Get("Content-Type"))
			}
		}
	}
	if r := b.call("GET", "/api/v1/images?dataset=tg", nil); r.status != 404 {
		t.Errorf("the partner's grouping of the other's dataset: %d", r.status)
	}
	if r := b.call("GET", "/api/v1/items/"+it.ID+"/content?blob="+it.Blobs[1].Name, nil); r.status != 404 {
		t.Errorf("the partner reads the case item's picture before the case is shared: %d", r.status)
	}
	if r := b.call("POST", "/api/v1/cases/"+cs.ID+"/items/images", map[string]any{"datasets": []string{"tg"}, "group": rep.Groups[0].ID}); r.status != 404 {
		t.Errorf("the partner attaches the other's group to the other's case: %d %s", r.status, r.body)
	}
	// shared through the case: read as the case's item
	a.want(204, "POST", "/api/v1/cases/"+cs.ID+"/shares", map[string]string{"org": orgB, "tlp": "amber"}, nil)
	r := b.call("GET", "/api/v1/items/"+it.ID+"/content?blob="+it.Blobs[1].Name, nil)
	if got := sha256.Sum256(r.body); r.status != 200 || hex.EncodeToString(got[:]) != it.Blobs[1].SHA256 {
		t.Errorf("the partner reads the shared case's picture: %d %s", r.status, r.body)
	}
	// and still not through the dataset
	if r := b.call("GET", "/api/v1/datasets/tg/pictures/"+shas[0], nil); r.status != 404 {
		t.Errorf("the partner, the case shared, reads the other's dataset picture: %d", r.status)
	}
}

// TestPictureKeepLimit: a picture larger than the limit is hashed but not
// kept, counted and named in the summary; the picture route says why.
func TestPictureKeepLimit(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	ex := parsetest.TelegramMediaExport(t, t.TempDir())
	admin, err := e.api.Store.FindUserByName(t.Context(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.api.Cases.Import(t.Context(), admin, e.api.Importer, e.api.Store, []string{ex.Result}, ingest.Options{Dataset: "small", KeepLimit: 30_000})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Media == nil || sum.Media.Kept+sum.Media.NotKept != sum.Media.Hashed || sum.Media.NotKept == 0 || sum.Media.Kept == 0 ||
		len(sum.Media.NotKeptFiles) != int(sum.Media.NotKept) || !strings.Contains(sum.Media.NotKeptFiles[0].Detail, "hashed, not kept: ") {
		t.Fatalf("media %+v", sum.Media)
	}
	var media struct{ Media []tahqiq.MediaFile }
	a.want(200, "GET", "/api/v1/datasets/small/media?status=hashed", nil, &media)
	kept, not := 0, 0
	for _, m := range media.Media {
		switch r := a.call("GET", "/api/v1/datasets/small/pictures/"+m.SHA256, nil); {
		case m.Size <= 30_000 && r.status == 200:
			kept++
		case m.Size > 30_000 && r.status == 404 && strings.Contains(string(r.body), "is not kept on the server"):
			not++
		default:
			t.Errorf("picture %s of %d bytes: %d %s", m.Name, m.Size, r.status, r.body)
		}
	}
	if kept != int(sum.Media.Kept) || not != int(sum.Media.NotKept) {
		t.Errorf("served %d, refused %d; the summary says %d kept, %d not", kept, not, sum.Media.Kept, sum.Media.NotKept)
	}
}
