// Package sqlstoretest holds the checks both engines of internal/sqlstore
// run on themselves.
package sqlstoretest

import (
	"context"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/sqlstore"
)

// BackgroundWrites checks an engine's bulk writes in the background
// (sqlstore.Background) on tx, a transaction on a fresh table pipe_t (id
// BIGINT PRIMARY KEY, v TEXT NOT NULL) whose bulk writer writes batch rows
// at a time: a write keeps the transaction's order (its rows are there for
// the statement after it), and its error (word names the write in errors,
// "insert" or "copy") is the error of the next use of the transaction and
// of the commit, which rolls back: committed counts pipe_t's rows from
// outside the transaction and must find none.
func BackgroundWrites(t *testing.T, tx sqlstore.Tx, batch int, word string, committed func() (int64, error)) {
	t.Helper()
	ctx := context.Background()
	b := tx.Bulk("pipe_t", "id", "v")
	for i := range batch + 10 { // one write when full, one at Flush
		if err := b.Add(ctx, []any{int64(i), "v"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM pipe_t`).Scan(&n); err != nil || n != int64(batch+10) {
		t.Fatalf("%d rows after two bulk writes (%v), want %d", n, err, batch+10)
	}
	// a row of an id already there: the write fails in the background
	if err := b.Add(ctx, []any{int64(0), "again"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatalf("Flush returned the write's error (%v): it runs in the background", err)
	}
	want := word + " pipe_t"
	if _, err := tx.Exec(ctx, `UPDATE pipe_t SET v = 'w'`); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("the statement after a failed write: %v, want the write's error (%q)", err, want)
	}
	if err := tx.QueryRow(ctx, `SELECT 1`).Scan(&n); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("a query after a failed write: %v, want the write's error (%q)", err, want)
	}
	if err := tx.Commit(ctx); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("commit after a failed write: %v, want the write's error (%q)", err, want)
	}
	if n, err := committed(); err != nil || n != 0 {
		t.Fatalf("%d rows after the failed transaction (%v), want none", n, err)
	}
}
