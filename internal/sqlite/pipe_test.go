package sqlite

import (
	"context"
	"strings"
	"testing"
)

// TestPipe: an INSERT on the pipe keeps the transaction's order (its rows
// are there for the statement after it), and its error is the error of
// the next use of the transaction and of the commit, which rolls back:
// nothing of the transaction stays.
func TestPipe(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE pipe_t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	e := engine{db}
	tx, err := e.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := tx.Bulk("pipe_t", "id", "v")
	for i := range batchRows + 10 { // one INSERT when full, one at Flush
		if err := b.Add(ctx, []any{int64(i), "v"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM pipe_t`).Scan(&n); err != nil || n != batchRows+10 {
		t.Fatalf("%d rows after two INSERTs (%v), want %d", n, err, batchRows+10)
	}
	// a row of an id already there: the INSERT fails on the pipe
	if err := b.Add(ctx, []any{int64(0), "again"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatalf("Flush returned the INSERT's error (%v): it runs on the pipe", err)
	}
	_, err = tx.Exec(ctx, `UPDATE pipe_t SET v = 'w'`)
	if err == nil || !strings.Contains(err.Error(), "insert pipe_t") {
		t.Fatalf("the statement after a failed INSERT: %v, want the INSERT's error", err)
	}
	if err := tx.QueryRow(ctx, `SELECT 1`).Scan(&n); err == nil || !strings.Contains(err.Error(), "insert pipe_t") {
		t.Fatalf("a query after a failed INSERT: %v, want the INSERT's error", err)
	}
	if err := tx.Commit(ctx); err == nil || !strings.Contains(err.Error(), "insert pipe_t") {
		t.Fatalf("commit after a failed INSERT: %v, want the INSERT's error", err)
	}
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM pipe_t`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows after the failed transaction (%v), want none", n, err)
	}
}
