package postgres_test

import (
	"context"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
)

// TestRowLevelSecurity: with the store read as another organisation (the
// scope the server sets per request), PostgreSQL itself hides that
// organisation's cases, items, findings and datasets, even though these
// store calls skip every check of casework; shares open exactly what they
// share.
func TestRowLevelSecurity(t *testing.T) {
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
	orgB, err := cw.AddOrg(ctx, admin, "Partner")
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
	if err := imp.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if ds, _ := db.FindDatasets(asB); len(ds) != 0 {
		t.Errorf("another organisation lists %d datasets", len(ds))
	}
	if _, err := db.FindDatasetByName(asB, "ds-a"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("another organisation finds dataset ds-a: %v", err)
	}
	if ds, _ := db.FindDatasets(asA); len(ds) != 1 {
		t.Errorf("the owner lists %d datasets, want 1", len(ds))
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
