package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/auth"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/jobs"
)

// The tests of this file attack the server as a hostile insider of a
// partner organisation would (issue 13): each is a finding of that review
// and failed before the fix.

// login returns a logged-in client for name.
func (e *env) login(name, password string) *client {
	e.t.Helper()
	c := e.client()
	var m me
	c.want(200, "POST", "/api/v1/login", map[string]string{"name": name, "password": password}, &m)
	c.csrf = m.CSRF
	return c
}

func (c *client) me() me {
	c.e.t.Helper()
	var m me
	c.want(200, "GET", "/api/v1/me", nil, &m)
	return m
}

// partner creates a second organisation and its admin the way the system
// administrator does (tahqiq org add, tahqiq org add-user --role admin
// --password-stdin), and returns the organisation's ID and the admin
// logged in.
func (e *env) partner(org, admin string) (string, *client) {
	e.t.Helper()
	ctx := context.Background()
	o, err := e.api.Cases.AddOrg(ctx, tahqiq.System, org)
	if err != nil {
		e.t.Fatal(err)
	}
	hash, err := auth.HashPassword("password of "+admin, cheap)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.api.Cases.AddUser(ctx, tahqiq.System, o.ID, admin, tahqiq.RoleAdmin, hash); err != nil {
		e.t.Fatal(err)
	}
	return o.ID, e.login(admin, "password of "+admin)
}

// TestAdminManagesOnlyItsOrganisation: an admin of a partner organisation
// creates no user in another organisation (admins included), so it never
// reads that organisation's cases through one; it lists only its own
// organisation's users, and no admin creates organisations over HTTP.
func TestAdminManagesOnlyItsOrganisation(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	var c tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "the inquiry's case", "tlp": "amber"}, &c)
	orgA := a.me().User.Org
	orgB, b := e.partner("Partner", "padmin")

	for _, role := range []string{"admin", "investigator", "viewer"} {
		r := b.call("POST", "/api/v1/users", map[string]string{"name": "mole-" + role, "password": "password of the mole", "role": role, "org": orgA})
		if r.status != 403 {
			t.Errorf("partner admin creates a %s in the inquiry's organisation: %d %s, want 403", role, r.status, r.body)
		}
		if r := e.client().call("POST", "/api/v1/login", map[string]string{"name": "mole-" + role, "password": "password of the mole"}); r.status != 401 {
			t.Errorf("the mole %s logs in: %d %s", role, r.status, r.body)
		}
	}
	// without org, a user goes into the admin's own organisation
	var u struct{ Org string }
	b.want(201, "POST", "/api/v1/users", map[string]string{"name": "pinv", "password": "password of pinv", "role": "investigator"}, &u)
	if u.Org != orgB {
		t.Fatalf("user created by the partner admin is in %q, want %q", u.Org, orgB)
	}
	pinv := e.login("pinv", "password of pinv")
	pinv.want(404, "GET", "/api/v1/cases/"+c.ID, nil, nil)

	// an organisation's users are listed to its admins only
	var us []struct{ Name, Org string }
	b.want(200, "GET", "/api/v1/users", nil, &us)
	for _, x := range us {
		if x.Org != orgB {
			t.Errorf("the partner admin lists %s of organisation %s", x.Name, x.Org)
		}
	}
	if r := pinv.call("GET", "/api/v1/users", nil); r.status != 403 {
		t.Errorf("an investigator lists users: %d, want 403", r.status)
	}
	// organisations are created on the command line by the system administrator
	for _, cl := range []*client{a, b} {
		if r := cl.call("POST", "/api/v1/orgs", map[string]string{"name": "Rogue"}); r.status != 404 && r.status != 405 {
			t.Errorf("an admin creates an organisation over HTTP: %d %s", r.status, r.body)
		}
	}
}

// TestSetupClosedOnceAnOrganisationExists: after tahqiq org init (an
// organisation and an admin without a password), first-run setup is over:
// an anonymous caller neither takes the admin's name nor makes a new one.
func TestSetupClosedOnceAnOrganisationExists(t *testing.T) {
	e := newEnv(t)
	if _, _, err := e.api.Cases.InitOrg(context.Background(), "Inquiry", "amina"); err != nil {
		t.Fatal(err)
	}
	anon := e.client()
	var st struct{ Needed bool }
	anon.want(200, "GET", "/api/v1/setup", nil, &st)
	if st.Needed {
		t.Error("GET /setup says setup is needed on a store with an organisation")
	}
	for _, body := range []map[string]string{
		{"org": "Inquiry", "name": "amina", "password": "the attacker's password"},
		{"org": "Rogue", "name": "rogue", "password": "the attacker's password"},
	} {
		if r := anon.call("POST", "/api/v1/setup", body); r.status != 409 {
			t.Errorf("setup as %s after org init: %d %s, want 409", body["name"], r.status, r.body)
		}
		if r := e.client().call("POST", "/api/v1/login", map[string]string{"name": body["name"], "password": body["password"]}); r.status != 401 {
			t.Errorf("login as %s with the attacker's password: %d", body["name"], r.status)
		}
	}
}

