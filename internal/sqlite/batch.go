package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// batchRows is how many rows one multi-row INSERT carries. Amortising the
// statement overhead over many rows is what makes imports fast.
const batchRows = 128

// batch buffers rows of one table and writes them with multi-row INSERTs
// (sqlstore.Bulk).
type batch struct {
	tx    *sql.Tx
	table string
	cols  []string
	args  []any
	rows  int
	full  *sql.Stmt // prepared for batchRows rows
}

func newBatch(tx *sql.Tx, table string, cols ...string) *batch {
	return &batch{tx: tx, table: table, cols: cols, args: make([]any, 0, batchRows*len(cols))}
}

func (b *batch) query(rows int) string {
	var s strings.Builder
	fmt.Fprintf(&s, "INSERT INTO %s (%s) VALUES ", b.table, `"`+strings.Join(b.cols, `", "`)+`"`)
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(row)
	}
	return s.String()
}

// Add buffers one row, writing the batch when it is full.
func (b *batch) Add(ctx context.Context, row []any) error {
	b.args = append(b.args, row...)
	b.rows++
	if b.rows < batchRows {
		return nil
	}
	if b.full == nil {
		st, err := b.tx.PrepareContext(ctx, b.query(batchRows))
		if err != nil {
			return fmt.Errorf("prepare %s batch: %w", b.table, err)
		}
		b.full = st
	}
	if _, err := b.full.ExecContext(ctx, b.args...); err != nil {
		return fmt.Errorf("insert %s: %w", b.table, err)
	}
	b.reset()
	return nil
}

// Flush writes the buffered rows.
func (b *batch) Flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	if _, err := b.tx.ExecContext(ctx, b.query(b.rows), b.args...); err != nil {
		return fmt.Errorf("insert %s: %w", b.table, err)
	}
	b.reset()
	return nil
}

func (b *batch) reset() {
	clear(b.args)
	b.args = b.args[:0]
	b.rows = 0
}
