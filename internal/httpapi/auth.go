package httpapi

import (
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/auth"
)

const sessionCookie = "tahqiq_session"

type meJSON struct {
	User        userJSON           `json:"user"`
	CSRF        string             `json:"csrf_token,omitempty"`
	Preferences tahqiq.Preferences `json:"preferences"`
}

// getSetup says whether first-run setup is open: while the store has no
// organisation.
func (s *Server) getSetup(w http.ResponseWriter, r *http.Request, c *call) error {
	has, err := s.Cases.HasOrganisations(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"needed": !has})
}

type setupReq struct {
	Org      string `json:"org"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// postSetup creates the first organisation and its admin with a password;
// it is refused (409) as soon as any organisation exists, tahqiq org init's
// included (its admin gets a password with tahqiq org passwd).
func (s *Server) postSetup(w http.ResponseWriter, r *http.Request, c *call) error {
	var req setupReq
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	has, err := s.Cases.HasOrganisations(ctx)
	if err != nil {
		return err
	}
	if has {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "setup is done: log in (the system administrator gives CLI users a password with tahqiq org passwd)")
	}
	if strings.TrimSpace(req.Name) == "" || strings.TrimSpace(req.Org) == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "org and name are required")
	}
	hash, err := auth.HashPassword(req.Password, s.Password)
	if err != nil {
		return err
	}
	if s.Cases.Signer == nil {
		if err := s.InitKey(req.Org); err != nil {
			return err
		}
	}
	_, u, err := s.Cases.Setup(ctx, req.Org, req.Name, hash)
	if err != nil {
		return err
	}
	if _, err := s.Cases.Checkpoint(ctx); err != nil {
		return err
	}
	return s.startSession(w, r, u, http.StatusCreated)
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u tahqiq.User, status int) error {
	secret := auth.NewSecret("")
	now := s.now()
	sess := tahqiq.Session{ID: auth.Digest(secret), UserID: u.ID, CSRF: auth.NewSecret(""), CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL)}
	if err := s.Store.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.Secure || r.TLS != nil, SameSite: http.SameSiteStrictMode, Expires: sess.ExpiresAt})
	prefs, err := s.Store.FindPreferences(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, status, meJSON{User: s.userJSON(r.Context(), u), CSRF: sess.CSRF, Preferences: prefs})
}

type loginReq struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

func clientIP(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// postLogin checks a name and password. Throttled per account and per
// address (auth.LoginLimits; the check and the count are one step), and
// every attempt costs one password hash at the server's cost, whether the
// name is unknown, has no password (a CLI user) or is disabled, so that
// neither the answer nor its time tells them apart.
func (s *Server) postLogin(w http.ResponseWriter, r *http.Request, c *call) error {
	var req loginReq
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	try, wait := s.Limiter.Begin(auth.LoginLimits(req.Name, clientIP(r)))
	if try == nil {
		w.Header().Set("Retry-After", itoa(int64(wait/time.Second)+1))
		return tahqiq.Errorf(eLimited, "too many failed logins: try again in %s", wait.Round(time.Second))
	}
	ctx := r.Context()
	u, err := s.Store.FindUserByName(ctx, req.Name)
	if err != nil && tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		return err
	}
	hash := ""
	if err == nil {
		if hash, err = s.Store.PasswordHash(ctx, u.ID); err != nil && tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
			return err
		}
	} else {
		s.Store.PasswordHash(ctx, "") // the same queries as for a known name
	}
	known := hash != ""
	if !known {
		hash = s.dummyHash()
	}
	ok, err := auth.CheckPassword(hash, req.Password)
	if err != nil {
		return err
	}
	if !ok || !known {
		return tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "wrong name or password")
	}
	if err := u.Active(); err != nil {
		return err
	}
	try.Succeeded()
	return s.startSession(w, r, u, http.StatusOK)
}

// dummyHash makes a login with an unknown name cost what a real one does.
// It is made on first use, not at start-up (every CLI command links this
// package).
func (s *Server) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = auth.HashPassword("not a real password", s.Password) })
	return s.dummy
}

func (s *Server) postLogout(w http.ResponseWriter, r *http.Request, c *call) error {
	if c.session != nil {
		if err := s.Store.DeleteSession(r.Context(), c.session.ID); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1,
		Secure: s.Secure || r.TLS != nil, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, c *call) error {
	prefs, err := s.Store.FindPreferences(r.Context(), c.user.ID)
	if err != nil {
		return err
	}
	out := meJSON{User: s.userJSON(r.Context(), c.user), Preferences: prefs}
	if c.session != nil {
		out.CSRF = c.session.CSRF
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) getMyPreferences(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := s.Store.FindPreferences(r.Context(), c.user.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

var (
	langTag  = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)
	zoneName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$`)
)

