package storecopy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/sqlite"
	"github.com/tahqiq/tahqiq/internal/storecopy"
)

// fill imports two datasets with posts, repeated posts, accounts, shares
// and a reject into s.
func fill(t *testing.T, s tahqiq.ImportStore, names ...string) {
	t.Helper()
	ctx := context.Background()
	for di, name := range names {
		tx, err := s.BeginImport(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: name + ".jsonl", SHA256: fmt.Sprintf("%064d", di), Size: 99, Format: "test"}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			raw := []byte(fmt.Sprintf(`{"n":%d,"urdu":"انتخابات"}`, i))
			rec := &tahqiq.RawRecord{Line: int64(i + 1), Offset: int64(i * 40), Locator: fmt.Sprintf("L%d", i+1), Raw: raw, SHA256: sha256.Sum256(raw), Kind: tahqiq.RecordPost}
			if i%7 == 0 {
				rec.CollectedAt = time.Unix(1700000000+int64(i), 0)
			}
			// a post repeated 40 records later keeps its author
			p := tahqiq.Post{UID: fmt.Sprintf("x:%d", i%40), AuthorUID: fmt.Sprintf("x:u%d", i%40%9), CreatedAt: time.Unix(1700000000+int64(i), 0), Precision: tahqiq.PrecisionSecond, Text: "ووٹ"}
			sh := tahqiq.Share{Type: tahqiq.ObjHashtag, Object: fmt.Sprintf("h%d", i%3), AccountID: p.AuthorUID, PostID: p.UID, Time: p.CreatedAt.Unix(), Precision: p.Precision}
			if _, err := tx.AddRecord(ctx, rec, []tahqiq.Post{p}, []tahqiq.Account{{UID: p.AuthorUID, Handle: "h", Followers: int64(i)}}, []tahqiq.Share{sh}); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range []tahqiq.MediaFile{
			{Name: "photos/photo_1.jpg", Status: tahqiq.MediaHashed, SHA256: fmt.Sprintf("%064x", di+1), Size: 1234, Width: 640, Height: 480, Orientation: 6,
				PDQ: fmt.Sprintf("%064x", 7), Quality: 88, Dihedral: fmt.Sprintf("%0448x", 9), DHash: "00ff00ff00ff00ff", Object: "pdq:" + fmt.Sprintf("%064x", 7), Hashing: "pdq-1"},
			{Name: "photos/gone.jpg", Status: tahqiq.MediaMissing, Detail: "no such file in the media folder"},
		} {
			if err := tx.AddMedia(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.AddReject(ctx, tahqiq.Reject{Line: 51, Reason: "truncated"}, []byte(`{"n":`)); err != nil {
			t.Fatal(err)
		}
		if err := tx.AddReject(ctx, tahqiq.Reject{Line: 52, Reason: "empty"}, nil); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("a filled store copied into PostgreSQL (about 20 s): not in -short (go test ./..., as CI runs it, does)")
	}
	ctx := context.Background()
	srv := pgtest.Start(t)
	src, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fill(t, src, "a", "b")
	dst, err := postgres.Open(ctx, srv.NewAppDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()

	checks, err := storecopy.Copy(ctx, src.ReadDB(), dst)
	if err != nil {
		t.Fatalf("Copy: %v (%+v)", err, checks)
	}
	if len(checks) != len(storecopy.Tables) {
		t.Fatalf("checks = %d, want %d", len(checks), len(storecopy.Tables))
	}
	filled := map[string]bool{"datasets": true, "files": true, "records": true, "rejects": true, "accounts": true, "posts": true, "post_records": true, "shares": true, "media": true}
	for _, c := range checks {
		if !c.OK() || (filled[c.Table] && c.From.Rows == 0) {
			t.Errorf("%s: from %+v, to %+v", c.Table, c.From, c.To)
		}
	}
	// Both stores answer the same.
	want, err := src.FindDatasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.FindDatasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("datasets differ (-sqlite +postgres):\n%s", diff)
	}
	wm, _ := src.FindMedia(ctx, "b")
	if gm, err := dst.FindMedia(ctx, "b"); err != nil || !cmp.Equal(wm, gm) || len(gm) != 2 {
		t.Errorf("FindMedia after copy = %+v, %v; want %+v", gm, err, wm)
	}
	wp, _ := src.FindPost(ctx, "a", "x:3")
	gp, err := dst.FindPost(ctx, "a", "x:3")
	if err != nil || !cmp.Equal(wp, gp) || len(gp.Records) != 2 {
		t.Errorf("FindPost after copy = %+v, %v; want %+v", gp, err, wp)
	}
	// The copy is not the end: imports continue with fresh ids.
	fill(t, dst, "c")
	if d, err := dst.FindDatasetByName(ctx, "c"); err != nil || d.Counts.Posts != 40 || d.Counts.Rejects != 2 {
		t.Errorf("import after copy: %+v, %v", d.Counts, err)
	}

	// A second copy into the now non-empty store is refused.
	if _, err := storecopy.Copy(ctx, src.ReadDB(), dst); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
		t.Errorf("copy into non-empty store: %v, want ECONFLICT", err)
	}
}

func TestVerifyDetectsChange(t *testing.T) {
	if testing.Short() {
		t.Skip("copies altered table by table (about 11 s): not in -short (go test ./..., as CI runs it, does)")
	}
	ctx := context.Background()
	srv := pgtest.Start(t)
	src, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fill(t, src, "a")
	dst, err := postgres.Open(ctx, srv.NewAppDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := storecopy.Copy(ctx, src.ReadDB(), dst); err != nil {
		t.Fatal(err)
	}
	// One byte of one raw record changed on the PostgreSQL side.
	if _, err := dst.Pool().Exec(ctx, `UPDATE records SET raw = raw || '\x00'::bytea WHERE id = 7`); err != nil {
		t.Fatal(err)
	}
	checks, err := storecopy.Verify(ctx, src.ReadDB(), dst)
	if tahqiq.ErrorCode(err) != tahqiq.EVERIFY {
		t.Fatalf("Verify after change: %v, want EVERIFY", err)
	}
	for _, c := range checks {
		if c.OK() != (c.Table != "records") {
			t.Errorf("%s: ok = %v", c.Table, c.OK())
		}
	}
}

// TestCopyCases: a store with a case, an attached file and signed
// checkpoints moves over whole: the custody log verifies on both sides with
// the same size and root, and the latest signed checkpoint is the same.
func TestCopyCases(t *testing.T) {
	if testing.Short() {
		t.Skip("a store with cases copied (about 8 s): not in -short (go test ./..., as CI runs it, does)")
	}
	ctx := context.Background()
	srv := pgtest.Start(t)
	src, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fill(t, src, "a")
	dir := t.TempDir()
	bs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	signer, verifier, err := keyfile.CreateKey(dir, "tahqiq/test")
	if err != nil {
		t.Fatal(err)
	}
	service := func(st casework.Store) *casework.Service {
		return &casework.Service{Store: st, Blobs: bs, Signer: signer, LogKey: verifier, Origin: signer.Name()}
	}
	cw := service(src)
	_, admin, err := cw.InitOrg(ctx, "Inquiry", "admin")
	if err != nil {
		t.Fatal(err)
	}
	c, err := cw.NewCase(ctx, admin, "انتخابی مہم", "", tahqiq.TLPAmber)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "ballot.txt")
	os.WriteFile(file, []byte("a photographed ballot paper"), 0o644)
	if _, err := cw.AttachFiles(ctx, admin, c.ID, "", file); err != nil {
		t.Fatal(err)
	}
	// a closed case and a user's preferences are copied too
	if _, err := cw.CloseCase(ctx, admin, c.ID); err != nil {
		t.Fatal(err)
	}
	prefs := tahqiq.Preferences{Lang: "ur", TimeZone: "Asia/Karachi"}
	if err := src.PutPreferences(ctx, admin.ID, prefs, time.Now()); err != nil {
		t.Fatal(err)
	}
	before, err := cw.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := postgres.Open(ctx, srv.NewAppDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	checks, err := storecopy.Copy(ctx, src.ReadDB(), dst)
	if err != nil {
		t.Fatalf("Copy: %v (%+v)", err, checks)
	}
	for _, st := range []casework.Store{src, dst} {
		rep, err := service(st).VerifyStore(ctx, casework.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() || rep.LogSize != before.Size || rep.Items != 1 {
			t.Fatalf("verify %T: ok %v, log %d (want %d), items %d: %+v", st, rep.OK(), rep.LogSize, before.Size, rep.Items, rep.Problems)
		}
	}
	if got, err := dst.FindPreferences(ctx, admin.ID); err != nil || got != prefs {
		t.Errorf("preferences after the copy: %+v, %v; want %+v", got, err, prefs)
	}
	if got, err := dst.FindCaseByID(ctx, c.ID); err != nil || !got.Closed() {
		t.Errorf("the closed case after the copy: %+v, %v", got, err)
	}
	cps, err := dst.Checkpoints(ctx)
	if err != nil || len(cps) == 0 || !bytes.Equal(cps[len(cps)-1], before.Note) {
		t.Fatalf("the latest checkpoint differs after the copy (%v)", err)
	}
	// and the copy keeps working: a new change appends after the copied log
	dcw := service(dst)
	if _, err := dcw.NewCase(ctx, admin, "after the move", "", tahqiq.TLPGreen); err != nil {
		t.Fatal(err)
	}
	rep, err := dcw.VerifyStore(ctx, casework.VerifyOptions{})
	if err != nil || !rep.OK() || rep.LogSize != before.Size+1 {
		t.Fatalf("after a new case on PostgreSQL: %+v %v", rep, err)
	}
}
