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

// An APIToken lets a script act as a user. Hash is the SHA-256 (hex) of
// the token; the token itself is shown once.
type APIToken struct {
	Hash      string    `json:"-"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// AuthStore keeps credentials, sessions and API tokens. Users themselves
// (name, organisation, role) are in the CaseStore.
type AuthStore interface {
	// SetPassword stores the encoded password hash of a user, replacing
	// any earlier one.
	SetPassword(ctx context.Context, userID, hash string) error
	// PasswordHash returns the encoded hash; ENOTFOUND when none is set.
	PasswordHash(ctx context.Context, userID string) (string, error)
	// CountPasswords returns how many users can log in.
	CountPasswords(ctx context.Context) (int64, error)
	CreateSession(ctx context.Context, s Session) error
	FindSession(ctx context.Context, id string) (Session, error) // ENOTFOUND when absent or expired
	DeleteSession(ctx context.Context, id string) error
	CreateToken(ctx context.Context, t APIToken) error
	FindToken(ctx context.Context, hash string) (APIToken, error) // ENOTFOUND when absent
}
