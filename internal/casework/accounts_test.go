package casework_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// logTail returns the newest custody-log entry and the log's size.
func logTail(t *testing.T, f *fixture) (tahqiq.LogEntry, int64) {
	t.Helper()
	n, err := f.db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return lastEntry(t, f), n
}

// TestAccounts: who manages organisations, users, passwords and tokens,
// and that each change is one log entry while a refusal is none.
func TestAccounts(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	s, admin := f.s, f.admin
	// expect runs a change and checks the error's code and what it logged
	expect := func(what string, code, action, actor string, err error, n0 int64) {
		t.Helper()
		if tahqiq.ErrorCode(err) != code {
			t.Errorf("%s: error %v, want code %q", what, err, code)
			return
		}
		e, n := logTail(t, f)
		switch {
		case code != "" && n != n0:
			t.Errorf("%s: refused, but the log grew %d -> %d", what, n0, n)
		case code == "" && (n != n0+1 || e.Action != action || e.Actor != actor):
			t.Errorf("%s: log %d -> %d, last %s by %s; want one %s by %s", what, n0, n, e.Action, e.Actor, action, actor)
		}
	}
	size := func() int64 { _, n := logTail(t, f); return n }

	n := size()
	_, _, err := s.InitOrg(ctx, "Second", "bob")
	expect("InitOrg on a store with an organisation", tahqiq.ECONFLICT, "", "", err, n)
	n = size()
	_, _, err = s.Setup(ctx, "Second", "bob", "$argon2id$hash")
	expect("Setup on a store with an organisation", tahqiq.ECONFLICT, "", "", err, n)

	n = size()
	_, err = s.AddOrg(ctx, admin, "Rogue")
	expect("an admin adds an organisation", tahqiq.EFORBIDDEN, "", "", err, n)
	n = size()
	partner, err := s.AddOrg(ctx, tahqiq.System, "Partner")
	expect("the system administrator adds an organisation", "", "org.create", tahqiq.SystemID, err, n)
	n = size()
	padmin, err := s.AddUser(ctx, tahqiq.System, "Partner", "padmin", tahqiq.RoleAdmin, "$argon2id$p")
	expect("the system administrator adds a partner admin by the organisation's name", "", "user.create", tahqiq.SystemID, err, n)
	if padmin.OrgID != partner.ID {
		t.Fatalf("padmin is in %s, want %s", padmin.OrgID, partner.ID)
	}
	n = size()
	_, err = s.AddUser(ctx, tahqiq.System, "", "lost", tahqiq.RoleViewer, "")
	expect("the system administrator adds a user of no organisation", tahqiq.EINVALID, "", "", err, n)
	n = size()
	_, err = s.AddUser(ctx, tahqiq.System, "o-nosuch", "lost", tahqiq.RoleViewer, "")
	expect("a user of an unknown organisation", tahqiq.ENOTFOUND, "", "", err, n)
	for _, org := range []string{admin.OrgID, "Team"} {
		n = size()
		_, err = s.AddUser(ctx, padmin, org, "mole", tahqiq.RoleAdmin, "$argon2id$m")
		expect("a partner admin adds a user to the inquiry ("+org+")", tahqiq.EFORBIDDEN, "", "", err, n)
	}
	n = size()
	viewer, err := s.AddUser(ctx, admin, "", "vera", tahqiq.RoleViewer, "")
	expect("an admin adds a user of its own", "", "user.create", admin.ID, err, n)
	n = size()
	_, err = s.AddUser(ctx, viewer, "", "x", tahqiq.RoleViewer, "")
	expect("a viewer adds a user", tahqiq.EFORBIDDEN, "", "", err, n)
	if us, err := s.Users(ctx, padmin); err != nil || len(us) != 1 || us[0].ID != padmin.ID {
		t.Errorf("the partner admin lists %v, %v; want itself only", us, err)
	}
	if _, err := s.Users(ctx, viewer); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Errorf("a viewer lists users: %v", err)
	}

	// passwords: the user, its organisation's admins, the system administrator
	for _, tc := range []struct {
		actor  tahqiq.User
		target tahqiq.User
		code   string
	}{
		{padmin, viewer, tahqiq.ENOTFOUND}, {viewer, admin, tahqiq.EFORBIDDEN},
		{viewer, viewer, ""}, {admin, viewer, ""}, {tahqiq.System, viewer, ""},
	} {
		n = size()
		err := s.SetPassword(ctx, tc.actor, tc.target.ID, "$argon2id$new")
		expect(tc.actor.Name+" sets "+tc.target.Name+"'s password", tc.code, "user.password", tc.actor.ID, err, n)
	}

	// tokens
	for _, ttl := range []time.Duration{time.Hour, tahqiq.MaxTokenTTL + time.Hour, -time.Hour} {
		n = size()
		_, err := s.CreateToken(ctx, viewer, "t", "digest", ttl)
		expect("a token living "+ttl.String(), tahqiq.EINVALID, "", "", err, n)
	}
	n = size()
	tok, err := s.CreateToken(ctx, viewer, "script", "digest-1", 0)
	expect("a token", "", "token.create", viewer.ID, err, n)
	if d := tok.ExpiresAt.Sub(tok.CreatedAt); d != tahqiq.DefaultTokenTTL {
		t.Errorf("token lives %v, want %v", d, tahqiq.DefaultTokenTTL)
	}
	n = size()
	_, err = s.CreateToken(ctx, tahqiq.System, "t", "digest-2", 0)
	expect("a token of the system administrator", tahqiq.EFORBIDDEN, "", "", err, n)
	if ts, err := s.Tokens(ctx, padmin); err != nil || len(ts) != 0 {
		t.Errorf("the partner admin lists tokens %v, %v", ts, err)
	}
	if ts, err := s.Tokens(ctx, admin); err != nil || len(ts) != 1 || ts[0].ID != tok.ID {
		t.Errorf("the admin lists tokens %v, %v; want its viewer's", ts, err)
	}
	n = size()
	err = s.RevokeToken(ctx, padmin, tok.ID)
	expect("the partner admin revokes a token of the inquiry", tahqiq.ENOTFOUND, "", "", err, n)
	n = size()
	err = s.RevokeToken(ctx, admin, tok.ID)
	expect("the admin revokes its viewer's token", "", "token.revoke", admin.ID, err, n)
	if got, _ := f.db.FindTokenByID(ctx, tok.ID); got.RevokedAt.IsZero() {
		t.Error("the token is not revoked")
	}

	// disabled, not deleted
	tok2, _ := s.CreateToken(ctx, viewer, "second", "digest-3", 0)
	f.db.CreateSession(ctx, tahqiq.Session{ID: "s-vera", UserID: viewer.ID, CSRF: "c", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
	n = size()
	_, err = s.SetUserDisabled(ctx, admin, admin.ID, true)
	expect("an admin disables itself", tahqiq.ECONFLICT, "", "", err, n)
	n = size()
	_, err = s.SetUserDisabled(ctx, padmin, viewer.ID, true)
	expect("the partner admin disables the inquiry's viewer", tahqiq.ENOTFOUND, "", "", err, n)
	n = size()
	_, err = s.SetUserDisabled(ctx, admin, viewer.ID, true)
	expect("the admin disables its viewer", "", "user.disable", admin.ID, err, n)
	if u, _ := f.db.FindUserByID(ctx, viewer.ID); !u.Disabled {
		t.Error("the viewer is not disabled")
	}
	if _, err := f.db.FindSession(ctx, "s-vera"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("the disabled user's session lives: %v", err)
	}
	if got, _ := f.db.FindTokenByID(ctx, tok2.ID); got.RevokedAt.IsZero() {
		t.Error("the disabled user's token is not revoked")
	}
	if _, err := s.Actor(ctx, "vera"); tahqiq.ErrorCode(err) != tahqiq.EUNAUTHORIZED {
		t.Errorf("a disabled user acts on the CLI: %v", err)
	}
	n = size()
	_, err = s.SetUserDisabled(ctx, tahqiq.System, viewer.ID, false)
	expect("the system administrator enables the viewer again", "", "user.enable", tahqiq.SystemID, err, n)
	if got, _ := f.db.FindTokenByID(ctx, tok2.ID); got.RevokedAt.IsZero() {
		t.Error("enabling the user revived its token")
	}
}

// TestCLIActor: without --as, the system administrator acts on a store
// without organisations; once one exists, evidence commands need --as.
func TestCLIActor(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if _, err := f.s.CLIActor(ctx, ""); tahqiq.ErrorCode(err) != tahqiq.EUNAUTHORIZED {
		t.Errorf("CLIActor without --as on a store with an organisation: %v", err)
	}
	if a, err := f.s.CLIActor(ctx, "amina"); err != nil || a.ID != f.admin.ID {
		t.Errorf("CLIActor(amina) = %v, %v", a, err)
	}
	if a, err := f.s.AdminActor(ctx, ""); err != nil || !a.IsSystem() {
		t.Errorf("AdminActor without --as = %v, %v; want the system administrator", a, err)
	}
	db, _ := sqlite.Open(ctx, ":memory:")
	defer db.Close()
	empty := *f.s
	empty.Store = db
	if a, err := empty.CLIActor(ctx, ""); err != nil || !a.IsSystem() {
		t.Errorf("CLIActor without --as on a store without organisations = %v, %v", a, err)
	}
}

// logFails is a store whose custody log refuses every append: the change
// of the same transaction must not stay.
type logFails struct{ *sqlite.DB }

type failingTx struct{ tahqiq.CaseTx }

func (failingTx) AppendLogRows(context.Context, tahqiq.LogRow, int64, []tahqiq.LogHash) error {
	return errors.New("the log is full")
}

func (s logFails) InTx(ctx context.Context, fn func(tx tahqiq.CaseTx) error) error {
	return s.DB.InTx(ctx, func(tx tahqiq.CaseTx) error { return fn(failingTx{tx}) })
}

// TestAccountChangesLogged: a password, a token, its revocation, a
// disabled user, an organisation, a user, a claimed dataset and the first
// organisation do not exist without their log entry (same transaction).
func TestAccountChangesLogged(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	viewer, _ := f.s.AddUser(ctx, f.admin, "", "vera", tahqiq.RoleViewer, "")
	tok, _ := f.s.CreateToken(ctx, viewer, "script", "d-1", 0)
	bad := *f.s
	bad.Store = logFails{f.db}
	bad.Datasets = f.db
	for name, change := range map[string]func() error{
		"SetPassword":     func() error { return bad.SetPassword(ctx, f.admin, viewer.ID, "$argon2id$x") },
		"CreateToken":     func() error { _, err := bad.CreateToken(ctx, viewer, "t", "d-2", 0); return err },
		"RevokeToken":     func() error { return bad.RevokeToken(ctx, viewer, tok.ID) },
		"SetUserDisabled": func() error { _, err := bad.SetUserDisabled(ctx, f.admin, viewer.ID, true); return err },
		"AddOrg":          func() error { _, err := bad.AddOrg(ctx, tahqiq.System, "Partner"); return err },
		"AddUser": func() error {
			_, err := bad.AddUser(ctx, f.admin, "", "bob", tahqiq.RoleViewer, "$argon2id$b")
			return err
		},
		"ClaimDataset": func() error { return bad.ClaimDataset(ctx, f.admin, "new-dataset") },
	} {
		if err := change(); err == nil {
			t.Errorf("%s succeeded with a failing log", name)
		}
	}
	if _, err := f.db.PasswordHash(ctx, viewer.ID); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Error("a password stayed without its log entry")
	}
	if ts, _ := f.db.FindTokens(ctx); len(ts) != 1 || !ts[0].RevokedAt.IsZero() {
		t.Errorf("tokens without their log entry: %+v", ts)
	}
	if u, _ := f.db.FindUserByID(ctx, viewer.ID); u.Disabled {
		t.Error("a user stayed disabled without the log entry")
	}
	if orgs, _ := f.db.FindOrganisations(ctx); len(orgs) != 1 {
		t.Errorf("organisations without their log entry: %v", orgs)
	}
	if _, err := f.db.FindUserByName(ctx, "bob"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Error("a user stayed without its log entry")
	}
	if m, _ := f.db.FindDatasetOrgs(ctx); len(m) != 0 {
		t.Errorf("dataset owners without their log entry: %v", m)
	}

	db, _ := sqlite.Open(ctx, ":memory:")
	defer db.Close()
	first := bad
	first.Store = logFails{db}
	if _, _, err := first.Setup(ctx, "Inquiry", "amina", "$argon2id$a"); err == nil {
		t.Error("Setup succeeded with a failing log")
	}
	if orgs, _ := db.FindOrganisations(ctx); len(orgs) != 0 {
		t.Errorf("the first organisation stayed without its log entry: %v", orgs)
	}
}

