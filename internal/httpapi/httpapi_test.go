package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/auth"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/demo"
	"github.com/tahqiq/tahqiq/internal/httpapi"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// cheap keeps argon2id fast in tests; the server uses auth.DefaultParams.
var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}

type env struct {
	t   testing.TB
	srv *httptest.Server
	api *httpapi.Server
	dir string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newEnvOn(t, db, db.Now)
}

// store is what the server and the case service need of an engine.
type store interface {
	httpapi.Store
	casework.Store
}

func newEnvOn(t testing.TB, db store, now func() time.Time) *env {
	t.Helper()
	dir := t.TempDir()
	bs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	cw := &casework.Service{Store: db, Blobs: bs, Posts: db, Datasets: db, Now: now}
	rs := &runs.Store{Dir: filepath.Join(dir, "runs"), Log: cw.LogRun} // as tahqiq serve wires them
	cw.Runs = rs
	jm, err := jobs.Open(filepath.Join(dir, "jobs"), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &httpapi.Server{
		Store: db, Cases: cw, Importer: &ingest.Importer{Formats: ingest.Default()},
		Runs: rs, Jobs: jm,
		Uploads: &httpapi.Uploads{Dir: filepath.Join(dir, "uploads"), Max: 1 << 30},
		InitKey: func(org string) error {
			signer, v, err := keyfile.CreateKey(dir, "tahqiq/test")
			if err != nil {
				return err
			}
			cw.Signer, cw.LogKey, cw.Origin = signer, v, signer.Name()
			return nil
		},
		Version: "test", Password: cheap, DataDir: dir,
		Log: slog.New(slog.NewTextHandler(testWriter{t}, nil)),
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		jm.Shutdown(context.Background())
	})
	return &env{t: t, srv: srv, api: s, dir: dir}
}

// client is a browser: a cookie jar and the CSRF token, or a bearer token.
type client struct {
	e     *env
	hc    *http.Client
	csrf  string
	token string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar}}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("status %d body %s: %v", r.status, r.body, err)
	}
}

func (c *client) do(method, path string, body io.Reader, hdr map[string]string) resp {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

func (c *client) call(method, path string, in any) resp {
	c.e.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	return c.do(method, path, body, map[string]string{"Content-Type": "application/json"})
}

func (c *client) want(status int, method, path string, in, out any) {
	c.e.t.Helper()
	r := c.call(method, path, in)
	if r.status != status {
		c.e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.body)
	}
	if out != nil {
		r.json(c.e.t, out)
	}
}

type me struct {
	User struct {
		ID, Name, Org, Role string
	} `json:"user"`
	CSRF string `json:"csrf_token"`
}

// setup creates the first admin and returns a logged-in client.
func (e *env) setup() *client {
	e.t.Helper()
	c := e.client()
	var m me
	c.want(201, "POST", "/api/v1/setup", map[string]string{"org": "Inquiry", "name": "admin", "password": "correct horse battery"}, &m)
	c.csrf = m.CSRF
	return c
}

// user creates a user with role and returns a logged-in client for them.
func (e *env) user(admin *client, name string, role tahqiq.Role) *client {
	e.t.Helper()
	admin.want(201, "POST", "/api/v1/users", map[string]string{"name": name, "password": "password of " + name, "role": string(role)}, nil)
	c := e.client()
	var m me
	c.want(200, "POST", "/api/v1/login", map[string]string{"name": name, "password": "password of " + name}, &m)
	c.csrf = m.CSRF
	return c
}

func (c *client) upload(name string, data []byte) string {
	c.e.t.Helper()
	r := c.do("POST", "/api/v1/uploads?name="+name, bytes.NewReader(data), map[string]string{"Upload-Length": fmt.Sprint(len(data))})
	var up struct {
		ID     string
		Offset int64
		SHA256 string
	}
	r.json(c.e.t, &up)
	if r.status != 201 || up.SHA256 == "" {
		c.e.t.Fatalf("upload: %d %s", r.status, r.body)
	}
	return up.ID
}

