package sqlite

import (
	"context"
	"testing"

	"github.com/tahqiq/tahqiq/internal/sqlstore/sqlstoretest"
)

// TestPipe: the multi-row INSERTs on the pipe keep the transaction's
// order, and a failed one fails the rest of the transaction and its
// commit, which rolls back.
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
	tx, err := engine{db}.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sqlstoretest.BackgroundWrites(t, tx, batchRows, "insert", func() (n int64, err error) {
		err = db.read.QueryRowContext(ctx, `SELECT count(*) FROM pipe_t`).Scan(&n)
		return n, err
	})
}
