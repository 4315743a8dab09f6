package casework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
)

// Accounts: organisations, users, passwords and API tokens.
//
// The system administrator (tahqiq.System: whoever runs the CLI on the
// store itself, without --as) creates organisations and any organisation's
// users. An organisation's admin manages its own organisation's users
// only; another organisation's users do not exist for it. Every change is
// one transaction with its custody-log entry. Passwords arrive hashed
// (internal/auth) and token secrets digested: casework never sees either.

// Actor looks up the user acting on the command line by name (--as); a
// disabled user does not act.
func (s *Service) Actor(ctx context.Context, name string) (tahqiq.User, error) {
	if name == "" {
		return tahqiq.User{}, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "no user given: pass --as USER or set TAHQIQ_USER")
	}
	u, err := s.Store.FindUserByName(ctx, name)
	if err != nil {
		return u, err
	}
	return u, u.Active()
}

// CLIActor is who acts on the command line for a command that reads or
// changes evidence: the user named by --as; without one, the system
// administrator while the store has no organisation (a single-user store:
// there is no access to control), and nobody once one exists.
func (s *Service) CLIActor(ctx context.Context, name string) (tahqiq.User, error) {
	if name != "" {
		return s.Actor(ctx, name)
	}
	has, err := s.HasOrganisations(ctx)
	if err != nil {
		return tahqiq.User{}, err
	}
	if has {
		return tahqiq.User{}, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "this store has organisations: say who acts with --as USER (or TAHQIQ_USER)")
	}
	return tahqiq.System, nil
}

// AdminActor is who acts on the command line for a command that manages
// organisations and users: the user named by --as, else the system
// administrator.
func (s *Service) AdminActor(ctx context.Context, name string) (tahqiq.User, error) {
	if name != "" {
		return s.Actor(ctx, name)
	}
	return tahqiq.System, nil
}

// HasOrganisations reports whether any organisation exists: first-run
// setup is over once one does.
func (s *Service) HasOrganisations(ctx context.Context) (bool, error) {
	orgs, err := s.Store.FindOrganisations(ctx)
	return len(orgs) > 0, err
}

// InitOrg creates the first organisation and its admin (tahqiq org init,
// by the system administrator); the admin has no password until one is
// set (SetPassword). It fails with ECONFLICT once any organisation exists.
func (s *Service) InitOrg(ctx context.Context, orgName, adminName string) (tahqiq.Organisation, tahqiq.User, error) {
	return s.firstOrg(ctx, orgName, adminName, "")
}

// Setup is first-run setup through the server: the first organisation
// and its admin with a password, in one transaction. It fails with
// ECONFLICT once any organisation exists, so of two setups at once one
// wins.
func (s *Service) Setup(ctx context.Context, orgName, adminName, passwordHash string) (tahqiq.Organisation, tahqiq.User, error) {
	if passwordHash == "" {
		return tahqiq.Organisation{}, tahqiq.User{}, tahqiq.Errorf(tahqiq.EINVALID, "setup: a password is required")
	}
	return s.firstOrg(ctx, orgName, adminName, passwordHash)
}

func (s *Service) firstOrg(ctx context.Context, orgName, adminName, hash string) (tahqiq.Organisation, tahqiq.User, error) {
	o := tahqiq.Organisation{ID: s.newID("o"), Name: strings.TrimSpace(orgName)}
	u := tahqiq.User{ID: s.newID("u"), OrgID: o.ID, Name: strings.TrimSpace(adminName), Role: tahqiq.RoleAdmin}
	if o.Name == "" {
		return o, u, tahqiq.Errorf(tahqiq.EINVALID, "the organisation's name is empty")
	}
	if err := u.Validate(); err != nil {
		return o, u, err
	}
	details := fmt.Sprintf("org %s %q admin %s %q", o.ID, o.Name, u.ID, u.Name)
	if hash != "" {
		details += ", password set"
	}
	recs := []tahqiq.RecordRef{ref(tahqiq.RecOrg, o.ID, o), ref(tahqiq.RecUser, u.ID, u)}
	if hash != "" {
		recs = append(recs, credentialRef(u.ID, hash))
	}
	_, err := s.change(ctx, tahqiq.LogEntry{Actor: u.ID, Action: "org.init", Details: details, Records: recs},
		func(tx tahqiq.CaseTx) error {
			n, err := tx.CountOrganisations(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				return tahqiq.Errorf(tahqiq.ECONFLICT, "the store has an organisation already: first-run setup is over (the system administrator adds organisations and users with tahqiq org)")
			}
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			if hash != "" {
				return tx.SetPassword(ctx, u.ID, hash, s.now())
			}
			return nil
		})
	if err != nil {
		return o, u, err
	}
	return o, u, s.claimUnowned(ctx, u)
}

