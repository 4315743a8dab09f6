package httpapi

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/auth"
)

const sessionCookie = "tahqiq_session"

type meJSON struct {
	User userJSON `json:"user"`
	CSRF string   `json:"csrf_token,omitempty"`
}

func (s *Server) getSetup(w http.ResponseWriter, r *http.Request, c *call) error {
	n, err := s.Store.CountPasswords(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"needed": n == 0})
}

type setupReq struct {
	Org      string `json:"org"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// postSetup creates the first admin; it is refused once anyone can log in.
// When the store was initialised with "tahqiq org init", the named admin
// of it gets the password instead.
func (s *Server) postSetup(w http.ResponseWriter, r *http.Request, c *call) error {
	var req setupReq
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	n, err := s.Store.CountPasswords(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "setup is done: log in")
	}
	if strings.TrimSpace(req.Name) == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "name is required")
	}
	hash, err := auth.HashPassword(req.Password, s.Password)
	if err != nil {
		return err
	}
	u, err := s.Store.FindUserByName(ctx, req.Name)
	switch {
	case err == nil && u.Role != tahqiq.RoleAdmin:
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s exists and is not an admin", req.Name)
	case err == nil:
	case tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND:
		if strings.TrimSpace(req.Org) == "" {
			return tahqiq.Errorf(tahqiq.EINVALID, "org is required")
		}
		if s.Cases.Signer == nil {
			if err := s.InitKey(req.Org); err != nil {
				return err
			}
		}
		if _, u, err = s.Cases.InitOrg(ctx, req.Org, req.Name); err != nil {
			return err
		}
		if _, err := s.Cases.Checkpoint(ctx); err != nil {
			return err
		}
	default:
		return err
	}
	if err := s.Store.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	if err := s.Cases.Record(ctx, u, "user.password", "first-run setup: password set for "+u.Name); err != nil {
		return err
	}
	return s.startSession(w, r, u, http.StatusCreated)
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u tahqiq.User, status int) error {
	secret := auth.NewSecret("")
	now := time.Now().UTC()
	sess := tahqiq.Session{ID: auth.Digest(secret), UserID: u.ID, CSRF: auth.NewSecret(""), CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL)}
	if err := s.Store.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.Secure || r.TLS != nil, SameSite: http.SameSiteStrictMode, Expires: sess.ExpiresAt})
	return writeJSON(w, status, meJSON{User: s.userJSON(r.Context(), u), CSRF: sess.CSRF})
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

func (s *Server) postLogin(w http.ResponseWriter, r *http.Request, c *call) error {
	var req loginReq
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ip := clientIP(r)
	keys := []string{"name|" + strings.ToLower(req.Name) + "|" + ip, "ip|" + ip}
	for _, k := range keys {
		if ok, wait := s.Limiter.Allow(k); !ok {
			w.Header().Set("Retry-After", itoa(int64(wait/time.Second)+1))
			return tahqiq.Errorf(eLimited, "too many failed logins: try again in %s", wait.Round(time.Second))
		}
	}
	ctx := r.Context()
	fail := func() error {
		s.Limiter.Fail(keys[0])
		s.Limiter.Fail(keys[1]) // the per-address limit counts every name
		return tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "wrong name or password")
	}
	u, err := s.Store.FindUserByName(ctx, req.Name)
	if err != nil {
		if tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND {
			auth.CheckPassword(s.dummyHash(), req.Password) // same work as a real check
			return fail()
		}
		return err
	}
	hash, err := s.Store.PasswordHash(ctx, u.ID)
	if err != nil {
		if tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND {
			return fail()
		}
		return err
	}
	ok, err := auth.CheckPassword(hash, req.Password)
	if err != nil {
		return err
	}
	if !ok {
		return fail()
	}
	s.Limiter.Reset(keys[0])
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
	out := meJSON{User: s.userJSON(r.Context(), c.user)}
	if c.session != nil {
		out.CSRF = c.session.CSRF
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) postToken(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Name) == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "name is required (what the token is for)")
	}
	tok := auth.NewSecret("tq_")
	t := tahqiq.APIToken{Hash: auth.Digest(tok), UserID: c.user.ID, Name: req.Name, CreatedAt: time.Now().UTC()}
	if err := s.Store.CreateToken(r.Context(), t); err != nil {
		return err
	}
	if err := s.Cases.Record(r.Context(), c.user, "token.create", "API token "+req.Name); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"token": tok, "name": req.Name})
}

func (s *Server) getUsers(w http.ResponseWriter, r *http.Request, c *call) error {
	us, err := s.Store.FindUsers(r.Context())
	if err != nil {
		return err
	}
	out := []userJSON{}
	for _, u := range us {
		if c.user.Role == tahqiq.RoleAdmin || u.OrgID == c.user.OrgID {
			out = append(out, s.userJSON(r.Context(), u))
		}
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
	hash, err := auth.HashPassword(req.Password, s.Password)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.Cases.AddUser(ctx, c.user, req.Org, req.Name, req.Role)
	if err != nil {
		return err
	}
	if err := s.Store.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	if err := s.Cases.Record(ctx, c.user, "user.password", "password set for "+u.Name); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, s.userJSON(ctx, u))
}

func (s *Server) getOrgs(w http.ResponseWriter, r *http.Request, c *call) error {
	os, err := s.Store.FindOrganisations(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, os)
}

func (s *Server) postOrg(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	o, err := s.Cases.AddOrg(r.Context(), c.user, req.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, o)
}
