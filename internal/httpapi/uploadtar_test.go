package httpapi_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
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

// tarMember is one member of a test archive.
type tarMember struct {
	name, body string
	typ        byte // tar.TypeReg when 0
	link       string
}

// tarOf is a tar archive of members, compressed by gzip when gz.
func tarOf(t *testing.T, gz bool, members ...tarMember) []byte {
	t.Helper()
	var b bytes.Buffer
	var zw *gzip.Writer
	tw := tar.NewWriter(&b)
	if gz {
		zw = gzip.NewWriter(&b)
		tw = tar.NewWriter(zw)
	}
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: 0o644, Size: int64(len(m.body)), Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if h.Typeflag == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte(m.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if gz {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// tarDir is a tar archive of the files under dir, under prefix, with a
// member for each folder as tar writes them.
func tarDir(t *testing.T, dir, prefix string, gz bool) []byte {
	t.Helper()
	var ms []tarMember
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			if prefix != "" {
				ms = append(ms, tarMember{name: prefix, typ: tar.TypeDir})
			}
			return nil
		}
		rel = prefix + filepath.ToSlash(rel)
		if d.IsDir() {
			ms = append(ms, tarMember{name: rel + "/", typ: tar.TypeDir})
			return nil
		}
		data, err := os.ReadFile(p)
		ms = append(ms, tarMember{name: rel, body: string(data)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tarOf(t, gz, ms...)
}

// gnuSparse is a tar archive whose one member is an old GNU sparse file
// declaring size bytes and holding none: a header written by hand (Go's
// writer does not write sparse files).
func gnuSparse(size int64) []byte {
	var h [512]byte
	copy(h[0:], "result.json")
	copy(h[100:], "0000644\x00")
	copy(h[108:], "0000000\x00")
	copy(h[116:], "0000000\x00")
	copy(h[124:], "00000000000\x00")
	copy(h[136:], "00000000000\x00")
	h[156] = 'S'
	copy(h[257:], "ustar  \x00")                  // GNU
	copy(h[483:], fmt.Sprintf("%011o\x00", size)) // the real size
	for i := 148; i < 156; i++ {
		h[i] = ' '
	}
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:], fmt.Sprintf("%06o\x00 ", sum))
	return append(h[:], make([]byte, 1024)...)
}

// TestImportTarWithMedia: a Telegram Desktop export uploaded as a tar or
// tar.gz archive (with ./ names, as tar -C DIR . writes them, or in a
// folder) imports as the command line's import of the folder does (the
// same media rows); a tar.gz of pictures serves as the request's media.
// Each attack on an extractor is refused with a 400 naming the field,
// the upload and the member, and leaves nothing in the uploads folder:
// a path out of the archive (.., absolute), symbolic and hard links, a
// device, a sparse file declaring 64 GiB, a member declaring more than
// the ratio allows, members declaring more than that together, a gzip
// stream expanding past it, too many members, a name twice, a file where
// a folder must be, a damaged archive, an upload named .tgz that is not
// one.
func TestImportTarWithMedia(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	ex := parsetest.TelegramMediaExport(t, t.TempDir())
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
	for _, c := range []struct {
		name, prefix, folder string
		gz                   bool
	}{
		{"ChatExport.tar", "./", "ChatExport.tar: the archive's top folder", false},
		{"ChatExport.tar.gz", "ChatExport_2024-02-08/", "ChatExport.tar.gz: ChatExport_2024-02-08/", true},
		{"ChatExport.tgz", "", "ChatExport.tgz: the archive's top folder", true},
	} {
		up := a.upload(c.name, tarDir(t, ex.Dir, c.prefix, c.gz))
		dataset := strings.ReplaceAll(c.name, ".", "-")
		j := a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": dataset, "uploads": []string{up}}))
		if j.State != jobs.Done {
			t.Fatalf("import of %s: %s %s", c.name, j.State, j.Error)
		}
		var sum ingest.Summary
		json.Unmarshal(j.Result, &sum)
		if sum.Media == nil || sum.Media.Hashed != 7 || len(sum.Media.Folders) != 1 || sum.Media.Folders[0] != c.folder {
			t.Errorf("import of %s: media %+v", c.name, sum.Media)
		}
		if got := rows(dataset); !equalMaps(got, want) {
			t.Errorf("media rows of %s differ from the command line's:\n got %v\nwant %v", c.name, got, want)
		}
	}
	// result.json with its pictures as a tar.gz
	raw, err := os.ReadFile(ex.Result)
	if err != nil {
		t.Fatal(err)
	}
	res := string(raw)
	os.Remove(ex.Result)
	upPics := a.upload("pictures.tgz", tarDir(t, ex.Dir, "", true))
	j := a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "media", "uploads": []string{a.upload("result.json", raw)}, "media": upPics}))
	if j.State != jobs.Done {
		t.Fatalf("import with a tar.gz of pictures: %s %s", j.State, j.Error)
	}
	if got := rows("media"); !equalMaps(got, want) {
		t.Errorf("media rows of the import with a tar.gz of pictures differ from the command line's:\n got %v\nwant %v", got, want)
	}

	zeros := strings.Repeat("\x00", 5<<20)
	many := []tarMember{{name: "result.json", body: "{}"}}
	for i := range 30 {
		many = append(many, tarMember{name: fmt.Sprintf("photos/%d.jpg", i), body: "x"})
	}
	defer func(l int) { e.api.Importer.Limits.Entries = l }(e.api.Importer.Limits.Entries)
	for _, c := range []struct {
		name    string
		archive []byte
		entries int
		want    string
	}{
		{"slip.tar", tarOf(t, false, tarMember{name: "result.json", body: "{}"}, tarMember{name: "../../etc/x.jpg", body: "x"}), 0,
			`uploads[0] (slip.tar): refused: member \"../../etc/x.jpg\": unsafe path`},
		{"abs.tgz", tarOf(t, true, tarMember{name: "result.json", body: "{}"}, tarMember{name: "/etc/x.jpg", body: "x"}), 0,
			`uploads[0] (abs.tgz): refused: member \"/etc/x.jpg\": unsafe path`},
		{"backslash.tar", tarOf(t, false, tarMember{name: "result.json", body: "{}"}, tarMember{name: `..\x.jpg`, body: "x"}), 0,
			`uploads[0] (backslash.tar): refused: member \"..\\\\x.jpg\": unsafe path`},
		{"symlink.tar", tarOf(t, false, tarMember{name: "result.json", body: "{}"}, tarMember{name: "photos/a.jpg", typ: tar.TypeSymlink, link: "/etc/passwd"}), 0,
			`uploads[0] (symlink.tar): refused: member \"photos/a.jpg\": a symbolic link (to \"/etc/passwd\"), not a regular file`},
		{"hardlink.tar.gz", tarOf(t, true, tarMember{name: "result.json", body: "{}"}, tarMember{name: "photos/a.jpg", typ: tar.TypeLink, link: "../../../etc/passwd"}), 0,
			`uploads[0] (hardlink.tar.gz): refused: member \"photos/a.jpg\": a hard link (to \"../../../etc/passwd\"), not a regular file`},
		{"device.tar", tarOf(t, false, tarMember{name: "result.json", body: "{}"}, tarMember{name: "photos/zero", typ: tar.TypeChar}), 0,
			`uploads[0] (device.tar): refused: member \"photos/zero\": not a regular file (tar type '3')`},
		{"sparse.tar", gnuSparse(64 << 30), 0,
			`uploads[0] (sparse.tar): refused: member \"result.json\": a sparse file`},
		{"bomb.tar.gz", tarOf(t, true, tarMember{name: "result.json", body: strings.Repeat("\x00", 64<<20)}), 0,
			`uploads[0] (bomb.tar.gz): refused: member \"result.json\": declares 64 MiB, more than this archive of`},
		{"bombs.tar.gz", tarOf(t, true, tarMember{name: "result.json", body: zeros}, tarMember{name: "a.json", body: zeros}, tarMember{name: "b.json", body: zeros}), 0,
			`uploads[0] (bombs.tar.gz): refused: its members declare more than this archive of`},
		{"entries.tar", tarOf(t, false, many...), 20,
			`uploads[0] (entries.tar): refused: more than 20 members: refused before reading any`},
		{"twice.tar", tarOf(t, false, tarMember{name: "result.json", body: "{}"}, tarMember{name: "./result.json", body: "{}"}), 0,
			`uploads[0] (twice.tar): refused: member \"./result.json\": appears more than once`},
		{"clash.tar", tarOf(t, false, tarMember{name: "photos", body: "x"}, tarMember{name: "photos/a.jpg", body: "x"}, tarMember{name: "result.json", body: "{}"}), 0,
			`uploads[0] (clash.tar): refused: member \"photos/a.jpg\": cannot be extracted beside the others`},
		{"cut.tar.gz", func() []byte { b := tarOf(t, true, tarMember{name: "result.json", body: res}); return b[:len(b)/2] }(), 0,
			`uploads[0] (cut.tar.gz): member \"result.json\": cut short: the archive ends inside it`},
		{"cut.tar", tarOf(t, false, tarMember{name: "result.json", body: strings.Repeat("{}", 5000)})[:2000], 0,
			`uploads[0] (cut.tar): member \"result.json\": cut short: the archive ends inside it`},
		{"fake.tgz", []byte(`{"name": "not a tar"}`), 0,
			`uploads[0] (fake.tgz): named as a tar archive, but its content is not one`},
		{"pics.tar", tarOf(t, false, tarMember{name: "photos/a.jpg", body: "x"}), 0,
			`uploads[0] (pics.tar): no data file in the archive`},
	} {
		e.api.Importer.Limits.Entries = c.entries
		r := a.call("POST", "/api/v1/imports", map[string]any{"dataset": "refused", "uploads": []string{a.upload(c.name, c.archive)}})
		if r.status != 400 || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %s; want 400 with %s", c.name, r.status, r.body, c.want)
		}
		left, _ := filepath.Glob(filepath.Join(e.api.Uploads.Dir, ".import-*", "*"))
		if len(left) > 0 {
			t.Errorf("%s: refused, but %v left in the uploads folder", c.name, left)
		}
	}
}
