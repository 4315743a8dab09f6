package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// TestLogProofsAndBoundedGrowth: reads and checkpoint requests do not grow
// the store without bound (one read entry per reader, case and hour; no
// checkpoint stored per request), and the consistency and inclusion
// proofs the API serves check against its checkpoints.
func TestLogProofsAndBoundedGrowth(t *testing.T) {
	e := newEnv(t)
	admin := e.setup()
	ctx := context.Background()
	var c struct{ ID string }
	admin.want(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"title": "Fake Form 45", "tlp": "amber"}, &c)
	old := admin.do("GET", "/api/v1/log/checkpoint", nil, nil)
	if old.status != http.StatusOK {
		t.Fatalf("checkpoint: %d %s", old.status, old.body)
	}
	admin.want(http.StatusCreated, "POST", "/api/v1/cases/"+c.ID+"/notes", map[string]any{"text": "Form 45 of PS-12 differs"}, nil)
	n0, _ := e.api.Cases.Store.LogSize(ctx)
	cps0, _ := e.api.Cases.Store.Checkpoints(ctx)
	for range 50 {
		admin.want(http.StatusOK, "GET", "/api/v1/cases/"+c.ID, nil, nil)
		if r := admin.do("GET", "/api/v1/log/checkpoint", nil, nil); r.status != http.StatusOK {
			t.Fatalf("checkpoint: %d", r.status)
		}
	}
	n1, _ := e.api.Cases.Store.LogSize(ctx)
	cps1, _ := e.api.Cases.Store.Checkpoints(ctx)
	if n1-n0 != 1 || len(cps1)-len(cps0) != 1 {
		t.Errorf("50 reads and 50 checkpoint requests added %d entries and %d checkpoints; want 1 read entry and its checkpoint", n1-n0, len(cps1)-len(cps0))
	}
	// A consistency proof from the older checkpoint to the newest.
	newer := admin.do("GET", "/api/v1/log/checkpoint", nil, nil)
	v, err := ledger.NewVerifier(e.api.Cases.LogKey.(fmt.Stringer).String())
	if err != nil {
		t.Fatal(err)
	}
	_, ot, _, err := ledger.OpenCheckpoint(old.body, v)
	if err != nil {
		t.Fatal(err)
	}
	_, nt, _, err := ledger.OpenCheckpoint(newer.body, v)
	if err != nil {
		t.Fatal(err)
	}
	var p tahqiq.Proof
	admin.want(http.StatusOK, "GET", fmt.Sprintf("/api/v1/log/proof/consistency?from=%d&to=%d", ot.N, nt.N), nil, &p)
	if err := ledger.CheckConsistency(p, nt.Hash, ot.Hash); err != nil {
		t.Errorf("served consistency proof: %v", err)
	}
	admin.want(http.StatusBadRequest, "GET", fmt.Sprintf("/api/v1/log/proof/consistency?from=%d&to=%d", nt.N+5, nt.N), nil, nil)
	// Inclusion: an entry the caller may read, and one it may not.
	var ip tahqiq.Proof
	admin.want(http.StatusOK, "GET", fmt.Sprintf("/api/v1/log/proof/inclusion?index=1&size=%d", nt.N), nil, &ip)
	raw, _ := e.api.Cases.Store.LogEntries(ctx, 1, 2)
	if err := ledger.CheckInclusion(ip, nt.Hash, raw[0]); err != nil {
		t.Errorf("served inclusion proof: %v", err)
	}
	admin.want(http.StatusBadRequest, "GET", fmt.Sprintf("/api/v1/log/proof/inclusion?index=%d&size=%d", nt.N+3, nt.N+3), nil, nil)
}
