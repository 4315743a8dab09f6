package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/auth"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// The access matrix (issue 13): every route of routes.go, called by every
// role of the organisation that owns the objects it names ("own"), by
// every role of a partner organisation ("partner", admins included), by
// an anonymous caller, with a revoked token, an expired token and a token
// of a disabled user. The expected status of each cell is data below; a
// route without a row fails the test. The rule the data follows
// (docs/api.md): a route above the caller's role is 403 before anything is
// looked up; an object the caller may not see is 404, as one that does not
// exist; what it sees but may not do is 403; no valid credentials is 401.

// callers, in the order of the matrix's columns.
var callers = []string{
	"own admin", "own investigator", "own reviewer", "own viewer",
	"partner admin", "partner investigator", "partner reviewer", "partner viewer",
	"anonymous", "revoked token", "expired token", "disabled user",
}

// want is the expected status per caller.
type want map[string]int

// public: every caller, logged in or not, gets st.
func public(st int) want {
	w := want{}
	for _, c := range callers {
		w[c] = st
	}
	return w
}

// roles: own and partner list the statuses of admin, investigator,
// reviewer and viewer; the callers without valid credentials get 401.
func roles(own, partner [4]int) want {
	w := want{"anonymous": 401, "revoked token": 401, "expired token": 401, "disabled user": 401}
	for i, r := range []string{"admin", "investigator", "reviewer", "viewer"} {
		w["own "+r], w["partner "+r] = own[i], partner[i]
	}
	return w
}

func all4(st int) [4]int { return [4]int{st, st, st, st} }

// writers: admin and investigator get ok, reviewer and viewer 403 (the
// route's level).
func writers(ok int) [4]int { return [4]int{ok, ok, 403, 403} }

// admins: only the admin gets ok, the others 403 (the route's level).
func admins(ok int) [4]int { return [4]int{ok, 403, 403, 403} }

type matrix struct {
	e       *env
	t       *testing.T
	ctx     context.Context
	c       map[string]*client
	inv     tahqiq.User // the own investigator, who made the objects
	orgA    string
	orgB    string
	ds      string
	post    string
	account string
	run     string
	edgeA   string
	edgeB   string
	audit   string
	textDS  string // a dataset with texts (the demo's twarc2 sample)
	narr    string // a narratives run of textDS
	nid     string // a narrative of it
	claims  string // a claims run of textDS and the own claim set
	targets string // a targets run of textDS
	upload  string // a complete upload of the own investigator
	picDS   string // a dataset imported with a picture, kept
	picSHA  string // the SHA-256 of its picture
	job     string
	caseID  string
	item    string
	finding string
	task    string
	n       int
}

func (m *matrix) fresh(prefix string) string {
	m.n++
	return fmt.Sprintf("%s%d", prefix, m.n)
}

func (m *matrix) must(err error) {
	m.t.Helper()
	if err != nil {
		m.t.Fatal(err)
	}
}

// freshDataset imports a small dataset of the own organisation.
func (m *matrix) freshDataset() string {
	name := m.fresh("fresh-ds-")
	m.must(m.e.api.Cases.ClaimDataset(m.ctx, m.inv, name))
	f := filepath.Join(m.t.TempDir(), "small.events.csv")
	os.WriteFile(f, []byte("account_id,post_id,timestamp,time_utc,object_type,object_value\nacc1,p1,1700000000,2023-11-14T22:13:20Z,url,https://example.org/x\n"), 0o644)
	_, err := m.e.api.Importer.Import(m.ctx, m.e.api.Store, []string{f}, ingest.Options{Dataset: name})
	m.must(err)
	return name
}

func (m *matrix) freshUpload(complete bool) string {
	size := 3
	if !complete {
		size = 10
	}
	r := m.c["own investigator"].do("POST", "/api/v1/uploads?name=f.csv", strings.NewReader("abc"), map[string]string{"Upload-Length": fmt.Sprint(size)})
	var up struct{ ID string }
	r.json(m.t, &up)
	return up.ID
}

func (m *matrix) freshUser(disabled bool) string {
	u, err := m.e.api.Cases.AddUser(m.ctx, tahqiq.System, m.orgA, m.fresh("fresh-user-"), tahqiq.RoleViewer, "")
	m.must(err)
	if disabled {
		_, err = m.e.api.Cases.SetUserDisabled(m.ctx, tahqiq.System, u.ID, true)
		m.must(err)
	}
	return u.ID
}

func (m *matrix) freshToken() string {
	t, err := m.e.api.Cases.CreateToken(m.ctx, m.inv, m.fresh("fresh-token-"), auth.Digest(auth.NewSecret("tq_")), 0)
	m.must(err)
	return t.ID
}

func (m *matrix) freshCase() string {
	c, err := m.e.api.Cases.NewCase(m.ctx, m.inv, m.fresh("fresh case "), "", tahqiq.TLPAmber)
	m.must(err)
	return c.ID
}

func (m *matrix) freshClosedCase() string {
	id := m.freshCase()
	_, err := m.e.api.Cases.CloseCase(m.ctx, m.inv, id)
	m.must(err)
	return id
}

