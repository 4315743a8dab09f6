// Package httpapi is tahqiq's HTTP API (docs/api.md): JSON over the same
// packages the CLI calls (ingest, runs, casework), with sessions, CSRF
// protection, API tokens, roles checked on every route, long work as
// background jobs, and the web UI mounted at /. It holds no rules of its
// own: what a role may do with a case is decided by casework.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/auth"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// Store is what the server reads and writes besides the case service.
type Store interface {
	tahqiq.ImportStore
	tahqiq.DatasetStore
	tahqiq.ShareStore
	tahqiq.PostStore
	tahqiq.PostScanner
	tahqiq.SummaryStore
	tahqiq.AuthStore
	tahqiq.MediaStore
	FindUserByName(ctx context.Context, name string) (tahqiq.User, error)
	FindUserByID(ctx context.Context, id string) (tahqiq.User, error)
	FindUsers(ctx context.Context) ([]tahqiq.User, error)
	FindOrganisations(ctx context.Context) ([]tahqiq.Organisation, error)
}

// Server is the API. Every field but UI and Log is required.
type Server struct {
	Store    Store
	Cases    *casework.Service
	Importer *ingest.Importer
	Runs     *runs.Store
	Jobs     *jobs.Manager
	Uploads  *Uploads
	// InitKey creates the store's signing key on first-run setup when the
	// case service has none (keyfile.CreateKey in the data directory).
	InitKey  func(orgName string) error
	UI       http.Handler
	Version  string
	Log      *slog.Logger
	Secure   bool          // cookies marked Secure (behind TLS)
	Password auth.Params   // argon2id cost
	Limiter  *auth.Limiter // login throttling (default: auth.LoginWindow)
	// DataDir is the server's data directory; it, the uploads and runs
	// directories and the temporary directory never appear in what a
	// caller reads (errors, failed jobs).
	DataDir string
	// Now is the clock of sessions and token expiry (default time.Now).
	Now func() time.Time
	// Alerts, when set, holds the alerts of the streaming mode (serve
	// --watch) raised by Watchers on the live stream.
	Alerts   *live.Hub
	Watchers *live.Watchers
	// Publish, when set, sends the shares of each import to the live
	// stream (subject tahqiq.live.DATASET), in time order, once the import is stored.
	Publish func(ctx context.Context, dataset string, shares []tahqiq.Share) error
	// Trusted are the keys of the server's trusted-keys file, which
	// verifications of bundles sent to it trust besides its own log key
	// (nil: none).
	Trusted *ledger.TrustedKeys
	// CaptureGuard decides the addresses a web capture may connect to
	// (default capture.PublicOnly; tests allow loopback).
	CaptureGuard func(network, address string, c syscall.RawConn) error
	// SessionTTL is how long a login lasts (default 12 h).
	SessionTTL time.Duration
	// SummaryFresh is how long a cached dataset summary is served before a
	// background check of the store (default 10 s).
	SummaryFresh time.Duration

	summaries  sync.Map     // dataset name|bucket -> cachedSummary
	pictures   pictureCache // dataset name -> its kept pictures' index (pictures.go)
	summaryMu  sync.Map     // dataset name|bucket -> *sync.Mutex: one computation at a time
	summaryGen atomic.Int64 // bumped by forget, so a refresh started before it is dropped
	setupMu    sync.Mutex
	dummyOnce  sync.Once
	dummy      string
	paths      *regexp.Regexp // server paths, redacted from messages
}

type cachedSummary struct {
	key string
	at  time.Time
	v   any
}

// defaultSummaryFresh is how long a dataset summary is served without checking
// the store: imports and deletions through the server empty the cache at
// once; a change made by another process (the CLI) is looked for in the
// background after this, while readers keep getting the cached answer.
const defaultSummaryFresh = 10 * time.Second

func (s *Server) summaryFresh() time.Duration {
	if s.SummaryFresh > 0 {
		return s.SummaryFresh
	}
	return defaultSummaryFresh
}

// access levels of a route.
type level int

const (
	public level = iota // no login
	member              // any logged-in user
	writer              // admin or investigator
	admin               // admin
)

func (l level) String() string {
	return [...]string{"public", "member", "writer", "admin"}[l]
}

type handler func(w http.ResponseWriter, r *http.Request, c *call) error

// call is one request's actor.
type call struct {
	user    tahqiq.User
	session *tahqiq.Session // nil for token or public calls
}

// route is one API route; the table of routes is also the OpenAPI
// document's source, so the two cannot drift apart.
type route struct {
	method, path string
	level        level
	tag, summary string
	body         string // request body: "json", "binary", "multipart" or ""
	h            handler
	raw          bool // the handler writes a non-JSON answer
	status       int  // the success status, when openapi.go would not guess it
}

