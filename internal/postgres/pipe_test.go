package postgres

import (
	"context"
	"testing"

	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/sqlstore/sqlstoretest"
)

// TestPipe: the COPYs in the background keep the transaction's order,
// and a failed one fails the rest of the transaction and its commit,
// which rolls back.
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
	tx, err := engine{db}.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sqlstoretest.BackgroundWrites(t, tx, batchRows, "copy", func() (n int64, err error) {
		err = db.pool.QueryRow(ctx, `SELECT count(*) FROM pipe_t`).Scan(&n)
		return n, err
	})
}
