package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/capture"
	"github.com/tahqiq/tahqiq/internal/chromium"
	"github.com/tahqiq/tahqiq/internal/jobs"
)

// The routes the web UI needs beyond the first API (issue 16).

// TestPreferences: the caller's UI language and time zone, stored on the
// server, given with login and GET /me, refused when malformed, and
// never written to the custody log.
func TestPreferences(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	var p tahqiq.Preferences
	a.want(200, "GET", "/api/v1/me/preferences", nil, &p)
	if p != (tahqiq.Preferences{}) {
		t.Fatalf("preferences of a new user: %+v, want none (the browser's)", p)
	}
	n0, _ := e.api.Cases.Store.LogSize(t.Context())
	want := tahqiq.Preferences{Lang: "ur", TimeZone: "Asia/Karachi"}
	a.want(200, "PUT", "/api/v1/me/preferences", want, &p)
	if p != want {
		t.Fatalf("PUT answered %+v", p)
	}
	var m struct{ Preferences tahqiq.Preferences }
	a.want(200, "GET", "/api/v1/me", nil, &m)
	if m.Preferences != want {
		t.Errorf("GET /me preferences %+v, want %+v", m.Preferences, want)
	}
	// a new login gets them too
	c := e.client()
	c.want(200, "POST", "/api/v1/login", map[string]string{"name": "admin", "password": "correct horse battery"}, &m)
	if m.Preferences != want {
		t.Errorf("login preferences %+v, want %+v", m.Preferences, want)
	}
	for _, bad := range []tahqiq.Preferences{{Lang: "Urdu!"}, {TimeZone: "../etc/passwd"}, {TimeZone: strings.Repeat("A", 100)}} {
		if r := a.call("PUT", "/api/v1/me/preferences", bad); r.status != 400 {
			t.Errorf("PUT %+v: %d %s, want 400", bad, r.status, r.body)
		}
	}
	if r := a.call("PUT", "/api/v1/me/preferences", map[string]string{"theme": "dark"}); r.status != 400 {
		t.Errorf("an unknown preference: %d, want 400", r.status)
	}
	a.want(200, "GET", "/api/v1/me/preferences", nil, &p)
	if p != want {
		t.Errorf("after refused changes: %+v, want %+v", p, want)
	}
	// another user's are its own
	v := e.user(a, "viewer", tahqiq.RoleViewer)
	v.want(200, "GET", "/api/v1/me/preferences", nil, &p)
	if p != (tahqiq.Preferences{}) {
		t.Errorf("another user's preferences: %+v", p)
	}
	v.want(200, "PUT", "/api/v1/me/preferences", tahqiq.Preferences{Lang: "en"}, nil)
	a.want(200, "GET", "/api/v1/me/preferences", nil, &p)
	if p != want {
		t.Errorf("a viewer's change reached the admin's preferences: %+v", p)
	}
	var log struct{ Entries []tahqiq.LogEntry }
	a.want(200, "GET", "/api/v1/log?from=0&limit=1000", nil, &log)
	for _, en := range log.Entries[n0:] {
		if strings.Contains(en.Action, "pref") {
			t.Errorf("preferences logged: %+v", en)
		}
	}
}

// TestCloseCaseAPI: closing refuses changes (409) until reopened; only
// an admin or the creator closes.
func TestCloseCaseAPI(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	inv := e.user(a, "inv", tahqiq.RoleInvestigator)
	var cs tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "t", "tlp": "amber"}, &cs)
	inv.want(403, "POST", "/api/v1/cases/"+cs.ID+"/close", nil, nil)
	a.want(200, "POST", "/api/v1/cases/"+cs.ID+"/close", nil, &cs)
	if !cs.Closed() {
		t.Fatalf("closed case %+v", cs)
	}
	a.want(409, "POST", "/api/v1/cases/"+cs.ID+"/notes", map[string]string{"text": "late"}, nil)
	a.want(409, "POST", "/api/v1/cases/"+cs.ID+"/close", nil, nil)
	var v struct{ Case tahqiq.Case }
	a.want(200, "GET", "/api/v1/cases/"+cs.ID, nil, &v)
	if !v.Case.Closed() || v.Case.ClosedBy == "" {
		t.Errorf("GET case: %+v", v.Case)
	}
	a.want(200, "POST", "/api/v1/cases/"+cs.ID+"/reopen", nil, &cs)
	a.want(201, "POST", "/api/v1/cases/"+cs.ID+"/notes", map[string]string{"text": "reopened"}, nil)
	a.want(409, "POST", "/api/v1/cases/"+cs.ID+"/reopen", nil, nil)
}

func formBody(t *testing.T, fields map[string]string, file string, data []byte) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	w, err := mw.CreateFormFile("file", file)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	mw.Close()
	return &b, mw.FormDataContentType()
}

