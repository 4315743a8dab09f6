package busrun

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestEmbeddedWorkersWithinBudget: the in-process workers of --nats
// embedded keep to the budget they are given (coord --mem's share): a
// reducer over it spills its partition's partials to disk (before, the
// embedded workers had no budget at all), says so in the log, and the
// edges are still the single process's.
func TestEmbeddedWorkersWithinBudget(t *testing.T) {
	g := synth.Generate(synth.Config{Posts: 20000, Seed: 11})
	var log bytes.Buffer
	r := &Runtime{Stderr: &log, Log: slog.New(slog.NewTextHandler(&log, nil))}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Setenv("TMPDIR", t.TempDir())
	eng, stop, err := r.Engine(ctx, Config{URL: "embedded", Partitions: 4, Workers: 2, Reduces: 3, WorkerMem: 192 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	p := coord.DefaultParams()
	p.Graph = false
	want, err := coord.Run(ctx, coord.Data{Shares: g.Shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := coord.Run(ctx, coord.Data{Shares: g.Shares}, p, eng.Coord)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Edges) == 0 || !slices.EqualFunc(want.Edges, got.Edges, func(a, b coord.Edge) bool {
		return a.A == b.A && a.B == b.B && a.Weight == b.Weight && a.Pairs == b.Pairs
	}) {
		t.Fatalf("%d edges through the embedded workers, %d in one process", len(got.Edges), len(want.Edges))
	}
	if !strings.Contains(log.String(), "spilled to disk") {
		t.Fatalf("no embedded reducer spilled under a 192 KiB budget; the log:\n%s", log.String())
	}
}
