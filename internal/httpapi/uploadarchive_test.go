package httpapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/jobs"
)

// zipDir zips the files under dir (those keep returns true for, by
// slash-separated name) under the folder prefix ("" for the top).
func zipDir(t *testing.T, dir, prefix string, keep func(name string) bool) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !keep(rel) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(prefix + rel)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipOf is an archive of the given members (name → content), deflated.
func zipOf(t *testing.T, members ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i < len(members); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: members[i], Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(members[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportArchiveWithMedia: a Telegram Desktop export uploaded as a zip
// archive (result.json with its photos/ and files/ in a folder) has its
// pictures hashed as the command line's import of the folder does: the
// same media rows (by name, status and hash), the same image objects and
// the same group; so does result.json uploaded alone with its pictures
// as the request's media archive. Archives that are bombs, hold unsafe
// names or no data file, and bad requests are refused at once, naming
// the request's field, the upload and the member.
func TestImportArchiveWithMedia(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	ex := parsetest.TelegramMediaExport(t, t.TempDir())

	// the reference: the command line's import from the folder
	admin, err := e.api.Store.FindUserByName(t.Context(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.Cases.Import(t.Context(), admin, e.api.Importer, e.api.Store, []string{ex.Result}, ingest.Options{Dataset: "cli"}); err != nil {
		t.Fatal(err)
	}
	rows := func(dataset string) map[string]string {
		var media struct{ Media []tahqiq.MediaFile }
		a.want(200, "GET", "/api/v1/datasets/"+dataset+"/media", nil, &media)
		out := map[string]string{}
		for _, m := range media.Media {
			out[m.Name] = string(m.Status) + " " + m.SHA256 + " " + m.PDQ + " " + m.Object
		}
		return out
	}
	want := rows("cli")
	if len(want) != 10 {
		t.Fatalf("the command line's import has %d media rows, want 10", len(want))
	}
	groups := func(dataset string) string {
		var rep struct {
			Groups []struct {
				ID              string
				Posts, Accounts int
			}
		}
		a.want(200, "GET", "/api/v1/images?dataset="+dataset, nil, &rep)
		b, _ := json.Marshal(rep.Groups)
		return string(b)
	}
	wantGroups := groups("cli")

	all := func(string) bool { return true }
	up := a.upload("ChatExport.zip", zipDir(t, ex.Dir, "ChatExport_2024-02-08/", all))
	j := a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "zip", "uploads": []string{up}}))
	if j.State != jobs.Done {
		t.Fatalf("import of the archive: %s %s", j.State, j.Error)
	}
	var sum ingest.Summary
	json.Unmarshal(j.Result, &sum)
	if sum.Media == nil || sum.Media.Hashed != 7 || sum.Media.Missing != 1 || sum.Media.Unreadable != 1 || sum.Media.NotImage != 1 ||
		len(sum.Media.Folders) != 1 || sum.Media.Folders[0] != "ChatExport.zip: ChatExport_2024-02-08/" {
		t.Errorf("import of the archive: media %+v", sum.Media)
	}
	if got := rows("zip"); !equalMaps(got, want) {
		t.Errorf("media rows of the archive's import differ from the command line's:\n got %v\nwant %v", got, want)
	}
	if got := groups("zip"); got != wantGroups {
		t.Errorf("groups of the archive's import: %s, want %s", got, wantGroups)
	}
	var media struct{ Media []tahqiq.MediaFile }
	a.want(200, "GET", "/api/v1/datasets/zip/media?limit=1", nil, &media)
	if len(media.Media) != 1 || media.Media[0].File != "ChatExport.zip/ChatExport_2024-02-08/result.json" {
		t.Errorf("the input file of the archive's pictures: %+v", media.Media)
	}

	// result.json alone, with its pictures as the request's media
	res, err := os.ReadFile(ex.Result)
	if err != nil {
		t.Fatal(err)
	}
	upRes := a.upload("result.json", res)
	upPics := a.upload("pictures.zip", zipDir(t, ex.Dir, "", func(n string) bool { return n != "result.json" }))
	j = a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "media", "uploads": []string{upRes}, "media": upPics}))
	if j.State != jobs.Done {
		t.Fatalf("import with a media archive: %s %s", j.State, j.Error)
	}
	if got := rows("media"); !equalMaps(got, want) {
		t.Errorf("media rows of the import with a media archive differ from the command line's:\n got %v\nwant %v", got, want)
	}
	// an upload of result.json alone hashes nothing (no folder)
	upRes = a.upload("result.json", res)
	j = a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "bare", "uploads": []string{upRes}}))
	sum = ingest.Summary{}
	json.Unmarshal(j.Result, &sum)
	if j.State != jobs.Done || sum.Media != nil {
		t.Errorf("import of result.json alone: %s, media %+v", j.State, sum.Media)
	}
	// no_media: the archive's data, no picture hashed
	up = a.upload("ChatExport.zip", zipDir(t, ex.Dir, "", all))
	j = a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "nomedia", "uploads": []string{up}, "no_media": true}))
	sum = ingest.Summary{}
	json.Unmarshal(j.Result, &sum)
	if j.State != jobs.Done || sum.Media != nil || sum.Posts == 0 {
		t.Errorf("import of an archive with no_media: %s %s, posts %d, media %+v", j.State, j.Error, sum.Posts, sum.Media)
	}

	// an archive without result.json: its data files by name, not the
	// resource forks macOS's Archive Utility adds
	upMac := a.upload("mac.zip", zipOf(t, "chat/chat.json", string(res), "__MACOSX/chat/._chat.json", "\x00\x05\x16\x07junk", "chat/._chat.json", "\x00\x05\x16\x07junk"))
	j = a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "mac", "uploads": []string{upMac}}))
	sum = ingest.Summary{}
	json.Unmarshal(j.Result, &sum)
	if j.State != jobs.Done || sum.Files != 1 || sum.Rejects != 0 || sum.Media == nil || sum.Media.Folders[0] != "mac.zip: chat/" {
		t.Errorf("import of an archive zipped on a Mac: %s %s, %d files, %d rejects, media %+v", j.State, j.Error, sum.Files, sum.Rejects, sum.Media)
	}

	// refusals, before any job
	bomb := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "result.json", Method: zip.Deflate})
		zero := make([]byte, 1<<20)
		for range 64 {
			w.Write(zero)
		}
		zw.Close()
		return b.Bytes()
	}()
	text := a.upload("notes.txt", []byte("not an archive"))
	for _, c := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"a zip bomb", map[string]any{"uploads": []string{a.upload("bomb.zip", bomb)}},
			`uploads[0] (bomb.zip): refused: member \"result.json\": declares 64 MiB, more than 100 times its compressed size`},
		{"a member leaving the archive", map[string]any{"uploads": []string{a.upload("slip.zip", zipOf(t, "result.json", "{}", "../../etc/x.jpg", "x"))}},
			`uploads[0] (slip.zip): refused: member \"../../etc/x.jpg\": unsafe path`},
		{"no data file", map[string]any{"uploads": []string{a.upload("pics.zip", zipOf(t, "photos/a.jpg", "x"))}},
			`uploads[0] (pics.zip): no data file in the archive: want a Telegram Desktop export's result.json`},
		{"media not an archive", map[string]any{"uploads": []string{text}, "media": text},
			`media (notes.txt): not an archive: give the pictures as a zip, tar, tar.gz or .tgz archive`},
		{"media and no_media", map[string]any{"uploads": []string{text}, "media": text, "no_media": true},
			`media and no_media: give one or the other`},
		{"a damaged archive", map[string]any{"uploads": []string{a.upload("cut.zip", zipOf(t, "result.json", "{}")[:30])}},
			`uploads[0] (cut.zip): not a readable zip archive`},
	} {
		c.body["dataset"] = "refused"
		r := a.call("POST", "/api/v1/imports", c.body)
		if r.status != 400 || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %s; want 400 with %s", c.name, r.status, r.body, c.want)
		}
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