// TestSetupOnce: of simultaneous first-run setups exactly one wins.
func TestSetupOnce(t *testing.T) {
	e := newEnv(t)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.client().call("POST", "/api/v1/setup", map[string]string{"org": fmt.Sprint("Org ", i), "name": fmt.Sprint("admin", i), "password": "correct horse battery"})
			if r.status == 201 {
				ok.Add(1)
			} else if r.status != 409 {
				t.Errorf("setup %d: %d %s", i, r.status, r.body)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d setups succeeded, want 1", ok.Load())
	}
}

// TestShareKeepsTLP: a share never lowers a case's TLP marking, and
// TLP:RED is never shared to another organisation, whatever the share
// says.
func TestShareKeepsTLP(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	orgB, b := e.partner("Partner", "padmin")
	open := func(tlp string) string {
		var c tahqiq.Case
		a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "case " + tlp, "tlp": tlp}, &c)
		return c.ID
	}
	red := open("red")
	for _, tlp := range []string{"", "clear", "green", "amber", "amber+strict", "red"} {
		if r := a.call("POST", "/api/v1/cases/"+red+"/shares", map[string]string{"org": orgB, "tlp": tlp}); r.status != 403 {
			t.Errorf("share a TLP:RED case with tlp %q: %d %s, want 403", tlp, r.status, r.body)
		}
	}
	b.want(404, "GET", "/api/v1/cases/"+red, nil, nil)
	for _, tc := range []struct {
		caseTLP, shareTLP string
		want              int
	}{
		{"amber", "green", 403}, {"amber", "clear", 403}, {"amber", "amber", 204}, {"amber", "amber+strict", 204},
		{"amber+strict", "amber", 403}, {"amber+strict", "green", 403}, {"amber+strict", "", 204},
		{"green", "clear", 403}, {"green", "green", 204}, {"clear", "clear", 204},
	} {
		id := open(tc.caseTLP)
		if r := a.call("POST", "/api/v1/cases/"+id+"/shares", map[string]string{"org": orgB, "tlp": tc.shareTLP}); r.status != tc.want {
			t.Errorf("share a TLP:%s case with tlp %q: %d %s, want %d", tc.caseTLP, tc.shareTLP, r.status, r.body, tc.want)
		}
	}
}

// cliImport imports the demo events into dataset as a CLI without an
// owner would (a store from before organisations).
func cliImport(t *testing.T, e *env, dataset string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "cli.events.csv.gz")
	os.WriteFile(f, demoEvents(t), 0o644)
	if _, err := e.api.Importer.Import(context.Background(), e.api.Store, []string{f}, ingest.Options{Dataset: dataset}); err != nil {
		t.Fatal(err)
	}
}

// TestDatasetOwnership: an investigator cannot take over a dataset that
// has no owning organisation by importing into it (not even with an
// import that fails), nor one of another organisation; only the owning
// organisation's admin deletes a dataset.
func TestDatasetOwnership(t *testing.T) {
	if testing.Short() {
		t.Skip("dataset ownership on both engines (about 8 s): not in -short (go test ./..., as CI runs it, does)")
	}
	e := newEnv(t)
	a := e.setup()
	ainv := e.user(a, "iqbal", tahqiq.RoleInvestigator)
	_, b := e.partner("Partner", "padmin")
	cliImport(t, e, "cli")

	good := ainv.upload("more.events.csv.gz", demoEvents(t))
	bad := ainv.upload("notes.txt", []byte("not an export\n"))
	for _, up := range []string{bad, good} {
		if r := ainv.call("POST", "/api/v1/imports", map[string]any{"dataset": "cli", "uploads": []string{up}}); r.status != 409 {
			t.Errorf("import into the dataset without an owner: %d %s, want 409", r.status, r.body)
		}
	}
	// still everyone's to read, nobody's to delete
	b.want(200, "GET", "/api/v1/datasets/cli", nil, nil)
	for _, c := range []*client{a, b} {
		if r := c.call("DELETE", "/api/v1/datasets/cli", nil); r.status != 403 {
			t.Errorf("delete the dataset without an owner: %d %s, want 403", r.status, r.body)
		}
	}
	// an owned dataset: the partner neither imports into it nor deletes it
	ainv.job(ainv.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{good}}))
	bup := b.upload("x.events.csv.gz", demoEvents(t))
	if r := b.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{bup}}); r.status != 409 {
		t.Errorf("the partner imports into the inquiry's dataset: %d %s, want 409", r.status, r.body)
	}
	if r := b.call("DELETE", "/api/v1/datasets/ru", nil); r.status != 404 {
		t.Errorf("the partner admin deletes the inquiry's dataset: %d %s, want 404", r.status, r.body)
	}
	if r := ainv.call("DELETE", "/api/v1/datasets/ru", nil); r.status != 403 {
		t.Errorf("an investigator deletes a dataset: %d, want 403", r.status)
	}
	a.want(204, "DELETE", "/api/v1/datasets/ru", nil, nil)
}

