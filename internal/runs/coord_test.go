package runs_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// campaign stores a dataset in which six accounts post the same URL
// within seconds, in three bursts, each time with a near-identical text,
// and two others post unrelated texts; it returns the shares and texts
// that went in.
func campaign(t *testing.T, db *sqlite.DB) ([]tahqiq.Share, []coord.TextPost) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "c.jsonl", SHA256: "c0", Format: "test"}); err != nil {
		t.Fatal(err)
	}
	var shares []tahqiq.Share
	var texts []coord.TextPost
	base := time.Date(2024, 2, 8, 9, 0, 0, 0, time.UTC)
	n := 0
	post := func(acc string, at time.Time, text, url string) {
		n++
		uid := fmt.Sprintf("x:%d", n)
		p := tahqiq.Post{UID: uid, Platform: "x", PlatformID: fmt.Sprint(n), AuthorUID: acc, Kind: tahqiq.KindOriginal,
			CreatedAt: at, Precision: tahqiq.PrecisionSecond, Text: text}
		var sh []tahqiq.Share
		if url != "" {
			sh = append(sh, tahqiq.Share{Type: tahqiq.ObjURL, Object: url, AccountID: acc, PostID: uid, Time: at.Unix(), Precision: tahqiq.PrecisionSecond})
		}
		raw := []byte(fmt.Sprintf(`{"id":%d}`, n))
		if _, err := tx.AddRecord(ctx, &tahqiq.RawRecord{Format: "test", Line: int64(n), Locator: fmt.Sprint("L", n), Raw: raw, SHA256: sha256.Sum256(raw), Kind: tahqiq.RecordPost},
			[]tahqiq.Post{p}, []tahqiq.Account{{UID: acc, Platform: "x", PlatformID: acc[2:], Handle: acc[2:]}}, sh); err != nil {
			t.Fatal(err)
		}
		shares = append(shares, sh...)
		texts = append(texts, coord.TextPost{PostID: uid, AccountID: acc, Time: at.Unix(), Text: text})
	}
	for burst := range 3 {
		at := base.Add(time.Duration(burst) * 6 * time.Hour)
		url := fmt.Sprintf("https://example.org/form-47-%d", burst)
		for i := range 6 {
			post(fmt.Sprintf("x:acc%d", i), at.Add(time.Duration(i*5)*time.Second),
				fmt.Sprintf("the returning officer changed the form 47 totals in constituency %d overnight, share before it is deleted %d", burst, i%2), url)
		}
	}
	post("x:other1", base.Add(time.Minute), "lovely weather in lahore today", "")
	post("x:other2", base.Add(2*time.Minute), "cricket scores from the match", "")
	if err := tx.SetDerivation(ctx, ingest.Derivation); err != nil { // as an import by this tahqiq
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return shares, texts
}