func (c *client) job(r resp) jobs.Job {
	c.e.t.Helper()
	if r.status != 202 {
		c.e.t.Fatalf("job start: %d %s", r.status, r.body)
	}
	var j struct{ Job jobs.Job }
	r.json(c.e.t, &j)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var got jobs.Job
		c.want(200, "GET", "/api/v1/jobs/"+j.Job.ID, nil, &got)
		if got.State != jobs.Queued && got.State != jobs.Running {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.e.t.Fatal("job did not finish")
	return jobs.Job{}
}

// demoFile returns the bytes of the demo's sample whose name contains
// part (gzip as bundled).
func demoFile(t testing.TB, part string) []byte {
	t.Helper()
	files, err := demo.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Contains(filepath.Base(f), part) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("no demo file %q", part)
	return nil
}

func demoEvents(t testing.TB) []byte {
	t.Helper()
	files, err := demo.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Contains(f, "events") {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no events sample in internal/demo")
	return nil
}

// TestWorkflow goes the way an investigator does: set up, upload a real
// export, import it, run the coordination analysis, read an edge's
// evidence, open a case, attach the run and the post, verify.
func TestWorkflow(t *testing.T) { workflow(t, newEnv(t)) }

// TestWorkflowPostgres is the same walk on the PostgreSQL engine (a
// throw-away server on loopback; skipped where none can be started).
func TestWorkflowPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL workflow: not in -short mode")
	}
	workflow(t, newEnvPostgres(t))
}

