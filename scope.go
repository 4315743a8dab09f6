package tahqiq

import "context"

type orgKey struct{}

// WithOrg scopes ctx to the organisation of the user acting. A store that
// also enforces organisation isolation itself (PostgreSQL row-level
// security) then shows only that organisation's cases, the cases and items
// shared with it, and the datasets it may read. Access is decided by
// casework in any case; this is the second line of defence.
func WithOrg(ctx context.Context, orgID string) context.Context {
	return context.WithValue(ctx, orgKey{}, orgID)
}

// OrgOf returns the organisation ctx is scoped to, "" when none (the CLI,
// background jobs: the whole store).
func OrgOf(ctx context.Context) string {
	s, _ := ctx.Value(orgKey{}).(string)
	return s
}