// TestVerifyBundleAPI: a bundle exported by this server verifies with its
// own key pinned; with the key pasted it is given; with another key
// pasted it fails; a damaged zip names its problem; no server path shows.
func TestVerifyBundleAPI(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	var cs tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "حلقہ NA-56", "tlp": "amber"}, &cs)
	body, ct := multipartFile()
	a.do("POST", "/api/v1/cases/"+cs.ID+"/items", body, map[string]string{"Content-Type": ct})
	zip := a.call("GET", "/api/v1/cases/"+cs.ID+"/export", nil)
	if zip.status != 200 {
		t.Fatalf("export: %d %s", zip.status, zip.body)
	}
	own := e.api.Cases.LogKey.(interface{ String() string }).String()
	type result struct {
		OK          bool
		Established bool
		Report      struct {
			Path, Key, Trust string
			TrustNote        string `json:"trust_note"`
			Problems         []struct{ What, Msg string }
		}
	}
	verify := func(fields map[string]string, data []byte) result {
		t.Helper()
		b, ct := formBody(t, fields, "received.zip", data)
		j := a.job(a.do("POST", "/api/v1/verify/bundle", b, map[string]string{"Content-Type": ct}))
		if j.State != jobs.Done {
			t.Fatalf("verify job %s: %+v", j.State, j.Error)
		}
		var r result
		if err := json.Unmarshal(j.Result, &r); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(j.Result, []byte(e.dir)) {
			t.Errorf("the report shows a server path: %s", j.Result)
		}
		return r
	}
	r := verify(nil, zip.body)
	if !r.OK || !r.Established || r.Report.Trust != "pinned" || r.Report.Key != own || r.Report.Path != "received.zip" {
		t.Errorf("own bundle, no key: %+v", r)
	}
	r = verify(map[string]string{"key": own}, zip.body)
	if !r.OK || r.Report.Trust != "given" {
		t.Errorf("own bundle, key pasted: %+v", r)
	}
	if b, ct := formBody(t, map[string]string{"key": "not a key"}, "x.zip", zip.body); true {
		if r := a.do("POST", "/api/v1/verify/bundle", b, map[string]string{"Content-Type": ct}); r.status != 400 {
			t.Errorf("a malformed key: %d %s", r.status, r.body)
		}
	}
	damaged := bytes.Clone(zip.body)
	damaged = damaged[:len(damaged)/2]
	r = verify(nil, damaged)
	if r.OK || len(r.Report.Problems) == 0 {
		t.Errorf("half a zip: %+v", r)
	}
	if left, _ := os.ReadDir(e.api.Uploads.Dir); len(left) != 0 {
		for _, f := range left {
			if strings.HasPrefix(f.Name(), ".bundle-") {
				t.Errorf("a verified bundle was left behind: %s", f.Name())
			}
		}
	}
}

// TestAttachAccountAndRunName: an account with its posts and their raw
// records as one item; a run's name is kept and listed.
func TestAttachAccountAndRunName(t *testing.T) {
	if testing.Short() {
		t.Skip("an account and a named run attached through the API (about 7 s): not in -short (go test ./..., as CI runs it, does)")
	}
	e := newEnv(t)
	a := e.setup()
	a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{a.upload("ru.events.csv.gz", demoEvents(t))}}))
	j := a.job(a.call("POST", "/api/v1/coord/runs", map[string]any{"name": "  retweets within a minute\n", "dataset": "ru", "by": []string{"retweet"}, "window": "60s"}))
	var res struct{ Run string }
	json.Unmarshal(j.Result, &res)
	var list []struct{ ID, Name string }
	a.want(200, "GET", "/api/v1/coord/runs", nil, &list)
	if len(list) != 1 || list[0].Name != "retweets within a minute" {
		t.Errorf("runs %+v, want the name trimmed", list)
	}
	var run struct{ Name string }
	a.want(200, "GET", "/api/v1/coord/runs/"+res.Run, nil, &run)
	if run.Name != "retweets within a minute" {
		t.Errorf("run name %q", run.Name)
	}
	var g struct{ Edges []struct{ Source string } }
	a.want(200, "GET", "/api/v1/coord/runs/"+res.Run+"/graph?limit=1", nil, &g)
	var cs tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "t", "tlp": "amber"}, &cs)
	var it tahqiq.Item
	a.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/account", map[string]string{"dataset": "ru", "uid": g.Edges[0].Source}, &it)
	if it.Kind != tahqiq.ItemAccount || len(it.Blobs) != 1 || it.Blobs[0].Name != "account.json" {
		t.Fatalf("account item %+v", it)
	}
	r := a.call("GET", "/api/v1/items/"+it.ID+"/content", nil)
	var doc struct {
		Account tahqiq.Account
		Posts   []struct {
			Post    tahqiq.Post
			Records []struct{ Raw, SHA256 string }
		}
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.Account.UID != g.Edges[0].Source || len(doc.Posts) == 0 || len(doc.Posts[0].Records) == 0 || doc.Posts[0].Records[0].Raw == "" {
		t.Errorf("account.json: %v %.300s", err, r.body)
	}
	a.want(404, "POST", "/api/v1/cases/"+cs.ID+"/items/account", map[string]string{"dataset": "ru", "uid": "nobody"}, nil)
	a.want(404, "POST", "/api/v1/cases/"+cs.ID+"/items/alert", map[string]int{"alert": 1}, nil)
}