// TestRunCoord: a run over a stored dataset gives the edges of coord.Run
// on the same shares and texts, for url and for near-text (texts read
// back from the store), and the run's graph, account and evidence views
// read them back.
func TestRunCoord(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	shares, texts := campaign(t, db)
	st := &runs.Store{Dir: t.TempDir()}
	one := 1
	for _, by := range [][]string{{"url"}, {"near-text"}, {"url", "near-text"}} {
		req := runs.CoordRequest{Dataset: "c", By: by, Window: "60s", MinParticipation: &one}
		in, err := st.RunCoord(ctx, db, req, "test", "u1", nil)
		if err != nil {
			t.Fatalf("%v: %v", by, err)
		}
		p, err := req.Params()
		if err != nil {
			t.Fatal(err)
		}
		want, err := coord.Run(ctx, coord.Data{Shares: shares, Texts: texts}, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		g, err := st.Graph(in.ID, runs.GraphFilter{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Edges) != len(want.Edges) || len(g.Edges) != 15 || in.Counts["edges"] != 15 {
			t.Fatalf("%v: %d edges in the run's graph (counts %d), coord.Run %d; want the 15 pairs of six accounts", by, len(g.Edges), in.Counts["edges"], len(want.Edges))
		}
		for _, e := range g.Edges {
			if !slices.Equal(e.Types, by) && !(len(by) == 2 && len(e.Types) == 2) {
				t.Errorf("%v: edge %s has types %v", by, e.ID, e.Types)
			}
		}
		rows, _, err := st.Evidence(in.ID, "x:acc0", "x:acc1")
		if err != nil || len(rows) != 3*len(by) {
			t.Errorf("%v: evidence of acc0-acc1: %d rows, %v; want %d (one per burst and type)", by, len(rows), err, 3*len(by))
		}
		node, edges, err := st.AccountEdges(in.ID, "x:acc3")
		if err != nil || node.Degree != 5 || len(edges) != 5 {
			t.Errorf("%v: acc3 has degree %d and %d edges, %v; want 5", by, node.Degree, len(edges), err)
		}
		if got, err := st.Get(runs.Coord, in.ID); err != nil || got.Dataset != "c" || got.CreatedBy != "u1" {
			t.Errorf("%v: Get = %+v, %v", by, got, err)
		}
	}
	// a stricter similarity keeps only the identical texts: accounts 0, 2,
	// 4 and 1, 3, 5 (two triangles)
	strict := 1.0
	in, err := st.RunCoord(ctx, db, runs.CoordRequest{Dataset: "c", By: []string{"near-text"}, Window: "60s", MinParticipation: &one, Jaccard: &strict}, "test", "u1", nil)
	if err != nil || in.Counts["edges"] != 6 {
		t.Errorf("jaccard 1: %d edges, %v; want 6", in.Counts["edges"], err)
	}
	if list, err := st.List(runs.Coord); err != nil || len(list) != 4 {
		t.Errorf("List: %d runs, %v; want 4", len(list), err)
	}
	if _, err := st.RunCoord(ctx, db, runs.CoordRequest{Dataset: "missing"}, "test", "u1", nil); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("a run of a missing dataset: %v, want ENOTFOUND", err)
	}
}

// TestRequestErrorsNameFields: a request the server cannot run says
// which field is wrong, by the request's own names, never a CLI flag.
func TestRequestErrorsNameFields(t *testing.T) {
	for _, tc := range []struct {
		req  runs.CoordRequest
		want string
	}{
		{runs.CoordRequest{Dataset: "d", Window: "60"}, `window "60": give a unit, e.g. 60s`},
		{runs.CoordRequest{Dataset: "d", FastWindow: "soon"}, `fast_window "soon": want a duration such as 60s`},
		{runs.CoordRequest{Dataset: "d", By: []string{"likes"}}, `by "likes": want retweet,`},
		{runs.CoordRequest{Dataset: "d", WindowKind: "weekly"}, `window_kind "weekly": want sliding,`},
		{runs.CoordRequest{Dataset: "d", Percentile: ptr(2.0)}, "percentile 2: want a fraction"},
	} {
		_, err := tc.req.Params()
		if msg := tahqiq.ErrorMessage(err); tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.HasPrefix(msg, tc.want) || strings.Contains(msg, "--") {
			t.Errorf("%+v: %s %q, want invalid, %q", tc.req, tahqiq.ErrorCode(err), msg, tc.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestDefaultRequest: the request of the defaults (what the web UI's form
// starts from) asks for the run an empty request gets, tahqiq coord's
// without flags: CooRTweet's percentile 0.5 among them.
func TestDefaultRequest(t *testing.T) {
	d := runs.DefaultRequest()
	got, err := d.Params()
	if err != nil {
		t.Fatal(err)
	}
	empty, err := runs.CoordRequest{}.Params()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, empty) || !reflect.DeepEqual(got, coord.DefaultParams()) || *d.Percentile != 0.5 || d.Window != "60s" {
		t.Errorf("defaults: %+v from %+v; an empty request %+v", got, d, empty)
	}
}
