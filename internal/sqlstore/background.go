package sqlstore

// Background runs a transaction's bulk writes (PostgreSQL's COPYs,
// SQLite's multi-row INSERTs) one at a time on a goroutine of their own,
// so that an import goes on deciding and encoding the next rows while the
// database writes the last ones. A connection runs one command at a time:
// every other use of the transaction (a statement, a query, a lock, the
// commit, the next bulk write) first calls Wait, and the error of a bulk
// write is the error of the use that waited for it and of every use after
// it. The zero value is ready; it is not safe for concurrent use (a
// transaction is used by one goroutine).
type Background struct {
	done chan error // the write under way, or nil
	err  error      // the first error of a write
}

// Wait waits for the write under way and returns the first error of one.
func (b *Background) Wait() error {
	if b.done != nil {
		if err := <-b.done; err != nil && b.err == nil {
			b.err = err
		}
		b.done = nil
	}
	return b.err
}

// Start waits for the write under way, then runs write on a goroutine of
// its own: nothing else may use the transaction until Wait returns.
func (b *Background) Start(write func() error) error {
	if err := b.Wait(); err != nil {
		return err
	}
	b.done = make(chan error, 1)
	go func(done chan<- error) { done <- write() }(b.done)
	return nil
}
