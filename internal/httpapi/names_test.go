package httpapi_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// TestAccountNames: the network of a run of a dataset names its accounts
// (handle, name, label "@handle" or the name), and every route that takes
// an account takes it as a person writes it (tahqiq.ResolveAccount): the
// id the file wrote, the handle with or without "@", the name. One that
// names two accounts (user101: telegram:user101 and other:user101) is a
// 400 listing them; one naming none a 404. On the X API v2 sample with a
// Pakistani account's Urdu-script name and a Telegram export with Urdu
// names (the project's fixture of internal/cli/testdata).
func TestAccountNames(t *testing.T) {
	withheld, err := os.ReadFile(filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "withheld.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	chat, err := os.ReadFile(filepath.Join("..", "cli", "testdata", "na56_chat.json"))
	if err != nil {
		t.Fatal(err)
	}
	events := []byte("account_id,post_id,timestamp,object_type,object_value\n" +
		"user101,p1,1707454800,url,https://example.org/ro-statement\n" +
		"user102,p2,1707454805,url,https://example.org/ro-statement\n")
	e := newEnv(t)
	c := e.setup()
	ups := []string{c.upload("withheld.jsonl", withheld), c.upload("na56_chat.json", chat), c.upload("watchers.events.csv", events)}
	if j := c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "pk", "uploads": ups})); j.State != jobs.Done {
		t.Fatalf("import: %s %s", j.State, j.Error)
	}
	j := c.job(c.call("POST", "/api/v1/coord/runs", map[string]any{"dataset": "pk", "window": "1h", "min_participation": 1}))
	var run struct{ Run string }
	if j.State != jobs.Done {
		t.Fatalf("coord: %s %s", j.State, j.Error)
	}
	if err := json.Unmarshal(j.Result, &run); err != nil {
		t.Fatal(err)
	}

	var g runs.Graph
	c.want(200, "GET", "/api/v1/coord/runs/"+run.Run+"/graph", nil, &g)
	nodes := map[string]runs.Node{}
	for _, n := range g.Nodes {
		nodes[n.ID] = n
	}
	for uid, want := range map[string]runs.Node{
		"x:1235574652895989760": {Label: "@Zimal23_K", Handle: "Zimal23_K", Name: "🍁ذمـــــــــل\u2066\u2066\u2066\u2066🇵🇰\u2069 PTI"},
		"telegram:user101":      {Label: "علی رضا", Name: "علی رضا"},
		"other:user101":         {Label: "other:user101"},
	} {
		n := nodes[uid]
		if n.Label != want.Label || n.Handle != want.Handle || n.Name != want.Name {
			t.Errorf("graph node %s: label %q handle %q name %q; want %q %q %q", uid, n.Label, n.Handle, n.Name, want.Label, want.Handle, want.Name)
		}
	}

	base := "/api/v1/coord/runs/" + run.Run
	type page struct {
		Pairs    []map[string]any `json:"pairs"`
		Accounts map[string]struct {
			Handle, Name string
		} `json:"accounts"`
	}
	var byUID, byRef page
	c.want(200, "GET", base+"/evidence?a=x:1235574652895989760&b=x:1007501428087193600", nil, &byUID)
	for _, q := range []string{"a=1235574652895989760&b=1007501428087193600", "a=%40Zimal23_K&b=simsim1920", "a=ZIMAL23_K&b=%40simsim1920"} {
		c.want(200, "GET", base+"/evidence?"+q, nil, &byRef)
		if len(byRef.Pairs) == 0 || len(byRef.Pairs) != len(byUID.Pairs) || byRef.Pairs[0]["post_a"] != byUID.Pairs[0]["post_a"] {
			t.Errorf("evidence?%s: %d pairs, by UIDs %d", q, len(byRef.Pairs), len(byUID.Pairs))
		}
		a, b := byRef.Accounts["x:1007501428087193600"], byRef.Accounts["x:1235574652895989760"]
		if r := byRef.Pairs[0]; r["account_a"] != "x:1007501428087193600" || a.Handle != "simsim1920" || b.Handle != "Zimal23_K" || !strings.HasPrefix(b.Name, "🍁ذم") {
			t.Errorf("evidence?%s: the accounts' names: %v %+v", q, r, byRef.Accounts)
		}
	}
	var acc struct{ UID, Label, Handle, Name string }
	c.want(200, "GET", base+"/accounts/"+url.PathEscape("علی رضا"), nil, &acc)
	if acc.UID != "telegram:user101" || acc.Label != "علی رضا" {
		t.Errorf("run account by name: %+v", acc)
	}
	for _, path := range []string{base + "/accounts/user101", "/api/v1/datasets/pk/accounts/user101"} {
		r := c.call("GET", path, nil)
		if r.status != 400 || !strings.Contains(string(r.body), "other:user101; telegram:user101 (علی رضا)") {
			t.Errorf("GET %s: %d %s; want 400 listing both accounts", path, r.status, r.body)
		}
	}
	if r := c.call("GET", base+"/evidence?a=nobody&b=user102", nil); r.status != 404 || !strings.Contains(string(r.body), `no account \"nobody\" in run `+run.Run) {
		t.Errorf("evidence of nobody: %d %s", r.status, r.body)
	}
	var da struct {
		Account struct{ UID, Handle string }
	}
	c.want(200, "GET", "/api/v1/datasets/pk/accounts/"+url.PathEscape("@Zimal23_K"), nil, &da)
	if da.Account.UID != "x:1235574652895989760" || da.Account.Handle != "Zimal23_K" {
		t.Errorf("dataset account by handle: %+v", da)
	}
	var cs struct{ ID string }
	c.want(201, "POST", "/api/v1/cases", map[string]string{"title": "NA-56", "tlp": "amber"}, &cs)
	var it struct{ Title string }
	c.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/account", map[string]string{"dataset": "pk", "uid": "2741420162"}, &it)
	if !strings.Contains(it.Title, "iqbalhussainsts") && !strings.Contains(it.Title, "x:2741420162") {
		t.Errorf("attached account item titled %q", it.Title)
	}
}