func (m *matrix) freshRecommendation() string {
	r, err := m.e.api.Cases.Recommend(m.ctx, m.inv, tahqiq.Recommendation{CaseID: m.caseID, Action: m.fresh("takedown "), Grounds: "g", FindingIDs: []string{m.finding}})
	m.must(err)
	return r.ID
}

// a request of one cell
type request struct {
	method, url string
	body        io.Reader
	hdr         map[string]string
}

func js(method, url string, v any) request {
	var body io.Reader
	if v != nil {
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	return request{method, url, body, map[string]string{"Content-Type": "application/json"}}
}

func multipartFile() (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	w, _ := mw.CreateFormFile("file", "ev.txt")
	w.Write([]byte("evidence"))
	mw.Close()
	return &b, mw.FormDataContentType()
}

type cellFn func(m *matrix, who string) request

// row is one route: the request a caller makes and the status it gets.
type row struct {
	route string // "METHOD /api/v1/…" as in routes.go
	req   cellFn
	want  want
}

func get(path func(m *matrix) string) cellFn {
	return func(m *matrix, _ string) request { return js("GET", path(m), nil) }
}

func static(method, url string, body any) cellFn {
	return func(m *matrix, _ string) request { return js(method, url, body) }
}

func matrixRows() []row {
	ownOnly := roles(all4(200), all4(404)) // a read of an own-organisation object
	return []row{
		{"GET /api/v1/openapi.json", static("GET", "/api/v1/openapi.json", nil), public(200)},
		{"GET /api/v1/setup", static("GET", "/api/v1/setup", nil), public(200)},
		{"POST /api/v1/setup", static("POST", "/api/v1/setup", map[string]string{"org": "Rogue", "name": "rogue", "password": "a long enough password"}), public(409)},
		// a name of its own each time: 5 failures of one name from one address are throttled
		{"POST /api/v1/login", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/login", map[string]string{"name": m.fresh("nobody-"), "password": "wrong password"})
		}, public(401)},
		{"POST /api/v1/logout", static("POST", "/api/v1/logout", nil), roles(all4(204), all4(204))},
		{"GET /api/v1/me", static("GET", "/api/v1/me", nil), roles(all4(200), all4(200))},
		// preferences are the caller's own: every member reads and sets them
		{"GET /api/v1/me/preferences", static("GET", "/api/v1/me/preferences", nil), roles(all4(200), all4(200))},
		{"PUT /api/v1/me/preferences", static("PUT", "/api/v1/me/preferences", map[string]string{"lang": "ur", "time_zone": "Asia/Karachi"}), roles(all4(200), all4(200))},
		{"POST /api/v1/me/password", static("POST", "/api/v1/me/password", map[string]string{"password": "not the password", "new_password": "a new long password"}), roles(all4(400), all4(400))},
		{"POST /api/v1/tokens", static("POST", "/api/v1/tokens", map[string]string{"name": "matrix"}), roles(all4(201), all4(201))},
		{"GET /api/v1/tokens", static("GET", "/api/v1/tokens", nil), roles(all4(200), all4(200))},
		{"DELETE /api/v1/tokens/{id}", func(m *matrix, _ string) request { return js("DELETE", "/api/v1/tokens/"+m.freshToken(), nil) },
			roles([4]int{204, 204, 404, 404}, all4(404))},
		{"GET /api/v1/users", static("GET", "/api/v1/users", nil), roles(admins(200), admins(200))},
		{"POST /api/v1/users", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/users", map[string]string{"name": m.fresh("new-user-"), "password": "a long enough password", "role": "viewer", "org": m.orgA})
		}, roles(admins(201), admins(403))},
		{"POST /api/v1/users/{id}/disable", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/users/"+m.freshUser(false)+"/disable", nil)
		}, roles(admins(200), admins(404))},
		{"POST /api/v1/users/{id}/enable", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/users/"+m.freshUser(true)+"/enable", nil)
		}, roles(admins(200), admins(404))},
		{"GET /api/v1/orgs", static("GET", "/api/v1/orgs", nil), roles(all4(200), all4(200))},

		{"GET /api/v1/datasets", static("GET", "/api/v1/datasets", nil), roles(all4(200), all4(200))},
		{"GET /api/v1/datasets/{name}", get(func(m *matrix) string { return "/api/v1/datasets/" + m.ds }), ownOnly},
		{"DELETE /api/v1/datasets/{name}", func(m *matrix, _ string) request {
			return js("DELETE", "/api/v1/datasets/"+m.freshDataset(), nil)
		}, roles(admins(204), admins(404))},
		{"GET /api/v1/datasets/{name}/rejects", get(func(m *matrix) string { return "/api/v1/datasets/" + m.ds + "/rejects" }), ownOnly},
		{"GET /api/v1/datasets/{name}/media", get(func(m *matrix) string { return "/api/v1/datasets/" + m.ds + "/media" }), ownOnly},
		{"GET /api/v1/datasets/{name}/pictures/{sha256}", get(func(m *matrix) string { return "/api/v1/datasets/" + m.picDS + "/pictures/" + m.picSHA }), ownOnly},
		{"GET /api/v1/images", get(func(m *matrix) string {
			return "/api/v1/images?dataset=" + url.QueryEscape(m.ds) + "&case=" + url.QueryEscape(m.caseID)
		}), ownOnly},
		{"GET /api/v1/datasets/{name}/posts/{uid}", get(func(m *matrix) string { return "/api/v1/datasets/" + m.ds + "/posts/" + url.PathEscape(m.post) }), ownOnly},
		{"GET /api/v1/datasets/{name}/accounts/{uid}", get(func(m *matrix) string {
			return "/api/v1/datasets/" + m.ds + "/accounts/" + url.PathEscape(m.account)
		}), ownOnly},
		{"GET /api/v1/formats", static("GET", "/api/v1/formats", nil), roles(all4(200), all4(200))},
		{"POST /api/v1/uploads", func(m *matrix, _ string) request {
			return request{"POST", "/api/v1/uploads?name=x.csv", strings.NewReader("abc"), map[string]string{"Upload-Length": "3"}}
		}, roles(writers(201), writers(201))},
		{"GET /api/v1/uploads/{id}", get(func(m *matrix) string { return "/api/v1/uploads/" + m.upload }),
			roles([4]int{404, 200, 403, 403}, writers(404))},
		{"PATCH /api/v1/uploads/{id}", func(m *matrix, _ string) request {
			return request{"PATCH", "/api/v1/uploads/" + m.freshUpload(false), strings.NewReader("x"), map[string]string{"Upload-Offset": "3"}}
		}, roles([4]int{404, 200, 403, 403}, writers(404))},
		{"POST /api/v1/imports", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/imports", map[string]any{"dataset": m.fresh("import-"), "uploads": []string{m.freshUpload(true)}})
		}, roles([4]int{404, 202, 403, 403}, writers(404))},
		{"GET /api/v1/jobs", static("GET", "/api/v1/jobs?all=1", nil), roles(all4(200), all4(200))},
		{"GET /api/v1/jobs/{id}", get(func(m *matrix) string { return "/api/v1/jobs/" + m.job }),
			roles([4]int{200, 200, 404, 404}, all4(404))},
		{"POST /api/v1/jobs/{id}/cancel", func(m *matrix, _ string) request { return js("POST", "/api/v1/jobs/"+m.job+"/cancel", nil) },
			roles([4]int{200, 200, 404, 404}, all4(404))},

		{"GET /api/v1/coord/defaults", static("GET", "/api/v1/coord/defaults", nil), roles(all4(200), all4(200))},
		{"GET /api/v1/coord/runs", static("GET", "/api/v1/coord/runs", nil), roles(all4(200), all4(200))},
		{"POST /api/v1/coord/runs", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/coord/runs", map[string]any{"dataset": m.ds, "by": []string{"retweet"}, "window": "60s"})
		}, roles(writers(202), writers(404))},
		{"GET /api/v1/coord/runs/{id}", get(func(m *matrix) string { return "/api/v1/coord/runs/" + m.run }), ownOnly},
		{"GET /api/v1/coord/runs/{id}/graph", get(func(m *matrix) string { return "/api/v1/coord/runs/" + m.run + "/graph?limit=10" }), ownOnly},
		{"GET /api/v1/coord/runs/{id}/network", get(func(m *matrix) string { return "/api/v1/coord/runs/" + m.run + "/network?view=accounts&limit=10" }), ownOnly},
		{"GET /api/v1/coord/runs/{id}/search", get(func(m *matrix) string { return "/api/v1/coord/runs/" + m.run + "/search?q=" + url.QueryEscape(m.edgeA) }), ownOnly},
		{"GET /api/v1/coord/runs/{id}/evidence", get(func(m *matrix) string {
			return "/api/v1/coord/runs/" + m.run + "/evidence?a=" + url.QueryEscape(m.edgeA) + "&b=" + url.QueryEscape(m.edgeB)
		}), ownOnly},
		{"GET /api/v1/coord/runs/{id}/accounts/{uid}", get(func(m *matrix) string {
			return "/api/v1/coord/runs/" + m.run + "/accounts/" + url.PathEscape(m.edgeA)
		}), ownOnly},
		{"GET /api/v1/coord/runs/{id}/files/{name}", get(func(m *matrix) string { return "/api/v1/coord/runs/" + m.run + "/files/edges.csv" }), ownOnly},
		{"GET /api/v1/datasets/{name}/signals", get(func(m *matrix) string { return "/api/v1/datasets/" + m.ds + "/signals?where=posts_total>=1" }), ownOnly},
		{"GET /api/v1/narratives/runs", static("GET", "/api/v1/narratives/runs", nil), roles(all4(200), all4(200))},
		{"POST /api/v1/narratives/runs", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/narratives/runs", map[string]any{"dataset": m.textDS})
		}, roles(writers(202), writers(404))},
		{"GET /api/v1/narratives/runs/{id}", get(func(m *matrix) string { return "/api/v1/narratives/runs/" + m.narr }), ownOnly},
		{"GET /api/v1/narratives/runs/{id}/narratives", get(func(m *matrix) string { return "/api/v1/narratives/runs/" + m.narr + "/narratives" }), ownOnly},
		{"GET /api/v1/narratives/runs/{id}/narratives/{nid}", get(func(m *matrix) string {
			return "/api/v1/narratives/runs/" + m.narr + "/narratives/" + url.PathEscape(m.nid)
		}), ownOnly},
		{"GET /api/v1/narratives/runs/{id}/files/{name}", get(func(m *matrix) string { return "/api/v1/narratives/runs/" + m.narr + "/files/narratives.csv" }), ownOnly},
		{"GET /api/v1/claimsets", static("GET", "/api/v1/claimsets", nil), roles(all4(200), all4(200))},
		{"GET /api/v1/claims/runs", static("GET", "/api/v1/claims/runs", nil), roles(all4(200), all4(200))},
		{"POST /api/v1/claims/runs", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/claims/runs", map[string]any{"dataset": m.textDS, "set": "own-claims"})
		}, roles(writers(202), writers(404))},
		{"GET /api/v1/claims/runs/{id}", get(func(m *matrix) string { return "/api/v1/claims/runs/" + m.claims }), ownOnly},
		{"GET /api/v1/claims/runs/{id}/claims", get(func(m *matrix) string { return "/api/v1/claims/runs/" + m.claims + "/claims" }), ownOnly},
		{"GET /api/v1/claims/runs/{id}/matches", get(func(m *matrix) string { return "/api/v1/claims/runs/" + m.claims + "/matches?status=link" }), ownOnly},
		{"GET /api/v1/claims/runs/{id}/files/{name}", get(func(m *matrix) string { return "/api/v1/claims/runs/" + m.claims + "/files/matches.csv" }), ownOnly},
		{"GET /api/v1/targets/runs", static("GET", "/api/v1/targets/runs", nil), roles(all4(200), all4(200))},
		{"POST /api/v1/targets/runs", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/targets/runs", map[string]any{"dataset": m.textDS, "watchlist": "BorisJohnson\n"})
		}, roles(writers(202), writers(404))},
		{"GET /api/v1/targets/runs/{id}", get(func(m *matrix) string { return "/api/v1/targets/runs/" + m.targets }), ownOnly},
		{"GET /api/v1/targets/runs/{id}/targets", get(func(m *matrix) string { return "/api/v1/targets/runs/" + m.targets + "/targets" }), ownOnly},
		{"GET /api/v1/targets/runs/{id}/events", get(func(m *matrix) string { return "/api/v1/targets/runs/" + m.targets + "/events?type=mention" }), ownOnly},
		{"GET /api/v1/targets/runs/{id}/bursts", get(func(m *matrix) string { return "/api/v1/targets/runs/" + m.targets + "/bursts" }), ownOnly},
		{"GET /api/v1/targets/runs/{id}/edges", get(func(m *matrix) string { return "/api/v1/targets/runs/" + m.targets + "/edges" }), ownOnly},
		{"GET /api/v1/targets/runs/{id}/files/{name}", get(func(m *matrix) string { return "/api/v1/targets/runs/" + m.targets + "/files/watchlist.txt" }), ownOnly},
		{"GET /api/v1/alerts", static("GET", "/api/v1/alerts", nil), roles(all4(200), all4(200))},
		// without serve --watch there is no stream: 404 to every member
		{"GET /api/v1/alerts/events", static("GET", "/api/v1/alerts/events", nil), roles(all4(404), all4(404))},
		// without serve --watch the owner's replay is refused (409); another organisation's dataset does not exist
		{"POST /api/v1/datasets/{name}/publish", func(m *matrix, _ string) request { return js("POST", "/api/v1/datasets/"+m.ds+"/publish", nil) },
			roles(writers(409), writers(404))},

		{"GET /api/v1/audit/maps", static("GET", "/api/v1/audit/maps", nil), roles(all4(200), all4(200))},
		{"GET /api/v1/audit/runs", static("GET", "/api/v1/audit/runs", nil), roles(all4(200), all4(200))},
		{"POST /api/v1/audit/runs", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/audit/runs", map[string]any{"uploads": []string{m.upload}, "map": "pk-long"})
		}, roles([4]int{404, 202, 403, 403}, writers(404))},
		{"GET /api/v1/audit/runs/{id}", get(func(m *matrix) string { return "/api/v1/audit/runs/" + m.audit }), ownOnly},
		{"GET /api/v1/audit/runs/{id}/flags", get(func(m *matrix) string { return "/api/v1/audit/runs/" + m.audit + "/flags" }), ownOnly},
		{"GET /api/v1/audit/runs/{id}/contests/{contest}", get(func(m *matrix) string { return "/api/v1/audit/runs/" + m.audit + "/contests/NA-999" }), ownOnly},
		{"POST /api/v1/audit/runs/{id}/claims", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/audit/runs/"+m.audit+"/claims", map[string]any{"contest": "NA-999", "candidate": "A", "over": "B", "at_least": 1})
		}, ownOnly},
		{"GET /api/v1/audit/runs/{id}/files/{name}", get(func(m *matrix) string { return "/api/v1/audit/runs/" + m.audit + "/files/report.html" }), ownOnly},

		{"GET /api/v1/cases", static("GET", "/api/v1/cases", nil), roles(all4(200), all4(200))},
		{"POST /api/v1/cases", static("POST", "/api/v1/cases", map[string]string{"title": "matrix"}), roles(writers(201), writers(201))},
		{"GET /api/v1/cases/{id}", get(func(m *matrix) string { return "/api/v1/cases/" + m.caseID }), ownOnly},
		{"POST /api/v1/cases/{id}/items", func(m *matrix, _ string) request {
			body, ct := multipartFile()
			return request{"POST", "/api/v1/cases/" + m.caseID + "/items", body, map[string]string{"Content-Type": ct}}
		}, roles(writers(201), writers(404))},
		{"POST /api/v1/cases/{id}/items/post", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/items/post", map[string]string{"dataset": m.ds, "uid": m.post})
		}, roles(writers(201), writers(404))},
		{"POST /api/v1/cases/{id}/items/run", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/items/run", map[string]string{"kind": "coord", "run": m.run})
		}, roles(writers(201), writers(404))},
		{"POST /api/v1/cases/{id}/items/account", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/items/account", map[string]string{"dataset": m.ds, "uid": m.account})
		}, roles(writers(201), writers(404))},
		// without serve --watch there is no alert to attach: 404 to the owner too
		{"POST /api/v1/cases/{id}/items/alert", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/items/alert", map[string]int{"alert": 1})
		}, roles(writers(404), writers(404))},
		// the matrix's dataset has no pictures: no group to attach, 404 to the owner too
		{"POST /api/v1/cases/{id}/items/images", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/items/images", map[string]any{"datasets": []string{m.ds}, "group": "pdq:00"})
		}, roles(writers(404), writers(404))},
		// the job starts (and fails: loopback is not a public address)
		{"POST /api/v1/cases/{id}/items/capture", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/items/capture", map[string]string{"url": "http://127.0.0.1:9/"})
		}, roles(writers(202), writers(404))},
		// a fresh case each time; the own investigator opened it
		{"POST /api/v1/cases/{id}/close", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.freshCase()+"/close", nil)
		}, roles(writers(200), writers(404))},
		{"POST /api/v1/cases/{id}/reopen", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.freshClosedCase()+"/reopen", nil)
		}, roles(writers(200), writers(404))},
		{"POST /api/v1/cases/{id}/findings", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/findings", map[string]any{"title": "f", "item_ids": []string{m.item}})
		}, roles(writers(201), writers(404))},
		{"POST /api/v1/cases/{id}/recommendations", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/recommendations", map[string]any{"action": "a", "grounds": "g", "finding_ids": []string{m.finding}})
		}, roles(writers(201), writers(404))},
		// the own investigator wrote the recommendation: its author does not decide it
		{"POST /api/v1/recommendations/{id}/decision", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/recommendations/"+m.freshRecommendation()+"/decision", map[string]bool{"approve": true})
		}, roles([4]int{200, 403, 200, 403}, all4(404))},
		{"POST /api/v1/cases/{id}/tasks", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/tasks", map[string]string{"title": "t"})
		}, roles(writers(201), writers(404))},
		{"PATCH /api/v1/tasks/{id}", func(m *matrix, _ string) request {
			return js("PATCH", "/api/v1/tasks/"+m.task, map[string]string{"status": "done"})
		}, roles(writers(200), writers(404))},
		{"POST /api/v1/cases/{id}/notes", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.caseID+"/notes", map[string]string{"text": "n"})
		}, roles(writers(201), writers(404))},
		// a fresh case each time (a share changes who sees it); the own investigator opened it
		{"POST /api/v1/cases/{id}/shares", func(m *matrix, _ string) request {
			return js("POST", "/api/v1/cases/"+m.freshCase()+"/shares", map[string]string{"org": m.orgB})
		}, roles(writers(204), writers(404))},
		{"GET /api/v1/cases/{id}/report", get(func(m *matrix) string { return "/api/v1/cases/" + m.caseID + "/report" }), ownOnly},
		{"GET /api/v1/cases/{id}/export", get(func(m *matrix) string { return "/api/v1/cases/" + m.caseID + "/export" }), ownOnly},
		{"GET /api/v1/items/{id}", get(func(m *matrix) string { return "/api/v1/items/" + m.item }), ownOnly},
		{"GET /api/v1/items/{id}/content", get(func(m *matrix) string { return "/api/v1/items/" + m.item + "/content" }), ownOnly},
		// the log page: admins only; a partner admin's page is redacted (casework's TestLogPageRedacts)
		{"GET /api/v1/log", static("GET", "/api/v1/log", nil), roles(admins(200), admins(200))},
		{"GET /api/v1/log/checkpoint", static("GET", "/api/v1/log/checkpoint", nil), roles(all4(200), all4(200))},
		{"GET /api/v1/log/proof/consistency", static("GET", "/api/v1/log/proof/consistency?from=1", nil), roles(all4(200), all4(200))},
		// entry 0 is the own organisation's first: a partner may not read it
		{"GET /api/v1/log/proof/inclusion", static("GET", "/api/v1/log/proof/inclusion?index=0", nil), roles(all4(200), all4(404))},
		{"POST /api/v1/verify", static("POST", "/api/v1/verify", nil), roles(all4(202), all4(202))},
		// anyone verifies a bundle it was sent (this one is no zip: the job's report says so)
		{"POST /api/v1/verify/bundle", func(m *matrix, _ string) request {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			w, _ := mw.CreateFormFile("file", "received.zip")
			w.Write([]byte("not a zip"))
			mw.Close()
			return request{"POST", "/api/v1/verify/bundle", &b, map[string]string{"Content-Type": mw.FormDataContentType()}}
		}, roles(all4(202), all4(202))},
	}
}

