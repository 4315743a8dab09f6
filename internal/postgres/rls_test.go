package postgres_test

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
)

// TestRowLevelSecurity: with the store read as another organisation (the
// scope the server sets per request), PostgreSQL itself hides that
// organisation's cases, items, findings and datasets, even though these
// store calls skip every check of casework; plain SQL with no scope at all
// sees none of them (the policies fail closed); shares open exactly what
// they share.
func TestRowLevelSecurity(t *testing.T) {
	if testing.Short() {
		t.Skip("row-level security under every scope (about 18 s): not in -short (go test ./..., as CI runs it, does)")
	}
	ctx := context.Background()
	srv := pgtest.Start(t)
	db, err := postgres.Open(ctx, srv.NewAppDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if on, err := db.RLSEnforced(ctx); err != nil || !on {
		t.Fatalf("RLSEnforced = %v, %v; want true for an ordinary role", on, err)
	}
	cw := &casework.Service{Store: db}
	orgA, admin, err := cw.InitOrg(ctx, "Inquiry", "admin")
	if err != nil {
		t.Fatal(err)
	}
	orgB, err := cw.AddOrg(ctx, tahqiq.System, "Partner")
	if err != nil {
		t.Fatal(err)
	}
	c, err := cw.NewCase(ctx, admin, "a case of A", "", tahqiq.TLPAmber)
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx tahqiq.CaseTx) error {
		for _, id := range []string{"i-1", "i-2"} {
			if err := tx.CreateItem(ctx, tahqiq.Item{ID: id, CaseID: c.ID, Kind: tahqiq.ItemFile, Title: id, Blobs: []tahqiq.BlobRef{}}); err != nil {
				return err
			}
		}
		if err := tx.CreateNote(ctx, tahqiq.Note{ID: "n-1", CaseID: c.ID, Text: "note"}); err != nil {
			return err
		}
		return tx.PutDatasetOrg(ctx, "ds-a", orgA.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	asA, asB := tahqiq.WithOrg(ctx, orgA.ID), tahqiq.WithOrg(ctx, orgB.ID)
	count := func(ctx context.Context) (cases, items, notes int) {
		cs, _ := db.FindCases(ctx)
		its, _ := db.FindItems(ctx, c.ID)
		ns, _ := db.FindNotes(ctx, c.ID)
		return len(cs), len(its), len(ns)
	}
	for _, tc := range []struct {
		name                string
		ctx                 context.Context
		cases, items, notes int
	}{
		{"unscoped (CLI, jobs)", ctx, 1, 2, 1},
		{"the owner", asA, 1, 2, 1},
		{"another organisation", asB, 0, 0, 0},
	} {
		if cs, its, ns := count(tc.ctx); cs != tc.cases || its != tc.items || ns != tc.notes {
			t.Errorf("%s sees %d cases, %d items, %d notes; want %d, %d, %d", tc.name, cs, its, ns, tc.cases, tc.items, tc.notes)
		}
	}
	if _, err := db.FindCaseByID(asB, c.ID); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("another organisation finds the case: %v", err)
	}
	if _, err := db.FindItemByID(asB, "i-1"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("another organisation finds an item: %v", err)
	}
	// a write scoped to B cannot create a case of A
	err = db.InTx(asB, func(tx tahqiq.CaseTx) error {
		return tx.CreateCase(asB, tahqiq.Case{ID: "c-forged", OrgID: orgA.ID, Title: "forged", TLP: tahqiq.TLPRed, CreatedBy: admin.ID})
	})
	if err == nil {
		t.Error("a transaction scoped to B created a case of A")
	}
	// datasets
	imp, err := db.BeginImport(ctx, "ds-a")
	if err != nil {
		t.Fatal(err)
	}
	if err := imp.AddFile(ctx, tahqiq.ImportFile{Name: "x", SHA256: "00", Format: "test"}); err != nil {
		t.Fatal(err)
	}
	// one post with an account and a share, and one reject: a row in every
	// content table
	raw := []byte(`{"id":"1"}`)
	p := tahqiq.Post{UID: "x:1", Platform: "x", PlatformID: "1", AuthorUID: "x:a", Kind: tahqiq.KindOriginal,
		CreatedAt: time.Date(2024, 2, 8, 12, 0, 0, 0, time.UTC), Precision: tahqiq.PrecisionSecond, Text: "#x"}
	if _, err := imp.AddRecord(ctx, &tahqiq.RawRecord{Format: "test", Line: 1, Locator: "L1", Raw: raw, SHA256: sha256.Sum256(raw), Kind: tahqiq.RecordPost},
		[]tahqiq.Post{p}, []tahqiq.Account{{UID: "x:a", Platform: "x", PlatformID: "a", Handle: "a"}},
		[]tahqiq.Share{{Type: tahqiq.ObjHashtag, Object: "x", AccountID: "x:a", PostID: "x:1", Time: p.CreatedAt.Unix(), Precision: p.Precision}}); err != nil {
		t.Fatal(err)
	}
	// the post again in a later record with an object it did not have:
	// that share is a row of shares (the first is packed in its post)
	raw2 := []byte(`{"id":"1","url":"https://example.org/"}`)
	if _, err := imp.AddRecord(ctx, &tahqiq.RawRecord{Format: "test", Line: 3, Locator: "L3", Raw: raw2, SHA256: sha256.Sum256(raw2), Kind: tahqiq.RecordPost},
		[]tahqiq.Post{p}, nil,
		[]tahqiq.Share{{Type: tahqiq.ObjURL, Object: "https://example.org/", AccountID: "x:a", PostID: "x:1", Time: p.CreatedAt.Unix(), Precision: p.Precision}}); err != nil {
		t.Fatal(err)
	}
	if err := imp.AddReject(ctx, tahqiq.Reject{File: "x", Line: 2, Reason: "bad"}, []byte("{")); err != nil {
		t.Fatal(err)
	}
	if err := imp.AddMedia(ctx, tahqiq.MediaFile{Name: "photos/1.jpg", Status: tahqiq.MediaMissing}); err != nil {
		t.Fatal(err)
	}
	if err := imp.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if ds, _ := db.FindDatasets(asB); len(ds) != 0 {
		t.Errorf("another organisation lists %d datasets", len(ds))
	}
	if _, err := db.FindDatasetByName(asB, "ds-a"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("another organisation finds dataset ds-a: %v", err)
	}
	// the content tables are reached through the dataset row only
	for what, err := range map[string]error{
		"ScanShares":       db.ScanShares(asB, tahqiq.ShareFilter{Dataset: "ds-a"}, func(tahqiq.Share) error { return nil }),
		"SummarizeDataset": second(db.SummarizeDataset(asB, "ds-a", tahqiq.SummaryOptions{})),
		"FindRejects":      second(db.FindRejects(asB, "ds-a", 10, 0)),
		"FindPost":         second(db.FindPost(asB, "ds-a", "x:1")),
		"DeleteDataset":    second(db.DeleteDataset(asB, "ds-a")),
		"FindAccounts":     second(db.FindAccounts(asB, "ds-a", []string{"x:a"})),
		"FindMedia":        second(db.FindMedia(asB, "ds-a")),
	} {
		if tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
			t.Errorf("another organisation: %s of ds-a = %v, want ENOTFOUND", what, err)
		}
	}
	if d, err := db.FindDatasetByName(asA, "ds-a"); err != nil || d.Counts.Posts != 1 || d.Counts.Shares != 2 || d.Counts.Rejects != 1 || len(d.Sources) != 1 {
		t.Errorf("the owner finds ds-a after B's attempts with counts %+v, %d files, %v; want 1 post, 2 shares, 1 reject, 1 file", d.Counts, len(d.Sources), err)
	}
	// the owner's reads go through its scope: each sees the rows
	var shares int
	db.ScanShares(asA, tahqiq.ShareFilter{Dataset: "ds-a"}, func(tahqiq.Share) error { shares++; return nil })
	sum, _ := db.SummarizeDataset(asA, "ds-a", tahqiq.SummaryOptions{})
	rejects, _ := db.FindRejects(asA, "ds-a", 10, 0)
	post, _ := db.FindPost(asA, "ds-a", "x:1")
	accounts, _ := db.FindAccounts(asA, "ds-a", []string{"x:a"})
	_, posts, _ := db.FindAccountPosts(asA, "ds-a", "x:a", 10)
	media, _ := db.FindMedia(asA, "ds-a")
	if got := [...]int{shares, len(sum.TopAccounts), len(sum.TopHashtags), len(rejects), len(post.Records), len(accounts), len(posts), len(media)}; got != [...]int{2, 1, 1, 1, 2, 1, 1, 1} {
		t.Errorf("the owner reads shares, top accounts, top hashtags, rejects, post records, accounts, account posts, media = %v; want two shares (one packed, one a row), two records of the post and one of the rest", got)
	}
	if ds, _ := db.FindDatasets(asA); len(ds) != 1 {
		t.Errorf("the owner lists %d datasets, want 1", len(ds))
	}
	// Plain SQL that skips the store's scoping (a forgotten scope, a bare
	// connection): with no tahqiq.org, or another organisation's, PostgreSQL
	// shows none of A's rows and refuses to write one; the system scope
	// the store uses for unscoped callers sees everything.
	pool := db.Pool()
	tables := []string{"cases", "items", "case_records", "datasets", "files", "record_blocks", "rejects", "accounts", "posts", "shares", "media"}
	plain := func(scope string) (n [11]int64) {
		t.Helper()
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if scope != "" {
			if _, err := tx.Exec(ctx, `SELECT set_config('tahqiq.org', $1, true)`, scope); err != nil {
				t.Fatal(err)
			}
		}
		for i, tab := range tables {
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+tab).Scan(&n[i]); err != nil {
				t.Fatalf("%s: %v", tab, err)
			}
		}
		return n
	}
	for _, tc := range []struct {
		name  string
		scope string
		want  [11]int64
	}{
		{"no scope set", "", [11]int64{}},
		{"scoped to B", orgB.ID, [11]int64{}},
		{"scoped to A", orgA.ID, [11]int64{1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"system scope", postgres.SystemScope, [11]int64{1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
	} {
		if got := plain(tc.scope); got != tc.want {
			t.Errorf("plain SQL, %s: %v = %v; want %v", tc.name, tables, got, tc.want)
		}
	}
	// nor can plain SQL, unscoped or scoped to B, add a share to A's
	// dataset (the policy checks new rows too)
	var dsID int64
	{
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx.Exec(ctx, `SELECT set_config('tahqiq.org', $1, true)`, postgres.SystemScope)
		err = tx.QueryRow(ctx, `SELECT id FROM datasets WHERE name = 'ds-a'`).Scan(&dsID)
		tx.Rollback(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, scope := range []string{"", orgB.ID} {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if scope != "" {
			tx.Exec(ctx, `SELECT set_config('tahqiq.org', $1, true)`, scope)
		}
		_, err = tx.Exec(ctx, `INSERT INTO shares (dataset_id, post_id, account_id, type, object, t, precision) VALUES ($1, 1, 1, 'hashtag', 'y', 0, 'second')`, dsID)
		tx.Rollback(ctx)
		if err == nil || !strings.Contains(err.Error(), "row-level security") {
			t.Errorf("plain SQL scoped to %q adding a share to A's dataset: %v, want a row-level security violation", scope, err)
		}
	}
	if _, err := pool.Exec(ctx, `INSERT INTO cases (id, org_id, title, description, tlp, created_by, created_at) VALUES ('c-raw', $1, 't', '', 'red', $2, '2024-01-01T00:00:00Z')`, orgA.ID, admin.ID); err == nil {
		t.Error("plain SQL with no scope wrote a case of A")
	}
	if _, err := db.FindCases(tahqiq.WithOrg(ctx, postgres.SystemScope)); tahqiq.ErrorCode(err) != tahqiq.EINVALID {
		t.Errorf("an organisation id %q (the system scope) is accepted: %v", postgres.SystemScope, err)
	}
	// sharing one item opens the case and that item, not the other
	if err := db.InTx(ctx, func(tx tahqiq.CaseTx) error {
		return tx.CreateShare(ctx, tahqiq.CaseShare{CaseID: c.ID, ItemID: "i-2", OrgID: orgB.ID, TLP: tahqiq.TLPAmber})
	}); err != nil {
		t.Fatal(err)
	}
	its, _ := db.FindItems(asB, c.ID)
	if _, err := db.FindCaseByID(asB, c.ID); err != nil || len(its) != 1 || its[0].ID != "i-2" {
		t.Errorf("after sharing item i-2: case %v, items %v", err, its)
	}
}

func second[T any](_ T, err error) error { return err }