// TestAlertNames: an alert of the streaming mode carries what its dataset
// calls its accounts ("names", by UID; accounts the data names not are
// left out), in the list as in the event stream's backlog.
func TestAlertNames(t *testing.T) {
	withheld, err := os.ReadFile(filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "withheld.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	hub, err := live.OpenHub(filepath.Join(e.dir, "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	e.api.Alerts = hub
	c := e.setup()
	if j := c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "pk", "uploads": []string{c.upload("withheld.jsonl", withheld)}})); j.State != jobs.Done {
		t.Fatalf("import: %s", j.State)
	}
	accounts := []string{"x:1007501428087193600", "x:1235574652895989760", "x:1358082450635829249"}
	if _, err := hub.Add("tahqiq.live.pk", live.Alert{Time: time.Unix(1623664338, 0).UTC(), Accounts: accounts, Edges: []live.Edge{}}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Alerts []struct {
			Accounts []string
			Names    map[string]struct{ Handle, Name string }
		}
	}
	c.want(200, "GET", "/api/v1/alerts", nil, &got)
	if len(got.Alerts) != 1 {
		t.Fatalf("%d alerts", len(got.Alerts))
	}
	n := got.Alerts[0].Names
	if n["x:1007501428087193600"].Handle != "simsim1920" || n["x:1235574652895989760"].Handle != "Zimal23_K" || !strings.HasPrefix(n["x:1235574652895989760"].Name, "🍁ذم") {
		t.Errorf("alert names: %+v", n)
	}
	if _, ok := n["x:1358082450635829249"]; ok || len(n) != 2 {
		t.Errorf("an account the data does not name has names: %+v", n)
	}
}
