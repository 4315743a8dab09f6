package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tahqiq/tahqiq"
)

var _ tahqiq.AuthStore = (*DB)(nil)

// parseTime reads a stored RFC 3339 time; the empty string is the zero time.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// tsOrEmpty writes t as stored, the zero time as the empty string.
func tsOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return ts(t)
}

// PasswordHash returns a user's encoded password hash.
func (db *DB) PasswordHash(ctx context.Context, userID string) (string, error) {
	var h string
	err := db.read.QueryRowContext(ctx, `SELECT hash FROM passwords WHERE user_id = ?`, userID).Scan(&h)
	if err != nil {
		return "", notFound(err, "no password for user %q", userID)
	}
	return h, nil
}

// CountPasswords returns the number of users with a password.
func (db *DB) CountPasswords(ctx context.Context) (int64, error) {
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM passwords`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count passwords: %w", err)
	}
	return n, nil
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s tahqiq.Session) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		s.ID, s.UserID, s.CSRF, s.CreatedAt.UTC().Format(time.RFC3339Nano), s.ExpiresAt.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	return nil
}

// FindSession returns an unexpired session.
func (db *DB) FindSession(ctx context.Context, id string) (tahqiq.Session, error) {
	s := tahqiq.Session{ID: id}
	var created, expires string
	err := db.read.QueryRowContext(ctx, `SELECT user_id, csrf, created_at, expires_at FROM sessions WHERE id = ?`, id).
		Scan(&s.UserID, &s.CSRF, &created, &expires)
	if err != nil {
		return s, notFound(err, "no session")
	}
	s.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	s.ExpiresAt, _ = time.Parse(time.RFC3339Nano, expires)
	if !db.Now().Before(s.ExpiresAt) {
		return s, tahqiq.Errorf(tahqiq.ENOTFOUND, "session expired")
	}
	return s, nil
}

// DeleteSession removes a session and every expired one.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id = ? OR expires_at < ?`, id, db.Now().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}

const tokenCols = `id, hash, user_id, name, created_at, expires_at, revoked_at`

func scanToken(sc interface{ Scan(...any) error }) (tahqiq.APIToken, error) {
	var t tahqiq.APIToken
	var created, expires, revoked string
	if err := sc.Scan(&t.ID, &t.Hash, &t.UserID, &t.Name, &created, &expires, &revoked); err != nil {
		return t, err
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = parseTime(created), parseTime(expires), parseTime(revoked)
	return t, nil
}

// FindToken returns the token with the given hash.
func (db *DB) FindToken(ctx context.Context, hash string) (tahqiq.APIToken, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE hash = ?`, hash))
	if err != nil {
		return t, notFound(err, "no such token")
	}
	return t, nil
}

// FindTokenByID returns the token with the given ID.
func (db *DB) FindTokenByID(ctx context.Context, id string) (tahqiq.APIToken, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE id = ?`, id))
	if err != nil {
		return t, notFound(err, "no token %q", id)
	}
	return t, nil
}

// FindTokens returns every token, oldest first.
func (db *DB) FindTokens(ctx context.Context) ([]tahqiq.APIToken, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find tokens: %w", err)
	}
	defer rows.Close()
	out := []tahqiq.APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: find tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

const userCols = `id, org_id, name, role, disabled_at`

func scanUser(sc interface{ Scan(...any) error }) (tahqiq.User, error) {
	var u tahqiq.User
	var role, disabled string
	if err := sc.Scan(&u.ID, &u.OrgID, &u.Name, &role, &disabled); err != nil {
		return u, err
	}
	u.Role, u.Disabled = tahqiq.Role(role), disabled != ""
	return u, nil
}

// FindUsers returns every user, by name.
func (db *DB) FindUsers(ctx context.Context) ([]tahqiq.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find users: %w", err)
	}
	defer rows.Close()
	out := []tahqiq.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: find users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// FindOrganisations returns every organisation, by name.
func (db *DB) FindOrganisations(ctx context.Context) ([]tahqiq.Organisation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name FROM organisations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find organisations: %w", err)
	}
	defer rows.Close()
	out := []tahqiq.Organisation{}
	for rows.Next() {
		var o tahqiq.Organisation
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, fmt.Errorf("sqlite: find organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// The account changes of a CaseTx: each commits with its log entry.

func (t *caseTx) CountOrganisations(ctx context.Context) (int64, error) {
	var n int64
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count organisations: %w", err)
	}
	return n, nil
}

// exactlyOne turns an update that touched no row into ENOTFOUND.
func exactlyOne(res sql.Result, err error, op, f string, a ...any) error {
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, f, a...)
	}
	return nil
}

func (t *caseTx) SetUserDisabled(ctx context.Context, userID string, disabled bool, at time.Time) error {
	v := ""
	if disabled {
		v = ts(at)
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`, v, userID)
	return exactlyOne(res, err, "disable user", "no user %q", userID)
}

func (t *caseTx) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO passwords (user_id, hash, set_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at`, userID, hash, ts(at))
	if err != nil {
		return fmt.Errorf("sqlite: set password: %w", err)
	}
	return nil
}

func (t *caseTx) DeleteSessions(ctx context.Context, userID string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("sqlite: delete sessions: %w", err)
	}
	return nil
}

func (t *caseTx) CreateToken(ctx context.Context, k tahqiq.APIToken) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO api_tokens (`+tokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Hash, k.UserID, k.Name, ts(k.CreatedAt), tsOrEmpty(k.ExpiresAt), tsOrEmpty(k.RevokedAt))
	return conflict(err, "token "+k.ID)
}

func (t *caseTx) RevokeToken(ctx context.Context, id string, at time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = CASE revoked_at WHEN '' THEN ? ELSE revoked_at END WHERE id = ?`, ts(at), id)
	return exactlyOne(res, err, "revoke token", "no token %q", id)
}

func (t *caseTx) RevokeTokens(ctx context.Context, userID string, at time.Time) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = ''`, ts(at), userID); err != nil {
		return fmt.Errorf("sqlite: revoke tokens: %w", err)
	}
	return nil
}

// FindPreferences returns a user's preferences (the zero value when none
// are stored).
func (db *DB) FindPreferences(ctx context.Context, userID string) (tahqiq.Preferences, error) {
	var p tahqiq.Preferences
	err := db.read.QueryRowContext(ctx, `SELECT lang, time_zone FROM user_preferences WHERE user_id = ?`, userID).Scan(&p.Lang, &p.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return tahqiq.Preferences{}, nil
	}
	if err != nil {
		return p, fmt.Errorf("sqlite: find preferences: %w", err)
	}
	return p, nil
}

// PutPreferences stores a user's preferences; ENOTFOUND for an unknown user.
func (db *DB) PutPreferences(ctx context.Context, userID string, p tahqiq.Preferences, at time.Time) error {
	res, err := db.write.ExecContext(ctx, `INSERT INTO user_preferences (user_id, lang, time_zone, updated_at)
		SELECT id, ?, ?, ? FROM users WHERE id = ?
		ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang, time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
		p.Lang, p.TimeZone, ts(at), userID)
	return exactlyOne(res, err, "put preferences", "no user %q", userID)
}
