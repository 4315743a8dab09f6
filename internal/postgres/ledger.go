package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq/internal/ledger"
)

// querier is what both the pool and a transaction provide.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ledgerStore implements ledger.Store over one transaction or the pool.
type ledgerStore struct {
	ctx context.Context
	q   querier
}

var _ ledger.Store = ledgerStore{}

func (s ledgerStore) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		var b []byte
		if err := s.q.QueryRow(s.ctx, `SELECT hash FROM ledger_hashes WHERE idx = $1`, x).Scan(&b); err != nil {
			return nil, fmt.Errorf("postgres: ledger hash %d: %w", x, err)
		}
		if len(b) != len(tlog.Hash{}) {
			return nil, fmt.Errorf("postgres: ledger hash %d: bad length %d", x, len(b))
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func (s ledgerStore) Size() (int64, error) {
	var n int64
	err := s.q.QueryRow(s.ctx, `SELECT coalesce(max(idx)+1, 0) FROM ledger_entries`).Scan(&n)
	return n, err
}

func (s ledgerStore) Append(n int64, entries [][]byte, hashes []tlog.Hash) error {
	for i, e := range entries {
		if _, err := s.q.Exec(s.ctx, `INSERT INTO ledger_entries (idx, data) VALUES ($1, $2)`, n+int64(i), e); err != nil {
			return fmt.Errorf("postgres: ledger append %d: %w", n+int64(i), err)
		}
	}
	start := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		if _, err := s.q.Exec(s.ctx, `INSERT INTO ledger_hashes (idx, hash) VALUES ($1, $2)`, start+int64(i), h[:]); err != nil {
			return fmt.Errorf("postgres: ledger hash %d: %w", start+int64(i), err)
		}
	}
	return nil
}

func (s ledgerStore) ReadEntries(from, to int64) ([][]byte, error) {
	rows, err := s.q.Query(s.ctx, `SELECT data FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, from, to)
	if err != nil {
		return nil, fmt.Errorf("postgres: ledger entries: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("postgres: ledger entries: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// LogHashes returns a tlog.HashReader over the committed log, for proofs.
func (db *DB) LogHashes(ctx context.Context) tlog.HashReader { return ledgerStore{ctx, db.pool} }

// LogEntries returns the encoded entries [from, to).
func (db *DB) LogEntries(ctx context.Context, from, to int64) ([][]byte, error) {
	return ledgerStore{ctx, db.pool}.ReadEntries(from, to)
}

// LogSize returns the number of entries.
func (db *DB) LogSize(ctx context.Context) (int64, error) { return ledgerStore{ctx, db.pool}.Size() }

// Checkpoints returns the signed checkpoints, oldest first.
func (db *DB) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := db.pool.Query(ctx, `SELECT note FROM ledger_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("postgres: checkpoints: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// AddCheckpoint stores a signed checkpoint.
func (db *DB) AddCheckpoint(ctx context.Context, size int64, note []byte) error {
	if _, err := db.pool.Exec(ctx, `INSERT INTO ledger_checkpoints (size, note) VALUES ($1, $2)`, size, note); err != nil {
		return fmt.Errorf("postgres: add checkpoint: %w", err)
	}
	return nil
}