// AddOrg creates an organisation. Only the system administrator does.
func (s *Service) AddOrg(ctx context.Context, actor tahqiq.User, name string) (tahqiq.Organisation, error) {
	o := tahqiq.Organisation{ID: s.newID("o"), Name: strings.TrimSpace(name)}
	if !actor.IsSystem() {
		return o, tahqiq.Errorf(tahqiq.EFORBIDDEN, "organisations are created by the system administrator (tahqiq org add NAME on the store, without --as)")
	}
	if o.Name == "" {
		return o, tahqiq.Errorf(tahqiq.EINVALID, "the organisation's name is empty")
	}
	_, err := s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "org.create", Details: fmt.Sprintf("org %s %q", o.ID, o.Name),
		Records: []tahqiq.RecordRef{ref(tahqiq.RecOrg, o.ID, o)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateOrganisation(ctx, o) })
	return o, err
}

// FindOrg finds an organisation by ID or name.
func (s *Service) FindOrg(ctx context.Context, idOrName string) (tahqiq.Organisation, error) {
	orgs, err := s.Store.FindOrganisations(ctx)
	if err != nil {
		return tahqiq.Organisation{}, err
	}
	for _, o := range orgs {
		if o.ID == idOrName || o.Name == idOrName {
			return o, nil
		}
	}
	return tahqiq.Organisation{}, notFound("organisation", idOrName)
}

// AddUser creates a user in organisation org (an ID or name; "" is the
// actor's own) with passwordHash ("" for none: a CLI-only user until a
// password is set). The system administrator adds users to any
// organisation, an admin to its own only.
func (s *Service) AddUser(ctx context.Context, actor tahqiq.User, org, name string, role tahqiq.Role, passwordHash string) (tahqiq.User, error) {
	u := tahqiq.User{ID: s.newID("u"), Name: strings.TrimSpace(name), Role: role}
	switch {
	case actor.IsSystem():
		if org == "" {
			return u, tahqiq.Errorf(tahqiq.EINVALID, "say which organisation the user belongs to (--org ORG)")
		}
	case actor.Role != tahqiq.RoleAdmin:
		return u, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not manage users: it needs an admin", actor.Name, actor.Role)
	case org == "":
		org = actor.OrgID
	}
	o, err := s.FindOrg(ctx, org)
	if err != nil {
		return u, err
	}
	if !actor.IsSystem() && o.ID != actor.OrgID {
		return u, tahqiq.Errorf(tahqiq.EFORBIDDEN, "admins manage the users of their own organisation only; organisation %s's admins or the system administrator add its users", o.Name)
	}
	u.OrgID = o.ID
	if err := u.Validate(); err != nil {
		return u, err
	}
	details := fmt.Sprintf("user %s %q org %s role %s", u.ID, u.Name, u.OrgID, u.Role)
	if passwordHash != "" {
		details += ", password set"
	}
	recs := []tahqiq.RecordRef{ref(tahqiq.RecUser, u.ID, u)}
	if passwordHash != "" {
		recs = append(recs, credentialRef(u.ID, passwordHash))
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "user.create", Details: details, Records: recs},
		func(tx tahqiq.CaseTx) error {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			if passwordHash != "" {
				return tx.SetPassword(ctx, u.ID, passwordHash, s.now())
			}
			return nil
		})
	return u, err
}

