package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
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
// given back once it is done (free) and filled again. The rows are the
// driver's values already (converted by Add, on the import's goroutine),
// and the INSERT runs the driver's statement on the transaction's
// connection: database/sql's conversion and checks of every parameter and
// its statement's locks were about 0.2 s of the inserting goroutine's 5 s
// at 1M rows (branch importfast).
type batch struct {
	p     *pipe
	table string
	cols  []string
	args  []driver.NamedValue
	free  chan []driver.NamedValue // buffers of rows inserted, to fill again
	rows  int
	full  driver.Stmt // prepared for batchRows rows
}

func newBatch(p *pipe, table string, cols ...string) *batch {
	return &batch{p: p, table: table, cols: cols, args: make([]driver.NamedValue, 0, batchRows*len(cols)), free: make(chan []driver.NamedValue, pipeDepth+1)}
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

// value converts v as database/sql would for the driver: the types the
// import writes as they are, an int to int64, anything else by the
// default converter.
func value(v any) (driver.Value, error) {
	switch x := v.(type) {
	case int64, string, []byte, nil, float64, bool, time.Time:
		return v, nil
	case int:
		return int64(x), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(v)
}

// Add buffers one row, writing the batch when it is full.
func (b *batch) Add(ctx context.Context, row []any) error {
	if len(row) != len(b.cols) {
		return fmt.Errorf("insert %s: %d values for %d columns", b.table, len(row), len(b.cols))
	}
	n := len(b.args)
	for i, v := range row {
		dv, err := value(v)
		if err != nil {
			b.args = b.args[:n] // the row is not added
			return fmt.Errorf("insert %s: column %s: %w", b.table, b.cols[i], err)
		}
		b.args = append(b.args, driver.NamedValue{Ordinal: len(b.args) + 1, Value: dv})
	}
	b.rows++
	if b.rows < batchRows {
		return nil
	}
	if b.full == nil {
		if err := b.p.Wait(); err != nil { // prepared beside nothing else on the connection
			return err
		}
		st, err := b.p.prepare(ctx, b.query(batchRows))
		if err != nil {
			return fmt.Errorf("prepare %s batch: %w", b.table, err)
		}
		b.p.stmt = append(b.p.stmt, st)
		b.full = st
	}
	full, p := b.full, b.p
	return b.insert(func(args []driver.NamedValue) error {
		return p.exec(ctx, full, args)
	})
}

// Flush writes the buffered rows.
func (b *batch) Flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	q, p := b.query(b.rows), b.p
	return b.insert(func(args []driver.NamedValue) error {
		st, err := p.prepare(ctx, q)
		if err != nil {
			return err
		}
		err = p.exec(ctx, st, args)
		if cerr := p.conn.Raw(func(any) error { return st.Close() }); err == nil {
			err = cerr
		}
		return err
	})
}

// insert queues exec with the buffered rows on the pipe, and fills a
// free buffer meanwhile.
func (b *batch) insert(exec func(args []driver.NamedValue) error) error {
	args := b.args
	select {
	case b.args = <-b.free:
	default:
		b.args = make([]driver.NamedValue, 0, batchRows*len(b.cols))
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
