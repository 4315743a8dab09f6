package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tahqiq/tahqiq"
)

// PasswordHash returns a user's encoded password hash.
func (s *Store) PasswordHash(ctx context.Context, userID string) (string, error) {
	var h string
	if err := s.e.Reader().QueryRow(ctx, `SELECT hash FROM passwords WHERE user_id = $1`, userID).Scan(&h); err != nil {
		return "", s.notFound(err, "no password for user %q", userID)
	}
	return h, nil
}

// CountPasswords returns the number of users with a password.
func (s *Store) CountPasswords(ctx context.Context) (int64, error) {
	var n int64
	if err := s.e.Reader().QueryRow(ctx, `SELECT count(*) FROM passwords`).Scan(&n); err != nil {
		return 0, s.errorf("count passwords: %w", err)
	}
	return n, nil
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, x tahqiq.Session) error {
	_, err := s.e.Writer().Exec(ctx, `INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		x.ID, x.UserID, x.CSRF, ts(x.CreatedAt), ts(x.ExpiresAt))
	if err != nil {
		return s.errorf("create session: %w", err)
	}
	return nil
}

// FindSession returns an unexpired session.
func (s *Store) FindSession(ctx context.Context, id string) (tahqiq.Session, error) {
	x := tahqiq.Session{ID: id}
	var created, expires string
	err := s.e.Reader().QueryRow(ctx, `SELECT user_id, csrf, created_at, expires_at FROM sessions WHERE id = $1`, id).Scan(&x.UserID, &x.CSRF, &created, &expires)
	if err != nil {
		return x, s.notFound(err, "no session")
	}
	x.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	x.ExpiresAt, _ = time.Parse(time.RFC3339Nano, expires)
	if !s.Now().Before(x.ExpiresAt) {
		return x, tahqiq.Errorf(tahqiq.ENOTFOUND, "session expired")
	}
	return x, nil
}

// DeleteSession removes a session and every expired one.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.e.Writer().Exec(ctx, `DELETE FROM sessions WHERE id = $1 OR expires_at < $2`, id, ts(s.Now())); err != nil {
		return s.errorf("delete session: %w", err)
	}
	return nil
}

const tokenCols = `id, hash, user_id, name, created_at, expires_at, revoked_at`

func scanToken(sc Row) (tahqiq.APIToken, error) {
	var t tahqiq.APIToken
	var created, expires, revoked string
	if err := sc.Scan(&t.ID, &t.Hash, &t.UserID, &t.Name, &created, &expires, &revoked); err != nil {
		return t, err
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = parseTime(created), parseTime(expires), parseTime(revoked)
	return t, nil
}

// FindToken returns the token with the given hash.
func (s *Store) FindToken(ctx context.Context, hash string) (tahqiq.APIToken, error) {
	t, err := scanToken(s.e.Reader().QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE hash = $1`, hash))
	if err != nil {
		return t, s.notFound(err, "no such token")
	}
	return t, nil
}

// FindTokenByID returns the token with the given ID.
func (s *Store) FindTokenByID(ctx context.Context, id string) (tahqiq.APIToken, error) {
	t, err := scanToken(s.e.Reader().QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE id = $1`, id))
	if err != nil {
		return t, s.notFound(err, "no token %q", id)
	}
	return t, nil
}

// FindTokens returns every token, oldest first.
func (s *Store) FindTokens(ctx context.Context) ([]tahqiq.APIToken, error) {
	rows, err := s.e.Reader().Query(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, s.errorf("find tokens: %w", err)
	}
	defer rows.Close()
	out := []tahqiq.APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, s.errorf("find tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

const userCols = `id, org_id, name, role, disabled_at`

func scanUser(sc Row) (tahqiq.User, error) {
	var u tahqiq.User
	var role, disabled string
	if err := sc.Scan(&u.ID, &u.OrgID, &u.Name, &role, &disabled); err != nil {
		return u, err
	}
	u.Role, u.Disabled = tahqiq.Role(role), disabled != ""
	return u, nil
}

func (s *Store) findUser(ctx context.Context, col, v string) (tahqiq.User, error) {
	u, err := scanUser(s.e.Reader().QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE `+col+` = $1`, v))
	if err != nil {
		return u, s.notFound(err, "no user %q", v)
	}
	return u, nil
}

// FindUserByName returns the user called name.
func (s *Store) FindUserByName(ctx context.Context, name string) (tahqiq.User, error) {
	return s.findUser(ctx, "name", name)
}

