package httpapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/demo"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// evidencePage is the answer of GET /coord/runs/{id}/evidence.
type evidencePage struct {
	Run, Dataset, A, B string
	Total              int
	Types              map[string]int
	Sort, Order, Type  string
	Offset, Limit      int
	Pairs              []evidencePair
	Posts              map[string]tahqiq.Post
	Accounts           map[string]tahqiq.Account
}

type evidencePair struct {
	Type       string     `json:"type"`
	Object     string     `json:"object"`
	ObjectText string     `json:"object_text"`
	ObjectPost string     `json:"object_post"`
	PostA      string     `json:"post_a"`
	AccountA   string     `json:"account_a"`
	TimeA      *time.Time `json:"time_a"`
	PostB      string     `json:"post_b"`
	AccountB   string     `json:"account_b"`
	TimeB      *time.Time `json:"time_b"`
	Dt         *int64     `json:"dt_s"`
}

// countingStore counts the post and account reads of the server.
type countingStore struct {
	store
	findPost, findPosts, findAccounts atomic.Int64
}

func (c *countingStore) FindPost(ctx context.Context, dataset, uid string) (tahqiq.PostRecord, error) {
	c.findPost.Add(1)
	return c.store.FindPost(ctx, dataset, uid)
}

func (c *countingStore) FindPosts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Post, error) {
	c.findPosts.Add(1)
	return c.store.FindPosts(ctx, dataset, uids)
}

func (c *countingStore) FindAccounts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Account, error) {
	c.findAccounts.Add(1)
	return c.store.FindAccounts(ctx, dataset, uids)
}

// TestCoordEvidence: a link's evidence in pages, on the embedded store;
// each page reads its posts and their authors in one call each, never
// one per post.
func TestCoordEvidence(t *testing.T) {
	if testing.Short() {
		t.Skip("a coordination run's evidence through the API (about 7 s): not in -short (go test ./..., as CI runs it, does)")
	}
	db, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cs := &countingStore{store: db}
	coordEvidence(t, newEnvOn(t, cs, db.Now), cs)
}

// TestCoordEvidencePostgres: the same on PostgreSQL, row-level security on.
func TestCoordEvidencePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL: not in -short mode")
	}
	coordEvidence(t, newEnvPostgres(t), nil)
}

func brexitSample(t *testing.T) []byte {
	t.Helper()
	files, err := demo.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f) == "brexit.jsonl.gz" {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no brexit.jsonl.gz in internal/demo")
	return nil
}

