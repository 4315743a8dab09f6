package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tahqiq/tahqiq/internal/sqlstore"
)

// pipe runs the COPYs of a transaction's bulk writes in the background,
// so that the import goes on deciding and encoding the next rows while
// the server inserts the last ones (docs/benchmarks.md, branch
// importrate). A connection runs one command at a time: every other use
// of the transaction (its statements, its locks, its commit, the next
// COPY) first waits for the COPY under way, and an error of that COPY is
// the error of the use that waited for it, and of every use after it.
type pipe struct {
	tx                  pgx.Tx
	sqlstore.Background // the bulk write under way
}

// Exec, Query and QueryRow are the transaction's, after the COPY under
// way (pipe is the querier of a pgTx's conn and statements).
func (p *pipe) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := p.Wait(); err != nil {
		return pgconn.CommandTag{}, err
	}
	return p.tx.Exec(ctx, sql, args...)
}

func (p *pipe) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := p.Wait(); err != nil {
		return nil, err
	}
	return p.tx.Query(ctx, sql, args...)
}

func (p *pipe) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := p.Wait(); err != nil {
		return errRow{err}
	}
	return p.tx.QueryRow(ctx, sql, args...)
}

// errRow is a row whose Scan returns the error of a COPY before it.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
