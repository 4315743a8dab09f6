package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// batchRows is how many rows are buffered per table before one COPY writes
// them.
const batchRows = 4096

// batch buffers rows of one table and writes them with COPY FROM STDIN.
type batch struct {
	table pgx.Identifier
	cols  []string
	rows  [][]any
}

func newBatch(table string, cols ...string) *batch {
	return &batch{table: pgx.Identifier{table}, cols: cols, rows: make([][]any, 0, batchRows)}
}

// add buffers one row, writing the batch when it is full.
func (b *batch) add(ctx context.Context, tx pgx.Tx, vals ...any) error {
	b.rows = append(b.rows, vals)
	if len(b.rows) < batchRows {
		return nil
	}
	return b.flush(ctx, tx)
}

// flush writes the buffered rows.
func (b *batch) flush(ctx context.Context, tx pgx.Tx) error {
	if len(b.rows) == 0 {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, b.table, b.cols, pgx.CopyFromRows(b.rows)); err != nil {
		return fmt.Errorf("postgres: copy %s: %w", b.table[0], err)
	}
	clear(b.rows)
	b.rows = b.rows[:0]
	return nil
}
