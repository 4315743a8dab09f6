package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pipe runs the COPYs of a transaction's bulk writes in the background,
// so that the import goes on deciding and encoding the next rows while
// the server inserts the last ones (docs/benchmarks.md, branch
// importrate). A connection runs one command at a time: every other use
// of the transaction (its statements, its locks, its commit, the next
// COPY) first waits for the COPY under way, and an error of that COPY is
// the error of the use that waited for it, and of every use after it.
type pipe struct {
	tx   pgx.Tx
	done chan error // the COPY under way, or nil
	err  error      // the first error of a COPY
}

// wait waits for the COPY under way, returning the first error of one.
func (p *pipe) wait() error {
	if p.done != nil {
		if err := <-p.done; err != nil && p.err == nil {
			p.err = err
		}
		p.done = nil
	}
	return p.err
}

// start waits for the COPY under way, then runs copy on a goroutine of
// its own: nothing else uses the transaction until it ends (wait).
func (p *pipe) start(copy func() error) error {
	if err := p.wait(); err != nil {
		return err
	}
	p.done = make(chan error, 1)
	go func(done chan<- error) { done <- copy() }(p.done)
	return nil
}

// Exec, Query and QueryRow are the transaction's, after the COPY under
// way (pipe is the querier of a pgTx's conn and statements).
func (p *pipe) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := p.wait(); err != nil {
		return pgconn.CommandTag{}, err
	}
	return p.tx.Exec(ctx, sql, args...)
}

func (p *pipe) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := p.wait(); err != nil {
		return nil, err
	}
	return p.tx.Query(ctx, sql, args...)
}

func (p *pipe) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := p.wait(); err != nil {
		return errRow{err}
	}
	return p.tx.QueryRow(ctx, sql, args...)
}

// errRow is a row whose Scan returns the error of a COPY before it.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