// TestLoginThrottle: failures count per account and per address, the
// check and the count are one step (parallel guesses do not all run), and
// one account's failures do not lock out the others at the same address.
func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	e.user(a, "iqbal", tahqiq.RoleInvestigator)
	mallory := e.client()
	for range 5 {
		mallory.want(401, "POST", "/api/v1/login", map[string]string{"name": "admin", "password": "wrong password"}, nil)
	}
	r := mallory.call("POST", "/api/v1/login", map[string]string{"name": "admin", "password": "correct horse battery"})
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Errorf("login after 5 failures of the account: %d (Retry-After %q), want 429", r.status, r.header.Get("Retry-After"))
	}
	// a colleague at the same address still logs in
	e.login("iqbal", "password of iqbal")
	for i := range 5 {
		mallory.want(401, "POST", "/api/v1/login", map[string]string{"name": fmt.Sprint("nobody", i), "password": "wrong password"}, nil)
	}
	e.login("iqbal", "password of iqbal")

	// 30 guesses at once at a fresh account: no more than the limit are checked
	e.user(a, "target", tahqiq.RoleViewer)
	var checked, limited atomic.Int32
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch r := e.client().call("POST", "/api/v1/login", map[string]string{"name": "target", "password": "a wrong guess"}); r.status {
			case 401:
				checked.Add(1)
			case 429:
				limited.Add(1)
			default:
				t.Errorf("parallel guess: %d %s", r.status, r.body)
			}
		}()
	}
	wg.Wait()
	if checked.Load() > 5 || limited.Load() < 25 {
		t.Errorf("30 parallel guesses: %d checked, %d refused; want at most 5 checked", checked.Load(), limited.Load())
	}
}

