package tahqiq

import (
	"context"
	"time"
)

// A Session is a logged-in browser. ID is the SHA-256 (hex) of the secret
// the browser holds in its cookie, so a copy of the store does not hold
// usable sessions; CSRF is the token the browser sends back with every
// state change.
type Session struct {
	ID        string
	UserID    string
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// An APIToken lets a script act as a user until it expires or is revoked.
// Hash is the SHA-256 (hex) of the token; the token itself is shown once.
// ID names it in lists and revocations.
type APIToken struct {
	ID        string    `json:"id"`
	Hash      string    `json:"-"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Token lifetimes: a token lives DefaultTokenTTL unless its creator asks
// for less, and never more than MaxTokenTTL.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 365 * 24 * time.Hour
)

// Expiry is when the token stops working. Tokens stored before tokens had
// an expiry have none recorded: they expire DefaultTokenTTL after their
// creation.
func (t APIToken) Expiry() time.Time {
	if t.ExpiresAt.IsZero() {
		return t.CreatedAt.Add(DefaultTokenTTL)
	}
	return t.ExpiresAt
}

// Check returns an EUNAUTHORIZED error when the token is revoked or
// expired at now.
func (t APIToken) Check(now time.Time) error {
	switch {
	case !t.RevokedAt.IsZero():
		return Errorf(EUNAUTHORIZED, "API token %s was revoked", t.ID)
	case !now.Before(t.Expiry()):
		return Errorf(EUNAUTHORIZED, "API token %s expired at %s: create a new one", t.ID, t.Expiry().UTC().Format(time.RFC3339))
	}
	return nil
}

// AuthStore reads credentials and keeps sessions. Users themselves (name,
// organisation, role) are in the CaseStore; passwords and API tokens are
// changed only through a CaseTx, with their custody-log entry.
type AuthStore interface {
	// PasswordHash returns the encoded hash; ENOTFOUND when none is set.
	PasswordHash(ctx context.Context, userID string) (string, error)
	// CountPasswords returns how many users can log in.
	CountPasswords(ctx context.Context) (int64, error)
	CreateSession(ctx context.Context, s Session) error
	FindSession(ctx context.Context, id string) (Session, error) // ENOTFOUND when absent or expired
	DeleteSession(ctx context.Context, id string) error
	FindToken(ctx context.Context, hash string) (APIToken, error)   // ENOTFOUND when absent
	FindTokenByID(ctx context.Context, id string) (APIToken, error) // ENOTFOUND when absent
	// FindTokens returns every token (revoked and expired ones too),
	// oldest first.
	FindTokens(ctx context.Context) ([]APIToken, error)
	// FindPreferences returns a user's preferences; the zero value when
	// none are stored.
	FindPreferences(ctx context.Context, userID string) (Preferences, error)
	// PutPreferences stores a user's preferences, replacing any earlier
	// ones; ENOTFOUND when there is no such user.
	PutPreferences(ctx context.Context, userID string, p Preferences, at time.Time) error
}

// Preferences are a user's settings of the web UI: the interface
// language and the time zone its times are shown in. They are not
// evidence: changing them writes no custody-log entry. An empty field is
// the browser's own (its language, its zone).
type Preferences struct {
	Lang     string `json:"lang"`      // a BCP 47 language tag the UI has ("en", "ur"), or ""
	TimeZone string `json:"time_zone"` // an IANA time zone ("Asia/Karachi"), or ""
}
