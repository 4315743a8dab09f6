package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tahqiq/tahqiq"
)

// The custody log's rows. What goes into them (entries, their index,
// hashes and case chain) is decided by internal/casework; this file only
// stores and reads them.

// logRows reads and writes the log tables over a transaction or a pool.
// In a transaction (tx set) the first call takes LockLog, so that the
// index, hashes and case chain computed from the log's end stay true
// until the transaction commits.
type logRows struct {
	s      *Store
	q      Conn
	tx     Tx    // nil on a pool
	locked *bool // LockLog is held (in a transaction)
}

func (r logRows) lock(ctx context.Context) error {
	if r.tx == nil || *r.locked {
		return nil
	}
	if err := r.tx.Lock(ctx, LockLog); err != nil {
		return r.s.errorf("log lock: %w", err)
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
		return 0, r.s.errorf("log size: %w", err)
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
			return nil, r.s.errorf("log hash %d: %w", x, err)
		}
		if len(b) != len(tahqiq.LogHash{}) {
			return nil, r.s.errorf("log hash %d: bad length %d", x, len(b))
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
		return r.s.errorf("log append %d: %w", n, err)
	}
	for _, rec := range row.Records {
		if _, err := r.q.Exec(ctx, `INSERT INTO ledger_records (kind, id, version, idx) VALUES ($1, $2, $3, $4)`, rec.Kind, rec.ID, rec.Version, n); err != nil {
			return r.s.errorf("log append %d: %s %s version %d: %w", n, rec.Kind, rec.ID, rec.Version, err)
		}
	}
	for i, h := range hashes {
		if _, err := r.q.Exec(ctx, `INSERT INTO ledger_hashes (idx, hash) VALUES ($1, $2)`, hashStart+int64(i), h[:]); err != nil {
			return r.s.errorf("log hash %d: %w", hashStart+int64(i), err)
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
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, r.s.errorf("case %s log head: %w", caseID, err)
	}
	return h, nil
}

func (r logRows) RecordVersion(ctx context.Context, kind, id string) (int64, error) {
	if err := r.lock(ctx); err != nil {
		return 0, err
	}
	var v int64
	if err := r.q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM ledger_records WHERE kind = $1 AND id = $2`, kind, id).Scan(&v); err != nil {
		return 0, r.s.errorf("%s %s: log version: %w", kind, id, err)
	}
	return v, nil
}

func (r logRows) AddCheckpointRow(ctx context.Context, size int64, note []byte) error {
	if err := r.lock(ctx); err != nil {
		return err
	}
	if _, err := r.q.Exec(ctx, `INSERT INTO ledger_checkpoints (size, note) VALUES ($1, $2)`, size, note); err != nil {
		return r.s.errorf("add checkpoint: %w", err)
	}
	return nil
}

// ReadLogHashes reads stored tree hashes of the committed log.
func (s *Store) ReadLogHashes(ctx context.Context, idx []int64) ([]tahqiq.LogHash, error) {
	return logRows{s: s, q: s.e.Reader()}.ReadLogHashes(ctx, idx)
}

// LogEntries returns the encoded entries [from, to).
func (s *Store) LogEntries(ctx context.Context, from, to int64) ([][]byte, error) {
	return s.blobs(ctx, "log entries", `SELECT data FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, from, to)
}

// CaseHead returns the end of a case's chain in the committed log.
func (s *Store) CaseHead(ctx context.Context, caseID string) (tahqiq.LogHead, error) {
	return logRows{s: s, q: s.e.Reader()}.CaseHead(ctx, caseID)
}

// LogSize returns the number of entries.
func (s *Store) LogSize(ctx context.Context) (int64, error) {
	return logRows{s: s, q: s.e.Reader()}.LogSize(ctx)
}

// Checkpoints returns the signed checkpoints, oldest first.
func (s *Store) Checkpoints(ctx context.Context) ([][]byte, error) {
	return s.blobs(ctx, "checkpoints", `SELECT note FROM ledger_checkpoints ORDER BY seq`)
}

// AddCheckpoint stores a signed checkpoint.
func (s *Store) AddCheckpoint(ctx context.Context, size int64, note []byte) error {
	return logRows{s: s, q: s.e.Writer()}.AddCheckpointRow(ctx, size, note)
}

// blobs returns the one column of q's rows, read on the reader pool.
func (s *Store) blobs(ctx context.Context, what, q string, args ...any) ([][]byte, error) {
	rows, err := s.e.Reader().Query(ctx, q, args...)
	if err != nil {
		return nil, s.errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out [][]byte
	var b []byte
	dest := []any{&b}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, s.errorf("%s: %w", what, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("%s: %w", what, err)
	}
	return out, nil
}