// FindUserByID returns the user with id.
func (s *Store) FindUserByID(ctx context.Context, id string) (tahqiq.User, error) {
	return s.findUser(ctx, "id", id)
}

// FindUsers returns every user, by name.
func (s *Store) FindUsers(ctx context.Context) ([]tahqiq.User, error) {
	rows, err := s.e.Reader().Query(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, s.errorf("find users: %w", err)
	}
	defer rows.Close()
	out := []tahqiq.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, s.errorf("find users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// FindOrganisations returns every organisation, by name.
func (s *Store) FindOrganisations(ctx context.Context) ([]tahqiq.Organisation, error) {
	rows, err := s.e.Reader().Query(ctx, `SELECT id, name FROM organisations ORDER BY name`)
	if err != nil {
		return nil, s.errorf("find organisations: %w", err)
	}
	defer rows.Close()
	out := []tahqiq.Organisation{}
	for rows.Next() {
		var o tahqiq.Organisation
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, s.errorf("find organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// The account changes of a CaseTx: each commits with its log entry.

func (t *caseTx) CountOrganisations(ctx context.Context) (int64, error) {
	var n int64
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM organisations`).Scan(&n); err != nil {
		return 0, t.s.errorf("count organisations: %w", err)
	}
	return n, nil
}

// exactlyOne turns an update that touched no row into ENOTFOUND.
func (s *Store) exactlyOne(n int64, err error, op, f string, a ...any) error {
	if err != nil {
		return s.errorf("%s: %w", op, err)
	}
	if n == 0 {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, f, a...)
	}
	return nil
}

func (t *caseTx) SetUserDisabled(ctx context.Context, userID string, disabled bool, at time.Time) error {
	v := ""
	if disabled {
		v = ts(at)
	}
	n, err := t.tx.Exec(ctx, `UPDATE users SET disabled_at = $1 WHERE id = $2`, v, userID)
	return t.s.exactlyOne(n, err, "disable user", "no user %q", userID)
}

func (t *caseTx) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO passwords (user_id, hash, set_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at`, userID, hash, ts(at))
	if err != nil {
		return t.s.errorf("set password: %w", err)
	}
	return nil
}

func (t *caseTx) DeleteSessions(ctx context.Context, userID string) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return t.s.errorf("delete sessions: %w", err)
	}
	return nil
}

func (t *caseTx) CreateToken(ctx context.Context, k tahqiq.APIToken) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO api_tokens (`+tokenCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.Hash, k.UserID, k.Name, ts(k.CreatedAt), tsOrEmpty(k.ExpiresAt), tsOrEmpty(k.RevokedAt))
	return t.s.conflict(err, "token "+k.ID)
}

func (t *caseTx) RevokeToken(ctx context.Context, id string, at time.Time) error {
	n, err := t.tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = CASE revoked_at WHEN '' THEN $1 ELSE revoked_at END WHERE id = $2`, ts(at), id)
	return t.s.exactlyOne(n, err, "revoke token", "no token %q", id)
}

func (t *caseTx) RevokeTokens(ctx context.Context, userID string, at time.Time) error {
	if _, err := t.tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at = ''`, ts(at), userID); err != nil {
		return t.s.errorf("revoke tokens: %w", err)
	}
	return nil
}

// FindPreferences returns a user's preferences (the zero value when none
// are stored).
func (s *Store) FindPreferences(ctx context.Context, userID string) (tahqiq.Preferences, error) {
	var p tahqiq.Preferences
	err := s.e.Reader().QueryRow(ctx, `SELECT lang, time_zone FROM user_preferences WHERE user_id = $1`, userID).Scan(&p.Lang, &p.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return tahqiq.Preferences{}, nil
	}
	if err != nil {
		return p, s.errorf("find preferences: %w", err)
	}
	return p, nil
}

// PutPreferences stores a user's preferences, replacing any earlier
// ones; ENOTFOUND for an unknown user. They are not evidence: no log
// entry.
func (s *Store) PutPreferences(ctx context.Context, userID string, p tahqiq.Preferences, at time.Time) error {
	n, err := s.e.Writer().Exec(ctx, `INSERT INTO user_preferences (user_id, lang, time_zone, updated_at)
		SELECT id, $1, $2, $3 FROM users WHERE id = $4
		ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang, time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
		p.Lang, p.TimeZone, ts(at), userID)
	return s.exactlyOne(n, err, "put preferences", "no user %q", userID)
}