// importInto imports a one-line events file into dataset of db, as a CLI
// without organisations does.
func importInto(t *testing.T, db *sqlite.DB, dataset string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.events.csv")
	os.WriteFile(p, []byte("account_id,post_id,timestamp,time_utc,object_type,object_value\nacc1,p1,1700000000,2023-11-14T22:13:20Z,url,https://example.org/x\n"), 0o644)
	if _, err := (&ingest.Importer{Formats: ingest.Default()}).Import(context.Background(), db, []string{p}, ingest.Options{Dataset: dataset}); err != nil {
		t.Fatal(err)
	}
}

// TestDatasetOwnership: a dataset of a single-user store becomes the first
// organisation's; only its organisation imports into it and its admins
// delete it; one without an owner is claimed by nobody; another
// organisation's is invisible (404).
func TestDatasetOwnership(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	// a store with a dataset imported before the first organisation
	db, err := sqlite.OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	importInto(t, db, "early")
	s := *f.s
	s.Store, s.Datasets = db, db
	if err := s.ClaimDataset(ctx, tahqiq.System, "more"); err != nil {
		t.Errorf("the system administrator imports into a store without organisations: %v", err)
	}
	_, admin, err := s.InitOrg(ctx, "Inquiry", "amina")
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := db.FindDatasetOrgs(ctx); m["early"] != admin.OrgID {
		t.Errorf("after the first organisation, early belongs to %q, want %q", m["early"], admin.OrgID)
	}
	if err := s.ClaimDataset(ctx, tahqiq.System, "more"); tahqiq.ErrorCode(err) != tahqiq.EUNAUTHORIZED {
		t.Errorf("the system administrator imports into a store with organisations: %v", err)
	}
	partner, _ := s.AddOrg(ctx, tahqiq.System, "Partner")
	pinv, _ := s.AddUser(ctx, tahqiq.System, partner.ID, "pinv", tahqiq.RoleInvestigator, "")
	padmin, _ := s.AddUser(ctx, tahqiq.System, partner.ID, "padmin", tahqiq.RoleAdmin, "")
	inv, _ := s.AddUser(ctx, admin, "", "iqbal", tahqiq.RoleInvestigator, "")
	for who, u := range map[string]tahqiq.User{"the partner": pinv, "the owner's investigator": inv} {
		if err := s.ClaimDataset(ctx, u, "early"); (who == "the partner") != (tahqiq.ErrorCode(err) == tahqiq.ECONFLICT) {
			t.Errorf("%s imports into early: %v", who, err)
		}
	}
	// a dataset without an owner all the same (an older version's CLI)
	importInto(t, db, "legacy")
	for _, u := range []tahqiq.User{pinv, inv} {
		if err := s.ClaimDataset(ctx, u, "legacy"); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
			t.Errorf("%s claims a dataset without an owner: %v", u.Name, err)
		}
		if err := s.DatasetAccess(ctx, u, "legacy"); err != nil {
			t.Errorf("%s reads a dataset without an owner: %v", u.Name, err)
		}
	}
	for _, u := range []tahqiq.User{padmin, admin} {
		if _, err := s.DeleteDataset(ctx, u, "legacy"); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
			t.Errorf("%s deletes a dataset without an owner: %v", u.Name, err)
		}
	}
	// a new dataset is claimed once, logged once
	if err := s.ClaimDataset(ctx, pinv, "partner-ds"); err != nil {
		t.Fatal(err)
	}
	n0, _ := db.LogSize(ctx)
	if err := s.ClaimDataset(ctx, pinv, "partner-ds"); err != nil {
		t.Fatal(err)
	}
	if n1, _ := db.LogSize(ctx); n1 != n0 {
		t.Errorf("a second import into an owned dataset logged %d entries", n1-n0)
	}
	if err := s.DatasetAccess(ctx, inv, "partner-ds"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("another organisation's dataset: %v, want not found", err)
	}
	if _, err := s.DeleteDataset(ctx, admin, "partner-ds"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("an admin deletes another organisation's dataset: %v, want not found", err)
	}
	if _, err := s.DeleteDataset(ctx, inv, "early"); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Errorf("an investigator deletes a dataset: %v", err)
	}
	if _, err := s.DeleteDataset(ctx, admin, "early"); err != nil {
		t.Errorf("the owner's admin deletes its dataset: %v", err)
	}
}