// manageUser finds the user with id that actor manages: anyone for the
// system administrator, its own organisation's users for an admin, itself
// for anyone when self is allowed. Another organisation's user does not
// exist for the actor.
func (s *Service) manageUser(ctx context.Context, actor tahqiq.User, id string, self bool) (tahqiq.User, error) {
	u, err := s.Store.FindUserByID(ctx, id)
	if err != nil {
		return u, err
	}
	switch {
	case actor.IsSystem():
		return u, nil
	case u.OrgID != actor.OrgID:
		return u, notFound("user", id)
	case self && u.ID == actor.ID:
		return u, nil
	case actor.Role != tahqiq.RoleAdmin:
		return u, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not manage users: it needs an admin", actor.Name, actor.Role)
	}
	return u, nil
}

// Users lists the users actor manages: an organisation's users to its
// admins, every user to the system administrator.
func (s *Service) Users(ctx context.Context, actor tahqiq.User) ([]tahqiq.User, error) {
	if !actor.IsSystem() && actor.Role != tahqiq.RoleAdmin {
		return nil, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not list users: it needs an admin", actor.Name, actor.Role)
	}
	all, err := s.Store.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := []tahqiq.User{}
	for _, u := range all {
		if actor.IsSystem() || u.OrgID == actor.OrgID {
			out = append(out, u)
		}
	}
	return out, nil
}

// SetPassword sets the password (its hash) of user userID: the user
// itself, an admin of its organisation, or the system administrator. Every
// session of the user ends.
func (s *Service) SetPassword(ctx context.Context, actor tahqiq.User, userID, passwordHash string) error {
	u, err := s.manageUser(ctx, actor, userID, true)
	if err != nil {
		return err
	}
	if passwordHash == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "no password given")
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "user.password", Details: fmt.Sprintf("password set for %s %q; sessions ended", u.ID, u.Name),
		Records: []tahqiq.RecordRef{credentialRef(u.ID, passwordHash)}},
		func(tx tahqiq.CaseTx) error {
			if err := tx.SetPassword(ctx, u.ID, passwordHash, s.now()); err != nil {
				return err
			}
			return tx.DeleteSessions(ctx, u.ID)
		})
	return err
}

// SetUserDisabled disables a user (kept, as the log names it: it neither
// logs in nor acts; its sessions end and its API tokens are revoked at
// once) or enables it again (its old tokens stay revoked). An admin
// manages its own organisation's users, but never disables itself.
func (s *Service) SetUserDisabled(ctx context.Context, actor tahqiq.User, userID string, disabled bool) (tahqiq.User, error) {
	u, err := s.manageUser(ctx, actor, userID, false)
	if err != nil {
		return u, err
	}
	if disabled && u.ID == actor.ID {
		return u, tahqiq.Errorf(tahqiq.ECONFLICT, "you cannot disable yourself")
	}
	action, what := "user.enable", "enabled"
	if disabled {
		action, what = "user.disable", "disabled; sessions ended, API tokens revoked"
	}
	at := s.now()
	after := u
	after.Disabled = disabled
	recs := []tahqiq.RecordRef{ref(tahqiq.RecUser, u.ID, after)}
	if disabled { // every live token of the user is revoked with it
		all, err := s.Store.FindTokens(ctx)
		if err != nil {
			return u, err
		}
		for _, t := range all {
			if t.UserID == u.ID && t.RevokedAt.IsZero() {
				t.RevokedAt = at
				recs = append(recs, tokenRef(t))
			}
		}
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: action, Details: fmt.Sprintf("user %s %q %s", u.ID, u.Name, what), Records: recs},
		func(tx tahqiq.CaseTx) error {
			if err := tx.SetUserDisabled(ctx, u.ID, disabled, at); err != nil {
				return err
			}
			if !disabled {
				return nil
			}
			if err := tx.DeleteSessions(ctx, u.ID); err != nil {
				return err
			}
			return tx.RevokeTokens(ctx, u.ID, at)
		})
	u.Disabled = disabled
	return u, err
}

