package sqlite

import (
	"context"
	"database/sql"
)

// pipe runs the multi-row INSERTs of a write transaction's bulk writes on
// a goroutine of their own, so that the import goes on deciding and
// encoding the next rows while SQLite inserts the last ones on the other
// core (docs/benchmarks.md, branch importrate). The transaction's
// statements keep their order: every other use of it (a statement, a
// query, the next INSERT, the commit) first waits for the INSERT under
// way, and an error of that INSERT is the error of the use that waited
// for it and of every use after it.
type pipe struct {
	tx   *sql.Tx
	done chan error // the INSERT under way, or nil
	err  error      // the first error of an INSERT
}

// wait waits for the INSERT under way, returning the first error of one.
func (p *pipe) wait() error {
	if p.done != nil {
		if err := <-p.done; err != nil && p.err == nil {
			p.err = err
		}
		p.done = nil
	}
	return p.err
}

// start waits for the INSERT under way, then runs insert on a goroutine
// of its own: nothing else uses the transaction until it ends (wait).
func (p *pipe) start(insert func() error) error {
	if err := p.wait(); err != nil {
		return err
	}
	p.done = make(chan error, 1)
	go func(done chan<- error) { done <- insert() }(p.done)
	return nil
}

// Exec, Query and QueryRow are the transaction's, after the INSERT under
// way.
func (p *pipe) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := p.wait(); err != nil {
		return nil, err
	}
	return p.tx.ExecContext(ctx, q, args...)
}

func (p *pipe) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := p.wait(); err != nil {
		return nil, err
	}
	return p.tx.QueryContext(ctx, q, args...)
}

// errRow is a row whose Scan returns the error of an INSERT before it.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
