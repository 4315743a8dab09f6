package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tahqiq/tahqiq"
)

// The custody log's rows. What goes into them (entries, their index,
// hashes and case chain) is decided by internal/casework; this file only
// stores and reads them.

// queryer is what both *sql.DB and *sql.Tx provide.
type queryer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// logRows reads and writes the log tables over one transaction or pool.
type logRows struct{ q queryer }

func (r logRows) LogSize(ctx context.Context) (int64, error) {
	var n int64
	if err := r.q.QueryRowContext(ctx, `SELECT coalesce(max(idx)+1, 0) FROM ledger_entries`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: log size: %w", err)
	}
	return n, nil
}

func (r logRows) ReadLogHashes(ctx context.Context, idx []int64) ([]tahqiq.LogHash, error) {
	out := make([]tahqiq.LogHash, len(idx))
	for i, x := range idx {
		var b []byte
		if err := r.q.QueryRowContext(ctx, `SELECT hash FROM ledger_hashes WHERE idx = ?`, x).Scan(&b); err != nil {
			return nil, fmt.Errorf("sqlite: log hash %d: %w", x, err)
		}
		if len(b) != len(tahqiq.LogHash{}) {
			return nil, fmt.Errorf("sqlite: log hash %d: bad length %d", x, len(b))
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func (r logRows) AppendLogRows(ctx context.Context, row tahqiq.LogRow, hashStart int64, hashes []tahqiq.LogHash) error {
	n := row.Index
	if _, err := r.q.ExecContext(ctx, `INSERT INTO ledger_entries (idx, data, case_id, case_seq) VALUES (?, ?, ?, ?)`, n, row.Data, row.CaseID, row.CaseSeq); err != nil {
		return fmt.Errorf("sqlite: log append %d: %w", n, err)
	}
	for _, rec := range row.Records {
		if _, err := r.q.ExecContext(ctx, `INSERT INTO ledger_records (kind, id, version, idx) VALUES (?, ?, ?, ?)`, rec.Kind, rec.ID, rec.Version, n); err != nil {
			return fmt.Errorf("sqlite: log append %d: %s %s version %d: %w", n, rec.Kind, rec.ID, rec.Version, err)
		}
	}
	for i, h := range hashes {
		if _, err := r.q.ExecContext(ctx, `INSERT INTO ledger_hashes (idx, hash) VALUES (?, ?)`, hashStart+int64(i), h[:]); err != nil {
			return fmt.Errorf("sqlite: log hash %d: %w", hashStart+int64(i), err)
		}
	}
	return nil
}

func (r logRows) CaseHead(ctx context.Context, caseID string) (tahqiq.LogHead, error) {
	var h tahqiq.LogHead
	err := r.q.QueryRowContext(ctx, `SELECT case_seq, data FROM ledger_entries WHERE case_id = ? ORDER BY idx DESC LIMIT 1`, caseID).Scan(&h.Count, &h.Last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("sqlite: case %s log head: %w", caseID, err)
	}
	return h, nil
}

func (r logRows) RecordVersion(ctx context.Context, kind, id string) (int64, error) {
	var v int64
	if err := r.q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM ledger_records WHERE kind = ? AND id = ?`, kind, id).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: %s %s: log version: %w", kind, id, err)
	}
	return v, nil
}

func (r logRows) LogEntries(ctx context.Context, from, to int64) ([][]byte, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT data FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx`, from, to)
	if err != nil {
		return nil, fmt.Errorf("sqlite: log entries: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("sqlite: log entries: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ReadLogHashes reads stored tree hashes of the committed log.
func (db *DB) ReadLogHashes(ctx context.Context, idx []int64) ([]tahqiq.LogHash, error) {
	return logRows{db.read}.ReadLogHashes(ctx, idx)
}

// LogEntries returns the encoded entries [from, to).
func (db *DB) LogEntries(ctx context.Context, from, to int64) ([][]byte, error) {
	return logRows{db.read}.LogEntries(ctx, from, to)
}

// CaseHead returns the end of a case's chain in the committed log.
func (db *DB) CaseHead(ctx context.Context, caseID string) (tahqiq.LogHead, error) {
	return logRows{db.read}.CaseHead(ctx, caseID)
}

// LogSize returns the number of entries.
func (db *DB) LogSize(ctx context.Context) (int64, error) { return logRows{db.read}.LogSize(ctx) }

// Checkpoints returns the signed checkpoints, oldest first.
func (db *DB) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT note FROM ledger_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: checkpoints: %w", err)
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
	if _, err := r.q.ExecContext(ctx, `INSERT INTO ledger_checkpoints (size, note) VALUES (?, ?)`, size, note); err != nil {
		return fmt.Errorf("sqlite: add checkpoint: %w", err)
	}
	return nil
}

// AddCheckpoint stores a signed checkpoint.
func (db *DB) AddCheckpoint(ctx context.Context, size int64, note []byte) error {
	return logRows{db.write}.AddCheckpointRow(ctx, size, note)
}