// CreateToken records an API token for actor named name whose secret
// digests to hash; it expires after ttl (0: tahqiq.DefaultTokenTTL; at
// most tahqiq.MaxTokenTTL).
func (s *Service) CreateToken(ctx context.Context, actor tahqiq.User, name, hash string, ttl time.Duration) (tahqiq.APIToken, error) {
	if ttl == 0 {
		ttl = tahqiq.DefaultTokenTTL
	}
	t := tahqiq.APIToken{ID: s.newID("k"), Hash: hash, UserID: actor.ID, Name: strings.TrimSpace(name), CreatedAt: s.now()}
	t.ExpiresAt = t.CreatedAt.Add(ttl)
	switch {
	case actor.IsSystem() || actor.OrgID == "":
		return t, tahqiq.Errorf(tahqiq.EFORBIDDEN, "API tokens are for users")
	case t.Name == "":
		return t, tahqiq.Errorf(tahqiq.EINVALID, "name is required (what the token is for)")
	case ttl < 24*time.Hour || ttl > tahqiq.MaxTokenTTL:
		return t, tahqiq.Errorf(tahqiq.EINVALID, "a token lives from 1 to %d days (default %d)", tahqiq.MaxTokenTTL/(24*time.Hour), tahqiq.DefaultTokenTTL/(24*time.Hour))
	case hash == "":
		return t, tahqiq.Errorf(tahqiq.EINVALID, "no token digest")
	}
	_, err := s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "token.create",
		Details: fmt.Sprintf("API token %s %q expires %s", t.ID, t.Name, t.ExpiresAt.Format(time.RFC3339)), Records: []tahqiq.RecordRef{tokenRef(t)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateToken(ctx, t) })
	return t, err
}

// Tokens lists the API tokens actor sees (never their secret): its own;
// an admin also those of its organisation's users.
func (s *Service) Tokens(ctx context.Context, actor tahqiq.User) ([]tahqiq.APIToken, error) {
	all, err := s.Store.FindTokens(ctx)
	if err != nil {
		return nil, err
	}
	out := []tahqiq.APIToken{}
	for _, t := range all {
		if t.UserID == actor.ID || s.tokenManaged(ctx, actor, t) == nil {
			t.ExpiresAt = t.Expiry()
			out = append(out, t)
		}
	}
	return out, nil
}

// tokenManaged reports whether actor manages token t: its own, one of a
// user of its organisation when it is an admin, any for the system
// administrator.
func (s *Service) tokenManaged(ctx context.Context, actor tahqiq.User, t tahqiq.APIToken) error {
	if t.UserID == actor.ID || actor.IsSystem() {
		return nil
	}
	if actor.Role == tahqiq.RoleAdmin {
		if u, err := s.Store.FindUserByID(ctx, t.UserID); err == nil && u.OrgID == actor.OrgID {
			return nil
		}
	}
	return notFound("token", t.ID)
}

// RevokeToken revokes token id at once: its owner, an admin of the
// owner's organisation or the system administrator does.
func (s *Service) RevokeToken(ctx context.Context, actor tahqiq.User, id string) error {
	t, err := s.Store.FindTokenByID(ctx, id)
	if err != nil {
		return notFound("token", id)
	}
	if err := s.tokenManaged(ctx, actor, t); err != nil {
		return err
	}
	if !t.RevokedAt.IsZero() {
		return nil // revoked already: it keeps its first revocation time
	}
	at := s.now()
	after := t
	after.RevokedAt = at
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "token.revoke", Details: fmt.Sprintf("API token %s %q of user %s", t.ID, t.Name, t.UserID),
		Records: []tahqiq.RecordRef{tokenRef(after)}},
		func(tx tahqiq.CaseTx) error { return tx.RevokeToken(ctx, t.ID, at) })
	return err
}

// Credential is the record of a user's password: the user and the hash
// (argon2id, PHC string) the store keeps.
type Credential struct {
	UserID string `json:"user_id"`
	Hash   string `json:"hash"`
}

func credentialRef(userID, hash string) tahqiq.RecordRef {
	return ref(tahqiq.RecCredential, userID, Credential{UserID: userID, Hash: hash})
}

// Token is the record of an API token: what the store keeps of it.
type Token struct {
	ID        string    `json:"id"`
	Hash      string    `json:"hash"` // SHA-256 of the secret
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

func tokenRecord(t tahqiq.APIToken) Token {
	return Token{ID: t.ID, Hash: t.Hash, UserID: t.UserID, Name: t.Name, CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC(), RevokedAt: t.RevokedAt.UTC()}
}

func tokenRef(t tahqiq.APIToken) tahqiq.RecordRef {
	return ref(tahqiq.RecToken, t.ID, tokenRecord(t))
}
