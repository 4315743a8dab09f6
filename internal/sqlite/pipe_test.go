package sqlite

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/sqlstore"
	"github.com/tahqiq/tahqiq/internal/sqlstore/sqlstoretest"
)

// pipeTable opens a store in a temporary directory with a table pipe_t
// (id, v) and begins a transaction on it; the store closes with the test.
func pipeTable(t *testing.T) (*DB, sqlstore.Tx) {
	ctx := context.Background()
	db, err := OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE pipe_t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	tx, err := engine{db}.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return db, tx
}

// TestPipe: the multi-row INSERTs on the pipe keep the transaction's
// order, and a failed one fails the rest of the transaction and its
// commit, which rolls back.
func TestPipe(t *testing.T) {
	ctx := context.Background()
	db, tx := pipeTable(t)
	sqlstoretest.BackgroundWrites(t, tx, batchRows, "insert", func() (n int64, err error) {
		err = db.read.QueryRowContext(ctx, `SELECT count(*) FROM pipe_t`).Scan(&n)
		return n, err
	})
}

// TestPipeQueue: up to pipeDepth INSERTs are queued without waiting for
// the inserting goroutine (one at a time made the import wait for each),
// run in order; after one fails the rest are not run, its error is the
// next use's, and stop ends the goroutine once the queue is done.
func TestPipeQueue(t *testing.T) {
	var p pipe
	release := make(chan struct{})
	var ran []int
	for i := range pipeDepth {
		if err := p.Start(func() error {
			<-release // held until every Start returned: none of them waited
			ran = append(ran, i)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if p.out != pipeDepth {
		t.Fatalf("%d INSERTs queued, want %d", p.out, pipeDepth)
	}
	close(release)
	if err := p.Wait(); err != nil || len(ran) != pipeDepth {
		t.Fatalf("after Wait: %v, ran %v", err, ran)
	}
	for i, r := range ran {
		if r != i {
			t.Fatalf("ran %v, want in the order queued", ran)
		}
	}
	fail := errors.New("insert pipe_t: UNIQUE constraint failed")
	ran = nil
	p.Start(func() error { ran = append(ran, 1); return fail })
	p.Start(func() error { ran = append(ran, 2); return nil })
	if err := p.Wait(); err != fail {
		t.Fatalf("Wait after a failed INSERT: %v, want its error", err)
	}
	if len(ran) != 1 {
		t.Fatalf("ran %v: the INSERT queued after a failed one ran", ran)
	}
	if err := p.Start(func() error { t.Error("an INSERT started after a failure ran"); return nil }); err != fail {
		t.Fatalf("Start after a failed INSERT: %v, want its error", err)
	}
	if err := p.stop(); err != fail || p.jobs != nil {
		t.Fatalf("stop: %v (jobs %v)", err, p.jobs)
	}
}

// TestBatchValues: a bulk row's values are converted for the driver as
// database/sql would (an int is stored as an integer), and a row of the
// wrong width or a value the driver cannot take is an error naming the
// table and the column, before any INSERT.
func TestBatchValues(t *testing.T) {
	ctx := context.Background()
	db, tx := pipeTable(t)
	b := tx.Bulk("pipe_t", "id", "v")
	for i := range batchRows + 3 { // a full batch through the prepared statement, the rest at Flush
		if err := b.Add(ctx, []any{i + 1, "v" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Add(ctx, []any{int64(1)}); err == nil || !strings.Contains(err.Error(), "insert pipe_t: 1 values for 2 columns") {
		t.Fatalf("a row of one value: %v", err)
	}
	if err := b.Add(ctx, []any{int64(1), struct{}{}}); err == nil || !strings.Contains(err.Error(), "insert pipe_t: column v") {
		t.Fatalf("a value the driver cannot take: %v", err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil { // the rows refused left nothing behind to bind
		t.Fatal(err)
	}
	var n, sum int64
	var typ string
	var last string
	if err := db.read.QueryRowContext(ctx, `SELECT count(*), sum(id), min(typeof(id)), (SELECT v FROM pipe_t ORDER BY id DESC LIMIT 1) FROM pipe_t`).Scan(&n, &sum, &typ, &last); err != nil {
		t.Fatal(err)
	}
	if k := int64(batchRows + 3); n != k || sum != k*(k+1)/2 || typ != "integer" || last != "v"+strconv.Itoa(batchRows+2) {
		t.Fatalf("%d rows, ids summing to %d, of type %s, the last %q", n, sum, typ, last)
	}
}
