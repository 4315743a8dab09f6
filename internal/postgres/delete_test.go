package postgres_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
)

// TestDeleteWaitsForImport: posts and shares have no foreign key to
// datasets (migration 0013), so deleting a dataset must wait for an import
// into it to end; otherwise the import's rows commit after their dataset
// is gone. The delete is seen waiting on the import lock, the import
// commits, the delete then removes its rows too: no post or share is left
// without its dataset.
func TestDeleteWaitsForImport(t *testing.T) {
	ctx := context.Background()
	if d, ok := t.Deadline(); ok { // a hang ends with the test's own deadline
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d)
		defer cancel()
	}
	srv := pgtest.Start(t)
	// as the superuser: row-level security would hide posts whose dataset
	// is gone from every scope, the very rows this test looks for
	db, err := postgres.Open(ctx, srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	post := func(uid string) tahqiq.Post {
		return tahqiq.Post{UID: uid, AuthorUID: "x:alice", CreatedAt: time.Unix(1700000000, 0), Precision: tahqiq.PrecisionSecond,
			Objects: []tahqiq.Object{{Type: tahqiq.ObjHashtag, Value: "vote"}}}
	}
	importPost := func(tx tahqiq.ImportTx, file, uid string) {
		t.Helper()
		if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: file, SHA256: file, Format: "test"}); err != nil {
			t.Fatal(err)
		}
		raw := []byte(uid)
		p := post(uid)
		sh := tahqiq.Share{Type: tahqiq.ObjHashtag, Object: "vote", AccountID: p.AuthorUID, PostID: uid, Time: 1700000000, Precision: tahqiq.PrecisionSecond}
		if _, err := tx.AddRecord(ctx, &tahqiq.RawRecord{Line: 1, Locator: "L1", Raw: raw, SHA256: sha256.Sum256(raw), Kind: tahqiq.RecordPost},
			[]tahqiq.Post{p}, nil, []tahqiq.Share{sh}); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	importPost(tx, "one", "x:1")
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err = db.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	importPost(tx, "two", "x:2")
	done := make(chan error, 1)
	go func() {
		_, err := db.DeleteDataset(ctx, "d")
		done <- err
	}()
	// the delete waits (on the import lock; without it, on the import's
	// key-share lock of the dataset's row, taken by its files row, after
	// deleting the posts and shares it could see)
	for waiting := false; !waiting; {
		select {
		case err := <-done:
			t.Fatalf("the delete ended (%v) while an import into the dataset was open", err)
		case <-ctx.Done():
			t.Fatal("the delete never waited")
		case <-time.After(20 * time.Millisecond):
		}
		if err := db.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock')`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("delete after the import: %v", err)
	}
	var posts, shares int
	if err := db.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM shares)`).Scan(&posts, &shares); err != nil {
		t.Fatal(err)
	}
	if posts != 0 || shares != 0 {
		t.Errorf("%d posts and %d shares left without their dataset", posts, shares)
	}
}