// TestLoginSameWork: a login with an unknown name, with the name of a user
// who has no password (made with the CLI) and with a wrong password take
// the same time (one password hash each, at the server's cost).
func TestLoginSameWork(t *testing.T) {
	if testing.Short() {
		t.Skip("timing: not in -short mode")
	}
	e := newEnv(t)
	e.api.Password.Memory = 32 * 1024 // a real cost: the differences show
	a := e.setup()
	e.user(a, "iqbal", tahqiq.RoleInvestigator)
	if _, err := e.api.Cases.AddUser(context.Background(), tahqiq.System, a.me().User.Org, "nopass", tahqiq.RoleViewer, ""); err != nil {
		t.Fatal(err)
	}
	// measured in turns, so that the load of the machine weighs on all three
	names := []string{"iqbal", "nobody at all", "nopass"}
	took := map[string][]time.Duration{}
	for i := range 7 {
		for _, name := range names {
			c := e.client()
			start := time.Now()
			r := c.call("POST", "/api/v1/login", map[string]string{"name": name, "password": fmt.Sprint("wrong password ", i)})
			took[name] = append(took[name], time.Since(start))
			if r.status != 401 {
				t.Fatalf("login %s: %d %s", name, r.status, r.body)
			}
			e.api.Limiter.Forget()
		}
	}
	median := func(name string) time.Duration {
		ds := took[name]
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	real := median("iqbal")
	for what, d := range map[string]time.Duration{"an unknown name": median("nobody at all"), "a user without a password": median("nopass")} {
		if d < real/3 || d > real*3 {
			t.Errorf("login with %s takes %v, with a wrong password %v", what, d, real)
		}
	}
}

// TestTokensExpireAndRevoke: API tokens expire (a default and a maximum),
// are listed without their secret and revoked at once; a disabled user's
// session and tokens stop working at once, and the user cannot log in.
func TestTokensExpireAndRevoke(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	e.api.Now = func() time.Time { return now }
	a := e.setup()
	inv := e.user(a, "iqbal", tahqiq.RoleInvestigator)
	type token struct {
		ID, Name, Token string
		ExpiresAt       time.Time `json:"expires_at"`
	}
	var def, short token
	inv.want(201, "POST", "/api/v1/tokens", map[string]any{"name": "script"}, &def)
	if d := def.ExpiresAt.Sub(now); d < 89*24*time.Hour || d > 91*24*time.Hour {
		t.Errorf("default expiry in %v, want 90 days", d)
	}
	inv.want(400, "POST", "/api/v1/tokens", map[string]any{"name": "forever", "expires_in_days": 366}, nil)
	inv.want(400, "POST", "/api/v1/tokens", map[string]any{"name": "never", "expires_in_days": 0}, nil)
	inv.want(201, "POST", "/api/v1/tokens", map[string]any{"name": "short", "expires_in_days": 1}, &short)
	var list []map[string]any
	inv.want(200, "GET", "/api/v1/tokens", nil, &list)
	if len(list) != 2 || bytes.Contains(mustJSON(list), []byte(def.Token)) {
		t.Errorf("token list %v: want 2 tokens without their secret", list)
	}
	script := func(tok string) *client { c := e.client(); c.token = tok; return c }
	script(short.Token).want(200, "GET", "/api/v1/me", nil, nil)
	now = now.Add(25 * time.Hour)
	script(short.Token).want(401, "GET", "/api/v1/me", nil, nil)
	script(def.Token).want(200, "GET", "/api/v1/me", nil, nil)
	// revoked: by the owner, or an admin of its organisation; not by others
	_, b := e.partner("Partner", "padmin")
	b.want(404, "DELETE", "/api/v1/tokens/"+def.ID, nil, nil)
	inv.want(204, "DELETE", "/api/v1/tokens/"+def.ID, nil, nil)
	script(def.Token).want(401, "GET", "/api/v1/me", nil, nil)

	// disabled: session and tokens stop at once; enabled again, old tokens stay revoked
	var t2 token
	inv.want(201, "POST", "/api/v1/tokens", map[string]any{"name": "t2"}, &t2)
	id := inv.me().User.ID
	b.want(404, "POST", "/api/v1/users/"+id+"/disable", nil, nil)
	a.want(200, "POST", "/api/v1/users/"+id+"/disable", nil, nil)
	inv.want(401, "GET", "/api/v1/me", nil, nil)
	script(t2.Token).want(401, "GET", "/api/v1/me", nil, nil)
	e.client().want(401, "POST", "/api/v1/login", map[string]string{"name": "iqbal", "password": "password of iqbal"}, nil)
	a.want(200, "POST", "/api/v1/users/"+id+"/enable", nil, nil)
	e.login("iqbal", "password of iqbal")
	script(t2.Token).want(401, "GET", "/api/v1/me", nil, nil)
	if r := a.call("POST", "/api/v1/users/"+a.me().User.ID+"/disable", nil); r.status != 409 {
		t.Errorf("an admin disables itself: %d %s, want 409", r.status, r.body)
	}
}

// countingReader is an endless body that counts what the server read.
type countingReader struct {
	n     atomic.Int64
	limit int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.n.Load() >= r.limit {
		return 0, io.EOF
	}
	n := min(int64(len(p)), r.limit-r.n.Load())
	for i := range p[:n] {
		p[i] = 'x'
	}
	r.n.Add(n)
	return int(n), nil
}

// multipartBody is a multipart/form-data body with one file part of size
// bytes, streamed.
func multipartBody(size int64) (io.Reader, string, *countingReader) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.CreateFormFile("file", "big.bin")
	boundary := mw.Boundary()
	cr := &countingReader{limit: size}
	tail := "\r\n--" + boundary + "--\r\n"
	return io.MultiReader(bytes.NewReader(head.Bytes()), cr, strings.NewReader(tail)), mw.FormDataContentType(), cr
}