// Handler returns the HTTP handler: the API under /api/v1 and the UI at /.
func (s *Server) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Limiter == nil {
		s.Limiter = auth.NewLimiter(auth.LoginWindow)
	}
	s.paths = serverPaths(s.DataDir, s.Uploads.Dir, s.Runs.Dir, os.TempDir())
	if s.SessionTTL == 0 {
		s.SessionTTL = 12 * time.Hour
	}
	if s.Password.Memory == 0 {
		s.Password = auth.DefaultParams
	}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, s.Log, tahqiq.Errorf(tahqiq.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
	})
	if s.UI != nil {
		mux.Handle("/", s.UI)
	}
	return securityHeaders(mux)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		// Handlers of reports and files set a stricter policy of their own.
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

// wrap authenticates, checks the route's level and CSRF, and maps errors.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		c, err := s.authenticate(r, rt)
		if err == nil {
			if c.user.OrgID != "" {
				// stores that enforce isolation themselves (PostgreSQL
				// row-level security) see the caller's organisation only
				r = r.WithContext(tahqiq.WithOrg(r.Context(), c.user.OrgID))
			}
			err = rt.h(w, r, c)
		}
		if err != nil {
			writeError(w, s.Log, s.scrub(err))
		}
		s.Log.Debug("request", "method", r.Method, "path", r.URL.Path, "ms", time.Since(start).Milliseconds(), "err", err)
	})
}

func (s *Server) authenticate(r *http.Request, rt route) (*call, error) {
	c := &call{}
	changes := r.Method != http.MethodGet && r.Method != http.MethodHead
	if changes {
		if err := s.checkOrigin(r); err != nil {
			return nil, err
		}
	}
	if rt.level == public {
		return c, nil
	}
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "Authorization: want Bearer <token>")
		}
		t, err := s.Store.FindToken(ctx, auth.Digest(strings.TrimSpace(tok)))
		if err != nil {
			return nil, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "unknown API token")
		}
		if err := t.Check(s.now()); err != nil {
			return nil, err
		}
		if c.user, err = s.Store.FindUserByID(ctx, t.UserID); err != nil {
			return nil, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "the token's user no longer exists")
		}
	} else {
		ck, err := r.Cookie(sessionCookie)
		if err != nil {
			return nil, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "log in first (POST /api/v1/login) or send Authorization: Bearer <token>")
		}
		sess, err := s.Store.FindSession(ctx, auth.Digest(ck.Value))
		if err != nil {
			return nil, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "session expired or unknown: log in again")
		}
		if changes && !auth.Equal(r.Header.Get("X-CSRF-Token"), sess.CSRF) {
			return nil, tahqiq.Errorf(tahqiq.EFORBIDDEN, "missing or wrong X-CSRF-Token header (from POST /api/v1/login or GET /api/v1/me)")
		}
		c.session = &sess
		if c.user, err = s.Store.FindUserByID(ctx, sess.UserID); err != nil {
			return nil, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "the session's user no longer exists")
		}
	}
	if err := c.user.Active(); err != nil {
		return nil, err
	}
	switch {
	case rt.level == writer && !c.user.Role.CanWrite():
		return nil, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not do this: it needs an investigator or admin", c.user.Name, c.user.Role)
	case rt.level == admin && c.user.Role != tahqiq.RoleAdmin:
		return nil, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not do this: it needs an admin", c.user.Name, c.user.Role)
	}
	return c, nil
}

// checkOrigin refuses a state change sent by a page of another origin
// (a second line of defence beside SameSite cookies and CSRF tokens): the
// Origin header, when sent, must be this server's scheme and host. The
// scheme is https behind TLS (a TLS request, or --secure-cookies: a TLS
// proxy in front), else http.
func (s *Server) checkOrigin(r *http.Request) error {
	o := r.Header.Get("Origin")
	if o == "" {
		return nil
	}
	scheme := "http"
	if r.TLS != nil || s.Secure {
		scheme = "https"
	}
	if !strings.EqualFold(o, scheme+"://"+r.Host) {
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "cross-origin request from %s refused (this server is %s://%s)", o, scheme, r.Host)
	}
	return nil
}

var statusOf = map[string]int{
	tahqiq.EINVALID:      http.StatusBadRequest,
	tahqiq.EUNAUTHORIZED: http.StatusUnauthorized,
	tahqiq.EFORBIDDEN:    http.StatusForbidden,
	tahqiq.ENOTFOUND:     http.StatusNotFound,
	tahqiq.ECONFLICT:     http.StatusConflict,
	tahqiq.EVERIFY:       http.StatusUnprocessableEntity,
	tahqiq.EINTERNAL:     http.StatusInternalServerError,
	eLimited:             http.StatusTooManyRequests,
	eTooLarge:            http.StatusRequestEntityTooLarge,
}

