package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/tahqiq/tahqiq"
)

var _ tahqiq.AuthStore = (*DB)(nil)

// SetPassword stores a user's encoded password hash.
func (db *DB) SetPassword(ctx context.Context, userID, hash string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO passwords (user_id, hash, set_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at`, userID, hash, ts(db.Now()))
	if err != nil {
		return fmt.Errorf("postgres: set password: %w", err)
	}
	return nil
}

// PasswordHash returns a user's encoded password hash.
func (db *DB) PasswordHash(ctx context.Context, userID string) (string, error) {
	var h string
	if err := db.pool.QueryRow(ctx, `SELECT hash FROM passwords WHERE user_id = $1`, userID).Scan(&h); err != nil {
		return "", notFound(err, "no password for user %q", userID)
	}
	return h, nil
}

// CountPasswords returns the number of users with a password.
func (db *DB) CountPasswords(ctx context.Context) (int64, error) {
	var n int64
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM passwords`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count passwords: %w", err)
	}
	return n, nil
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s tahqiq.Session) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		s.ID, s.UserID, s.CSRF, ts(s.CreatedAt), ts(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	return nil
}

// FindSession returns an unexpired session.
func (db *DB) FindSession(ctx context.Context, id string) (tahqiq.Session, error) {
	s := tahqiq.Session{ID: id}
	var created, expires string
	err := db.pool.QueryRow(ctx, `SELECT user_id, csrf, created_at, expires_at FROM sessions WHERE id = $1`, id).Scan(&s.UserID, &s.CSRF, &created, &expires)
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
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1 OR expires_at < $2`, id, ts(db.Now())); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}

// CreateToken stores an API token's hash.
func (db *DB) CreateToken(ctx context.Context, t tahqiq.APIToken) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO api_tokens (hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)`, t.Hash, t.UserID, t.Name, ts(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: create token: %w", err)
	}
	return nil
}

// FindToken returns the token with the given hash.
func (db *DB) FindToken(ctx context.Context, hash string) (tahqiq.APIToken, error) {
	t := tahqiq.APIToken{Hash: hash}
	var created string
	if err := db.pool.QueryRow(ctx, `SELECT user_id, name, created_at FROM api_tokens WHERE hash = $1`, hash).Scan(&t.UserID, &t.Name, &created); err != nil {
		return t, notFound(err, "no such token")
	}
	t.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return t, nil
}

// FindUsers returns every user, by name.
func (db *DB) FindUsers(ctx context.Context) ([]tahqiq.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, org_id, name, role FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("postgres: find users: %w", err)
	}
	defer rows.Close()
	out := []tahqiq.User{}
	for rows.Next() {
		var u tahqiq.User
		var role string
		if err := rows.Scan(&u.ID, &u.OrgID, &u.Name, &role); err != nil {
			return nil, fmt.Errorf("postgres: find users: %w", err)
		}
		u.Role = tahqiq.Role(role)
		out = append(out, u)
	}
	return out, rows.Err()
}

// FindOrganisations returns every organisation, by name.
func (db *DB) FindOrganisations(ctx context.Context) ([]tahqiq.Organisation, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, name FROM organisations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("postgres: find organisations: %w", err)
	}
	defer rows.Close()
	out := []tahqiq.Organisation{}
	for rows.Next() {
		var o tahqiq.Organisation
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, fmt.Errorf("postgres: find organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