// TestAttachChecksFirst: an attachment to a case the caller may not change
// is refused before its body is read, and one larger than the server
// accepts too; uploads are removed once imported.
func TestAttachChecksFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("attachments refused before they are read (about 4 s): not in -short (go test ./..., as CI runs it, does)")
	}
	e := newEnv(t)
	a := e.setup()
	var c tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "the inquiry's case"}, &c)
	_, b := e.partner("Partner", "padmin")
	send := func(cl *client, size int64) (resp, int64) {
		body, ct, cr := multipartBody(size)
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/cases/"+c.ID+"/items", body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-CSRF-Token", cl.csrf)
		res, err := cl.hc.Do(req)
		if err != nil {
			return resp{status: -1, body: []byte(err.Error())}, cr.n.Load()
		}
		defer res.Body.Close()
		rb, _ := io.ReadAll(res.Body)
		return resp{res.StatusCode, res.Header, rb}, cr.n.Load()
	}
	r, n := send(b, 256<<20)
	if r.status != 404 || n > 32<<20 {
		t.Errorf("partner attaches 256 MiB to another organisation's case: %d %s after %d MiB read; want 404 before the body", r.status, r.body, n>>20)
	}
	e.api.Uploads.Max = 1 << 20
	r, n = send(a, 256<<20)
	if r.status != 413 || n > 32<<20 {
		t.Errorf("attach 256 MiB past a 1 MiB limit: %d %s after %d MiB read; want 413 before the body", r.status, r.body, n>>20)
	}
	if r, _ := send(a, 1000); r.status != 201 {
		t.Errorf("attach 1000 bytes: %d %s", r.status, r.body)
	}
	left, _ := filepath.Glob(filepath.Join(e.dir, "uploads", "*", "*"))
	if len(left) != 0 {
		t.Errorf("files left by attachments: %v", left)
	}
	// uploads are removed once imported
	e.api.Uploads.Max = 1 << 30
	up := a.upload("ru.events.csv.gz", demoEvents(t))
	j := a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{up}}))
	if j.State != jobs.Done {
		t.Fatalf("import: %+v", j)
	}
	a.want(404, "GET", "/api/v1/uploads/"+up, nil, nil)
	if left, _ := filepath.Glob(filepath.Join(e.dir, "uploads", up+"*")); len(left) != 0 {
		t.Errorf("upload files left after the import: %v", left)
	}
}

// TestUploadsExpire: an upload left unused is removed TTL after it
// started, when a later upload starts.
func TestUploadsExpire(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	e.api.Uploads.TTL = time.Hour
	var mu sync.Mutex
	clock := time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)
	e.api.Uploads.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	old := a.upload("old.csv", []byte("abc"))
	mu.Lock()
	clock = clock.Add(time.Hour + time.Second) // past the TTL, and past the sweep's own pause
	mu.Unlock()
	fresh := a.upload("new.csv", []byte("abc"))
	a.want(404, "GET", "/api/v1/uploads/"+old, nil, nil)
	a.want(200, "GET", "/api/v1/uploads/"+fresh, nil, nil)
	if left, _ := filepath.Glob(filepath.Join(e.dir, "uploads", old+"*")); len(left) != 0 {
		t.Errorf("files of the expired upload left: %v", left)
	}
}

// TestFirstAttach: the first attachment on a fresh server works (the
// uploads directory did not exist).
func TestFirstAttach(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	var c tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "t"}, &c)
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	w, _ := mw.CreateFormFile("file", "a.txt")
	w.Write([]byte("evidence"))
	mw.Close()
	if r := a.do("POST", "/api/v1/cases/"+c.ID+"/items", &b, map[string]string{"Content-Type": mw.FormDataContentType()}); r.status != 201 {
		t.Fatalf("first attach: %d %s", r.status, r.body)
	}
}