// newEnvPostgres is a server on a throw-away PostgreSQL database owned by
// an ordinary role, so that row-level security applies.
func newEnvPostgres(t *testing.T) *env {
	srv := pgtest.Start(t)
	db, err := postgres.Open(context.Background(), srv.NewAppDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newEnvOn(t, db, db.Now)
}

func workflow(t *testing.T, e *env) {
	var setup struct{ Needed bool }
	anon := e.client()
	anon.want(200, "GET", "/api/v1/setup", nil, &setup)
	if !setup.Needed {
		t.Fatal("setup not needed on an empty store")
	}
	c := e.setup()
	anon.want(200, "GET", "/api/v1/setup", nil, &setup)
	if setup.Needed {
		t.Fatal("setup still needed after the first admin")
	}
	anon.want(409, "POST", "/api/v1/setup", map[string]string{"org": "X", "name": "mallory", "password": "0123456789abc"}, nil)

	up := c.upload("russian.events.csv.gz", demoEvents(t))
	j := c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{up}}))
	var sum ingest.Summary
	if err := json.Unmarshal(j.Result, &sum); err != nil || j.State != jobs.Done {
		t.Fatalf("import job %+v: %v", j, err)
	}
	if sum.Records != 35126 || sum.Posts != 35085 || sum.Accounts != 9509 || sum.Sources[0].Name != "russian.events.csv.gz" {
		t.Fatalf("import: %d records %d posts %d accounts, file %q; want 35126 35085 9509 russian.events.csv.gz", sum.Records, sum.Posts, sum.Accounts, sum.Sources[0].Name)
	}
	var ds struct {
		Dataset     struct{ Posts, Accounts int64 }
		OverTime    []tahqiq.TimeCount    `json:"over_time"`
		TopAccounts []tahqiq.AccountCount `json:"top_accounts"`
		Imports     []tahqiq.ImportFile
	}
	c.want(200, "GET", "/api/v1/datasets/ru", nil, &ds)
	var perDay int64
	for _, tc := range ds.OverTime {
		perDay += tc.Posts
	}
	if ds.Dataset.Posts != 35085 || perDay != 35085 || len(ds.TopAccounts) != 20 || len(ds.Imports) != 1 {
		t.Fatalf("summary: %d posts, %d over time, %d top accounts, %d imports", ds.Dataset.Posts, perDay, len(ds.TopAccounts), len(ds.Imports))
	}
	for i := 1; i < len(ds.TopAccounts); i++ {
		if ds.TopAccounts[i].Posts > ds.TopAccounts[i-1].Posts {
			t.Fatal("top accounts not in descending order")
		}
	}

	// CooRTweet's reference on this sample: 3,721 edges between 2,110 accounts.
	j = c.job(c.call("POST", "/api/v1/coord/runs", map[string]any{"dataset": "ru", "by": []string{"retweet"}, "window": "60s"}))
	var run struct {
		Run    string
		Counts map[string]int64
	}
	json.Unmarshal(j.Result, &run)
	if j.State != jobs.Done || run.Counts["edges"] != 3721 || run.Counts["edge_accounts"] != 2110 {
		t.Fatalf("coord job %s: %s", j.State, j.Result)
	}
	var g runs.Graph
	c.want(200, "GET", "/api/v1/coord/runs/"+run.Run+"/graph", nil, &g)
	if len(g.Edges) != 3721 || len(g.Nodes) != 2110 || g.Truncated {
		t.Fatalf("graph: %d edges %d nodes", len(g.Edges), len(g.Nodes))
	}
	c.want(200, "GET", "/api/v1/coord/runs/"+run.Run+"/graph?limit=10&min_weight=2", nil, &g)
	if len(g.Edges) != 10 || !g.Truncated || g.Edges[9].Weight < 2 {
		t.Fatalf("filtered graph: %d edges, truncated %v", len(g.Edges), g.Truncated)
	}
	networkViews(t, c, run.Run)
	top := g.Edges[0]
	var ev struct {
		Total int
		Pairs []struct {
			Type, Object string
			TimeA        time.Time `json:"time_a"`
			TimeB        time.Time `json:"time_b"`
			Dt           int64     `json:"dt_s"`
			PostAID      string    `json:"post_a"`
		}
		Posts map[string]tahqiq.Post
	}
	c.want(200, "GET", "/api/v1/coord/runs/"+run.Run+"/evidence?limit=1000&a="+top.Target+"&b="+top.Source, nil, &ev)
	if int64(len(ev.Pairs)) != top.Pairs || int64(ev.Total) != top.Pairs {
		t.Fatalf("evidence of %s: %d pairs (total %d), edge says %d", top.ID, len(ev.Pairs), ev.Total, top.Pairs)
	}
	for _, x := range ev.Pairs {
		if x.Type != "retweet" || x.Dt > 60 || x.Dt != absDiff(x.TimeA, x.TimeB) || ev.Posts[x.PostAID].UID != x.PostAID {
			t.Fatalf("evidence row %+v outside the 60 s window, inconsistent or without its post", x)
		}
	}
	var post struct {
		Post    tahqiq.Post
		Records []struct{ SHA256, Raw string }
	}
	c.want(200, "GET", "/api/v1/datasets/ru/posts/"+ev.Pairs[0].PostAID, nil, &post)
	if post.Post.UID != ev.Pairs[0].PostAID || len(post.Records) == 0 || post.Records[0].Raw == "" {
		t.Fatalf("post: %+v", post)
	}
	// An output file of the run.
	if r := c.do("GET", "/api/v1/coord/runs/"+run.Run+"/files/edges.csv", nil, nil); r.status != 200 || bytes.Count(r.body, []byte("\n")) != 3722 {
		t.Fatalf("edges.csv: %d, %d lines", r.status, bytes.Count(r.body, []byte("\n")))
	}
	if r := c.do("GET", "/api/v1/coord/runs/"+run.Run+"/files/..%2Fjobs", nil, nil); r.status != 404 {
		t.Fatalf("path escape: %d", r.status)
	}

	var cs tahqiq.Case
	c.want(201, "POST", "/api/v1/cases", map[string]string{"title": "جعلی بیلٹ پیپر", "tlp": "amber"}, &cs)
	var it tahqiq.Item
	c.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/run", map[string]string{"kind": "coord", "run": run.Run}, &it)
	c.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/post", map[string]string{"dataset": "ru", "uid": ev.Pairs[0].PostAID}, nil)
	var mb bytes.Buffer
	mw := multipart.NewWriter(&mb)
	fw, _ := mw.CreateFormFile("file", "ballot.txt")
	fw.Write([]byte("a photographed ballot paper"))
	mw.Close()
	r := c.do("POST", "/api/v1/cases/"+cs.ID+"/items", &mb, map[string]string{"Content-Type": mw.FormDataContentType()})
	var files []tahqiq.Item
	r.json(t, &files)
	if r.status != 201 || len(files) != 1 || files[0].Blobs[0].Name != "ballot.txt" || files[0].Blobs[0].Size != 27 {
		t.Fatalf("attach file: %d %s", r.status, r.body)
	}
	r = c.do("GET", "/api/v1/items/"+files[0].ID+"/content", nil, nil)
	if r.status != 200 || string(r.body) != "a photographed ballot paper" {
		t.Fatalf("content: %d %q", r.status, r.body)
	}
	var cu casework.Custody
	c.want(200, "GET", "/api/v1/items/"+it.ID, nil, &cu)
	if cu.Entry < 0 || cu.Proof.Size == 0 || len(cu.History) < 2 || !strings.Contains(cu.Checkpoint, "tahqiq/test") {
		t.Fatalf("custody: entry %d proof %+v history %d", cu.Entry, cu.Proof, len(cu.History))
	}
	var f tahqiq.Finding
	c.want(201, "POST", "/api/v1/cases/"+cs.ID+"/findings", map[string]any{"title": "co-retweet group", "item_ids": []string{it.ID}}, &f)
	var task tahqiq.Task
	c.want(201, "POST", "/api/v1/cases/"+cs.ID+"/tasks", map[string]any{"title": "ask the platform for the accounts' creation dates"}, &task)
	c.want(200, "PATCH", "/api/v1/tasks/"+task.ID, map[string]any{"status": "in_progress", "assignee": "admin"}, &task)
	if task.State() != tahqiq.TaskInProgress || task.Assignee == "" {
		t.Fatalf("task after PATCH: %+v, want in_progress and assigned", task)
	}
	c.want(400, "PATCH", "/api/v1/tasks/"+task.ID, map[string]any{"status": "finished"}, nil)
	var view casework.View
	c.want(200, "GET", "/api/v1/cases/"+cs.ID, nil, &view) // a logged read
	if len(view.Findings) != 1 {
		t.Fatalf("case view: %d findings, want 1", len(view.Findings))
	}
	if r := c.do("GET", "/api/v1/cases/"+cs.ID+"/report", nil, nil); r.status != 200 || !bytes.Contains(r.body, []byte(it.ID)) {
		t.Fatalf("report: %d", r.status)
	}
	r = c.do("GET", "/api/v1/cases/"+cs.ID+"/export", nil, nil)
	if r.status != 200 || !bytes.HasPrefix(r.body, []byte("PK")) {
		t.Fatalf("export: %d", r.status)
	}
	// The download is the zip bundle of casework.ExportZip: it verifies
	// offline as it is.
	if vr := bundle.VerifyZip(bytes.NewReader(r.body), int64(len(r.body)), "download.zip", casework.VerifyOptions{}); !vr.OK() || vr.Items == 0 || vr.Kind != "zip bundle" {
		t.Fatalf("downloaded zip: %d items, problems %v", vr.Items, vr.Problems)
	}
	if r := c.do("GET", "/api/v1/cases/nosuchcase/export", nil, nil); r.status != 404 {
		t.Fatalf("export of a missing case: %d, want 404", r.status)
	}

	j = c.job(c.call("POST", "/api/v1/verify", nil))
	var vr struct{ OK bool }
	json.Unmarshal(j.Result, &vr)
	if !vr.OK {
		t.Fatalf("verify: %s", j.Result)
	}
	var lg struct {
		Size    int64
		Entries []tahqiq.LogEntry
	}
	c.want(200, "GET", "/api/v1/log?limit=1000", nil, &lg)
	var actions []string
	for _, e := range lg.Entries {
		actions = append(actions, e.Action)
	}
	for _, e := range lg.Entries { // the import made the dataset the organisation's, in its own entry
		if e.Action == "dataset.import" && (len(e.Records) != 1 || e.Records[0].Kind != tahqiq.RecDatasetOwner) {
			t.Errorf("dataset.import entry names records %+v, want the dataset's owner", e.Records)
		}
	}
	for _, a := range []string{"org.init", "dataset.import", "coord.run", "coord.evidence.read", "dataset.post.read", "case.create", "case.read", "case.report", "case.export", "task.update", "item.attach", "item.read"} {
		if !slices.Contains(actions, a) {
			t.Errorf("custody log lacks %s: %v", a, actions)
		}
	}
}

