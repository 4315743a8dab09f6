package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// pipe runs the multi-row INSERTs of a write transaction's bulk writes on
// a goroutine of their own, so that the import goes on deciding and
// encoding the next rows while SQLite inserts the last ones on the other
// core (docs/benchmarks.md, branch importrate). Up to pipeDepth INSERTs
// wait in a queue for that goroutine, which runs them one after another
// and lives as long as the transaction (branch importfast: one INSERT at
// a time on a goroutine started for it left the inserting strand idle
// whenever the import's goroutine was not scheduled as its batch filled).
// The transaction's statements keep their order: every other use of it (a
// statement, a query, the commit) first waits for every INSERT queued,
// and an error of an INSERT is the error of the use that waited for it
// and of every use after it; the INSERTs queued after a failed one are
// not run.
type pipe struct {
	tx   *sql.Tx
	conn *sql.Conn         // the transaction's connection
	stmt []driver.Stmt     // the batches' statements prepared on it, closed by stop
	jobs chan func() error // to the inserting goroutine; nil until the first Start
	done chan error        // its result of each job, in order
	out  int               // jobs sent and not yet received
	err  error             // the first error of a job
}

// pipeDepth is how many INSERTs may wait for the inserting goroutine.
const pipeDepth = 4

// Wait waits for every INSERT queued and returns the first error of one.
func (p *pipe) Wait() error {
	for ; p.out > 0; p.out-- {
		if err := <-p.done; err != nil && p.err == nil {
			p.err = err
		}
	}
	return p.err
}

// Start queues write for the inserting goroutine (started on first use),
// after waiting for the oldest INSERT when pipeDepth are queued; it
// returns the first error of an INSERT done so far.
func (p *pipe) Start(write func() error) error {
	if p.err != nil {
		return p.err
	}
	if p.jobs == nil {
		p.jobs, p.done = make(chan func() error, pipeDepth), make(chan error, pipeDepth)
		go run(p.jobs, p.done)
	}
	if p.out == pipeDepth {
		if err := <-p.done; err != nil && p.err == nil {
			p.err = err
		}
		p.out--
		if p.err != nil {
			return p.err
		}
	}
	p.jobs <- write
	p.out++
	return nil
}

// run runs the jobs in order until jobs is closed; after a job fails, it
// answers the rest without running them (the transaction rolls back).
func run(jobs <-chan func() error, done chan<- error) {
	failed := false
	for write := range jobs {
		if failed {
			done <- nil // the first error is the one reported
			continue
		}
		err := write()
		failed = err != nil
		done <- err
	}
}

// stop waits for the INSERTs queued, ends the inserting goroutine and
// closes the batches' statements.
func (p *pipe) stop() error {
	err := p.Wait()
	if p.jobs != nil {
		close(p.jobs)
		p.jobs = nil
	}
	if len(p.stmt) > 0 {
		cerr := p.conn.Raw(func(any) error {
			var errs []error
			for _, st := range p.stmt {
				errs = append(errs, st.Close())
			}
			return errors.Join(errs...)
		})
		p.stmt = nil
		if err == nil && cerr != nil {
			err = fmt.Errorf("close bulk statements: %w", cerr)
		}
	}
	return err
}

// prepare prepares q on the transaction's connection, for a batch (its
// statement is closed by stop). It may run beside nothing else on the
// connection: on the inserting goroutine, or after Wait.
func (p *pipe) prepare(ctx context.Context, q string) (driver.Stmt, error) {
	var st driver.Stmt
	err := p.conn.Raw(func(dc any) error {
		var err error
		st, err = dc.(driver.ConnPrepareContext).PrepareContext(ctx, q)
		return err
	})
	return st, err
}

// exec runs st, prepared by prepare, with args.
func (p *pipe) exec(ctx context.Context, st driver.Stmt, args []driver.NamedValue) error {
	return p.conn.Raw(func(any) error {
		_, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
		return err
	})
}

// Exec, Query and QueryRow are the transaction's, after the INSERTs
// queued.
func (p *pipe) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := p.Wait(); err != nil {
		return nil, err
	}
	return p.tx.ExecContext(ctx, q, args...)
}

func (p *pipe) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := p.Wait(); err != nil {
		return nil, err
	}
	return p.tx.QueryContext(ctx, q, args...)
}

// errRow is a row whose Scan returns the error of an INSERT before it.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