// TestSmallerFindings: sharing with an unknown organisation, server paths
// in errors, the origin's scheme, task assignees.
func TestSmallerFindings(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	var c tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "t"}, &c)
	if r := a.call("POST", "/api/v1/cases/"+c.ID+"/shares", map[string]string{"org": "o-nosuch"}); r.status != 404 {
		t.Errorf("share with an unknown organisation: %d %s, want 404", r.status, r.body)
	}

	// no server path in what a caller sees
	up := a.upload("results.csv", []byte("this,is\nnot,results\n"))
	j := a.job(a.call("POST", "/api/v1/audit/runs", map[string]any{"uploads": []string{up}, "map": "pk-long"}))
	if j.Error == nil || strings.Contains(j.Error.Message, e.dir) || strings.Contains(j.Error.Message, ".part") {
		t.Errorf("failed audit run says %+v: want an error without the server's paths", j.Error)
	}

	// the origin must match in scheme too
	e.api.Secure = true
	host := strings.TrimPrefix(e.srv.URL, "http://")
	if r := a.do("POST", "/api/v1/cases", strings.NewReader(`{"title":"t"}`), map[string]string{"Origin": "http://" + host}); r.status != 403 {
		t.Errorf("POST from http://%s to a server behind TLS: %d, want 403", host, r.status)
	}
	if r := a.do("POST", "/api/v1/cases", strings.NewReader(`{"title":"t"}`), map[string]string{"Origin": "https://" + host}); r.status != 201 {
		t.Errorf("POST from https://%s to a server behind TLS: %d %s, want 201", host, r.status, r.body)
	}
	e.api.Secure = false

	// task assignees are users of the case's organisation
	_, b := e.partner("Partner", "padmin")
	pid := b.me().User.ID
	for _, who := range []string{pid, "padmin", "nobody"} {
		if r := a.call("POST", "/api/v1/cases/"+c.ID+"/tasks", map[string]string{"title": "t", "assignee": who}); r.status != 400 {
			t.Errorf("task assigned to %s: %d %s, want 400", who, r.status, r.body)
		}
	}
	var task tahqiq.Task
	a.want(201, "POST", "/api/v1/cases/"+c.ID+"/tasks", map[string]string{"title": "t", "assignee": "admin"}, &task)
	if task.Assignee != a.me().User.ID {
		t.Errorf("task assignee %q, want the admin's ID", task.Assignee)
	}
	if r := a.call("PATCH", "/api/v1/tasks/"+task.ID, map[string]string{"assignee": "padmin"}); r.status != 400 {
		t.Errorf("task reassigned to another organisation's user: %d %s, want 400", r.status, r.body)
	}
}

func mustJSON(v any) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%v", v)
	return b.Bytes()
}

// TestDocsMatchAccessRules: what docs/api.md and docs/cases.md say about
// login throttling, token lifetimes and TLP is what the code does (they
// once described a limiter and a TLP:RED rule the code did not have).
func TestDocsMatchAccessRules(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(string(b)), " ")
	}
	api, cases := read("api.md"), read("cases.md")
	day := 24 * time.Hour
	for doc, wants := range map[string][]string{
		api: {
			fmt.Sprintf("after %d failures for one account from one address within %d minutes, or %d for one account from any address, or %d from one address for any accounts",
				auth.AccountAddrMax, int(auth.LoginWindow/time.Minute), auth.AccountMax, auth.AddressMax),
			fmt.Sprintf("in %d days unless asked for 1 to %d", tahqiq.DefaultTokenTTL/day, tahqiq.MaxTokenTTL/day),
			"TLP:RED material is never shared",
			"a lower one is 403",
		},
		cases: {
			"a TLP:RED case or item is never shared with another organisation",
			"A share carries the case's (or the item's) marking or a stricter one, never a lower one",
			"TLP:AMBER+STRICT stays inside the receiving organisation",
		},
	} {
		for _, w := range wants {
			if !strings.Contains(doc, w) {
				t.Errorf("the docs lack %q", w)
			}
		}
	}
}

// TestDisabledUsersJobsStop: a user disabled while one of its jobs runs
// (an import, a run, an export) does not go on acting through it: the job
// is cancelled with the user's sessions and tokens. Before, it ran to the
// end and committed in the disabled user's name.
func TestDisabledUsersJobsStop(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	inv := e.user(a, "iqbal", tahqiq.RoleInvestigator)
	other := e.user(a, "zara", tahqiq.RoleInvestigator)
	started := make(chan struct{}, 2)
	block := func(ctx context.Context, _ jobs.Report) (any, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	mine, err := e.api.Jobs.Start(inv.me().User.ID, "import", block)
	if err != nil {
		t.Fatal(err)
	}
	defer e.api.Jobs.Cancel(mine.ID) // so that a failure ends cleanly
	theirs, err := e.api.Jobs.Start(other.me().User.ID, "import", block)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	<-started
	a.want(200, "POST", "/api/v1/users/"+inv.me().User.ID+"/disable", nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if j, err := e.api.Jobs.Wait(ctx, mine.ID); err != nil || j.State != jobs.Cancelled {
		t.Errorf("the disabled user's job: %+v, %v; want cancelled", j, err)
	}
	if j, _ := e.api.Jobs.Get(theirs.ID); j.State != jobs.Running {
		t.Errorf("another user's job: %s, want running", j.State)
	}
	e.api.Jobs.Cancel(theirs.ID)
}