// TestTLPNeverShared: TLP:RED material stays with its organisation even
// when a share names it (a share stored before the rule), and a share
// never lowers a marking; a case shared with another organisation shows
// it no TLP:RED item.
func TestTLPNeverShared(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	partner, _ := f.s.AddOrg(ctx, tahqiq.System, "Partner")
	pu, _ := f.s.AddUser(ctx, tahqiq.System, partner.ID, "chen", tahqiq.RoleViewer, "")
	red, _ := f.s.NewCase(ctx, f.admin, "red", "", tahqiq.TLPRed)
	if err := f.s.Share(ctx, f.admin, tahqiq.CaseShare{CaseID: red.ID, OrgID: partner.ID, TLP: tahqiq.TLPGreen}); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Errorf("share a TLP:RED case as green: %v", err)
	}
	// a share row from before the rule opens nothing
	f.db.InTx(ctx, func(tx tahqiq.CaseTx) error {
		return tx.CreateShare(ctx, tahqiq.CaseShare{CaseID: red.ID, OrgID: partner.ID, TLP: tahqiq.TLPGreen})
	})
	if _, err := f.s.Show(ctx, pu, red.ID); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("the partner reads a TLP:RED case through an old share: %v", err)
	}
	// a TLP:RED item in an amber case shared with the partner
	ref, _ := f.s.PutBlob("secret.txt", []byte("the source's name"))
	secret, err := f.s.AttachBlobs(ctx, f.admin, tahqiq.Item{CaseID: f.c.ID, Kind: tahqiq.ItemFile, Title: "source", Blobs: []tahqiq.BlobRef{ref}, TLP: tahqiq.TLPRed})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Share(ctx, f.admin, tahqiq.CaseShare{CaseID: f.c.ID, ItemID: secret.ID, OrgID: partner.ID}); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Errorf("share a TLP:RED item: %v", err)
	}
	if err := f.s.Share(ctx, f.admin, tahqiq.CaseShare{CaseID: f.c.ID, OrgID: partner.ID, TLP: tahqiq.TLPGreen}); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Errorf("share an amber case as green: %v", err)
	}
	if err := f.s.Share(ctx, f.admin, tahqiq.CaseShare{CaseID: f.c.ID, OrgID: partner.ID}); err != nil {
		t.Fatal(err)
	}
	shares, _ := f.db.FindShares(ctx, f.c.ID)
	if len(shares) != 1 || shares[0].TLP != tahqiq.TLPAmber {
		t.Errorf("shares %+v, want one at the case's TLP:AMBER", shares)
	}
	v, err := f.s.Show(ctx, pu, f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range v.Items {
		if it.ID == secret.ID {
			t.Error("the partner sees the TLP:RED item of a shared case")
		}
	}
	if len(v.Items) != len(f.items) {
		t.Errorf("the partner sees %d items, want the %d others", len(v.Items), len(f.items))
	}
	if _, err := f.s.ReadItem(ctx, pu, secret.ID); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("the partner reads the TLP:RED item: %v", err)
	}
	if _, err := f.s.ReadItem(ctx, f.admin, secret.ID); err != nil {
		t.Errorf("the owner reads its TLP:RED item: %v", err)
	}
	if err := f.s.Share(ctx, f.admin, tahqiq.CaseShare{CaseID: f.c.ID, OrgID: "o-nosuch"}); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("share with an unknown organisation: %v", err)
	}
	if err := f.s.Share(ctx, f.admin, tahqiq.CaseShare{CaseID: f.c.ID, OrgID: f.admin.OrgID}); tahqiq.ErrorCode(err) != tahqiq.EINVALID {
		t.Errorf("share with its own organisation: %v", err)
	}
}

