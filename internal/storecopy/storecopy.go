// Package storecopy moves an embedded SQLite store into an empty PostgreSQL
// store with nothing lost: every row of every table, ids preserved, in one
// PostgreSQL transaction, then checks row counts and a content hash per
// table on both sides. Tables lists every table (datasets, cases, the
// custody log, accounts); a store holding rows in a table it does not list
// is refused rather than half copied.
package storecopy

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/progress"

	"github.com/tahqiq/tahqiq"
)

// Kind is how a column is stored, which says how its values are compared
// between the engines.
type Kind int

const (
	Int   Kind = iota // INTEGER / BIGINT, may be NULL
	Text              // TEXT
	Bytes             // BLOB / BYTEA, may be NULL
	Time              // RFC 3339 TEXT in SQLite / TIMESTAMPTZ in PostgreSQL
	JSON              // JSON bytes (BLOB in SQLite / JSON in PostgreSQL, which keeps the text)
)

// Column is one column of a table.
type Column struct {
	Name string
	Kind Kind
}

// Table is one table to copy, in an order that respects foreign keys.
type Table struct {
	Name     string
	Columns  []Column
	OrderBy  string // key order for hashing, e.g. "id"
	Identity bool   // PostgreSQL assigns the key (OrderBy, one column) from an identity sequence, to be moved past the copied keys
	// RowSecurity: the table has row-level security policies, under which
	// PostgreSQL refuses COPY FROM; its rows are copied into a staging table
	// and moved with one INSERT, which the policies check.
	RowSecurity bool
}

// Tables are the tables copied, parents first.
var Tables = []Table{
	{Name: "datasets", OrderBy: "id", RowSecurity: true, Identity: true, Columns: cols("id", Int, "name", Text, "created_at", Time, "derivation", Text, "packed_shares", Int)},
	{Name: "files", OrderBy: "id", RowSecurity: true, Identity: true, Columns: cols("id", Int, "dataset_id", Int, "name", Text, "sha256", Text, "size", Int, "format", Text, "imported_at", Time, "records", Int, "kept", Int, "options", Text)},
	{Name: "records", OrderBy: "id", RowSecurity: true, Columns: cols("id", Int, "file_id", Int, "line", Int, "offset", Int, "locator", Text, "kind", Text, "sha256", Bytes, "raw", Bytes, "collected_at", Int)},
	{Name: "record_blocks", OrderBy: "id", RowSecurity: true, Columns: cols("id", Int, "file_id", Int, "last_id", Int, "records", Int, "data", Bytes)},
	{Name: "rejects", OrderBy: "id", RowSecurity: true, Identity: true, Columns: cols("id", Int, "file_id", Int, "line", Int, "reason", Text, "raw", Bytes, "record_id", Int)},
	{Name: "accounts", OrderBy: "id", RowSecurity: true, Columns: cols("id", Int, "dataset_id", Int, "uid", Text, "record_id", Int, "data", JSON)},
	{Name: "posts", OrderBy: "id", RowSecurity: true, Columns: cols("id", Int, "dataset_id", Int, "uid", Text, "account_id", Int, "created_at", Int, "record_id", Int, "data", JSON, "shares", Bytes)},
	{Name: "post_records", OrderBy: "post_id, record_id", Columns: cols("post_id", Int, "record_id", Int)},
	{Name: "shares", OrderBy: "id", RowSecurity: true, Identity: true, Columns: cols("id", Int, "dataset_id", Int, "post_id", Int, "account_id", Int, "type", Text, "object", Text, "t", Int, "precision", Text)},
	{Name: "media", OrderBy: "id", RowSecurity: true, Identity: true, Columns: cols("id", Int, "dataset_id", Int, "file_id", Int, "name", Text, "status", Text, "detail", Text,
		"sha256", Text, "size", Int, "width", Int, "height", Int, "orientation", Int, "pdq", Text, "pdq_quality", Int, "pdq_dihedral", Text, "pdq_trimmed", Text,
		"dhash", Text, "object", Text, "distance", Int, "hashing", Text)},
	// cases, the custody log, accounts and sessions (times are RFC 3339 text
	// on both sides; records are the exact JSON bytes the log's digests cover)
	{Name: "organisations", OrderBy: "id", Columns: cols("id", Text, "name", Text)},
	{Name: "users", OrderBy: "id", Columns: cols("id", Text, "org_id", Text, "name", Text, "role", Text, "disabled_at", Text)},
	{Name: "cases", OrderBy: "id", RowSecurity: true, Columns: cols("id", Text, "org_id", Text, "title", Text, "description", Text, "tlp", Text, "created_by", Text, "created_at", Text, "closed_by", Text, "closed_at", Text)},
	{Name: "case_shares", OrderBy: "case_id, item_id, org_id", Columns: cols("case_id", Text, "item_id", Text, "org_id", Text, "tlp", Text)},
	{Name: "items", OrderBy: "id", RowSecurity: true, Columns: cols("id", Text, "case_id", Text, "seq", Int, "data", Bytes)},
	{Name: "item_blobs", OrderBy: "item_id, sha256, dhash", Columns: cols("item_id", Text, "sha256", Text, "dhash", Text)},
	{Name: "case_records", OrderBy: "id", RowSecurity: true, Columns: cols("id", Text, "case_id", Text, "kind", Text, "seq", Int, "data", Bytes)},
	{Name: "ledger_entries", OrderBy: "idx", Columns: cols("idx", Int, "data", Bytes, "case_id", Text, "case_seq", Int)},
	{Name: "ledger_records", OrderBy: "kind, id, version", Columns: cols("kind", Text, "id", Text, "version", Int, "idx", Int)},
	{Name: "ledger_hashes", OrderBy: "idx", Columns: cols("idx", Int, "hash", Bytes)},
	{Name: "ledger_checkpoints", OrderBy: "seq", Identity: true, Columns: cols("seq", Int, "size", Int, "note", Bytes)},
	{Name: "dataset_orgs", OrderBy: "dataset", Columns: cols("dataset", Text, "org_id", Text)},
	{Name: "passwords", OrderBy: "user_id", Columns: cols("user_id", Text, "hash", Text, "set_at", Text)},
	{Name: "sessions", OrderBy: "id", Columns: cols("id", Text, "user_id", Text, "csrf", Text, "created_at", Text, "expires_at", Text)},
	{Name: "api_tokens", OrderBy: "hash", Columns: cols("hash", Text, "user_id", Text, "name", Text, "created_at", Text, "id", Text, "expires_at", Text, "revoked_at", Text)},
	{Name: "user_preferences", OrderBy: "user_id", Columns: cols("user_id", Text, "lang", Text, "time_zone", Text, "updated_at", Text)},
}