// coordEvidence runs the coordination analysis on a real X API v2 page
// (100 #brexit tweets with their includes, bundled for the demo) and
// reads its links' evidence as the web UI does: a page at a time, sorted
// by time, Δt or type, each pair with both posts (full text, author's
// handle and name) and the object in words; another organisation's user
// learns nothing of it.
func coordEvidence(t *testing.T, e *env, cs *countingStore) {
	a := e.setup()
	up := a.upload("brexit.jsonl.gz", brexitSample(t))
	a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "brexit", "uploads": []string{up}}))
	j := a.job(a.call("POST", "/api/v1/coord/runs", map[string]any{"dataset": "brexit", "window": "3600s", "min_participation": 1}))
	var run struct{ Run string }
	json.Unmarshal(j.Result, &run)
	var g runs.Graph
	a.want(200, "GET", "/api/v1/coord/runs/"+run.Run+"/graph", nil, &g)
	if len(g.Edges) != 963 {
		t.Fatalf("%d links, want 963 (tahqiq coord on the same file)", len(g.Edges))
	}
	path := func(e runs.GraphEdge, q string) string {
		return "/api/v1/coord/runs/" + run.Run + "/evidence?a=" + url.QueryEscape(e.Target) + "&b=" + url.QueryEscape(e.Source) + q
	}

	// The heaviest link, in pages of 2: the pages make the whole, in order.
	top := g.Edges[0]
	var whole evidencePage
	a.want(200, "GET", path(top, "&limit=1000"), nil, &whole)
	if int64(whole.Total) != top.Pairs || len(whole.Pairs) != whole.Total || whole.Sort != "time" || whole.Order != "asc" || whole.Limit != 1000 ||
		whole.Run != run.Run || whole.Dataset != "brexit" || whole.A > whole.B || whole.A != min(top.Source, top.Target) {
		t.Fatalf("the heaviest link %s (%d pairs): %+v", top.ID, top.Pairs, whole)
	}
	sum := 0
	for _, n := range whole.Types {
		sum += n
	}
	if sum != whole.Total {
		t.Errorf("pairs by type %v do not add up to %d", whole.Types, whole.Total)
	}
	var paged []evidencePair
	before := int64(0)
	if cs != nil {
		before = cs.findPosts.Load()
	}
	for off := 0; off < whole.Total; off += 2 {
		var p evidencePage
		a.want(200, "GET", path(top, "&limit=2&offset="+itoa(off)), nil, &p)
		if p.Total != whole.Total || p.Offset != off || p.Limit != 2 || len(p.Pairs) != min(2, whole.Total-off) {
			t.Fatalf("page at %d: %+v", off, p)
		}
		paged = append(paged, p.Pairs...)
		checkPairs(t, p)
	}
	if !slices.EqualFunc(paged, whole.Pairs, samePair) {
		t.Errorf("pages of 2 differ from the whole:\n%+v\n%+v", paged, whole.Pairs)
	}
	if cs != nil {
		pages := int64((whole.Total + 1) / 2)
		if n := cs.findPosts.Load() - before; n != pages || cs.findPost.Load() != 0 {
			t.Errorf("%d pages read posts %d times in batches and %d times one by one; want one batch a page", pages, n, cs.findPost.Load())
		}
	}

	// Every link, every sort, both ways: the pairs, their posts, authors and
	// objects in words.
	var reposts, withNames int
	for _, e := range g.Edges {
		for _, q := range []string{"&sort=time", "&sort=dt&order=desc", "&sort=type"} {
			var p evidencePage
			a.want(200, "GET", path(e, q+"&limit=1000"), nil, &p)
			if int64(p.Total) != e.Pairs || len(p.Pairs) != p.Total {
				t.Fatalf("%s %s: %d pairs of %d, the link says %d", e.ID, q, len(p.Pairs), p.Total, e.Pairs)
			}
			checkPairs(t, p)
			for i := 1; i < len(p.Pairs); i++ {
				x, y := p.Pairs[i-1], p.Pairs[i]
				ok := true
				switch q {
				case "&sort=time":
					ok = !first(y).Before(first(x))
				case "&sort=dt&order=desc":
					ok = *x.Dt >= *y.Dt
				case "&sort=type":
					ok = x.Type <= y.Type
				}
				if !ok {
					t.Fatalf("%s %s: pair %d %+v after %+v", e.ID, q, i, y, x)
				}
			}
			if q != "&sort=time" {
				continue
			}
			for _, x := range p.Pairs {
				if x.Type == "retweet" {
					reposts++
				}
			}
			if acc := p.Accounts[p.A]; acc.Handle != "" && acc.Name != "" {
				withNames++
			}
		}
	}
	if reposts != 151 || withNames != len(g.Edges) {
		t.Errorf("%d repost pairs (want 151), %d of %d links with the handle and name of their first account", reposts, withNames, len(g.Edges))
	}

	// A post read alone comes with its author.
	var one struct {
		Post    tahqiq.Post
		Account *tahqiq.Account
	}
	a.want(200, "GET", "/api/v1/datasets/brexit/posts/"+url.PathEscape(whole.Pairs[0].PostA), nil, &one)
	if one.Account == nil || one.Account.UID != whole.A || one.Account.Handle != whole.Accounts[whole.A].Handle || one.Account.Handle == "" {
		t.Errorf("post %s: author %+v, want %+v", whole.Pairs[0].PostA, one.Account, whole.Accounts[whole.A])
	}

	// A page of one type; a page past the end; a link the run lacks.
	var byType evidencePage
	a.want(200, "GET", path(top, "&type=hashtag"), nil, &byType)
	if byType.Total != whole.Types["hashtag"] || byType.Type != "hashtag" || slices.ContainsFunc(byType.Pairs, func(p evidencePair) bool { return p.Type != "hashtag" }) {
		t.Errorf("hashtag pairs: %+v (the link has %d)", byType, whole.Types["hashtag"])
	}
	var past evidencePage
	a.want(200, "GET", path(top, "&offset=5000"), nil, &past)
	if past.Total != whole.Total || len(past.Pairs) != 0 {
		t.Errorf("past the end: %+v", past)
	}
	a.want(404, "GET", "/api/v1/coord/runs/"+run.Run+"/evidence?a=x:1&b=x:2", nil, nil)

	// Wrong parameters are named.
	for q, want := range map[string]string{
		"&sort=weight": `sort="weight": want time, dt, type`, "&order=up": `order="up": want asc or desc`,
		"&type=likes": `type="likes": want one of`, "&limit=0": "limit=0: want 1 to 1000", "&limit=ten": `limit="ten": want a whole number`,
		"&offset=-1": `offset="-1": want a whole number`,
	} {
		r := a.call("GET", path(top, q), nil)
		if r.status != 400 || !strings.Contains(string(r.body), strings.ReplaceAll(want, `"`, `\"`)) {
			t.Errorf("%s: %d %s, want 400 %s", q, r.status, r.body, want)
		}
	}
	if r := a.call("GET", "/api/v1/coord/runs/"+run.Run+"/evidence?a="+url.QueryEscape(top.Source), nil); r.status != 400 {
		t.Errorf("one account: %d %s", r.status, r.body)
	}

	// A viewer of the organisation reads it; each page read is in the log.
	v := e.user(a, "vera", tahqiq.RoleViewer)
	v.want(200, "GET", path(top, "&limit=2&offset=2"), nil, nil)
	var log struct {
		Size    int
		Entries []struct{ Action, Details string }
	}
	a.want(200, "GET", "/api/v1/log?limit=1", nil, &log)
	a.want(200, "GET", "/api/v1/log?limit=20&from="+itoa(max(0, log.Size-20)), nil, &log)
	found := false
	for _, l := range log.Entries {
		if l.Action == "coord.evidence.read" && strings.Contains(l.Details, "pairs 3-4 of "+itoa(whole.Total)) {
			found = true
		}
	}
	if !found {
		t.Errorf("no log entry for the viewer's page 3-4 of %d: %+v", whole.Total, log.Entries)
	}

	// Another organisation's investigator: 404, as for a run that does not
	// exist, and nothing of the evidence in the answer, whatever it asks.
	_, padmin := e.partner("Partner", "padmin")
	b := e.user(padmin, "pat", tahqiq.RoleInvestigator)
	for _, q := range []string{"", "&limit=1000", "&sort=weight", "&type=likes"} {
		r := b.call("GET", path(top, q), nil)
		none := b.call("GET", strings.Replace(path(top, q), run.Run, "c-20990101T000000-000000", 1), nil)
		body := strings.ReplaceAll(string(r.body), run.Run, "RUN")
		if r.status != 404 || none.status != 404 || body != strings.ReplaceAll(string(none.body), "c-20990101T000000-000000", "RUN") {
			t.Errorf("the partner asking %q: %d %s; for a run that does not exist: %d %s", q, r.status, r.body, none.status, none.body)
		}
		for _, leak := range []string{whole.Pairs[0].PostA, whole.A, whole.Accounts[whole.A].Handle, "brexit"} {
			if leak != "" && strings.Contains(string(r.body), leak) {
				t.Errorf("the partner's answer names %q: %s", leak, r.body)
			}
		}
	}
}

