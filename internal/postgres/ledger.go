package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tahqiq/tahqiq"
)

// The custody log's rows. What goes into them (entries, their index,
// hashes and case chain) is decided by internal/casework; this file only
// stores and reads them.

// querier is what both the pool and a transaction provide.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ledgerLock serialises custody-log appends across connections (an
// advisory lock key). A transaction takes it before its first read of the
// log's end, so the index, hashes and case chain it computes stay true
// until it commits.
const ledgerLock = 0x7461687169710003

// logRows reads and writes the log tables over one transaction or the
// pool. In a transaction (lock set) the first call takes the log lock.
type logRows struct {
	q      querier
	locked *bool // nil on the pool
}

func (r logRows) lock(ctx context.Context) error {
	if r.locked == nil || *r.locked {
		return nil
	}
	if _, err := r.q.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(ledgerLock)); err != nil {
		return fmt.Errorf("postgres: log lock: %w", err)
	}
	*r.locked = true
	return nil
}

func (r logRows) LogSize(ctx context.Context) (int64, error) {
	if err := r.lock(ctx); err != nil {
		return 0, err
	}
	var n int64
	if err := r.q.QueryRow(ctx, `SELECT coalesce(max(idx)+1, 0) FROM ledger_entries`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: log size: %w", err)
	}
	return n, nil
}

func (r logRows) ReadLogHashes(ctx context.Context, idx []int64) ([]tahqiq.LogHash, error) {
	if err := r.lock(ctx); err != nil {
		return nil, err
	}
	out := make([]tahqiq.LogHash, len(idx))
	for i, x := range idx {
		var b []byte
		if err := r.q.QueryRow(ctx, `SELECT hash FROM ledger_hashes WHERE idx = $1`, x).Scan(&b); err != nil {
			return nil, fmt.Errorf("postgres: log hash %d: %w", x, err)
		}
		if len(b) != len(tahqiq.LogHash{}) {
			return nil, fmt.Errorf("postgres: log hash %d: bad length %d", x, len(b))
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func (r logRows) AppendLogRows(ctx context.Context, row tahqiq.LogRow, hashStart int64, hashes []tahqiq.LogHash) error {
	n := row.Index
	if err := r.lock(ctx); err != nil {
		return err
	}
	if _, err := r.q.Exec(ctx, `INSERT INTO ledger_entries (idx, data, case_id, case_seq) VALUES ($1, $2, $3, $4)`, n, row.Data, row.CaseID, row.CaseSeq); err != nil {
		return fmt.Errorf("postgres: log append %d: %w", n, err)
	}
	for _, rec := range row.Records {
		if _, err := r.q.Exec(ctx, `INSERT INTO ledger_records (kind, id, version, idx) VALUES ($1, $2, $3, $4)`, rec.Kind, rec.ID, rec.Version, n); err != nil {
			return fmt.Errorf("postgres: log append %d: %s %s version %d: %w", n, rec.Kind, rec.ID, rec.Version, err)
		}
	}
	for i, h := range hashes {
		if _, err := r.q.Exec(ctx, `INSERT INTO ledger_hashes (idx, hash) VALUES ($1, $2)`, hashStart+int64(i), h[:]); err != nil {
			return fmt.Errorf("postgres: log hash %d: %w", hashStart+int64(i), err)
		}
	}
	return nil
}

func (r logRows) CaseHead(ctx context.Context, caseID string) (tahqiq.LogHead, error) {
	if err := r.lock(ctx); err != nil {
		return tahqiq.LogHead{}, err
	}
	var h tahqiq.LogHead
	err := r.q.QueryRow(ctx, `SELECT case_seq, data FROM ledger_entries WHERE case_id = $1 ORDER BY idx DESC LIMIT 1`, caseID).Scan(&h.Count, &h.Last)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return h, fmt.Errorf("postgres: case %s log head: %w", caseID, err)
	}
	return h, nil
}

func (r logRows) RecordVersion(ctx context.Context, kind, id string) (int64, error) {
	if err := r.lock(ctx); err != nil {
		return 0, err
	}
	var v int64
	if err := r.q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM ledger_records WHERE kind = $1 AND id = $2`, kind, id).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: %s %s: log version: %w", kind, id, err)
	}
	return v, nil
}

func (r logRows) LogEntries(ctx context.Context, from, to int64) ([][]byte, error) {
	rows, err := r.q.Query(ctx, `SELECT data FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, from, to)
	if err != nil {
		return nil, fmt.Errorf("postgres: log entries: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("postgres: log entries: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ReadLogHashes reads stored tree hashes of the committed log.
func (db *DB) ReadLogHashes(ctx context.Context, idx []int64) ([]tahqiq.LogHash, error) {
	return logRows{q: db.pool}.ReadLogHashes(ctx, idx)
}

// LogEntries returns the encoded entries [from, to).
func (db *DB) LogEntries(ctx context.Context, from, to int64) ([][]byte, error) {
	return logRows{q: db.pool}.LogEntries(ctx, from, to)
}

// CaseHead returns the end of a case's chain in the committed log.
func (db *DB) CaseHead(ctx context.Context, caseID string) (tahqiq.LogHead, error) {
	return logRows{q: db.pool}.CaseHead(ctx, caseID)
}

// LogSize returns the number of entries.
func (db *DB) LogSize(ctx context.Context) (int64, error) { return logRows{q: db.pool}.LogSize(ctx) }

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

func (r logRows) AddCheckpointRow(ctx context.Context, size int64, note []byte) error {
	if err := r.lock(ctx); err != nil {
		return err
	}
	if _, err := r.q.Exec(ctx, `INSERT INTO ledger_checkpoints (size, note) VALUES ($1, $2)`, size, note); err != nil {
		return fmt.Errorf("postgres: add checkpoint: %w", err)
	}
	return nil
}

// AddCheckpoint stores a signed checkpoint.
func (db *DB) AddCheckpoint(ctx context.Context, size int64, note []byte) error {
	return logRows{q: db.pool}.AddCheckpointRow(ctx, size, note)
}