func cols(kv ...any) []Column {
	var out []Column
	for i := 0; i < len(kv); i += 2 {
		out = append(out, Column{Name: kv[i].(string), Kind: kv[i+1].(Kind)})
	}
	return out
}

// Sum is the size and content hash of one table on one side.
type Sum struct {
	Rows int64
	Hash string // hex SHA-256 over the canonical encoding of every row in key order
}

// Check is the comparison of one table.
type Check struct {
	Table    string
	From, To Sum
}

// OK reports whether both sides hold the same rows.
func (c Check) OK() bool { return c.From == c.To }

// Copy copies every table of Tables from the SQLite reader src into the
// PostgreSQL database of dst, which must hold no datasets yet, in one
// transaction; then it hashes both sides and returns the comparison. The
// error is EVERIFY when a table differs.
func Copy(ctx context.Context, src *sql.DB, dst *postgres.DB) ([]Check, error) {
	if err := refuseUncopied(ctx, src); err != nil {
		return nil, err
	}
	// The system scope: row-level security shows and accepts every row.
	tx, err := dst.BeginSystem(ctx, pgx.TxOptions{})
	if err != nil {
		return nil, fmt.Errorf("storecopy: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	for _, t := range Tables {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t.Name}.Sanitize()).Scan(&n); err != nil {
			return nil, fmt.Errorf("storecopy: %s: %w", t.Name, err)
		}
		if n > 0 {
			return nil, tahqiq.Errorf(tahqiq.ECONFLICT, "the PostgreSQL store is not empty (table %s has %d rows); migrate into an empty database", t.Name, n)
		}
	}
	for _, t := range Tables {
		if _, err := copyTable(ctx, src, tx, t); err != nil {
			return nil, err
		}
		if t.Identity {
			q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) + 1, false) FROM %s`, t.Name, t.OrderBy, t.OrderBy, pgx.Identifier{t.Name}.Sanitize())
			if _, err := tx.Exec(ctx, q); err != nil {
				return nil, fmt.Errorf("storecopy: %s: sequence: %w", t.Name, err)
			}
		}
	}
	done := progress.Start(ctx, "committing", "", 0)
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("storecopy: commit: %w", err)
	}
	done.Done()
	return Verify(ctx, src, dst)
}

// Verify hashes every table on both sides (PostgreSQL in one read-only
// snapshot of the system scope).
func Verify(ctx context.Context, src *sql.DB, dst *postgres.DB) ([]Check, error) {
	tx, err := dst.BeginSystem(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("storecopy: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	var out []Check
	bad := 0
	prog := progress.Start(ctx, "comparing", "tables", int64(len(Tables)))
	defer prog.Done()
	for _, t := range Tables {
		prog.Add(1)
		from, err := sumSQLite(ctx, src, t)
		if err != nil {
			return out, err
		}
		to, err := sumPostgres(ctx, tx, t)
		if err != nil {
			return out, err
		}
		c := Check{Table: t.Name, From: from, To: to}
		if !c.OK() {
			bad++
		}
		out = append(out, c)
	}
	if bad > 0 {
		return out, tahqiq.Errorf(tahqiq.EVERIFY, "%d of %d tables differ after the copy", bad, len(Tables))
	}
	return out, nil
}

func selectList(t Table, pg bool) string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = `"` + c.Name + `"`
		if pg && c.Kind == JSON {
			names[i] += "::text"
		}
	}
	return strings.Join(names, ", ")
}

// copyTable streams the rows of t from SQLite into a COPY.
func copyTable(ctx context.Context, src *sql.DB, tx pgx.Tx, t Table) (int64, error) {
	var total int64
	if err := src.QueryRowContext(ctx, `SELECT count(*) FROM "`+t.Name+`"`).Scan(&total); err != nil {
		return 0, fmt.Errorf("storecopy: count %s: %w", t.Name, err)
	}
	prog := progress.Start(ctx, "copying "+t.Name, "rows", total)
	defer prog.Done()
	rows, err := src.QueryContext(ctx, `SELECT `+selectList(t, false)+` FROM "`+t.Name+`" ORDER BY `+t.OrderBy)
	if err != nil {
		return 0, fmt.Errorf("storecopy: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	r := &rowSource{rows: rows, t: t, vals: make([]any, len(t.Columns)), prog: prog}
	into := pgx.Identifier{t.Name}
	quoted := make([]string, len(names))
	for i, c := range names {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	list := strings.Join(quoted, ", ")
	if t.RowSecurity {
		// PostgreSQL refuses COPY FROM into a table under row-level
		// security: COPY into a staging table, then one INSERT
		into = pgx.Identifier{"tahqiq_copy_" + t.Name}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+into.Sanitize()+` ON COMMIT DROP AS SELECT `+list+` FROM `+pgx.Identifier{t.Name}.Sanitize()+` WITH NO DATA`); err != nil {
			return 0, fmt.Errorf("storecopy: staging table for %s: %w", t.Name, err)
		}
	}
	n, err := tx.CopyFrom(ctx, into, names, r)
	if r.err != nil {
		return 0, r.err
	}
	if err != nil {
		return 0, fmt.Errorf("storecopy: write %s: %w", t.Name, err)
	}
	if t.RowSecurity {
		override := ""
		if t.Identity {
			override = " OVERRIDING SYSTEM VALUE"
		}
		tag, err := tx.Exec(ctx, `INSERT INTO `+pgx.Identifier{t.Name}.Sanitize()+` (`+list+`)`+override+` SELECT `+list+` FROM `+into.Sanitize())
		if err != nil {
			return 0, fmt.Errorf("storecopy: write %s: %w", t.Name, err)
		}
		if tag.RowsAffected() != n {
			return 0, fmt.Errorf("storecopy: write %s: %d of %d rows inserted", t.Name, tag.RowsAffected(), n)
		}
	}
	return n, nil
}

// rowSource adapts SQLite rows to pgx.CopyFromSource, converting values to
// the PostgreSQL column types.
type rowSource struct {
	rows *sql.Rows
	t    Table
	vals []any
	err  error
	prog *progress.Phase
	n    int64
}

func (r *rowSource) Next() bool {
	if r.err == nil && r.rows.Next() {
		if r.n++; r.n&1023 == 0 {
			r.prog.Set(r.n)
		}
		return true
	}
	return false
}

func (r *rowSource) Values() ([]any, error) {
	raw := make([]any, len(r.vals))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		r.err = fmt.Errorf("storecopy: read %s: %w", r.t.Name, err)
		return nil, r.err
	}
	for i, c := range r.t.Columns {
		v, err := fromSQLite(c, raw[i])
		if err != nil {
			r.err = fmt.Errorf("storecopy: read %s.%s: %w", r.t.Name, c.Name, err)
			return nil, r.err
		}
		r.vals[i] = v
	}
	return r.vals, nil
}

func (r *rowSource) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// fromSQLite converts a scanned SQLite value to what pgx writes for the
// column's PostgreSQL type.
func fromSQLite(c Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.Kind {
	case Time:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want RFC 3339 text, got %T", v)
		}
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, err
		}
		return tm.UTC(), nil
	case JSON, Text:
		switch x := v.(type) {
		case []byte:
			return string(x), nil
		case string:
			return x, nil
		}
		return nil, fmt.Errorf("want text, got %T", v)
	case Bytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
		return nil, fmt.Errorf("want bytes, got %T", v)
	}
	return v, nil
}

// hasher builds the canonical encoding of rows: per value a tag byte, then
// for numbers 8 bytes big-endian, for others a length and the bytes.
type hasher struct {
	buf []byte
	sum interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
}

func (h *hasher) value(c Column, v any) error {
	b := h.buf[:0]
	if v == nil {
		b = append(b, 0)
	} else {
		switch c.Kind {
		case Int:
			var n int64
			switch x := v.(type) {
			case int64:
				n = x
			case int32:
				n = int64(x)
			default:
				return fmt.Errorf("want an integer, got %T", v)
			}
			b = append(b, 1)
			b = binary.BigEndian.AppendUint64(b, uint64(n))
		case Time:
			var tm time.Time
			switch x := v.(type) {
			case time.Time:
				tm = x
			case string:
				var err error
				if tm, err = time.Parse(time.RFC3339, x); err != nil {
					return err
				}
			default:
				return fmt.Errorf("want a time, got %T", v)
			}
			b = appendBytes(append(b, 2), []byte(tm.UTC().Format(time.RFC3339)))
		default: // Text, Bytes, JSON: compared as bytes
			switch x := v.(type) {
			case []byte:
				b = appendBytes(append(b, 3), x)
			case string:
				b = appendBytes(append(b, 3), []byte(x))
			default:
				return fmt.Errorf("want text or bytes, got %T", v)
			}
		}
	}
	h.buf = b
	h.sum.Write(b)
	return nil
}

func appendBytes(b, v []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(v)))
	return append(b, v...)
}

type scanner interface {
	Next() bool
	Err() error
}

func sumRows(t Table, rs scanner, scan func([]any) error) (Sum, error) {
	h := &hasher{sum: sha256.New()}
	var s Sum
	raw := make([]any, len(t.Columns))
	for rs.Next() {
		if err := scan(raw); err != nil {
			return s, fmt.Errorf("storecopy: hash %s: %w", t.Name, err)
		}
		for i, c := range t.Columns {
			if err := h.value(c, raw[i]); err != nil {
				return s, fmt.Errorf("storecopy: hash %s.%s: %w", t.Name, c.Name, err)
			}
		}
		s.Rows++
	}
	if err := rs.Err(); err != nil {
		return s, fmt.Errorf("storecopy: hash %s: %w", t.Name, err)
	}
	s.Hash = hex.EncodeToString(h.sum.Sum(nil))
	return s, nil
}

func sumSQLite(ctx context.Context, db *sql.DB, t Table) (Sum, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+selectList(t, false)+` FROM "`+t.Name+`" ORDER BY `+t.OrderBy)
	if err != nil {
		return Sum{}, fmt.Errorf("storecopy: hash %s: %w", t.Name, err)
	}
	defer rows.Close()
	return sumRows(t, rows, func(raw []any) error {
		ptrs := make([]any, len(raw))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		return rows.Scan(ptrs...)
	})
}

func sumPostgres(ctx context.Context, tx pgx.Tx, t Table) (Sum, error) {
	rows, err := tx.Query(ctx, `SELECT `+selectList(t, true)+` FROM `+pgx.Identifier{t.Name}.Sanitize()+` ORDER BY `+t.OrderBy)
	if err != nil {
		return Sum{}, fmt.Errorf("storecopy: hash %s: %w", t.Name, err)
	}
	defer rows.Close()
	return sumRows(t, rows, func(raw []any) error {
		vals, err := rows.Values()
		copy(raw, vals)
		return err
	})
}

// refuseUncopied fails when the embedded store holds rows in a table that
// Tables does not list (cases, the custody log, users, sessions: the
// PostgreSQL engine has no tables for them yet), so that a migration never
// leaves anything behind silently.
func refuseUncopied(ctx context.Context, src *sql.DB) error {
	known := map[string]bool{"schema_migrations": true}
	for _, t := range Tables {
		known[t.Name] = true
	}
	rows, err := src.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return fmt.Errorf("storecopy: list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("storecopy: list tables: %w", err)
		}
		if !known[n] {
			names = append(names, n)
		}
	}
	rows.Close()
	var held []string
	for _, n := range names {
		var c int64
		if err := src.QueryRowContext(ctx, `SELECT count(*) FROM "`+n+`"`).Scan(&c); err != nil {
			return fmt.Errorf("storecopy: count %s: %w", n, err)
		}
		if c > 0 {
			held = append(held, fmt.Sprintf("%s (%d rows)", n, c))
		}
	}
	if len(held) > 0 {
		return tahqiq.Errorf(tahqiq.EINVALID, "the embedded store holds data the PostgreSQL engine cannot hold yet: %s; only stores with datasets alone can be migrated today (cases, the custody log and accounts stay on the embedded store)", strings.Join(held, ", "))
	}
	return nil
}