// newMatrix makes the organisations, the callers and the own
// organisation's objects.
func newMatrix(t *testing.T, e *env) *matrix {
	ctx := context.Background()
	m := &matrix{e: e, t: t, ctx: ctx, c: map[string]*client{}}
	a := e.setup()
	m.orgA = a.me().User.Org
	var padmin *client
	m.orgB, padmin = e.partner("Partner", "padmin")
	home := map[string]*client{"admin": a, "partner admin": padmin}
	for _, r := range []tahqiq.Role{tahqiq.RoleInvestigator, tahqiq.RoleReviewer, tahqiq.RoleViewer} {
		home["own "+string(r)] = e.user(a, "own-"+string(r), r)
		home["partner "+string(r)] = e.user(padmin, "partner-"+string(r), r)
	}
	home["own admin"] = a
	inv, err := e.api.Store.FindUserByName(ctx, "own-investigator")
	m.must(err)
	m.inv = inv
	// every caller uses an API token (a cookie session is tested elsewhere)
	token := func(c *client, days int) string {
		var tk struct{ ID, Token string }
		c.want(201, "POST", "/api/v1/tokens", map[string]any{"name": "matrix", "expires_in_days": days}, &tk)
		return tk.Token
	}
	for _, who := range callers[:8] {
		cl := e.client()
		cl.token = token(home[who], 90)
		m.c[who] = cl
	}
	m.c["anonymous"] = e.client()
	revoked := e.client()
	revoked.token = token(a, 90)
	var list []struct{ ID, Name string }
	a.want(200, "GET", "/api/v1/tokens", nil, &list)
	a.want(204, "DELETE", "/api/v1/tokens/"+list[len(list)-1].ID, nil, nil)
	m.c["revoked token"] = revoked
	expired := e.client()
	expired.token = token(a, 1)
	m.c["expired token"] = expired
	// a disabled user holding a token that was not revoked (as if made before)
	dora := e.user(a, "dora", tahqiq.RoleInvestigator)
	doraID := dora.me().User.ID
	a.want(200, "POST", "/api/v1/users/"+doraID+"/disable", nil, nil)
	secret := auth.NewSecret("tq_")
	m.must(e.api.Cases.Store.InTx(ctx, func(tx tahqiq.CaseTx) error {
		return tx.CreateToken(ctx, tahqiq.APIToken{ID: "k-dora", Hash: auth.Digest(secret), UserID: doraID, Name: "old", CreatedAt: time.Now().UTC(), ExpiresAt: time.Now().Add(time.Hour).UTC()})
	}))
	disabled := e.client()
	disabled.token = secret
	m.c["disabled user"] = disabled

	// the own organisation's objects, made by its investigator
	ic := m.c["own investigator"]
	m.ds = "own-ds"
	ic.job(ic.call("POST", "/api/v1/imports", map[string]any{"dataset": m.ds, "uploads": []string{ic.upload("ru.events.csv.gz", demoEvents(t))}}))
	var jl []struct{ ID string }
	ic.want(200, "GET", "/api/v1/jobs", nil, &jl)
	m.job = jl[0].ID
	j := ic.job(ic.call("POST", "/api/v1/coord/runs", map[string]any{"dataset": m.ds, "by": []string{"retweet"}, "window": "60s"}))
	var run struct{ Run string }
	json.Unmarshal(j.Result, &run)
	m.run = run.Run
	var g runs.Graph
	ic.want(200, "GET", "/api/v1/coord/runs/"+m.run+"/graph?limit=1", nil, &g)
	m.edgeA, m.edgeB = g.Edges[0].Source, g.Edges[0].Target
	var ap struct{ Posts []tahqiq.Post }
	ic.want(200, "GET", "/api/v1/datasets/"+m.ds+"/accounts/"+url.PathEscape(m.edgeA), nil, &ap)
	m.account, m.post = m.edgeA, ap.Posts[0].UID
	m.textRuns(ic)
	picDir := t.TempDir()
	parsetest.WriteMediaExport(t, picDir, 1500000002, parsetest.Start, []parsetest.ExportMessage{
		{From: 1, At: 0, Text: "a picture", Photo: "photos/p.jpg", Data: parsetest.JPEG(t, parsetest.Landscape(1), 80)}})
	m.picDS = "own-pics"
	ic.job(ic.call("POST", "/api/v1/imports", map[string]any{"dataset": m.picDS, "uploads": []string{ic.upload("pics.zip", zipDir(t, picDir, "", func(string) bool { return true }))}}))
	var pics struct{ Media []tahqiq.MediaFile }
	ic.want(200, "GET", "/api/v1/datasets/"+m.picDS+"/media?status=hashed", nil, &pics)
	if len(pics.Media) != 1 {
		t.Fatalf("the picture dataset: %+v", pics)
	}
	m.picSHA = pics.Media[0].SHA256
	tmpl, err := os.ReadFile(filepath.Join("..", "audit", "testdata", "na999-template.csv"))
	m.must(err)
	m.upload = ic.upload("na999.csv", tmpl)
	j = ic.job(ic.call("POST", "/api/v1/audit/runs", map[string]any{"uploads": []string{m.upload}, "map": "pk-long"}))
	json.Unmarshal(j.Result, &run)
	m.audit = run.Run
	var c tahqiq.Case
	ic.want(201, "POST", "/api/v1/cases", map[string]string{"title": "the own organisation's case", "tlp": "amber"}, &c)
	m.caseID = c.ID
	body, ct := multipartFile()
	var items []tahqiq.Item
	ic.do("POST", "/api/v1/cases/"+c.ID+"/items", body, map[string]string{"Content-Type": ct}).json(t, &items)
	m.item = items[0].ID
	var f tahqiq.Finding
	ic.want(201, "POST", "/api/v1/cases/"+c.ID+"/findings", map[string]any{"title": "f", "item_ids": []string{m.item}}, &f)
	m.finding = f.ID
	var task tahqiq.Task
	ic.want(201, "POST", "/api/v1/cases/"+c.ID+"/tasks", map[string]string{"title": "t"}, &task)
	m.task = task.ID

	// the expired token is a day old from here on
	later := time.Now().Add(49 * time.Hour)
	e.api.Now = func() time.Time { return later }
	return m
}