func absDiff(a, b time.Time) int64 {
	d := a.Sub(b)
	if d < 0 {
		d = -d
	}
	return int64(d / time.Second)
}

// TestOpenAPIMatchesRoutes checks both ways: every operation of
// openapi.json is served (no 404 "no API route", no 405), and docs/api.md
// names every operation.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	adm := e.setup()
	var doc struct {
		OpenAPI string
		Paths   map[string]map[string]json.RawMessage
	}
	adm.want(200, "GET", "/api/v1/openapi.json", nil, &doc)
	if doc.OpenAPI != "3.1.0" || len(doc.Paths) < 40 {
		t.Fatalf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	md, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| ([A-Z/]+) \| (/api/v1/[^ ]*) \|`)
	documented := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(md), -1) {
		for _, meth := range strings.Split(m[1], "/") {
			documented[strings.ToLower(meth)+" "+m[2]] = true
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !documented[method+" "+path] {
				t.Errorf("docs/api.md does not list %s %s", strings.ToUpper(method), path)
			}
			if method == "post" && (path == "/api/v1/logout" || path == "/api/v1/setup") {
				continue
			}
			url := strings.NewReplacer("{name}", "nosuch", "{uid}", "x", "{id}", "nosuch", "{contest}", "NA-1").Replace(path)
			r := adm.call(strings.ToUpper(method), url, map[string]string{})
			if r.status == 405 || bytes.Contains(r.body, []byte("no API route")) {
				t.Errorf("%s %s: not served (%d %s)", method, path, r.status, r.body)
			}
		}
	}
	for k := range documented {
		m, p, _ := strings.Cut(k, " ")
		if _, ok := doc.Paths[p][m]; !ok && m != "head" {
			t.Errorf("docs/api.md lists %s, which is not a route", k)
		}
	}
	if r := adm.call("GET", "/api/v1/nosuch", nil); r.status != 404 {
		t.Errorf("unknown route: %d", r.status)
	}
}

func TestCSRFAndTokens(t *testing.T) {
	e := newEnv(t)
	c := e.setup()
	body := map[string]string{"title": "t"}
	tok := c.csrf
	c.csrf = ""
	if r := c.call("POST", "/api/v1/cases", body); r.status != 403 || !bytes.Contains(r.body, []byte("X-CSRF-Token")) {
		t.Fatalf("POST without CSRF token: %d %s", r.status, r.body)
	}
	c.csrf = "wrong"
	if r := c.call("POST", "/api/v1/cases", body); r.status != 403 {
		t.Fatalf("POST with a wrong CSRF token: %d", r.status)
	}
	c.csrf = tok
	if r := c.do("POST", "/api/v1/cases", strings.NewReader(`{"title":"t"}`), map[string]string{"Origin": "https://evil.example"}); r.status != 403 {
		t.Fatalf("cross-origin POST: %d", r.status)
	}
	c.want(201, "POST", "/api/v1/cases", body, nil)
	// GET needs no token.
	c.csrf = ""
	c.want(200, "GET", "/api/v1/cases", nil, nil)
	c.csrf = tok
	var tk struct{ Token string }
	c.want(201, "POST", "/api/v1/tokens", map[string]string{"name": "script"}, &tk)
	script := e.client()
	script.token = tk.Token
	script.want(201, "POST", "/api/v1/cases", body, nil) // no cookie, no CSRF
	script.token = tk.Token + "x"
	script.want(401, "GET", "/api/v1/cases", nil, nil)
	// Unknown fields are errors, not silently ignored.
	c.want(400, "POST", "/api/v1/cases", map[string]string{"titel": "t"}, nil)
	// Logout ends the session.
	c.want(204, "POST", "/api/v1/logout", nil, nil)
	c.want(401, "GET", "/api/v1/me", nil, nil)
}

func TestLoginLimit(t *testing.T) {
	e := newEnv(t)
	e.setup()
	c := e.client()
	for i := 0; i < 5; i++ {
		c.want(401, "POST", "/api/v1/login", map[string]string{"name": "admin", "password": "wrong password"}, nil)
	}
	r := c.call("POST", "/api/v1/login", map[string]string{"name": "admin", "password": "correct horse battery"})
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("6th login after 5 failures: %d (Retry-After %q); want 429", r.status, r.header.Get("Retry-After"))
	}
	// An unknown name fails like a wrong password.
	e2 := newEnv(t)
	e2.setup()
	c2 := e2.client()
	r1 := c2.call("POST", "/api/v1/login", map[string]string{"name": "nobody", "password": "x"})
	r2 := c2.call("POST", "/api/v1/login", map[string]string{"name": "admin", "password": "x"})
	if r1.status != 401 || string(r1.body) != string(r2.body) {
		t.Fatalf("unknown name %d %s vs wrong password %d %s", r1.status, r1.body, r2.status, r2.body)
	}
	c2.want(200, "POST", "/api/v1/login", map[string]string{"name": "admin", "password": "correct horse battery"}, nil)
}

// TestUploadResume sends a file in parts, with a wrong offset, and with
// bytes left past the stored offset by a crash; the import sees exactly
// the file.
func TestUploadResume(t *testing.T) {
	e := newEnv(t)
	c := e.setup()
	data := demoEvents(t)
	r := c.do("POST", "/api/v1/uploads?name=part.csv.gz", bytes.NewReader(data[:1000]), map[string]string{"Upload-Length": fmt.Sprint(len(data))})
	var up httpapi.Upload
	r.json(t, &up)
	if r.status != 201 || up.Offset != 1000 || up.SHA256 != "" {
		t.Fatalf("first part: %d %s", r.status, r.body)
	}
	patch := func(off int, b []byte) resp {
		return c.do("PATCH", "/api/v1/uploads/"+up.ID, bytes.NewReader(b), map[string]string{"Upload-Offset": fmt.Sprint(off)})
	}
	if r := patch(5, data[5:2000]); r.status != 409 {
		t.Fatalf("wrong offset: %d", r.status)
	}
	// A crash after writing bytes but before saving the offset.
	f, _ := os.OpenFile(filepath.Join(e.dir, "uploads", up.ID+".part"), os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte("garbage from a crash"))
	f.Close()
	r = c.do("HEAD", "/api/v1/uploads/"+up.ID, nil, nil)
	if r.header.Get("Upload-Offset") != "1000" {
		t.Fatalf("HEAD offset %q", r.header.Get("Upload-Offset"))
	}
	if r := patch(1000, data[1000:]); r.status != 200 {
		t.Fatalf("second part: %d %s", r.status, r.body)
	}
	if r := patch(len(data), []byte("x")); r.status != 409 {
		t.Fatalf("append to a complete upload: %d", r.status)
	}
	got, _ := os.ReadFile(filepath.Join(e.dir, "uploads", up.ID+".part"))
	if !bytes.Equal(got, data) {
		t.Fatalf("stored upload differs from the file (%d vs %d bytes)", len(got), len(data))
	}
	// Another user cannot see or use it.
	other := e.user(c, "iqbal", tahqiq.RoleInvestigator)
	other.want(404, "GET", "/api/v1/uploads/"+up.ID, nil, nil)
	other.want(404, "POST", "/api/v1/imports", map[string]any{"dataset": "x", "uploads": []string{up.ID}}, nil)
	// Too long a body is refused.
	r = c.do("POST", "/api/v1/uploads?name=x", strings.NewReader("0123456789"), map[string]string{"Upload-Length": "4"})
	if r.status != 400 {
		t.Fatalf("over-long body: %d %s", r.status, r.body)
	}
}

// TestImportAllOrNothing: a file that is not an export fails the job with
// a message naming it, and the store is unchanged.
func TestImportAllOrNothing(t *testing.T) {
	e := newEnv(t)
	c := e.setup()
	good := c.upload("ok.csv.gz", demoEvents(t))
	bad := c.upload("notes.txt", []byte("this is not a social-media export\n"))
	j := c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "mixed", "uploads": []string{bad}}))
	if j.State != jobs.Failed || j.Error == nil || !strings.Contains(j.Error.Message, "notes.txt") {
		t.Fatalf("import of a non-export: %+v", j)
	}
	var ds []map[string]any
	c.want(200, "GET", "/api/v1/datasets", nil, &ds)
	if len(ds) != 0 {
		t.Fatalf("datasets after a failed import: %v", ds)
	}
	j = c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "ok", "uploads": []string{good}}))
	if j.State != jobs.Done {
		t.Fatalf("good import: %+v", j)
	}
}

// TestImportGzipBombUpload: an uploaded .gz that expands past the ratio
// fails the import job with a message naming the upload as the user named
// it and the server option that raises the limit; the good upload imported
// with it is rolled back, and no dataset is left.
func TestImportGzipBombUpload(t *testing.T) {
	e := newEnv(t)
	e.api.Importer.Limits = decompress.Limits{RatioFlag: "tahqiq serve --max-ratio"}
	c := e.setup()
	var plain bytes.Buffer
	plain.WriteString("account_id,post_id,timestamp,time_utc,object_type,object_value\n")
	long := strings.Repeat("a", 100<<10)
	for i := range 300 {
		fmt.Fprintf(&plain, "%d,%d,1700000000,2023-11-14 22:13:20,url,https://example.org/%s\n", i, i, long)
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(plain.Bytes())
	zw.Close()
	good := c.upload("ok.csv.gz", demoEvents(t))
	bomb := c.upload("events.csv.gz", z.Bytes())
	j := c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "mixed", "uploads": []string{good, bomb}}))
	if j.State != jobs.Failed || j.Error == nil {
		t.Fatalf("import of a gzip bomb: %+v", j)
	}
	for _, s := range []string{"events.csv.gz: expands beyond 8 MiB, more than 100 times its compressed size", "raise tahqiq serve --max-ratio", "nothing was imported"} {
		if !strings.Contains(j.Error.Message, s) {
			t.Errorf("job error %q lacks %q", j.Error.Message, s)
		}
	}
	var ds []map[string]any
	c.want(200, "GET", "/api/v1/datasets", nil, &ds)
	if len(ds) != 0 {
		t.Fatalf("datasets after the refused import: %v", ds)
	}
}

// testWriter sends the server's log to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// TestSummaryStaleWhileRevalidate: a stale summary is served at once, and a
// change made behind the server's back (as by the CLI) shows after the
// background refresh.
func TestSummaryStaleWhileRevalidate(t *testing.T) {
	e := newEnv(t)
	e.api.SummaryFresh = time.Millisecond
	c := e.setup()
	up := c.upload("russian.events.csv.gz", demoEvents(t))
	c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{up}}))
	var ds struct{ Dataset struct{ Files, Posts int64 } }
	c.want(200, "GET", "/api/v1/datasets/ru", nil, &ds)
	if ds.Dataset.Files != 1 || ds.Dataset.Posts != 35085 {
		t.Fatalf("first summary: %+v", ds.Dataset)
	}
	// another process imports a second file into the same store
	extra := filepath.Join(t.TempDir(), "more.events.csv")
	os.WriteFile(extra, []byte("account_id,post_id,timestamp,time_utc,object_type,object_value\nacc1,p-extra-1,1700000000,2023-11-14T22:13:20Z,url,https://example.org/x\n"), 0o644)
	if _, err := e.api.Importer.Import(context.Background(), e.api.Store, []string{extra}, ingest.Options{Dataset: "ru"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	c.want(200, "GET", "/api/v1/datasets/ru", nil, &ds)
	if ds.Dataset.Files != 1 {
		t.Fatalf("the stale summary should be served while it is refreshed, got %+v", ds.Dataset)
	}
	deadline := time.Now().Add(30 * time.Second)
	for ds.Dataset.Files != 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		c.want(200, "GET", "/api/v1/datasets/ru", nil, &ds)
	}
	if ds.Dataset.Files != 2 || ds.Dataset.Posts != 35086 {
		t.Fatalf("after the refresh: %+v, want 2 files and 35,086 posts", ds.Dataset)
	}
}

// TestOrgIsolation: datasets and runs imported or made through the server
// belong to the importer's organisation; another organisation neither
// lists nor reads them, cannot import into them, and gets its own.
func TestOrgIsolation(t *testing.T) {
	if testing.Short() {
		t.Skip("two organisations through every route (about 11 s): not in -short (go test ./..., as CI runs it, does)")
	}
	orgIsolation(t, newEnv(t))
}

// TestOrgIsolationPostgres: the same, with row-level security as well.
func TestOrgIsolationPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL: not in -short mode")
	}
	orgIsolation(t, newEnvPostgres(t))
}

func orgIsolation(t *testing.T, e *env) {
	a := e.setup()
	up := a.upload("russian.events.csv.gz", demoEvents(t))
	a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{up}}))
	j := a.job(a.call("POST", "/api/v1/coord/runs", map[string]any{"dataset": "ru", "by": []string{"retweet"}, "window": "60s"}))
	var run struct{ Run string }
	json.Unmarshal(j.Result, &run)
	var g runs.Graph
	a.want(200, "GET", "/api/v1/coord/runs/"+run.Run+"/graph?limit=1", nil, &g)
	edge := g.Edges[0]
	var post struct{ Posts []tahqiq.Post }
	a.want(200, "GET", "/api/v1/datasets/ru/accounts/"+url.PathEscape(edge.Source), nil, &post)

	// a partner organisation with an investigator
	_, padmin := e.partner("Partner", "padmin")
	b := e.user(padmin, "pat", tahqiq.RoleInvestigator)

	var list []struct{ Name string }
	b.want(200, "GET", "/api/v1/datasets", nil, &list)
	if len(list) != 0 {
		t.Fatalf("the partner lists %v", list)
	}
	var rl []runs.Info
	b.want(200, "GET", "/api/v1/coord/runs", nil, &rl)
	if len(rl) != 0 {
		t.Fatalf("the partner lists runs %v", rl)
	}
	ev := "/api/v1/coord/runs/" + run.Run + "/evidence?a=" + url.QueryEscape(edge.Source) + "&b=" + url.QueryEscape(edge.Target)
	for _, p := range []string{
		"/api/v1/datasets/ru", "/api/v1/datasets/ru/rejects", "/api/v1/datasets/ru/posts/" + url.PathEscape(post.Posts[0].UID),
		"/api/v1/datasets/ru/accounts/" + url.PathEscape(edge.Source),
		"/api/v1/coord/runs/" + run.Run, "/api/v1/coord/runs/" + run.Run + "/graph", ev,
		"/api/v1/coord/runs/" + run.Run + "/accounts/" + url.PathEscape(edge.Source), "/api/v1/coord/runs/" + run.Run + "/files/edges.csv",
	} {
		b.want(404, "GET", p, nil, nil)
	}
	b.want(404, "POST", "/api/v1/coord/runs", map[string]any{"dataset": "ru"}, nil)
	bup := b.upload("more.events.csv.gz", demoEvents(t))
	b.want(409, "POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{bup}}, nil)
	var bc tahqiq.Case
	b.want(201, "POST", "/api/v1/cases", map[string]string{"title": "partner case", "tlp": "amber"}, &bc)
	b.want(404, "POST", "/api/v1/cases/"+bc.ID+"/items/run", map[string]string{"kind": "coord", "run": run.Run}, nil)
	b.want(404, "POST", "/api/v1/cases/"+bc.ID+"/items/post", map[string]string{"dataset": "ru", "uid": post.Posts[0].UID}, nil)

	// the partner's own dataset is its own: the first organisation's admin does not read it
	b.job(b.call("POST", "/api/v1/imports", map[string]any{"dataset": "partner", "uploads": []string{bup}}))
	b.want(200, "GET", "/api/v1/datasets", nil, &list)
	if len(list) != 1 || list[0].Name != "partner" {
		t.Fatalf("the partner lists %v, want its own dataset", list)
	}
	a.want(404, "GET", "/api/v1/datasets/partner", nil, nil)
	a.want(200, "GET", "/api/v1/datasets", nil, &list)
	if len(list) != 1 || list[0].Name != "ru" {
		t.Fatalf("the first organisation lists %v", list)
	}
	// and the owner still reads its own
	a.want(200, "GET", ev, nil, nil)
}

// TestCoordThroughStream: with the runs' pairs computed by workers over
// NATS JetStream (tahqiq serve --nats), a run through the API gives
// CooRTweet's 3,721 edges as the direct path does.
func TestCoordThroughStream(t *testing.T) {
	srv, err := natsbus.Embedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	conn, err := natsbus.Dial(srv.ClientURL(), srv.Creds)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	js := conn.JS
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bus := &natsbus.Bus{JS: js, Partitions: 4}
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	var batches atomic.Int64
	go (&natsbus.Worker{Bus: bus, Name: "w", OnTask: func(int) { batches.Add(1) }}).Run(ctx)
	e := newEnv(t)
	e.api.Runs.Engine = coord.Partitioned(&natsbus.Partitioner{Bus: bus})
	c := e.setup()
	up := c.upload("russian.events.csv.gz", demoEvents(t))
	c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{up}}))
	j := c.job(c.call("POST", "/api/v1/coord/runs", map[string]any{"dataset": "ru", "by": []string{"retweet"}, "window": "60s"}))
	var run struct {
		Counts map[string]int64
	}
	json.Unmarshal(j.Result, &run)
	if run.Counts["edges"] != 3721 || run.Counts["edge_accounts"] != 2110 || batches.Load() == 0 {
		t.Fatalf("through the stream: %v after %d batches; want 3,721 edges between 2,110 accounts", run.Counts, batches.Load())
	}
}
