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
//
// The INSERTs run on the transaction's pipe (pipe.go): Add and Flush
// return once one is queued, and its error is that of a later use of the
// transaction. The rows of each INSERT queued are a buffer of their own,
// given back once it is done (free) and filled again.
type batch struct {
	p     *pipe
	table string
	cols  []string
	args  []any
	free  chan []any // buffers of rows inserted, to fill again
	rows  int
	full  *sql.Stmt // prepared for batchRows rows
}

func newBatch(p *pipe, table string, cols ...string) *batch {
	return &batch{p: p, table: table, cols: cols, args: make([]any, 0, batchRows*len(cols)), free: make(chan []any, pipeDepth+1)}
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
		if err := b.p.Wait(); err != nil { // prepared in the transaction's order
			return err
		}
		st, err := b.p.tx.PrepareContext(ctx, b.query(batchRows))
		if err != nil {
			return fmt.Errorf("prepare %s batch: %w", b.table, err)
		}
		b.full = st
	}
	full := b.full
	return b.insert(func(args []any) error {
		_, err := full.ExecContext(ctx, args...)
		return err
	})
}

// Flush writes the buffered rows.
func (b *batch) Flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	q := b.query(b.rows)
	return b.insert(func(args []any) error {
		_, err := b.p.tx.ExecContext(ctx, q, args...)
		return err
	})
}

// insert queues exec with the buffered rows on the pipe, and fills a
// free buffer meanwhile.
func (b *batch) insert(exec func(args []any) error) error {
	args := b.args
	select {
	case b.args = <-b.free:
	default:
		b.args = make([]any, 0, batchRows*len(b.cols))
	}
	b.rows = 0
	table, free := b.table, b.free
	return b.p.Start(func() error {
		err := exec(args)
		clear(args)
		select {
		case free <- args[:0]:
		default: // more buffers than the pipe holds: one is dropped
		}
		if err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		return nil
	})
}
