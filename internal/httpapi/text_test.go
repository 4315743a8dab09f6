package httpapi_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// TestTextRunsAPI: on the demo's real twarc2 sample, the server makes a
// coordination run, a narratives run linked to it, a claims match of a
// claim set and a targeting run as jobs; the narratives list carries
// reach and sparklines; a narrative's page gives its posts with texts,
// accounts with handles, groups and the fact-check its posts match; the
// dataset's account signals filter; the coordination run's account panel
// gives the signals of its nodes.csv; a narratives run attaches to a case
// with a custody-log entry; bad requests are named in the API's terms.
func TestTextRunsAPI(t *testing.T) {
	e := newEnv(t)
	c := e.setup()
	c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "bx", "uploads": []string{c.upload("brexit.jsonl.gz", demoFile(t, "brexit"))}}))
	root := e.dir + "/claimsets"
	admin, err := e.api.Store.FindUserByName(t.Context(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.Cases.ImportClaims(t.Context(), admin, root, "uk", []casework.ClaimFile{{Name: "checks.csv", Data: []byte(brexitClaims)}}); err != nil {
		t.Fatal(err)
	}
	start := func(kind string, body map[string]any) string {
		t.Helper()
		j := c.job(c.call("POST", "/api/v1/"+kind+"/runs", body))
		if j.State != jobs.Done {
			t.Fatalf("%s run: %s %s", kind, j.State, j.Error)
		}
		var run struct{ Run string }
		json.Unmarshal(j.Result, &run)
		return run.Run
	}
	coord := start("coord", map[string]any{"dataset": "bx", "by": []string{"hashtag"}, "window": "none", "percentile": 0})
	narr := start("narratives", map[string]any{"dataset": "bx", "coord_run": coord, "name": "brexit stories"})
	claims := start("claims", map[string]any{"dataset": "bx", "set": "uk"})
	targets := start("targets", map[string]any{"dataset": "bx", "watchlist": "account,label\nBorisJohnson,Prime Minister\nmetpoliceuk,Police\n"})

	var list struct {
		Total int
		Rows  []struct {
			ID        string `json:"narrative_id"`
			Posts     string `json:"posts"`
			Label     string `json:"label"`
			Followers string `json:"followers"`
			Likes     string `json:"likes"`
			Groups    string `json:"groups"`
			Spark     struct {
				Hours  int
				Counts []int
			}
		}
	}
	c.want(200, "GET", "/api/v1/narratives/runs/"+narr+"/narratives", nil, &list)
	if list.Total < 30 || len(list.Rows) != list.Total {
		t.Fatalf("%d narratives listed of %d", len(list.Rows), list.Total)
	}
	top := list.Rows[0]
	sum := 0
	for _, n := range top.Spark.Counts {
		sum += n
	}
	if top.Posts != "18" || sum != 18 || len(top.Spark.Counts) == 0 || top.Followers == "" || top.Likes == "" || top.Groups == "" {
		t.Errorf("top narrative %+v (spark sums to %d)", top, sum)
	}
	var q struct{ Total int }
	c.want(200, "GET", "/api/v1/narratives/runs/"+narr+"/narratives?q=tignanello", nil, &q)
	if q.Total != 1 {
		t.Errorf("q=tignanello: %d narratives", q.Total)
	}

	var n struct {
		Narrative map[string]string
		Timeline  []map[string]string
		Groups    []map[string]string
		Posts     []struct {
			PostID string `json:"post_id"`
			Handle string
			Text   string
		}
		PostsTotal int `json:"posts_total"`
		Accounts   []struct{ Handle string }
		FactChecks []struct {
			ClaimURL     string `json:"claim_url"`
			Verdict      string `json:"verdict_norm"`
			Posts, Links int
		} `json:"fact_checks"`
	}
	c.want(200, "GET", "/api/v1/narratives/runs/"+narr+"/narratives/"+url.PathEscape(top.ID), nil, &n)
	if n.PostsTotal != 18 || len(n.Posts) != 18 || !strings.Contains(n.Posts[0].Text, "Tignanello") || n.Posts[0].Handle == "" ||
		len(n.Accounts) != 18 || len(n.Timeline) == 0 || len(n.Groups) == 0 {
		t.Errorf("narrative: %d posts (%d listed; first %+v), %d accounts, %d timeline rows, %d groups", n.PostsTotal, len(n.Posts), n.Posts[0], len(n.Accounts), len(n.Timeline), len(n.Groups))
	}
	if len(n.FactChecks) != 1 || n.FactChecks[0].ClaimURL != "https://factcheck.example.org/boris-wine" || n.FactChecks[0].Verdict != "misleading" || n.FactChecks[0].Posts == 0 {
		t.Errorf("fact checks of the narrative: %+v", n.FactChecks)
	}
	c.want(404, "GET", "/api/v1/narratives/runs/"+narr+"/narratives/n:x:0", nil, nil)

	var matches struct {
		Total int
		Rows  []map[string]string
	}
	c.want(200, "GET", "/api/v1/claims/runs/"+claims+"/matches?claim_url="+url.QueryEscape("https://factcheck.example.org/boris-wine"), nil, &matches)
	if matches.Total == 0 || matches.Rows[0]["matched_terms"] == "" {
		t.Errorf("matches: %+v", matches)
	}
	var tg struct{ Rows []map[string]string }
	c.want(200, "GET", "/api/v1/targets/runs/"+targets+"/targets", nil, &tg)
	if len(tg.Rows) != 2 || tg.Rows[0]["label"] == "" || tg.Rows[0]["events"] == "0" {
		t.Errorf("targets: %+v", tg.Rows)
	}
	if r := c.do("GET", "/api/v1/targets/runs/"+targets+"/files/watchlist.txt", nil, nil); r.status != 200 || !strings.Contains(string(r.body), "BorisJohnson,Prime Minister") {
		t.Errorf("watchlist.txt: %d %s", r.status, r.body)
	}

	// account signals: the dataset's, filtered, and the run's account panel
	var sg struct {
		Accounts, Matched int
		Columns           []struct{ Name, Definition string }
		Rows              []signals.Row
	}
	c.want(200, "GET", "/api/v1/datasets/bx/signals?where=default_handle%3Dtrue&sort=followers&limit=5", nil, &sg)
	if sg.Accounts < 100 || sg.Matched == 0 || sg.Matched >= sg.Accounts || len(sg.Columns) != len(signals.Columns) {
		t.Errorf("signals: %d accounts, %d default handles, %d columns", sg.Accounts, sg.Matched, len(sg.Columns))
	}
	for _, r := range sg.Rows {
		if r.DefaultHandle == nil || !*r.DefaultHandle || !signals.DefaultHandle(r.Handle) {
			t.Errorf("filtered row %s %q is not a default handle", r.Account, r.Handle)
		}
	}
	c.want(400, "GET", "/api/v1/datasets/bx/signals?where=bot_score%3E0.5", nil, nil)
	var g struct {
		Nodes []struct{ ID string }
		Edges []any
	}
	c.want(200, "GET", "/api/v1/coord/runs/"+coord+"/graph?limit=100", nil, &g)
	var panel struct {
		Signals       *signals.Row
		SignalColumns []any `json:"signal_columns"`
	}
	c.want(200, "GET", "/api/v1/coord/runs/"+coord+"/accounts/"+url.PathEscape(g.Nodes[0].ID), nil, &panel)
	if panel.Signals == nil || panel.Signals.PostsTotal == 0 || len(panel.SignalColumns) != len(signals.Columns) {
		t.Errorf("account panel signals: %+v", panel.Signals)
	}
	var filtered struct{ Edges []any }
	c.want(200, "GET", "/api/v1/coord/runs/"+coord+"/graph?limit=100&where=followers%3E%3D1000000000", nil, &filtered)
	if len(filtered.Edges) != 0 || len(g.Edges) == 0 {
		t.Errorf("graph where followers>=1e9: %d edges of %d", len(filtered.Edges), len(g.Edges))
	}

	// evidence with its parameters: the run attached to a case, logged
	var cs tahqiq.Case
	c.want(201, "POST", "/api/v1/cases", map[string]string{"title": "brexit stories", "tlp": "amber"}, &cs)
	var it tahqiq.Item
	c.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/run", map[string]string{"kind": "narratives", "run": narr}, &it)
	names := map[string]bool{}
	for _, b := range it.Blobs {
		names[b.Name] = true
	}
	for _, f := range []string{"manifest.json", "run.json", "narratives.csv", "members.csv", "timeline.csv", "narrative_groups.csv", "groups.csv"} {
		if !names[f] {
			t.Errorf("attached narratives run has no %s (%v)", f, names)
		}
	}
	var cu casework.Custody
	c.want(200, "GET", "/api/v1/items/"+it.ID, nil, &cu)
	if cu.Entry < 0 || cu.Proof.Size == 0 || !strings.Contains(it.Source, narr) {
		t.Errorf("custody of the attached run: entry %d, source %q", cu.Entry, it.Source)
	}
	// an account as evidence carries its signals with their definitions
	var acc tahqiq.Item
	c.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/account", map[string]string{"dataset": "bx", "uid": g.Nodes[0].ID}, &acc)
	var doc struct {
		Signals     *signals.Row
		Definitions []struct{ Name, Definition string } `json:"signal_definitions"`
	}
	c.do("GET", "/api/v1/items/"+acc.ID+"/content", nil, nil).json(t, &doc)
	if doc.Signals == nil || doc.Signals.Account != g.Nodes[0].ID || len(doc.Definitions) != len(signals.Columns) {
		t.Errorf("account.json: signals %+v, %d definitions", doc.Signals, len(doc.Definitions))
	}
	c.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/run", map[string]string{"kind": "targets", "run": targets}, nil)
	c.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/run", map[string]string{"kind": "claims", "run": claims}, nil)

	// mistakes, in the API's terms
	for _, tc := range []struct {
		path string
		body map[string]any
		want int
		msg  string
	}{
		{"/api/v1/narratives/runs", map[string]any{"dataset": "bx", "threshold": 2}, 400, "threshold 2"},
		{"/api/v1/narratives/runs", map[string]any{"dataset": "bx", "coord_run": "c-20240101T000000-000000"}, 404, "no coord run"},
		{"/api/v1/narratives/runs", map[string]any{}, 400, "dataset is required"},
		{"/api/v1/claims/runs", map[string]any{"dataset": "bx"}, 400, "set is required"},
		{"/api/v1/claims/runs", map[string]any{"dataset": "bx", "set": "nope"}, 404, ""},
		{"/api/v1/targets/runs", map[string]any{"dataset": "bx", "watchlist": "not a handle!\n"}, 400, "watchlist"},
		{"/api/v1/targets/runs", map[string]any{"dataset": "bx", "watchlist": "x", "window": "5"}, 400, "window"},
	} {
		r := c.call("POST", tc.path, tc.body)
		if r.status != tc.want || !strings.Contains(string(r.body), tc.msg) {
			t.Errorf("POST %s %v: %d %s, want %d %q", tc.path, tc.body, r.status, r.body, tc.want, tc.msg)
		}
	}
}
