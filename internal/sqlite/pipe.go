package sqlite

import (
	"context"
	"database/sql"

	"github.com/tahqiq/tahqiq/internal/sqlstore"
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
	tx                  *sql.Tx
	sqlstore.Background // the bulk write under way
}

// Exec, Query and QueryRow are the transaction's, after the INSERT under
// way.
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
