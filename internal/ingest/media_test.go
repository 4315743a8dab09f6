package ingest_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/imagehash"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// imageObjects returns each post's image share objects.
func imageObjects(t *testing.T, db *sqlite.DB, dataset string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := db.ScanShares(context.Background(), tahqiq.ShareFilter{Dataset: dataset, Types: []tahqiq.ObjectType{tahqiq.ObjImage}}, func(s tahqiq.Share) error {
		out[s.PostID] = append(out[s.PostID], s.Object)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// TestImportMedia: a Telegram Desktop export with its photos/ and files/
// folders. Every picture is counted: hashed, left out of the export,
// missing, no picture, unreadable. The fake ballot and its copies (smaller,
// mirrored, framed, the same file again) make one image object, which
// every post of them shares; another ballot of the same template, a
// landscape and a flat grey picture make others (the grey one named by
// its bytes).
func TestImportMedia(t *testing.T) {
	ctx := context.Background()
	ex := parsetest.TelegramMediaExport(t, t.TempDir())
	db := openDB(t)
	im := &ingest.Importer{Formats: ingest.Default()}
	sum, err := im.Import(ctx, db, []string{ex.Result}, ingest.Options{Dataset: "tg"})
	if err != nil {
		t.Fatal(err)
	}
	m := sum.Media
	if m == nil {
		t.Fatal("no media summary for a Telegram Desktop export with photos")
	}
	got := [...]int64{m.Pictures, m.NoFile, m.Files, m.Hashed, m.Missing, m.Unreadable, m.NotImage, m.LowQuality}
	want := [...]int64{ex.Pictures, ex.NoFile, ex.Files, ex.Hashed, ex.Missing, ex.Unreadable, ex.NotImage, ex.LowQuality}
	if got != want {
		t.Errorf("media summary pictures, no file, files, hashed, missing, unreadable, not image, low quality = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(m.Folders, []string{ex.Dir}) || m.Hashing != imagehash.Version {
		t.Errorf("folders %q, hashing %q", m.Folders, m.Hashing)
	}
	problems := map[string]string{}
	for _, p := range m.Problems {
		problems[p.Name] = string(p.Status) + ": " + p.Detail
		if p.File != ex.Result {
			t.Errorf("problem %s names input file %q, want %q", p.Name, p.File, ex.Result)
		}
	}
	for name, want := range map[string]string{
		"photos/photo_9@08-02-2024_10-15-00.jpg": "missing: not in the media folder",
		"files/scan.jpg":                         "not_image: not a picture",
		"files/broken.jpg":                       "unreadable: damaged jpeg picture",
	} {
		if !strings.HasPrefix(problems[name], want) {
			t.Errorf("problem of %s = %q, want it to start %q", name, problems[name], want)
		}
	}
	if len(problems) != 3 {
		t.Errorf("problems = %v, want 3", problems)
	}

	objs := imageObjects(t, db, "tg")
	ballot := objs[ex.BallotPosts[0]]
	if len(ballot) != 1 || !strings.HasPrefix(ballot[0], "pdq:") {
		t.Fatalf("image objects of the first ballot post = %v, want one pdq: object", ballot)
	}
	for _, p := range ex.BallotPosts {
		if !reflect.DeepEqual(objs[p], ballot) {
			t.Errorf("post %s shares %v, want the ballot's %v", p, objs[p], ballot)
		}
	}
	for _, p := range []string{ex.OtherBallot, ex.Landscape} {
		if len(objs[p]) != 1 || objs[p][0] == ballot[0] || !strings.HasPrefix(objs[p][0], "pdq:") {
			t.Errorf("post %s shares %v, want an object of its own", p, objs[p])
		}
	}
	if b := objs[ex.Blank]; len(b) != 1 || !strings.HasPrefix(b[0], "sha256:") {
		t.Errorf("the flat grey picture's post shares %v, want a sha256: object (quality under 50)", b)
	}
	if len(objs) != len(ex.BallotPosts)+3 {
		t.Errorf("%d posts have image shares, want %d: %v", len(objs), len(ex.BallotPosts)+3, objs)
	}
	if m.Objects != 3 { // the ballot, the other ballot, the landscape
		t.Errorf("objects made = %d, want 3", m.Objects)
	}

	// the post carries what was found of its picture
	pr, err := db.FindPost(ctx, "tg", ex.BallotPosts[2])
	if err != nil {
		t.Fatal(err)
	}
	img := pr.Post.Media[0].Image
	if img == nil || img.Name != "photos/photo_3@08-02-2024_10-00-35.jpg" || img.Object != ballot[0] || img.Quality < imagehash.MinQuality || len(img.PDQ) != 64 || len(img.SHA256) != 64 {
		t.Errorf("the mirrored copy's post media = %+v", img)
	}

	// the store keeps one row per name, each with its hashes or reason
	rows, err := db.FindMedia(ctx, "tg")
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)) != ex.Files {
		t.Errorf("%d media rows, want %d", len(rows), ex.Files)
	}
	leaders := 0
	for _, r := range rows {
		if r.Status == tahqiq.MediaHashed {
			if r.Object == "pdq:"+r.PDQ {
				leaders++
				if r.Distance != 0 {
					t.Errorf("%s names its object with distance %d", r.Name, r.Distance)
				}
			}
			if r.Object == ballot[0] && r.Distance > imagehash.SameImage {
				t.Errorf("%s joined the ballot at %d bits", r.Name, r.Distance)
			}
			if len(r.Dihedral) != 448 || r.Hashing != imagehash.Version || r.Width == 0 || r.DHash == "" {
				t.Errorf("row %s = %+v", r.Name, r)
			}
		}
	}
	if leaders != 3 {
		t.Errorf("%d rows name their object, want 3", leaders)
	}

	// re-deriving changes nothing: the stored hashes and objects are used
	markDerivation(t, db, "tg", "")
	r, err := im.Rederive(ctx, db, "tg", ingest.RederiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.PostsAdded+r.PostsRemoved+r.PostsChanged+r.SharesAdded+r.SharesRemoved != 0 {
		t.Errorf("re-derivation changed posts or shares: %+v", r)
	}
	if after := imageObjects(t, db, "tg"); !reflect.DeepEqual(after, objs) {
		t.Errorf("image objects after re-deriving = %v, want %v", after, objs)
	}

	// reading the export straight from its file (tahqiq coord --input)
	// gives the same image shares
	read := map[string][]string{}
	rs, err := im.Read(ctx, []string{ex.Result}, ingest.Options{}, func(it *ingest.Item) error {
		for _, s := range it.Shares {
			if s.Type == tahqiq.ObjImage {
				read[s.PostID] = append(read[s.PostID], s.Object)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read, objs) || rs.Media == nil || rs.Media.Hashed != ex.Hashed {
		t.Errorf("Read: image shares %v (media %+v), want the import's %v", read, rs.Media, objs)
	}
}

// TestImportMediaLaterImport: an image object keeps its meaning when a
// later import adds pictures: a copy of the ballot in another export
// joins the object the first import made, whose rows stay as they were.
func TestImportMediaLaterImport(t *testing.T) {
	ctx := context.Background()
	ex := parsetest.TelegramMediaExport(t, t.TempDir())
	db := openDB(t)
	im := &ingest.Importer{Formats: ingest.Default()}
	if _, err := im.Import(ctx, db, []string{ex.Result}, ingest.Options{Dataset: "tg"}); err != nil {
		t.Fatal(err)
	}
	before, err := db.FindMedia(ctx, "tg")
	if err != nil {
		t.Fatal(err)
	}
	ballot := imageObjects(t, db, "tg")[ex.BallotPosts[0]][0]

	dir := t.TempDir()
	copyOf := parsetest.Shrink(parsetest.Photographed(parsetest.Ballot(2), 1), 450, 630)
	second := parsetest.WriteMediaExport(t, dir, 1500000002, time.Date(2024, 2, 9, 8, 0, 0, 0, time.UTC), []parsetest.ExportMessage{
		{From: 8, At: 0, Text: "forwarded", Photo: "photos/photo_1@09-02-2024_08-00-00.jpg", Data: parsetest.JPEG(t, copyOf, 60)},
		{From: 9, At: 5, Text: "a new view", Photo: "photos/photo_2@09-02-2024_08-00-05.jpg", Data: parsetest.JPEG(t, parsetest.Landscape(7), 80)},
	})
	sum, err := im.Import(ctx, db, []string{second}, ingest.Options{Dataset: "tg"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Media == nil || sum.Media.Hashed != 2 || sum.Media.Objects != 1 {
		t.Errorf("second import's media summary = %+v; want 2 hashed, 1 new object (the landscape)", sum.Media)
	}
	objs := imageObjects(t, db, "tg")
	if got := objs["telegram:channel1500000002/100"]; len(got) != 1 || got[0] != ballot {
		t.Errorf("the ballot copy of the second export shares %v, want the first import's %s", got, ballot)
	}
	after, err := db.FindMedia(ctx, "tg")
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+2 || !reflect.DeepEqual(after[:len(before)], before) {
		t.Errorf("the first import's media rows changed: %d rows before, %d after", len(before), len(after))
	}
}

// pictureFormat is a test format of JSON lines {"id","user","t","url",
// "key","type"}: one post with one media each.
func pictureFormat() ingest.Format {
	return ingest.Format{
		Name:  "testpictures",
		Sniff: func(head []byte) (string, bool) { return "testpictures", strings.HasPrefix(string(head), `{"pic"`) },
		Parse: func(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
			sc := bufio.NewScanner(src.R)
			var line int64
			for sc.Scan() {
				line++
				raw := append([]byte(nil), sc.Bytes()...)
				var v struct {
					Pic                      int
					ID, User, URL, Key, Type string
				}
				if err := json.Unmarshal(raw, &v); err != nil {
					return err
				}
				p := &tahqiq.Parsed{Record: tahqiq.RawRecord{Line: line, Locator: "L", Raw: raw, SHA256: sha256.Sum256(raw)},
					Posts: []tahqiq.Post{{UID: "x:" + v.ID, Platform: "x", PlatformID: v.ID, AuthorUID: "x:" + v.User, Kind: tahqiq.KindOriginal,
						CreatedAt: time.Unix(1700000000+line, 0), Precision: tahqiq.PrecisionSecond,
						Media: []tahqiq.Media{{Type: v.Type, URL: v.URL, Key: v.Key}}}}}
				if err := emit(p); err != nil {
					return err
				}
			}
			return sc.Err()
		},
	}
}

// TestImportMediaFolder: with --media DIR, any format's pictures are
// found by the last segment of their URL or by their media key, with or
// without an extension; names that leave the folder are not read.
func TestImportMediaFolder(t *testing.T) {
	ctx := context.Background()
	media := t.TempDir()
	ballot := parsetest.JPEG(t, parsetest.Photographed(parsetest.Ballot(2), 1), 85)
	for name, data := range map[string][]byte{
		"ABC123.jpg": ballot,
		"3_99.png":   parsetest.JPEG(t, parsetest.Shrink(parsetest.Photographed(parsetest.Ballot(2), 1), 400, 560), 75), // a JPEG under a .png name: read by its bytes
		"plain":      ballot,
	} {
		if err := os.WriteFile(filepath.Join(media, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(filepath.Dir(media), "outside.jpg")
	if err := os.WriteFile(outside, ballot, 0o644); err != nil {
		t.Fatal(err)
	}
	input := write(t, t.TempDir(), "pictures.jsonl", strings.Join([]string{
		`{"pic":1,"id":"1","user":"a","type":"photo","url":"https://pbs.twimg.com/media/ABC123.jpg?name=large"}`,
		`{"pic":1,"id":"2","user":"b","type":"photo","key":"3_99"}`,
		`{"pic":1,"id":"3","user":"c","type":"photo","url":"https://example.org/img/plain?x=1"}`,
		`{"pic":1,"id":"4","user":"d","type":"photo","url":"../outside.jpg"}`,
		`{"pic":1,"id":"5","user":"e","type":"photo","url":"/etc/passwd"}`,
		`{"pic":1,"id":"6","user":"f","type":"video","url":"https://x.org/v/ABC123.jpg"}`,
		`{"pic":1,"id":"7","user":"g","type":"photo","url":"https://pbs.twimg.com/media/NOPE"}`,
	}, "\n")+"\n")
	reg := ingest.NewRegistry(pictureFormat())
	im := &ingest.Importer{Formats: reg}
	db := openDB(t)
	sum, err := im.Import(ctx, db, []string{input}, ingest.Options{Dataset: "x", Media: media})
	if err != nil {
		t.Fatal(err)
	}
	m := sum.Media
	if m == nil || m.Pictures != 6 || m.Files != 6 || m.Hashed != 3 || m.Missing != 3 || m.Objects != 1 {
		t.Fatalf("media summary = %+v; want 6 pictures (not the video), 3 hashed as one object, 3 missing", m)
	}
	objs := imageObjects(t, db, "x")
	if len(objs) != 3 || !reflect.DeepEqual(objs["x:1"], objs["x:2"]) || !reflect.DeepEqual(objs["x:1"], objs["x:3"]) {
		t.Errorf("image objects = %v, want posts 1, 2 and 3 sharing one", objs)
	}
	details := map[string]string{}
	for _, p := range m.Problems {
		details[p.Name] = p.Detail
	}
	for name, want := range map[string]string{
		"../outside.jpg": "outside the media folder",
		"/etc/passwd":    "outside the media folder",
		"NOPE":           "tried NOPE, NOPE.jpg, NOPE.jpeg, NOPE.png, NOPE.gif, NOPE.webp",
	} {
		if !strings.Contains(details[name], want) {
			t.Errorf("detail of %s = %q, want it to contain %q", name, details[name], want)
		}
	}

	// without a media folder the same import hashes nothing and keeps
	// the media keys as objects, as before
	db2 := openDB(t)
	sum, err = im.Import(ctx, db2, []string{input}, ingest.Options{Dataset: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Media != nil {
		t.Errorf("media summary without a media folder = %+v", sum.Media)
	}
	if objs := imageObjects(t, db2, "x"); len(objs) != 1 || objs["x:2"][0] != "3_99" {
		t.Errorf("image objects without a media folder = %v, want the key 3_99 of post 2", objs)
	}

	// a folder that is not there is refused before anything is read
	if _, err := im.Import(ctx, openDB(t), []string{input}, ingest.Options{Dataset: "x", Media: filepath.Join(media, "nope")}); tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.Contains(err.Error(), "media folder") {
		t.Errorf("import with a missing media folder: %v", err)
	}
}

// TestImportNoMedia: NoMedia hashes nothing, even beside a Telegram
// Desktop export; nor does an upload (a file the caller names otherwise,
// as the server does), whose folder is not the export's: in particular
// not the server's working directory.
func TestImportNoMedia(t *testing.T) {
	ex := parsetest.TelegramMediaExport(t, t.TempDir())
	im := &ingest.Importer{Formats: ingest.Default()}
	for name, opt := range map[string]ingest.Options{
		"NoMedia": {Dataset: "tg", NoMedia: true},
		"upload":  {Dataset: "tg", Names: map[string]string{ex.Result: "result.json"}},
	} {
		db := openDB(t)
		sum, err := im.Import(context.Background(), db, []string{ex.Result}, opt)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Media != nil || len(imageObjects(t, db, "tg")) != 0 {
			t.Errorf("%s: media summary %+v, image shares %v", name, sum.Media, imageObjects(t, db, "tg"))
		}
	}
}