// TestDisabledMidRequest: a user disabled after their request was
// authenticated (the server holds the user as it was) changes nothing
// and logs nothing: the change's transaction looks the actor up again.
func TestDisabledMidRequest(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	s, admin := f.s, f.admin
	org, err := s.Store.FindUserByID(ctx, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	insider, err := s.AddUser(ctx, admin, org.OrgID, "rashid", tahqiq.RoleInvestigator, "")
	if err != nil {
		t.Fatal(err)
	}
	stale := insider // what the request's authentication saw
	if _, err := s.NewCase(ctx, stale, "before", "", tahqiq.TLPAmber); err != nil {
		t.Fatalf("an active analyst opens a case: %v", err)
	}
	if _, err := s.SetUserDisabled(ctx, admin, insider.ID, true); err != nil {
		t.Fatal(err)
	}
	_, n0 := logTail(t, f)
	changes := map[string]func() error{
		"open a case": func() error {
			_, err := s.NewCase(ctx, stale, "after", "", tahqiq.TLPAmber)
			return err
		},
		"add a finding": func() error {
			_, err := s.AddFinding(ctx, stale, tahqiq.Finding{CaseID: f.c.ID, Title: "planted", ItemIDs: []string{f.items[0].ID}})
			return err
		},
	}
	for what, change := range changes {
		err := change()
		if tahqiq.ErrorCode(err) != tahqiq.EUNAUTHORIZED {
			t.Errorf("a disabled user's request to %s: error %v, want %s", what, err, tahqiq.EUNAUTHORIZED)
		}
	}
	if _, n := logTail(t, f); n != n0 {
		t.Errorf("the log grew %d -> %d from a disabled user's requests", n0, n)
	}
	cases, err := s.Store.FindCases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Title == "after" {
			t.Errorf("a disabled user's case %s was stored", c.ID)
		}
	}
}
