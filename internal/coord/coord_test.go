package coord_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// readEvents reads an events CSV of shared/data/coord as shares, the way
// the importer maps it (platform "other", phash as image).
func readEvents(tb testing.TB, name string) []tahqiq.Share {
	tb.Helper()
	return parsetest.ReadEvents(tb, name)
}

func edgeAccounts(res *coord.Result) int {
	seen := map[int32]bool{}
	for _, e := range res.Edges {
		seen[e.A], seen[e.B] = true, true
	}
	return len(seen)
}

// The published counts of coordination.md §5 (CooRTweet rus_tw60_mp2 and
// rus_tw60_mp1; CNT co_retweet gives the same 6,206 edges and weights).
func TestRussianPublishedCounts(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	tests := []struct {
		mp              int
		accounts, edges int
	}{
		{2, 2110, 3721},
		{1, 3954, 6206},
	}
	for _, tc := range tests {
		p := coord.DefaultParams()
		p.Types = []tahqiq.ObjectType{tahqiq.ObjRetweet}
		p.Window = 60
		p.MinParticipation = tc.mp
		p.Graph = false
		res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := edgeAccounts(res); got != tc.accounts || len(res.Edges) != tc.edges {
			t.Errorf("min-participation %d: %d accounts, %d edges; want %d, %d", tc.mp, got, len(res.Edges), tc.accounts, tc.edges)
		}
	}
}

// Shares without a time (posts imported from a CSV without a time column:
// precision none) cannot be paired within a time window: a run with one
// says so and names --window none, which pairs every share of an object
// (the same object anywhere in the dataset) and works on them. Texts
// without a time (near-text) are held to the same rule.
func TestSharesWithoutTime(t *testing.T) {
	sh := func(acc, post string) tahqiq.Share {
		return tahqiq.Share{Type: tahqiq.ObjText, Object: "nt_1", AccountID: acc, PostID: post, Precision: tahqiq.PrecisionNone}
	}
	shares := []tahqiq.Share{sh("a", "p1"), sh("b", "p2"), sh("c", "p3")}
	p := coord.DefaultParams()
	p.MinParticipation = 1
	p.Graph = false
	if _, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil); tahqiq.ErrorCode(err) != tahqiq.EINVALID ||
		!strings.Contains(err.Error(), "3 of the 3 shares have no time") || !strings.Contains(err.Error(), "run with window none") {
		t.Errorf("60 s window on shares without a time: %v", err)
	}
	p.Window = coord.NoWindow
	res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
	if err != nil || len(res.Edges) != 3 {
		t.Fatalf("--window none: %v, %d edges, want 3", err, len(res.Edges))
	}
	p.FastWindow = 10
	if _, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil); tahqiq.ErrorCode(err) != tahqiq.EINVALID {
		t.Errorf("fast layer on shares without a time: %v", err)
	}
	p.FastWindow = 0
	p.Window = 60
	p.Types = []tahqiq.ObjectType{coord.ObjNearText}
	texts := []coord.TextPost{
		{PostID: "p1", AccountID: "a", Text: "one two three four five six", Precision: tahqiq.PrecisionNone},
		{PostID: "p2", AccountID: "b", Text: "one two three four five six", Precision: tahqiq.PrecisionNone},
	}
	if _, err := coord.Run(context.Background(), coord.Data{Texts: texts}, p, nil); tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.Contains(err.Error(), "window none") {
		t.Errorf("near-text with a window on texts without a time: %v", err)
	}
}

// TestParamErrors: a parameter a run cannot take is an EINVALID error
// that names the parameter by its field name (as the API's requests do),
// never by a CLI flag; Phrase lets the CLI say its flags.
func TestParamErrors(t *testing.T) {
	flag := func(p string) string { return "--" + strings.ReplaceAll(p, "_", "-") }
	for _, tc := range []struct {
		mod         func(*coord.Params)
		param, text string
		phrased     string
	}{
		{func(p *coord.Params) { p.WindowKind = "weekly" }, "window_kind", `window_kind "weekly": want sliding`, `--window-kind "weekly": want sliding`},
		{func(p *coord.Params) { p.Percentile = 1.5 }, "percentile", "percentile 1.5: want a fraction", "--percentile 1.5"},
		{func(p *coord.Params) { p.FastWindow = -1 }, "fast_window", "fast_window -1 s: a window must not be negative", "--fast-window -1 s"},
		{func(p *coord.Params) { p.EigenPrune = 2 }, "eigen_prune", "eigen_prune 2: want a fraction", "--eigen-prune 2"},
		{func(p *coord.Params) { p.Types = []tahqiq.ObjectType{coord.ObjNearText}; p.Jaccard = 0 }, "jaccard", "jaccard must be above 0 with by near-text", "--jaccard must be above 0 with --by near-text"},
	} {
		p := coord.DefaultParams()
		tc.mod(&p)
		_, err := coord.Run(context.Background(), coord.Data{Texts: []coord.TextPost{{PostID: "p", AccountID: "a", Text: "t"}}}, p, nil)
		var pe *tahqiq.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.param || tahqiq.ErrorCode(err) != tahqiq.EINVALID {
			t.Errorf("%s: %v (code %s), want a ParamError about it", tc.param, err, tahqiq.ErrorCode(err))
			continue
		}
		if msg := tahqiq.ErrorMessage(err); !strings.HasPrefix(msg, tc.text) || strings.Contains(msg, "--") {
			t.Errorf("%s: the message is %q, want it to start %q and name no flag", tc.param, msg, tc.text)
		}
		if got := pe.Phrase(flag); !strings.HasPrefix(got, tc.phrased) {
			t.Errorf("%s: phrased for the CLI %q, want it to start %q", tc.param, got, tc.phrased)
		}
	}
}