// putMyPreferences stores the caller's UI preferences (language, time
// zone; "" for the browser's own). They are not evidence: no custody-log
// entry is written.
func (s *Server) putMyPreferences(w http.ResponseWriter, r *http.Request, c *call) error {
	var p tahqiq.Preferences
	if err := readJSON(w, r, &p); err != nil {
		return err
	}
	if p.Lang != "" && (len(p.Lang) > 35 || !langTag.MatchString(p.Lang)) {
		return tahqiq.Errorf(tahqiq.EINVALID, "lang %q: want a language tag such as en or ur, or \"\" for the browser's", p.Lang)
	}
	if p.TimeZone != "" && (len(p.TimeZone) > 64 || !zoneName.MatchString(p.TimeZone)) {
		return tahqiq.Errorf(tahqiq.EINVALID, "time_zone %q: want an IANA time zone such as Asia/Karachi or UTC, or \"\" for the browser's", p.TimeZone)
	}
	if err := s.Store.PutPreferences(r.Context(), c.user.ID, p, s.now()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// postMyPassword changes the caller's own password, given the current
// one; every session of the caller ends (log in again).
func (s *Server) postMyPassword(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Password    string `json:"password"`
		NewPassword string `json:"new_password"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	// throttled as logins are: a stolen session must not guess the password
	try, wait := s.Limiter.Begin(auth.LoginLimits(c.user.Name, clientIP(r)))
	if try == nil {
		w.Header().Set("Retry-After", itoa(int64(wait/time.Second)+1))
		return tahqiq.Errorf(eLimited, "too many failed attempts: try again in %s", wait.Round(time.Second))
	}
	ctx := r.Context()
	old, err := s.Store.PasswordHash(ctx, c.user.ID)
	if err != nil && tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		return err
	}
	known := old != ""
	if !known {
		old = s.dummyHash()
	}
	if ok, err := auth.CheckPassword(old, req.Password); err != nil || !ok || !known {
		return tahqiq.Errorf(tahqiq.EINVALID, "the current password is wrong")
	}
	try.Succeeded()
	hash, err := auth.HashPassword(req.NewPassword, s.Password)
	if err != nil {
		return err
	}
	if err := s.Cases.SetPassword(ctx, c.user, c.user.ID, hash); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type tokenJSON struct {
	tahqiq.APIToken
	Token string `json:"token,omitempty"` // the secret, in the creation's answer only
}

func (s *Server) postToken(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Name          string `json:"name"`
		ExpiresInDays *int   `json:"expires_in_days"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	var ttl time.Duration
	if req.ExpiresInDays != nil {
		if *req.ExpiresInDays < 1 {
			return tahqiq.Errorf(tahqiq.EINVALID, "expires_in_days: a token lives from 1 to %d days", tahqiq.MaxTokenTTL/(24*time.Hour))
		}
		ttl = time.Duration(*req.ExpiresInDays) * 24 * time.Hour
	}
	secret := auth.NewSecret("tq_")
	t, err := s.Cases.CreateToken(r.Context(), c.user, req.Name, auth.Digest(secret), ttl)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tokenJSON{APIToken: t, Token: secret})
}

func (s *Server) getTokens(w http.ResponseWriter, r *http.Request, c *call) error {
	ts, err := s.Cases.Tokens(r.Context(), c.user)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ts)
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := s.Cases.RevokeToken(r.Context(), c.user, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getUsers(w http.ResponseWriter, r *http.Request, c *call) error {
	us, err := s.Cases.Users(r.Context(), c.user)
	if err != nil {
		return err
	}
	out := []userJSON{}
	for _, u := range us {
		out = append(out, s.userJSON(r.Context(), u))
	}
	return writeJSON(w, http.StatusOK, out)
}

type newUserReq struct {
	Name     string      `json:"name"`
	Password string      `json:"password"`
	Role     tahqiq.Role `json:"role"`
	Org      string      `json:"org"`
}

func (s *Server) postUser(w http.ResponseWriter, r *http.Request, c *call) error {
	var req newUserReq
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	hash, err := auth.HashPassword(req.Password, s.Password)
	if err != nil {
		return err
	}
	u, err := s.Cases.AddUser(ctx, c.user, req.Org, req.Name, req.Role, hash)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, s.userJSON(ctx, u))
}

func (s *Server) postUserState(disabled bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		u, err := s.Cases.SetUserDisabled(r.Context(), c.user, r.PathValue("id"), disabled)
		if err != nil {
			return err
		}
		if disabled {
			// Its sessions and tokens ended with the change; its jobs
			// (imports, runs, exports) stop too, rather than finish acting
			// in its name.
			if n := s.Jobs.CancelOwner(u.ID); n > 0 {
				s.Log.Info("user disabled: jobs cancelled", "user", u.Name, "jobs", n)
			}
		}
		return writeJSON(w, http.StatusOK, s.userJSON(r.Context(), u))
	}
}

func (s *Server) getOrgs(w http.ResponseWriter, r *http.Request, c *call) error {
	os, err := s.Store.FindOrganisations(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, os)
}
