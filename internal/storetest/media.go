package storetest

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// testMedia: the media files an import found are stored per input file
// and name with every field, read back in the order stored (by FindMedia,
// and by EachMedia in a later import and in a re-derivation, whose Reset
// keeps them), one name per file, and removed with their dataset and with
// an input file imported again after it kept nothing.
func testMedia(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.FindMedia(ctx, "d"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("FindMedia of a missing dataset: %v, want ENOTFOUND", err)
	}
	hashed := tahqiq.MediaFile{Name: "photos/photo_1@01-02-2024_10-00-00.jpg", Status: tahqiq.MediaHashed, SHA256: strings.Repeat("ab", 32),
		Size: 81234, Width: 1280, Height: 960, Orientation: 6, PDQ: strings.Repeat("f0", 32), Quality: 93, Dihedral: strings.Repeat("0f", 224),
		Trimmed: strings.Repeat("1e", 32), DHash: "00ff00ff00ff00ff", Object: "pdq:" + strings.Repeat("f0", 32), Distance: 0, Hashing: "pdq-1"}
	missing := tahqiq.MediaFile{Name: "photos/photo_2@01-02-2024_10-00-05.jpg", Status: tahqiq.MediaMissing, Detail: "no such file in the media folder"}
	notImage := tahqiq.MediaFile{Name: "files/نتائج.pdf", Status: tahqiq.MediaNotImage, Detail: "not a picture", SHA256: strings.Repeat("cd", 32), Size: 99}

	tx, err := s.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.AddMedia(ctx, hashed); err == nil {
		t.Error("AddMedia before AddFile succeeded")
	}
	tx.Rollback()
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {
		p := post("telegram:channel1/1", "telegram:channel1", 0, "ballot")
		add(t, tx, record(1, `{"id":1}`), []tahqiq.Post{p}, nil, []tahqiq.Share{share(p, tahqiq.ObjImage, hashed.Object)})
		for _, m := range []tahqiq.MediaFile{hashed, missing} {
			if err := tx.AddMedia(ctx, m); err != nil {
				t.Fatalf("AddMedia(%s): %v", m.Name, err)
			}
		}
	})
	want := func(ms ...tahqiq.MediaFile) []tahqiq.MediaFile {
		for i := range ms {
			ms[i].File = "f.jsonl"
		}
		return ms
	}
	got, err := s.FindMedia(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	firstFile := int64(0)
	if len(got) > 0 {
		firstFile = got[0].FileID
	}
	for i := range got {
		if got[i].FileID != firstFile || firstFile == 0 {
			t.Errorf("media %s: file id %d, want the file's %d", got[i].Name, got[i].FileID, firstFile)
		}
		got[i].FileID = 0
	}
	if !reflect.DeepEqual(got, want(hashed, missing)) {
		t.Errorf("FindMedia = %+v\nwant %+v", got, want(hashed, missing))
	}

	// a second import: sees the first's media, adds its own under a file
	// of its own (the same name again is a new row there), and may not
	// store one name twice for one file
	tx, err = s.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	if err := tx.EachMedia(ctx, func(m tahqiq.MediaFile) error {
		seen = append(seen, m.Name+" "+m.File+" "+string(m.Status))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if w := []string{hashed.Name + " f.jsonl hashed", missing.Name + " f.jsonl missing"}; !reflect.DeepEqual(seen, w) {
		t.Errorf("EachMedia in a later import = %q, want %q", seen, w)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "g.json", SHA256: "bb", Size: 10, Format: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []tahqiq.MediaFile{notImage, missing} {
		if err := tx.AddMedia(ctx, m); err != nil {
			t.Fatalf("AddMedia(%s) for another file: %v", m.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err = s.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "h.json", SHA256: "cc", Size: 10, Format: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddMedia(ctx, hashed); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddMedia(ctx, hashed); err == nil {
		t.Error("AddMedia of one name twice for one file succeeded")
	}
	tx.Rollback()
	if got, err := s.FindMedia(ctx, "d"); err != nil || len(got) != 4 || got[2].File != "g.json" || got[2].Status != tahqiq.MediaNotImage || got[3].Name != missing.Name {
		t.Errorf("FindMedia after two imports = %+v, %v", got, err)
	}

	// a re-derivation reads them and keeps them
	rx, err := s.BeginRederive(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := rx.EachMedia(ctx, func(tahqiq.MediaFile) error { n++; return nil }); err != nil || n != 4 {
		t.Errorf("EachMedia in a re-derivation: %d rows, %v", n, err)
	}
	if err := rx.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindMedia(ctx, "d"); err != nil || len(got) != 4 {
		t.Errorf("FindMedia after Reset = %d rows, %v; want 4", len(got), err)
	}

	// a file imported again after it kept nothing loses its media rows
	header := record(1, "a,b")
	header.Kind = tahqiq.RecordHeader
	mustImport(t, s, "e", func(tx tahqiq.ImportTx) {
		add(t, tx, header, nil, nil, nil)
		if err := tx.AddMedia(ctx, missing); err != nil {
			t.Fatal(err)
		}
	})
	mustImport(t, s, "e", func(tx tahqiq.ImportTx) {
		add(t, tx, record(2, `{"id":2}`), []tahqiq.Post{post("x:2", "x:bob", 0, "vote")}, nil, nil)
	})
	if got, err := s.FindMedia(ctx, "e"); err != nil || len(got) != 0 {
		t.Errorf("FindMedia after the retry = %+v, %v; want none", got, err)
	}

	// deleting the dataset deletes them
	if _, err := s.DeleteDataset(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {})
	if got, err := s.FindMedia(ctx, "d"); err != nil || len(got) != 0 {
		t.Errorf("FindMedia of a dataset deleted and made again = %+v, %v", got, err)
	}
}