// checkPairs: each pair's posts are in the page, by the pair's accounts,
// at its times, with their text; both accounts are in the page; a text
// hash or a post id comes with what it stands for.
func checkPairs(t *testing.T, p evidencePage) {
	t.Helper()
	for _, acc := range []string{p.A, p.B} {
		if p.Accounts[acc].UID != acc {
			t.Fatalf("account %s is not in the page: %v", acc, p.Accounts)
		}
	}
	for _, x := range p.Pairs {
		pa, pb := p.Posts[x.PostA], p.Posts[x.PostB]
		if x.AccountA != p.A || x.AccountB != p.B || pa.AuthorUID != x.AccountA || pb.AuthorUID != x.AccountB ||
			!pa.CreatedAt.Equal(*x.TimeA) || !pb.CreatedAt.Equal(*x.TimeB) || pa.Text == "" || pb.Text == "" {
			t.Fatalf("pair %+v: posts %+v and %+v", x, pa, pb)
		}
		if d := x.TimeA.Sub(*x.TimeB); *x.Dt != int64(max(d, -d)/time.Second) || *x.Dt > 3600 {
			t.Fatalf("pair %+v: Δt %d", x, *x.Dt)
		}
		if x.ObjectPost != "" && x.ObjectPost != "x:"+x.Object {
			t.Fatalf("%s pair %+v: the object's post is not the post of its id", x.Type, x)
		}
		// a reposted post is in the sample (twarc2's includes); a post
		// replied to may not be: then it is named by its id alone
		if _, ok := p.Posts[x.ObjectPost]; x.Type == "retweet" || (x.Type == "reply" && ok) {
			if op, ok := p.Posts[x.ObjectPost]; !ok || x.ObjectText == "" || x.ObjectText != op.Text {
				t.Fatalf("%s pair %+v: object post in the page %v, text %q", x.Type, x, ok, x.ObjectText)
			}
			if p.Accounts[p.Posts[x.ObjectPost].AuthorUID].Handle == "" {
				t.Fatalf("%s pair %+v: the original's author is not in the page", x.Type, x)
			}
		}
	}
}

func first(p evidencePair) time.Time {
	if p.TimeA.Before(*p.TimeB) {
		return *p.TimeA
	}
	return *p.TimeB
}

func samePair(x, y evidencePair) bool {
	return x.Type == y.Type && x.Object == y.Object && x.PostA == y.PostA && x.PostB == y.PostB
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
