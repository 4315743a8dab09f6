package runs_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/demo"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/sqlite"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// TestEvidencePage: the pairs behind a link in pages, sorted by time, Δt
// or type, either way, of one type or all; the counts by type are the
// whole link's; the same page at every request; a link the run does not
// have is not found.
func TestEvidencePage(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	campaign(t, db)
	st := &runs.Store{Dir: t.TempDir()}
	one := 1
	in, err := st.RunCoord(ctx, db, runs.CoordRequest{Dataset: "c", By: []string{"url", "near-text"}, Window: "60s", MinParticipation: &one}, "test", "u1", nil)
	if err != nil {
		t.Fatal(err)
	}
	// acc0 and acc5 post 25 s apart in each of three bursts six hours apart:
	// one url and one near-text pair per burst
	all, err := st.EvidencePage(in.ID, "x:acc5", "x:acc0", runs.EvidenceQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if all.A != "x:acc0" || all.B != "x:acc5" || all.Total != 6 || len(all.Rows) != 6 || all.ByType["url"] != 3 || all.ByType["near-text"] != 3 || all.SHA256 == "" {
		t.Fatalf("all pairs: %+v", all)
	}
	first := func(r coord.EvidenceRow) int64 { return min(r.TimeA, r.TimeB) }
	for i := 1; i < len(all.Rows); i++ {
		if first(all.Rows[i]) < first(all.Rows[i-1]) {
			t.Errorf("sorted by time: row %d at %d before row %d at %d", i, first(all.Rows[i]), i-1, first(all.Rows[i-1]))
		}
	}
	for _, tc := range []struct {
		q     runs.EvidenceQuery
		total int
		check func(rows []coord.EvidenceRow) bool
	}{
		{runs.EvidenceQuery{Sort: runs.SortTime, Desc: true}, 6, func(r []coord.EvidenceRow) bool {
			return slices.IsSortedFunc(r, func(x, y coord.EvidenceRow) int { return int(first(y) - first(x)) }) && first(r[0]) > first(r[5])
		}},
		{runs.EvidenceQuery{Sort: runs.SortType}, 6, func(r []coord.EvidenceRow) bool {
			return r[0].ObjectType == "near-text" && r[2].ObjectType == "near-text" && r[3].ObjectType == "url" && r[5].ObjectType == "url"
		}},
		{runs.EvidenceQuery{Sort: runs.SortType, Desc: true}, 6, func(r []coord.EvidenceRow) bool { return r[0].ObjectType == "url" && r[5].ObjectType == "near-text" }},
		{runs.EvidenceQuery{Sort: runs.SortDt}, 6, func(r []coord.EvidenceRow) bool {
			return slices.IsSortedFunc(r, func(x, y coord.EvidenceRow) int { return int(x.Dt() - y.Dt()) })
		}},
		{runs.EvidenceQuery{Type: "url"}, 3, func(r []coord.EvidenceRow) bool {
			return len(r) == 3 && !slices.ContainsFunc(r, func(x coord.EvidenceRow) bool { return x.ObjectType != "url" })
		}},
		{runs.EvidenceQuery{Offset: 2, Limit: 3}, 6, func(r []coord.EvidenceRow) bool { return len(r) == 3 && slices.Equal(r, all.Rows[2:5]) }},
		{runs.EvidenceQuery{Offset: 5, Limit: 3}, 6, func(r []coord.EvidenceRow) bool { return len(r) == 1 && r[0] == all.Rows[5] }},
		{runs.EvidenceQuery{Offset: 9, Limit: 3}, 6, func(r []coord.EvidenceRow) bool { return len(r) == 0 }},
		{runs.EvidenceQuery{Type: "hashtag"}, 0, func(r []coord.EvidenceRow) bool { return len(r) == 0 }},
	} {
		p, err := st.EvidencePage(in.ID, "x:acc0", "x:acc5", tc.q)
		if err != nil || p.Total != tc.total || p.ByType["url"] != 3 || !tc.check(p.Rows) {
			t.Errorf("%+v: total %d (want %d), by type %v, rows %+v, %v", tc.q, p.Total, tc.total, p.ByType, p.Rows, err)
		}
		again, _ := st.EvidencePage(in.ID, "x:acc0", "x:acc5", tc.q)
		if !slices.Equal(again.Rows, p.Rows) {
			t.Errorf("%+v: another page at the second request", tc.q)
		}
	}
	if _, err := st.EvidencePage(in.ID, "x:acc0", "x:other1", runs.EvidenceQuery{}); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("a link the run does not have: %v, want ENOTFOUND", err)
	}
}

