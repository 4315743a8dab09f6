package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
)

// TestPipe: a COPY in the background keeps the transaction's order (the
// rows it writes are there for the statement after it), and its error
// is the error of the next use of the transaction and of the commit,
// which rolls back: nothing of the transaction stays.
func TestPipe(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.Start(t).NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.pool.Exec(ctx, `CREATE TABLE pipe_t (id BIGINT PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	e := engine{db}
	tx, err := e.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := tx.Bulk("pipe_t", "id", "v")
	for i := range batchRows + 10 { // one COPY when full, one at Flush
		if err := b.Add(ctx, []any{int64(i), "v"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM pipe_t`).Scan(&n); err != nil || n != batchRows+10 {
		t.Fatalf("%d rows after two COPYs (%v), want %d", n, err, batchRows+10)
	}
	// a row of an id already there: the COPY fails in the background
	if err := b.Add(ctx, []any{int64(0), "again"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatalf("Flush returned the COPY's error (%v): it runs in the background", err)
	}
	_, err = tx.Exec(ctx, `UPDATE pipe_t SET v = 'w'`)
	if err == nil || !strings.Contains(err.Error(), "copy pipe_t") {
		t.Fatalf("the statement after a failed COPY: %v, want the COPY's error", err)
	}
	if err := tx.QueryRow(ctx, `SELECT 1`).Scan(&n); err == nil || !strings.Contains(err.Error(), "copy pipe_t") {
		t.Fatalf("a query after a failed COPY: %v, want the COPY's error", err)
	}
	if err := tx.Commit(ctx); err == nil || !strings.Contains(err.Error(), "copy pipe_t") {
		t.Fatalf("commit after a failed COPY: %v, want the COPY's error", err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM pipe_t`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows after the failed transaction (%v), want none", n, err)
	}
}