// TestCaptureAPI: the server refuses to capture its own network; with
// loopback allowed (as a test needs) a page is archived into the case.
func TestCaptureAPI(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	// an address the page points the browser at, which the guard refuses
	var hidden atomic.Int64
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hidden.Add(1) }))
	defer internal.Close()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>بیان</title><h1 dir="rtl">ریٹرننگ افسر کا بیان</h1><img src="`+internal.URL+`/metadata">`)
	}))
	defer page.Close()
	var cs tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "t", "tlp": "amber"}, &cs)
	a.want(400, "POST", "/api/v1/cases/"+cs.ID+"/items/capture", map[string]string{"url": "file:///etc/passwd"}, nil)
	j := a.job(a.call("POST", "/api/v1/cases/"+cs.ID+"/items/capture", map[string]string{"url": page.URL}))
	if j.State != jobs.Failed || !strings.Contains(j.Error.Message, "not a public address") {
		t.Fatalf("capture of a loopback page: %s %+v, want refused", j.State, j.Error)
	}
	if _, err := net.Dial("tcp", page.Listener.Addr().String()); err != nil {
		t.Fatal(err)
	}
	allowed := page.Listener.Addr().String()
	e.api.CaptureGuard = func(network, address string, c syscall.RawConn) error {
		if address != allowed {
			return capture.PublicOnly(network, address, c)
		}
		return nil
	}
	defer func() { e.api.CaptureGuard = nil }()
	j = a.job(a.call("POST", "/api/v1/cases/"+cs.ID+"/items/capture", map[string]string{"url": page.URL}))
	if j.State != jobs.Done {
		t.Fatalf("capture: %s %+v", j.State, j.Error)
	}
	var v struct{ Items []tahqiq.Item }
	a.want(200, "GET", "/api/v1/cases/"+cs.ID, nil, &v)
	if len(v.Items) != 1 || v.Items[0].Kind != tahqiq.ItemCapture {
		t.Fatalf("items %+v", v.Items)
	}
	names := map[string]bool{}
	for _, b := range v.Items[0].Blobs {
		names[b.Name] = true
	}
	if !names["page.warc"] || !names["page.html"] || (chromium.Find() != "" && !names["screenshot.png"]) {
		t.Errorf("capture blobs %v", names)
	}
	if n := hidden.Load(); n != 0 {
		t.Errorf("the browser reached an address the guard refuses (%d requests)", n)
	}
}

// TestReportPDF: the case report printed to PDF by the server's Chromium.
func TestReportPDF(t *testing.T) {
	if chromium.Find() == "" {
		t.Skip("Chromium not installed")
	}
	if testing.Short() {
		t.Skip("Chromium: not in -short mode")
	}
	e := newEnv(t)
	a := e.setup()
	var cs tahqiq.Case
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "انتخابی عملے کے خلاف مہم", "tlp": "amber"}, &cs)
	r := a.call("GET", "/api/v1/cases/"+cs.ID+"/report?format=pdf", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF-")) {
		t.Fatalf("PDF report: %d %s %.40q", r.status, r.header.Get("Content-Type"), r.body)
	}
	a.want(400, "GET", "/api/v1/cases/"+cs.ID+"/report?format=doc", nil, nil)
}

// TestImportErrorsInFormTerms: a failed import names the file once, by
// the name it was sent under, and names the request's fields (format,
// map), not the command line's flags (TestImportErrorsAsFlags in cli says
// them the CLI's way).
func TestImportErrorsInFormTerms(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	csv := "user,created,body\nali,2024-02-08T10:00:00Z,hello\n"
	for _, c := range []struct{ name, data, format, mp, want string }{
		{"garbage.bin", "\x00\x01 not a known format", "", "", "nothing imported: garbage.bin: format not recognised"},
		{"posts.csv", csv, "", "", "; name it with format"},
		{"posts.csv", csv, "generic_csv", "", "needs a column map: map account=COL"},
	} {
		body := map[string]any{"dataset": "d", "uploads": []string{a.upload(c.name, []byte(c.data))}}
		if c.format != "" {
			body["format"] = c.format
		}
		j := a.job(a.call("POST", "/api/v1/imports", body))
		msg := ""
		if j.Error != nil {
			msg = j.Error.Message
		}
		if j.State != jobs.Failed || !strings.Contains(msg, c.want) || strings.Contains(msg, "--") || strings.Contains(msg, c.name+": "+c.name) ||
			strings.Contains(msg, e.dir) || strings.Contains(msg, ".part") {
			t.Errorf("%s (format %q): %s %q, want it to say %q in the form's terms, the file named once", c.name, c.format, j.State, msg, c.want)
		}
	}
}