// urduFixture stores posts whose shares are derived as an import derives
// them: three accounts post one Urdu text (text hash; near-text too),
// near-copies of a second (near-text), repost one post (retweet with its id) and one post
// whose original is not in the dataset (the repost carries its text),
// and reply to one post.
func urduFixture(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, "ur")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "ur.jsonl", SHA256: "u0", Format: "test"}); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2024, 2, 9, 5, 0, 0, 0, time.UTC)
	n := 0
	add := func(p tahqiq.Post) {
		n++
		p.Platform, p.Precision = "x", tahqiq.PrecisionSecond
		p.PlatformID = strings.TrimPrefix(p.UID, "x:")
		raw := []byte(fmt.Sprintf(`{"n":%d}`, n))
		if _, err := tx.AddRecord(ctx, &tahqiq.RawRecord{Format: "test", Line: int64(n), Raw: raw, SHA256: sha256.Sum256(raw), Kind: tahqiq.RecordPost},
			[]tahqiq.Post{p}, []tahqiq.Account{{UID: p.AuthorUID, Platform: "x", PlatformID: p.AuthorUID[2:], Handle: p.AuthorUID[2:] + "_pk", Name: "نام " + p.AuthorUID[2:]}},
			ingest.Derive(&p)); err != nil {
			t.Fatal(err)
		}
	}
	add(tahqiq.Post{UID: "x:900", AuthorUID: "x:ecp", Kind: tahqiq.KindOriginal, CreatedAt: base.Add(-time.Hour), Text: "الیکشن کمیشن کا اعلامیہ: حلقہ NA-56 کے نتائج"})
	for i, acc := range []string{"x:ali", "x:zainab", "x:voter"} {
		at := base.Add(time.Duration(i*7) * time.Second)
		add(tahqiq.Post{UID: fmt.Sprintf("x:%d", 100+i), AuthorUID: acc, Kind: tahqiq.KindOriginal, CreatedAt: at,
			Text: "@ecp_pakistan حلقہ NA-56 کے فارم 45 میں 98,765 ووٹ جبکہ فارم 47 میں 1,23,456 درج ہیں"})
		add(tahqiq.Post{UID: fmt.Sprintf("x:%d", 200+i), AuthorUID: acc, Kind: tahqiq.KindOriginal, CreatedAt: at.Add(time.Minute),
			Text: fmt.Sprintf("ریٹرننگ افسر نے رات کو فارم 47 کے نتائج بدل دیے، سب کو بتائیں %s", strings.Repeat("!", i+1))})
		add(tahqiq.Post{UID: fmt.Sprintf("x:%d", 300+i), AuthorUID: acc, Kind: tahqiq.KindRepost, CreatedAt: at.Add(2 * time.Minute),
			Text: "RT @ecp: الیکشن کمیشن کا اعلامیہ: حلقہ NA-56 کے نتائج", References: []tahqiq.Reference{{Type: tahqiq.RefRetweetOf, TargetID: "900"}}})
		add(tahqiq.Post{UID: fmt.Sprintf("x:%d", 400+i), AuthorUID: acc, Kind: tahqiq.KindRepost, CreatedAt: at.Add(3 * time.Minute),
			Text: "RT @gone: پولنگ اسٹیشن 12 پر بیلٹ…", TextFull: "پولنگ اسٹیشن 12 پر بیلٹ بکس کھلے ملے", References: []tahqiq.Reference{{Type: tahqiq.RefRetweetOf, TargetID: "777"}}})
		add(tahqiq.Post{UID: fmt.Sprintf("x:%d", 500+i), AuthorUID: acc, Kind: tahqiq.KindReply, CreatedAt: at.Add(4 * time.Minute),
			Text: fmt.Sprintf("@ecp جواب دیں %d", i), References: []tahqiq.Reference{{Type: tahqiq.RefReplyTo, TargetID: "900"}}})
	}
	if err := tx.SetDerivation(ctx, ingest.Derivation); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestObjectText: every object that is not readable as it is says what it