// textRuns makes the own organisation's dataset with texts, its claim set
// and a run of each text analysis.
func (m *matrix) textRuns(ic *client) {
	m.textDS = "own-text"
	ic.job(ic.call("POST", "/api/v1/imports", map[string]any{"dataset": m.textDS, "uploads": []string{ic.upload("brexit.jsonl.gz", demoFile(m.t, "brexit"))}}))
	_, err := m.e.api.Cases.ImportClaims(m.ctx, m.inv, filepath.Join(m.e.dir, "claimsets"), "own-claims", []casework.ClaimFile{{Name: "checks.csv", Data: []byte(brexitClaims)}})
	m.must(err)
	var run struct{ Run string }
	for kind, body := range map[string]map[string]any{
		"narratives": {"dataset": m.textDS},
		"claims":     {"dataset": m.textDS, "set": "own-claims"},
		"targets":    {"dataset": m.textDS, "watchlist": "BorisJohnson\nmetpoliceuk\n"},
	} {
		j := ic.job(ic.call("POST", "/api/v1/"+kind+"/runs", body))
		if j.State != jobs.Done {
			m.t.Fatalf("%s run: %s %s", kind, j.State, j.Error)
		}
		json.Unmarshal(j.Result, &run)
		switch kind {
		case "narratives":
			m.narr = run.Run
		case "claims":
			m.claims = run.Run
		case "targets":
			m.targets = run.Run
		}
	}
	var ns struct{ Rows []map[string]any }
	ic.want(200, "GET", "/api/v1/narratives/runs/"+m.narr+"/narratives?limit=1", nil, &ns)
	m.nid = ns.Rows[0]["narrative_id"].(string)
}

