package httpapi_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/tahqiq/tahqiq/internal/runs"
)

// benchEnv is a server with the Russian sample imported and a retweet run
// on it, as the load test's endpoints need.
func benchEnv(b *testing.B) (*client, string, runs.GraphEdge) {
	b.Helper()
	e := newEnv(b)
	c := e.setup()
	up := c.upload("russian.events.csv.gz", demoEvents(b))
	c.job(c.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{up}}))
	j := c.job(c.call("POST", "/api/v1/coord/runs", map[string]any{"dataset": "ru", "by": []string{"retweet"}, "window": "60s"}))
	var run struct{ Run string }
	if err := json.Unmarshal(j.Result, &run); err != nil || run.Run == "" {
		b.Fatalf("coord job: %s", j.Result)
	}
	var g runs.Graph
	c.want(200, "GET", "/api/v1/coord/runs/"+run.Run+"/graph?limit=1", nil, &g)
	return c, run.Run, g.Edges[0]
}

// BenchmarkDatasetSummary is GET /datasets/{name} as the dataset page asks
// for it (after the first request, from the 10 s cache).
func BenchmarkDatasetSummary(b *testing.B) {
	c, _, _ := benchEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if r := c.call("GET", "/api/v1/datasets/ru", nil); r.status != 200 {
			b.Fatalf("status %d", r.status)
		}
	}
}

// BenchmarkEdgeEvidence is GET /coord/runs/{id}/evidence for the heaviest
// edge: the evidence rows plus a custody-log append with a signed
// checkpoint (each read of evidence is logged).
func BenchmarkEdgeEvidence(b *testing.B) {
	c, run, e := benchEnv(b)
	path := "/api/v1/coord/runs/" + run + "/evidence?a=" + url.QueryEscape(e.Source) + "&b=" + url.QueryEscape(e.Target)
	b.ReportAllocs()
	for b.Loop() {
		if r := c.call("GET", path, nil); r.status != 200 {
			b.Fatalf("status %d", r.status)
		}
	}
}