// stands for: a text hash the text it was made from, a near-text group its
// first post, a repost its original (from the dataset, else as the repost
// carries it), a reply the post replied to.
func TestObjectText(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	urduFixture(t, db)
	st := &runs.Store{Dir: t.TempDir()}
	one, jac, tokens := 1, 0.6, 3
	in, err := st.RunCoord(ctx, db, runs.CoordRequest{Dataset: "ur", By: []string{"text", "near-text", "retweet", "reply"}, Window: "60s",
		MinParticipation: &one, Jaccard: &jac, MinTokens: &tokens}, "test", "u1", nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.EvidencePage(in.ID, "x:ali", "x:zainab", runs.EvidenceQuery{Sort: runs.SortType})
	if err != nil {
		t.Fatal(err)
	}
	uids := []string{}
	for _, r := range p.Rows {
		uids = append(uids, r.PostA, r.PostB)
		if u := runs.ObjectPost(r); u != "" {
			uids = append(uids, u)
		}
	}
	posts, err := db.FindPosts(ctx, "ur", uids)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ post, text string }{
		"near:x:200": {"x:200", "ریٹرننگ افسر نے رات کو فارم 47 کے نتائج بدل دیے، سب کو بتائیں !"},
		"near:x:100": {"x:100", "@ecp_pakistan حلقہ NA-56 کے فارم 45 میں 98,765 ووٹ جبکہ فارم 47 میں 1,23,456 درج ہیں"},
		"reply":      {"x:900", "الیکشن کمیشن کا اعلامیہ: حلقہ NA-56 کے نتائج"},
		"text":       {"", "@ecp_pakistan حلقہ NA-56 کے فارم 45 میں 98,765 ووٹ جبکہ فارم 47 میں 1,23,456 درج ہیں"},
	}
	seen := map[string]int{}
	for _, r := range p.Rows {
		post, text := runs.ObjectPost(r), runs.ObjectText(r, posts)
		seen[r.ObjectType]++
		switch r.ObjectType {
		case "retweet":
			if r.Object == "900" && (post != "x:900" || text != want["reply"].text) {
				t.Errorf("repost of a post in the dataset: %q %q", post, text)
			}
			if r.Object == "777" && (post != "x:777" || text != "پولنگ اسٹیشن 12 پر بیلٹ بکس کھلے ملے") {
				t.Errorf("repost of a post not in the dataset: %q %q", post, text)
			}
		default:
			w, ok := want[r.ObjectType]
			if !ok {
				w = want[r.Object]
			}
			if post != w.post || text != w.text {
				t.Errorf("%s %s: object post %q, text %q; want %q, %q", r.ObjectType, r.Object, post, text, w.post, w.text)
			}
		}
		if r.ObjectType == "text" && textnorm.TextHash(textnorm.Text(text)) != r.Object {
			t.Errorf("the text of %s hashes to something else", r.Object)
		}
	}
	if seen["text"] != 1 || seen["near-text"] != 2 || seen["retweet"] != 2 || seen["reply"] != 1 {
		t.Errorf("pairs of ali and zainab by type: %v", seen)
	}
	// readable as they are
	for _, r := range []coord.EvidenceRow{{ObjectType: "url", Object: "https://example.org/"}, {ObjectType: "hashtag", Object: "دھاندلی"}, {ObjectType: "image", Object: "ph:ff00"}} {
		if runs.ObjectPost(r) != "" || runs.ObjectText(r, posts) != "" {
			t.Errorf("%+v is readable as it is", r)
		}
	}
	if got := runs.ObjectText(coord.EvidenceRow{ObjectType: "retweet", Object: "from:name:ووٹر چینل"}, nil); got != "ووٹر چینل" {
		t.Errorf("a forward from a named source: %q", got)
	}
}

// TestObjectTextBrexit: on a real X API v2 page (the demo's bundled
// sample), every repost's object is the original post, found in the
// dataset (twarc2 includes it), with its text; every pair's posts are in
// the store, by the accounts and at the times the evidence says.
func TestObjectTextBrexit(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := demo.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var brexit string
	for _, f := range files {
		if filepath.Base(f) == "brexit.jsonl.gz" {
			brexit = f
		}
	}
	if _, err := (&ingest.Importer{Formats: ingest.Default()}).Import(ctx, db, []string{brexit}, ingest.Options{Dataset: "brexit"}); err != nil {
		t.Fatal(err)
	}
	st := &runs.Store{Dir: t.TempDir()}
	one := 1
	in, err := st.RunCoord(ctx, db, runs.CoordRequest{Dataset: "brexit", Window: "3600s", MinParticipation: &one}, "test", "u1", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := st.Graph(in.ID, runs.GraphFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reposts, pairs := 0, 0
	for _, e := range g.Edges {
		p, err := st.EvidencePage(in.ID, e.Source, e.Target, runs.EvidenceQuery{})
		if err != nil || int64(p.Total) != e.Pairs {
			t.Fatalf("%s: %d pairs, %v; the edge says %d", e.ID, p.Total, err, e.Pairs)
		}
		var uids []string
		for _, r := range p.Rows {
			uids = append(uids, r.PostA, r.PostB, runs.ObjectPost(r))
		}
		posts, err := db.FindPosts(ctx, "brexit", uids)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rows {
			pairs++
			a, b := posts[r.PostA], posts[r.PostB]
			if a.AuthorUID != r.AccountA || b.AuthorUID != r.AccountB || a.CreatedAt.Unix() != r.TimeA || b.CreatedAt.Unix() != r.TimeB {
				t.Fatalf("%+v: the store's posts are by %s at %v and %s at %v", r, a.AuthorUID, a.CreatedAt, b.AuthorUID, b.CreatedAt)
			}
			if r.ObjectType != "retweet" {
				continue
			}
			reposts++
			orig, ok := posts[runs.ObjectPost(r)]
			if text := runs.ObjectText(r, posts); !ok || text == "" || text != orig.Text {
				t.Fatalf("repost pair %+v: original %v in the dataset, text %q", r, ok, text)
			}
		}
	}
	if reposts != 151 || pairs != 1168 {
		t.Errorf("%d repost pairs of %d, want 151 of 1,168 (tahqiq coord on the same file)", reposts, pairs)
	}
}