// brexitClaims is a hand-made fact-check (CSV) of a story the demo's
// twarc2 sample tells (the wine and Universal Credit posts).
const brexitClaims = "claim,url,rating,publisher,language\n" +
	"\"Boris Johnson has revealed his favourite bottle of wine, Tignanello, costs 180 pounds while 20 pounds is taken from Universal Credit\",https://factcheck.example.org/boris-wine,Missing context,Example Fact Check,en\n"

func TestAccessMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("every route under every role (about 27 s): not in -short (go test ./..., as CI runs it, does)")
	}
	accessMatrix(t, newEnv(t))
}

// TestAccessMatrixPostgres: the same, with row-level security as well.
func TestAccessMatrixPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL: not in -short mode")
	}
	accessMatrix(t, newEnvPostgres(t))
}

func accessMatrix(t *testing.T, e *env) {
	m := newMatrix(t, e)
	rows := matrixRows()
	have := map[string]bool{}
	for _, r := range rows {
		if have[r.route] {
			t.Errorf("two rows for %s", r.route)
		}
		have[r.route] = true
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage
	}
	m.c["own admin"].want(200, "GET", "/api/v1/openapi.json", nil, &doc)
	var routes []string
	for path, ops := range doc.Paths {
		for method := range ops {
			routes = append(routes, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(routes)
	for _, rt := range routes {
		if !have[rt] {
			t.Errorf("route %s has no row in the access matrix", rt)
		}
		delete(have, rt)
	}
	for rt := range have {
		t.Errorf("the access matrix has a row for %s, which is not a route", rt)
	}
	cells := 0
	for _, r := range rows {
		for _, who := range callers {
			st, ok := r.want[who]
			if !ok {
				t.Errorf("%s: no expected status for %s", r.route, who)
				continue
			}
			q := r.req(m, who)
			got := m.c[who].do(q.method, q.url, q.body, q.hdr)
			cells++
			if got.status != st {
				t.Errorf("%s as %s: %d, want %d: %.300s", r.route, who, got.status, st, got.body)
			}
			if got.status == 500 || bytes.Contains(got.body, []byte(e.dir)) {
				t.Errorf("%s as %s: %d %s: an internal error or a server path", r.route, who, got.status, got.body)
			}
		}
	}
	t.Logf("%d routes x %d callers = %d cells", len(rows), len(callers), cells)
}

// TestNotFoundIsNotFound: an object of another organisation answers
// exactly as one that does not exist, so IDs and names cannot be probed.
func TestNotFoundIsNotFound(t *testing.T) {
	if testing.Short() {
		t.Skip("every route with missing ids (about 7 s): not in -short (go test ./..., as CI runs it, does)")
	}
	e := newEnv(t)
	m := newMatrix(t, e)
	p := m.c["partner admin"]
	for _, pair := range [][2]string{
		{"/api/v1/cases/" + m.caseID, "/api/v1/cases/c000000000000"},
		{"/api/v1/items/" + m.item, "/api/v1/items/i000000000000"},
		{"/api/v1/datasets/" + m.ds, "/api/v1/datasets/no-such-dataset"},
		{"/api/v1/coord/runs/" + m.run, "/api/v1/coord/runs/c-nosuch"},
		{"/api/v1/narratives/runs/" + m.narr, "/api/v1/narratives/runs/n-20240101T000000-000000"},
		{"/api/v1/claims/runs/" + m.claims, "/api/v1/claims/runs/m-20240101T000000-000000"},
		{"/api/v1/targets/runs/" + m.targets, "/api/v1/targets/runs/t-20240101T000000-000000"},
		{"/api/v1/jobs/" + m.job, "/api/v1/jobs/j-nosuch"},
	} {
		a, b := p.call("GET", pair[0], nil), p.call("GET", pair[1], nil)
		norm := func(r resp, path string) string {
			id := path[strings.LastIndex(path, "/")+1:]
			return strings.ReplaceAll(string(r.body), id, "ID")
		}
		if a.status != 404 || b.status != 404 || norm(a, pair[0]) != norm(b, pair[1]) {
			t.Errorf("another organisation's %s: %d %s; one that does not exist: %d %s", pair[0], a.status, a.body, b.status, b.body)
		}
	}
}

// TestSharedCaseReadOnly: a case shared with a partner organisation is
// visible to all its members and changed by none of them (403, not 404:
// they see it); an item-only share shows that item and nothing of the
// case's records, which stay 404.
func TestSharedCaseReadOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("a shared case under every route (about 6 s): not in -short (go test ./..., as CI runs it, does)")
	}
	e := newEnv(t)
	m := newMatrix(t, e)
	e.api.Now = nil
	a := m.c["own admin"]
	a.want(204, "POST", "/api/v1/cases/"+m.caseID+"/shares", map[string]string{"org": m.orgB}, nil)
	rec := m.freshRecommendation()
	for _, who := range callers[4:8] {
		p := m.c[who]
		for _, path := range []string{"/api/v1/cases/" + m.caseID, "/api/v1/items/" + m.item, "/api/v1/items/" + m.item + "/content",
			"/api/v1/cases/" + m.caseID + "/report", "/api/v1/cases/" + m.caseID + "/export"} {
			p.want(200, "GET", path, nil, nil)
		}
		body, ct := multipartFile()
		for _, q := range []request{
			{"POST", "/api/v1/cases/" + m.caseID + "/items", body, map[string]string{"Content-Type": ct}},
			js("POST", "/api/v1/cases/"+m.caseID+"/findings", map[string]any{"title": "f", "item_ids": []string{m.item}}),
			js("POST", "/api/v1/cases/"+m.caseID+"/tasks", map[string]string{"title": "t"}),
			js("PATCH", "/api/v1/tasks/"+m.task, map[string]string{"status": "open"}),
			js("POST", "/api/v1/cases/"+m.caseID+"/notes", map[string]string{"text": "n"}),
			js("POST", "/api/v1/cases/"+m.caseID+"/shares", map[string]string{"org": m.orgB}),
			js("POST", "/api/v1/recommendations/"+rec+"/decision", map[string]bool{"approve": true}),
		} {
			if r := p.do(q.method, q.url, q.body, q.hdr); r.status != 403 {
				t.Errorf("%s %s on a case shared to read, as %s: %d %s, want 403", q.method, q.url, who, r.status, r.body)
			}
		}
	}
	// an item-only share of a second case
	c2 := m.freshCase()
	body, ct := multipartFile()
	var items []tahqiq.Item
	m.c["own investigator"].do("POST", "/api/v1/cases/"+c2+"/items", body, map[string]string{"Content-Type": ct}).json(t, &items)
	var task tahqiq.Task
	m.c["own investigator"].want(201, "POST", "/api/v1/cases/"+c2+"/tasks", map[string]string{"title": "t"}, &task)
	a.want(204, "POST", "/api/v1/cases/"+c2+"/shares", map[string]string{"org": m.orgB, "item": items[0].ID}, nil)
	p := m.c["partner investigator"]
	var v struct {
		Items []tahqiq.Item
		Tasks []tahqiq.Task
	}
	p.want(200, "GET", "/api/v1/cases/"+c2, nil, &v)
	if len(v.Items) != 1 || len(v.Tasks) != 0 {
		t.Errorf("item-only share shows %d items and %d tasks, want the item only", len(v.Items), len(v.Tasks))
	}
	p.want(200, "GET", "/api/v1/items/"+items[0].ID, nil, nil)
	p.want(404, "PATCH", "/api/v1/tasks/"+task.ID, map[string]string{"status": "done"}, nil)
}