// Codes of the HTTP layer: a refused login attempt, a body larger than
// the server accepts.
const (
	eLimited  = "too_many_requests"
	eTooLarge = "too_large"
)

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// ID names an internal error in the server's log, for the user to
	// quote when reporting it.
	ID string `json:"id,omitempty"`
}

func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	code := tahqiq.ErrorCode(err)
	msg := tahqiq.ErrorMessage(err)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		code, msg = eTooLarge, fmt.Sprintf("request body larger than %d bytes", mb.Limit)
	}
	st, ok := statusOf[code]
	if !ok {
		st = http.StatusInternalServerError
	}
	var id string
	if st == http.StatusInternalServerError {
		id = auth.NewSecret("e-")[:14]
		log.Error("internal error", "error_id", id, "err", err)
		msg = "internal error " + id + ": the server's log has the details under this id"
	}
	writeJSON(w, st, map[string]apiError{"error": {Code: code, Message: msg, ID: id}})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// readJSON decodes a JSON body of at most 1 MiB into v, refusing unknown
// fields so that a misspelt option is an error, not a silent default.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return tahqiq.Errorf(tahqiq.EINVALID, "request body: want a JSON object")
		}
		return tahqiq.Errorf(tahqiq.EINVALID, "request body: %w", err)
	}
	if dec.More() {
		return tahqiq.Errorf(tahqiq.EINVALID, "request body: one JSON object expected")
	}
	return nil
}

// serverPaths matches the paths under the server's directories.
func serverPaths(dirs ...string) *regexp.Regexp {
	var alts []string
	seen := map[string]bool{}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		forms := []string{filepath.Clean(d)}
		if abs, err := filepath.Abs(d); err == nil {
			forms = append(forms, abs)
		}
		for _, f := range forms {
			if f != "." && f != "/" && !seen[f] {
				seen[f] = true
				alts = append(alts, regexp.QuoteMeta(f))
			}
		}
	}
	if len(alts) == 0 {
		return nil
	}
	// longest first, so that a directory inside another is matched whole;
	// a path starts the message or follows a character that cannot be in
	// one (not inside a URL's path)
	sort.Slice(alts, func(i, j int) bool { return len(alts[i]) > len(alts[j]) })
	return regexp.MustCompile(`(?:^|[^\w./~-])((?:` + strings.Join(alts, "|") + `)(?:/[^\s"':;,()]*)?)`)
}

// replacePaths replaces every path re matches in msg by its last element.
func replacePaths(re *regexp.Regexp, msg string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(msg, -1) {
		b.WriteString(msg[last:m[2]])
		b.WriteString(filepath.Base(msg[m[2]:m[3]]))
		last = m[3]
	}
	b.WriteString(msg[last:])
	return b.String()
}

// scrub replaces the server's paths in err's message: a path in names by
// its name there (an upload's file by the name it was sent under), any
// other by its last element (a run's file), so that no caller reads where
// the server keeps its files.
func (s *Server) scrub(err error, names ...map[string]string) error {
	var e *tahqiq.Error
	if err == nil || !errors.As(err, &e) || e.Code == tahqiq.EINTERNAL {
		return err
	}
	msg := tahqiq.ErrorMessage(err)
	clean := msg
	for _, m := range names {
		for path, name := range m {
			clean = strings.ReplaceAll(clean, path, name)
		}
	}
	if s.paths != nil {
		clean = replacePaths(s.paths, clean)
	}
	if clean == msg {
		return err
	}
	return &tahqiq.Error{Code: e.Code, Message: clean, Err: err}
}

// startJob starts a job whose failure the caller reads without the
// server's paths (names: a path's name for the caller).
func (s *Server) startJob(c *call, kind string, fn jobs.Func, names ...map[string]string) (jobs.Job, error) {
	return s.Jobs.Start(c.user.ID, kind, func(ctx context.Context, report jobs.Report) (any, error) {
		v, err := fn(ctx, report)
		return v, s.scrub(err, names...)
	})
}

// userJSON is a user as the API shows it.
type userJSON struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Org      string      `json:"org"`
	OrgName  string      `json:"org_name,omitempty"`
	Role     tahqiq.Role `json:"role"`
	Disabled bool        `json:"disabled,omitempty"`
}

func (s *Server) userJSON(ctx context.Context, u tahqiq.User) userJSON {
	out := userJSON{ID: u.ID, Name: u.Name, Org: u.OrgID, Role: u.Role, Disabled: u.Disabled}
	if orgs, err := s.Store.FindOrganisations(ctx); err == nil {
		for _, o := range orgs {
			if o.ID == u.OrgID {
				out.OrgName = o.Name
			}
		}
	}
	return out
}
