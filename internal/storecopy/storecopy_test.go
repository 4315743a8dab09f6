package storecopy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
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
			p := tahqiq.Post{UID: fmt.Sprintf("x:%d", i%40), AuthorUID: fmt.Sprintf("x:u%d", i%9), CreatedAt: time.Unix(1700000000+int64(i), 0), Precision: tahqiq.PrecisionSecond, Text: "ووٹ"}
			sh := tahqiq.Share{Type: tahqiq.ObjHashtag, Object: fmt.Sprintf("h%d", i%3), AccountID: p.AuthorUID, PostID: p.UID, Time: p.CreatedAt.Unix(), Precision: p.Precision}
			if _, err := tx.AddRecord(ctx, rec, []tahqiq.Post{p}, []tahqiq.Account{{UID: p.AuthorUID, Handle: "h", Followers: int64(i)}}, []tahqiq.Share{sh}); err != nil {
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
	ctx := context.Background()
	srv := pgtest.Start(t)
	src, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fill(t, src, "a", "b")
	dst, err := postgres.Open(ctx, srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()

	var progress bytes.Buffer
	checks, err := storecopy.Copy(ctx, src.ReadDB(), dst.Pool(), storecopy.Options{Progress: &progress})
	if err != nil {
		t.Fatalf("Copy: %v (%+v)", err, checks)
	}
	if len(checks) != len(storecopy.Tables) {
		t.Fatalf("checks = %d, want %d", len(checks), len(storecopy.Tables))
	}
	for _, c := range checks {
		if !c.OK() || c.From.Rows == 0 {
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
	if _, err := storecopy.Copy(ctx, src.ReadDB(), dst.Pool(), storecopy.Options{}); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
		t.Errorf("copy into non-empty store: %v, want ECONFLICT", err)
	}
}

func TestVerifyDetectsChange(t *testing.T) {
	ctx := context.Background()
	srv := pgtest.Start(t)
	src, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fill(t, src, "a")
	dst, err := postgres.Open(ctx, srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := storecopy.Copy(ctx, src.ReadDB(), dst.Pool(), storecopy.Options{}); err != nil {
		t.Fatal(err)
	}
	// One byte of one raw record changed on the PostgreSQL side.
	if _, err := dst.Pool().Exec(ctx, `UPDATE records SET raw = raw || '\x00'::bytea WHERE id = 7`); err != nil {
		t.Fatal(err)
	}
	checks, err := storecopy.Verify(ctx, src.ReadDB(), dst.Pool())
	if tahqiq.ErrorCode(err) != tahqiq.EVERIFY {
		t.Fatalf("Verify after change: %v, want EVERIFY", err)
	}
	for _, c := range checks {
		if c.OK() != (c.Table != "records") {
			t.Errorf("%s: ok = %v", c.Table, c.OK())
		}
	}
}

// TestCopyRefusesCases: a store holding cases and a custody log is not
// migrated (the PostgreSQL engine has no tables for them yet), and the
// error names what would be left behind; nothing is written.
func TestCopyRefusesCases(t *testing.T) {
	ctx := context.Background()
	srv := pgtest.Start(t)
	src, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fill(t, src, "a")
	cw := &casework.Service{Store: src}
	if _, _, err := cw.InitOrg(ctx, "Inquiry", "admin"); err != nil {
		t.Fatal(err)
	}
	dst, err := postgres.Open(ctx, srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	_, err = storecopy.Copy(ctx, src.ReadDB(), dst.Pool(), storecopy.Options{})
	if tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.Contains(err.Error(), "organisations (1 rows)") || !strings.Contains(err.Error(), "ledger_entries (1 rows)") {
		t.Fatalf("err = %v, want a refusal naming organisations and ledger_entries", err)
	}
	ds, err := dst.FindDatasets(ctx)
	if err != nil || len(ds) != 0 {
		t.Fatalf("the PostgreSQL store got %d datasets (%v); want none", len(ds), err)
	}
}
