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

// batch buffers rows of one table and writes them with multi-row INSERTs.
type batch struct {
	table string
	cols  []string
	tail  string // e.g. "ON CONFLICT DO NOTHING"
	args  []any
	rows  int
	full  *sql.Stmt // prepared for batchRows rows
}

func newBatch(table, tail string, cols ...string) *batch {
	return &batch{table: table, tail: tail, cols: cols, args: make([]any, 0, batchRows*len(cols))}
}

func (b *batch) query(rows int) string {
	var s strings.Builder
	fmt.Fprintf(&s, "INSERT INTO %s (%s) VALUES ", b.table, strings.Join(b.cols, ", "))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(row)
	}
	if b.tail != "" {
		s.WriteString(" " + b.tail)
	}
	return s.String()
}

// add buffers one row, writing the batch when it is full.
func (b *batch) add(ctx context.Context, tx *sql.Tx, vals ...any) error {
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows < batchRows {
		return nil
	}
	if b.full == nil {
		st, err := tx.PrepareContext(ctx, b.query(batchRows))
		if err != nil {
			return fmt.Errorf("sqlite: prepare %s batch: %w", b.table, err)
		}
		b.full = st
	}
	if _, err := b.full.ExecContext(ctx, b.args...); err != nil {
		return fmt.Errorf("sqlite: insert %s: %w", b.table, err)
	}
	b.reset()
	return nil
}

// flush writes the buffered rows.
func (b *batch) flush(ctx context.Context, tx *sql.Tx) error {
	if b.rows == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, b.query(b.rows), b.args...); err != nil {
		return fmt.Errorf("sqlite: insert %s: %w", b.table, err)
	}
	b.reset()
	return nil
}

func (b *batch) reset() {
	clear(b.args)
	b.args = b.args[:0]
	b.rows = 0
}
