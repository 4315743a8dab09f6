package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// batchRows is how many rows are buffered per table before one COPY writes
// them.
const batchRows = 4096

// batch buffers rows of one table and writes them with COPY FROM STDIN
// (pgx's binary COPY), straight into the table when the role is not
// subject to row-level security, else through a staging table
// (sqlstore.Bulk).
type batch struct {
	p      *pipe
	table  pgx.Identifier
	cols   []string
	rows   [][]any
	spare  [][]any // the rows of the last COPY, reused once it is done
	staged bool    // its staging table exists in this transaction
	path   int8    // 0 not yet known, copyDirect or copyStaged
}

const (
	copyDirect int8 = iota + 1
	copyStaged
)

// staging forces the staging table even for a role that bypasses
// row-level security (the benchmarks compare the two paths).
var staging = false

func newBatch(p *pipe, table string, cols ...string) *batch {
	return &batch{p: p, table: pgx.Identifier{table}, cols: cols, rows: make([][]any, 0, batchRows)}
}

// Add buffers a copy of row, writing the batch when it is full.
func (b *batch) Add(ctx context.Context, row []any) error {
	b.rows = append(b.rows, slices.Clone(row))
	if len(b.rows) < batchRows {
		return nil
	}
	return b.Flush(ctx)
}

// Flush writes the buffered rows. PostgreSQL refuses COPY FROM into a
// table whose row-level security applies to the role (every content table
// forces it, for the owner too), so such a role's rows go by COPY into a
// temporary staging table, then one INSERT from it, which the table's
// policies check. A superuser or a BYPASSRLS role, to which no policy
// applies, COPYs straight into the table: the same rows, no check lost.
// The import assigns every id and decides every duplicate before a row is
// buffered, so no row meets a conflict that an INSERT … ON CONFLICT would
// have to settle.
//
// The COPY runs in the background (pipe.go): Flush returns once it has
// started, and its error is that of the next use of the transaction.
func (b *batch) Flush(ctx context.Context) error {
	if len(b.rows) == 0 {
		return nil
	}
	if b.path == 0 {
		var bypass bool
		if err := b.p.QueryRow(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&bypass); err != nil {
			return fmt.Errorf("copy %s: the role's row-level security: %w", b.table[0], err)
		}
		b.path = copyStaged
		if bypass && !staging {
			b.path = copyDirect
		}
	}
	if err := b.p.Wait(); err != nil { // the rows of the last COPY are free
		return err
	}
	rows := b.rows
	b.rows, b.spare = b.spare[:0], rows
	if b.rows == nil {
		b.rows = make([][]any, 0, batchRows)
	}
	staged := b.path == copyStaged
	return b.p.Start(func() error {
		defer clear(rows)
		if staged {
			return b.copyStaged(ctx, rows)
		}
		if _, err := b.p.tx.CopyFrom(ctx, b.table, b.cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("copy %s: %w", b.table[0], err)
		}
		return nil
	})
}

// copyStaged writes rows through the table's staging table (on the pipe's
// goroutine).
func (b *batch) copyStaged(ctx context.Context, rows [][]any) error {
	tx := b.p.tx
	stage := pgx.Identifier{"tahqiq_stage_" + b.table[0]}.Sanitize()
	cols := make([]string, len(b.cols))
	for i, c := range b.cols {
		cols[i] = pgx.Identifier{c}.Sanitize()
	}
	list := strings.Join(cols, ", ")
	if !b.staged {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+stage+` ON COMMIT DROP AS SELECT `+list+` FROM `+b.table.Sanitize()+` WITH NO DATA`); err != nil {
			return fmt.Errorf("staging table for %s: %w", b.table[0], err)
		}
		b.staged = true
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tahqiq_stage_" + b.table[0]}, b.cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy %s: %w", b.table[0], err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+b.table.Sanitize()+` (`+list+`) SELECT `+list+` FROM `+stage); err != nil {
		return fmt.Errorf("insert %s: %w", b.table[0], err)
	}
	if _, err := tx.Exec(ctx, `TRUNCATE `+stage); err != nil {
		return fmt.Errorf("empty the staging table of %s: %w", b.table[0], err)
	}
	return nil
}
