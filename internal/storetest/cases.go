package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
)

// runCases runs the case, custody-log and account tests.
func runCases(t *testing.T, newStore func(t *testing.T, now func() time.Time) Store) {
	clock := func() time.Time { return t0 }
	t.Run("UsersAndOrganisations", func(t *testing.T) { testUsers(t, newStore(t, clock)) })
	t.Run("CaseRoundTrip", func(t *testing.T) { testCaseRoundTrip(t, newStore(t, clock)) })
	t.Run("ItemsByDHash", func(t *testing.T) { testItemsByDHash(t, newStore(t, clock)) })
	t.Run("TxRollbackLeavesNothing", func(t *testing.T) { testCaseRollback(t, newStore(t, clock)) })
	t.Run("LogAndCheckpoints", func(t *testing.T) { testLog(t, newStore(t, clock)) })
	t.Run("DatasetOwners", func(t *testing.T) { testDatasetOrgs(t, newStore(t, clock)) })
	t.Run("AccountsDisabledAndCounted", func(t *testing.T) { testAccounts(t, newStore(t, clock)) })
	t.Run("Preferences", func(t *testing.T) { testPreferences(t, newStore(t, clock)) })
	t.Run("CaseClosedAndReopened", func(t *testing.T) { testPutCase(t, newStore(t, clock)) })
	t.Run("PasswordsSessionsTokens", func(t *testing.T) {
		now := t0
		testAuth(t, newStore(t, func() time.Time { return now }), &now)
	})
}

func inTx(t *testing.T, s Store, fn func(ctx context.Context, tx tahqiq.CaseTx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.InTx(ctx, func(tx tahqiq.CaseTx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if tahqiq.ErrorCode(err) != code {
		t.Errorf("%s: error %v (code %q), want code %s", what, err, tahqiq.ErrorCode(err), code)
	}
}

var (
	orgA   = tahqiq.Organisation{ID: "o-a", Name: "Inquiry"}
	orgB   = tahqiq.Organisation{ID: "o-b", Name: "Partner"}
	admin  = tahqiq.User{ID: "u-1", OrgID: "o-a", Name: "zainab", Role: tahqiq.RoleAdmin}
	viewer = tahqiq.User{ID: "u-2", OrgID: "o-b", Name: "ali", Role: tahqiq.RoleViewer}
)

func seedOrgs(t *testing.T, s Store) {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		for _, o := range []tahqiq.Organisation{orgA, orgB} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		for _, u := range []tahqiq.User{admin, viewer} {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
}

func testUsers(t *testing.T, s Store) {
	ctx := context.Background()
	seedOrgs(t, s)
	for _, u := range []tahqiq.User{admin, viewer} {
		if got, err := s.FindUserByName(ctx, u.Name); err != nil || got != u {
			t.Errorf("FindUserByName(%q) = %+v, %v; want %+v", u.Name, got, err, u)
		}
		if got, err := s.FindUserByID(ctx, u.ID); err != nil || got != u {
			t.Errorf("FindUserByID(%q) = %+v, %v; want %+v", u.ID, got, err, u)
		}
	}
	_, err := s.FindUserByName(ctx, "nobody")
	wantCode(t, "FindUserByName(nobody)", err, tahqiq.ENOTFOUND)
	_, err = s.FindUserByID(ctx, "u-404")
	wantCode(t, "FindUserByID(u-404)", err, tahqiq.ENOTFOUND)
	users, err := s.FindUsers(ctx)
	if d := cmp.Diff([]tahqiq.User{viewer, admin}, users); err != nil || d != "" {
		t.Errorf("FindUsers (by name) %v, -want +got:\n%s", err, d)
	}
	orgs, err := s.FindOrganisations(ctx)
	if d := cmp.Diff([]tahqiq.Organisation{orgA, orgB}, orgs); err != nil || d != "" {
		t.Errorf("FindOrganisations (by name) %v, -want +got:\n%s", err, d)
	}
	// a second user or organisation with a taken name is a conflict
	err = s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		return tx.CreateUser(ctx, tahqiq.User{ID: "u-3", OrgID: orgA.ID, Name: admin.Name, Role: tahqiq.RoleViewer})
	})
	wantCode(t, "CreateUser with a taken name", err, tahqiq.ECONFLICT)
	err = s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		return tx.CreateOrganisation(ctx, tahqiq.Organisation{ID: "o-c", Name: orgA.Name})
	})
	wantCode(t, "CreateOrganisation with a taken name", err, tahqiq.ECONFLICT)
}

func testCaseRoundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	seedOrgs(t, s)
	at := t0.Add(90 * time.Minute).Add(123456789) // nanoseconds survive
	c1 := tahqiq.Case{ID: "c-1", OrgID: orgA.ID, Title: "انتخابات 2024", Description: "Form 45 discrepancies", TLP: tahqiq.TLPAmber, CreatedBy: admin.ID, CreatedAt: at}
	c0 := tahqiq.Case{ID: "c-0", OrgID: orgA.ID, Title: "older", TLP: tahqiq.TLPRed, CreatedBy: admin.ID, CreatedAt: t0}
	items := []tahqiq.Item{
		{ID: "i-b", CaseID: "c-1", Kind: tahqiq.ItemFile, Title: "form45.pdf", Source: "/tmp/form45.pdf", Blobs: []tahqiq.BlobRef{{SHA256: "sha256:aa", Size: 3, DHash: "00ff00ff00ff00ff"}}, TLP: tahqiq.TLPGreen, AddedBy: admin.ID, AddedAt: at},
		{ID: "i-a", CaseID: "c-1", Kind: tahqiq.ItemPost, Title: "post", Source: "ru/x:1", Blobs: []tahqiq.BlobRef{{SHA256: "sha256:bb", Size: 5}}, DerivedFrom: "i-b", AddedBy: admin.ID, AddedAt: at.Add(time.Second)},
	}
	finding := tahqiq.Finding{ID: "f-1", CaseID: "c-1", Title: "same text", Text: "two accounts", ItemIDs: []string{"i-a", "i-b"}, Tags: []string{"T0049"}, CreatedBy: admin.ID, CreatedAt: at}
	rec := tahqiq.Recommendation{ID: "r-1", CaseID: "c-1", Action: "report", Grounds: "f-1", FindingIDs: []string{"f-1"}, State: tahqiq.RecProposed, CreatedBy: admin.ID, CreatedAt: at}
	rec2 := tahqiq.Recommendation{ID: "r-2", CaseID: "c-1", Action: "refer", Grounds: "f-1", FindingIDs: []string{"f-1"}, State: tahqiq.RecProposed, CreatedBy: admin.ID, CreatedAt: at}
	tasks := []tahqiq.Task{
		{ID: "k-1", CaseID: "c-1", Title: "call the observer", CreatedBy: admin.ID, CreatedAt: at},
		{ID: "k-2", CaseID: "c-1", Title: "check station 17", Assignee: admin.ID, CreatedBy: admin.ID, CreatedAt: at},
	}
	note := tahqiq.Note{ID: "n-1", CaseID: "c-1", Text: "نوٹ", CreatedBy: admin.ID, CreatedAt: at}
	// shares of the whole case and of items, listed by organisation and
	// item whatever the order they were made in
	share := tahqiq.CaseShare{CaseID: "c-1", OrgID: orgB.ID, TLP: tahqiq.TLPGreen}
	itemShares := []tahqiq.CaseShare{{CaseID: "c-1", ItemID: "i-a", OrgID: orgA.ID, TLP: tahqiq.TLPGreen}, {CaseID: "c-1", ItemID: "i-b", OrgID: orgB.ID, TLP: tahqiq.TLPAmber}}
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		for _, c := range []tahqiq.Case{c1, c0} {
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
		}
		for _, it := range items {
			if err := tx.CreateItem(ctx, it); err != nil {
				return err
			}
		}
		for _, k := range tasks {
			if err := tx.CreateTask(ctx, k); err != nil {
				return err
			}
		}
		if err := tx.CreateFinding(ctx, finding); err != nil {
			return err
		}
		for _, r := range []tahqiq.Recommendation{rec, rec2} {
			if err := tx.PutRecommendation(ctx, r); err != nil {
				return err
			}
		}
		if err := tx.CreateNote(ctx, note); err != nil {
			return err
		}
		for _, sh := range []tahqiq.CaseShare{share, itemShares[1], itemShares[0]} {
			if err := tx.CreateShare(ctx, sh); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(what string, got any, err error, want any) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s -want +got:\n%s", what, d)
		}
	}
	got, err := s.FindCaseByID(ctx, "c-1")
	if err == nil && !got.CreatedAt.Equal(c1.CreatedAt) {
		t.Errorf("case created_at %v, want %v", got.CreatedAt, c1.CreatedAt)
	}
	got.CreatedAt = c1.CreatedAt // the same instant, any location
	check("FindCaseByID", got, err, c1)
	cs, err := s.FindCases(ctx)
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	check("FindCases ids (oldest first)", ids, err, []string{"c-0", "c-1"})
	its, err := s.FindItems(ctx, "c-1")
	check("FindItems (in attach order)", utcItems(its), err, items)
	it, err := s.FindItemByID(ctx, "i-a")
	check("FindItemByID", utcItems([]tahqiq.Item{it}), err, items[1:])
	fs, err := s.FindFindings(ctx, "c-1")
	check("FindFindings", fs, err, []tahqiq.Finding{finding})
	r, err := s.FindRecommendation(ctx, "r-1")
	check("FindRecommendation", r, err, rec)
	ks, err := s.FindTasks(ctx, "c-1")
	check("FindTasks", ks, err, tasks)
	ns, err := s.FindNotes(ctx, "c-1")
	check("FindNotes", ns, err, []tahqiq.Note{note})
	sh, err := s.FindShares(ctx, "c-1")
	check("FindShares (by organisation and item)", sh, err, []tahqiq.CaseShare{itemShares[0], share, itemShares[1]})
	if its, err := s.FindItems(ctx, "c-0"); err != nil || len(its) != 0 {
		t.Errorf("FindItems(c-0) = %v, %v; want none", its, err)
	}

	// replacing: a decided recommendation, a task update, a share's TLP
	dec, err := rec.Decide(tahqiq.User{ID: "u-9", Role: tahqiq.RoleReviewer}, true, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	upd := tasks[0]
	upd.Status, upd.Done, upd.UpdatedBy, upd.UpdatedAt = tahqiq.TaskDone, true, admin.ID, at.Add(time.Hour)
	share.TLP = tahqiq.TLPAmber
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		if err := tx.PutRecommendation(ctx, dec); err != nil {
			return err
		}
		if err := tx.PutTask(ctx, upd); err != nil {
			return err
		}
		return tx.CreateShare(ctx, share)
	})
	rs, err := s.FindRecommendations(ctx, "c-1")
	// a decided recommendation keeps its place among the case's
	check("FindRecommendations after the decision (order kept)", rs, err, []tahqiq.Recommendation{dec, rec2})
	ks, err = s.FindTasks(ctx, "c-1")
	check("FindTasks after PutTask (order kept)", ks, err, []tahqiq.Task{upd, tasks[1]})
	k, err := s.FindTask(ctx, "k-1")
	check("FindTask", k, err, upd)
	sh, err = s.FindShares(ctx, "c-1")
	check("FindShares after re-sharing (order kept)", sh, err, []tahqiq.CaseShare{itemShares[0], share, itemShares[1]})

	// absent things
	for what, err := range map[string]error{
		"FindCaseByID(c-404)":       second(s.FindCaseByID(ctx, "c-404")),
		"FindItemByID(i-404)":       second(s.FindItemByID(ctx, "i-404")),
		"FindRecommendation(r-404)": second(s.FindRecommendation(ctx, "r-404")),
		"FindTask(k-404)":           second(s.FindTask(ctx, "k-404")),
		"PutTask(k-404)": s.InTx(ctx, func(tx tahqiq.CaseTx) error {
			return tx.PutTask(ctx, tahqiq.Task{ID: "k-404", CaseID: "c-1", Title: "x"})
		}),
	} {
		wantCode(t, what, err, tahqiq.ENOTFOUND)
	}
	// duplicates
	for what, err := range map[string]error{
		"CreateCase(c-1) again": s.InTx(ctx, func(tx tahqiq.CaseTx) error { return tx.CreateCase(ctx, c1) }),
		"CreateItem(i-a) again": s.InTx(ctx, func(tx tahqiq.CaseTx) error { return tx.CreateItem(ctx, items[1]) }),
		"CreateTask(k-2) again": s.InTx(ctx, func(tx tahqiq.CaseTx) error { return tx.CreateTask(ctx, tasks[1]) }),
	} {
		wantCode(t, what, err, tahqiq.ECONFLICT)
	}
}

func second[T any](_ T, err error) error { return err }

// utcItems puts item times in UTC for comparison.
func utcItems(its []tahqiq.Item) []tahqiq.Item {
	out := make([]tahqiq.Item, len(its))
	for i, it := range its {
		it.AddedAt = it.AddedAt.UTC()
		out[i] = it
	}
	return out
}

func testCaseRollback(t *testing.T, s Store) {
	ctx := context.Background()
	seedOrgs(t, s)
	failed := errors.New("fail after the writes")
	err := s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		if err := tx.CreateCase(ctx, tahqiq.Case{ID: "c-1", OrgID: orgA.ID, Title: "t", TLP: tahqiq.TLPRed, CreatedBy: admin.ID, CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.CreateItem(ctx, tahqiq.Item{ID: "i-1", CaseID: "c-1", Kind: tahqiq.ItemFile, Title: "f", Blobs: []tahqiq.BlobRef{{SHA256: "sha256:aa"}}, AddedAt: t0}); err != nil {
			return err
		}
		if err := tx.PutDatasetOrg(ctx, "ds", orgA.ID); err != nil {
			return err
		}
		if err := tx.AppendLogRows(ctx, tahqiq.LogRow{CaseID: "c-1", CaseSeq: 1, Data: []byte(`{"index":0}`), Records: []tahqiq.RecordRef{{Kind: "case", ID: "c-1", Version: 1}}}, 0, []tahqiq.LogHash{{1}}); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("InTx = %v, want fn's error", err)
	}
	if _, err := s.FindCaseByID(ctx, "c-1"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("case of a rolled-back tx: %v", err)
	}
	if _, err := s.FindItemByID(ctx, "i-1"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("item of a rolled-back tx: %v", err)
	}
	if n, err := s.LogSize(ctx); err != nil || n != 0 {
		t.Errorf("LogSize after rollback = %d, %v; want 0", n, err)
	}
	if m, err := s.FindDatasetOrgs(ctx); err != nil || len(m) != 0 {
		t.Errorf("FindDatasetOrgs after rollback = %v, %v; want none", m, err)
	}
}

// testLog checks the custody log's rows: what internal/casework writes
// through tahqiq.LogTx is read back byte for byte, the case chain's head
// and each record's version follow, and the stored hashes give the tree
// of the entries.
func testLog(t *testing.T, s Store) {
	ctx := context.Background()
	if n, err := s.LogSize(ctx); err != nil || n != 0 {
		t.Fatalf("LogSize of an empty store = %d, %v", n, err)
	}
	mem := memHashes{}
	var raw [][]byte
	appendOne := func(tx tahqiq.CaseTx, caseID string, recs []tahqiq.RecordRef) error {
		n, err := tx.LogSize(ctx)
		if err != nil {
			return err
		}
		if n != int64(len(raw)) {
			t.Errorf("LogSize in tx = %d, want %d", n, len(raw))
		}
		b := []byte(`{"index":` + itoa(n) + `,"case":"` + caseID + `","details":"تفصیل"}`)
		hs, err := tlog.StoredHashes(n, b, txReader{ctx, tx})
		if err != nil {
			return err
		}
		out := make([]tahqiq.LogHash, len(hs))
		for i, h := range hs {
			out[i] = tahqiq.LogHash(h)
		}
		seq := int64(0)
		if caseID != "" {
			h, err := tx.CaseHead(ctx, caseID)
			if err != nil {
				return err
			}
			seq = h.Count + 1
		}
		if err := tx.AppendLogRows(ctx, tahqiq.LogRow{Index: n, CaseID: caseID, CaseSeq: seq, Data: b, Records: recs}, tlog.StoredHashIndex(0, n), out); err != nil {
			return err
		}
		raw, mem = append(raw, b), append(mem, hs...)
		return nil
	}
	for i := range 7 {
		c := []string{"c-1", "c-2", ""}[i%3]
		inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
			return appendOne(tx, c, []tahqiq.RecordRef{{Kind: "task", ID: "t-" + c, Version: int64(i/3 + 1), Digest: "task:sha256:00"}})
		})
	}
	// two entries in one transaction: the second sees the first
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		if err := appendOne(tx, "c-1", nil); err != nil {
			return err
		}
		h, err := tx.CaseHead(ctx, "c-1")
		if err != nil || h.Count != 4 || string(h.Last) != string(raw[7]) {
			t.Errorf("CaseHead(c-1) in tx = %d, %q, %v; want 4, entry 7", h.Count, h.Last, err)
		}
		return appendOne(tx, "c-1", nil)
	})
	n, err := s.LogSize(ctx)
	if err != nil || n != 9 {
		t.Fatalf("LogSize = %d, %v; want 9", n, err)
	}
	got, err := s.LogEntries(ctx, 0, n)
	if d := cmp.Diff(raw, got); err != nil || d != "" {
		t.Fatalf("LogEntries(0, 9) %v -want +got:\n%s", err, d)
	}
	if part, err := s.LogEntries(ctx, 3, 5); err != nil || len(part) != 2 || string(part[0]) != string(raw[3]) || string(part[1]) != string(raw[4]) {
		t.Errorf("LogEntries(3, 5) = %d entries, %v; want entries 3 and 4", len(part), err)
	}
	for _, tc := range []struct {
		c     string
		count int64
		last  int
	}{{"c-1", 5, 8}, {"c-2", 2, 4}, {"c-3", 0, -1}} {
		h, err := s.CaseHead(ctx, tc.c)
		switch {
		case err != nil:
			t.Errorf("CaseHead(%s): %v", tc.c, err)
		case h.Count != tc.count:
			t.Errorf("CaseHead(%s).Count = %d, want %d", tc.c, h.Count, tc.count)
		case tc.last < 0 && h.Last != nil, tc.last >= 0 && string(h.Last) != string(raw[tc.last]):
			t.Errorf("CaseHead(%s).Last = %q, want entry %d", tc.c, h.Last, tc.last)
		}
	}
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		for _, tc := range []struct {
			id   string
			want int64
		}{{"t-c-1", 3}, {"t-c-2", 2}, {"t-", 2}, {"t-none", 0}} {
			if v, err := tx.RecordVersion(ctx, "task", tc.id); err != nil || v != tc.want {
				t.Errorf("RecordVersion(task, %s) = %d, %v; want %d", tc.id, v, err, tc.want)
			}
		}
		return nil
	})
	// A version of a record is logged once.
	err = s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		return tx.AppendLogRows(ctx, tahqiq.LogRow{Index: 9, CaseID: "c-1", CaseSeq: 6, Data: []byte(`{}`), Records: []tahqiq.RecordRef{{Kind: "task", ID: "t-c-1", Version: 2}}}, tlog.StoredHashIndex(0, 9), []tahqiq.LogHash{{9}})
	})
	if err == nil {
		t.Errorf("AppendLogRows with a version of a record logged before: no error")
	}
	// the stored hashes are those of the entries: same tree at every size
	for _, size := range []int64{1, 2, 5, 9} {
		want, err := tlog.TreeHash(size, mem)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tlog.TreeHash(size, txReader{ctx, s})
		if err != nil || got != want {
			t.Errorf("tree hash at %d = %v, %v; want %v", size, got, err, want)
		}
	}
	if cps, err := s.Checkpoints(ctx); err != nil || len(cps) != 0 {
		t.Errorf("Checkpoints of a new store = %d, %v", len(cps), err)
	}
	notes := [][]byte{[]byte("tahqiq/test\n5\nAAAA\n\n— key sig1\n"), []byte("tahqiq/test\n9\nBBBB\n\n— key sig2\n")}
	for i, b := range notes {
		if err := s.AddCheckpoint(ctx, []int64{5, 9}[i], b); err != nil {
			t.Fatal(err)
		}
	}
	cps, err := s.Checkpoints(ctx)
	if d := cmp.Diff(notes, cps); err != nil || d != "" {
		t.Errorf("Checkpoints (oldest first, byte for byte) %v -want +got:\n%s", err, d)
	}
}

// txReader reads stored hashes through a store or transaction.
type txReader struct {
	ctx context.Context
	r   interface {
		ReadLogHashes(ctx context.Context, idx []int64) ([]tahqiq.LogHash, error)
	}
}

func (x txReader) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	hs, err := x.r.ReadLogHashes(x.ctx, idx)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(hs))
	for i, h := range hs {
		out[i] = tlog.Hash(h)
	}
	return out, nil
}

// memHashes is an in-memory tlog.HashReader.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m[x]
	}
	return out, nil
}

func testDatasetOrgs(t *testing.T, s Store) {
	ctx := context.Background()
	seedOrgs(t, s)
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		if err := tx.PutDatasetOrg(ctx, "ru", orgA.ID); err != nil {
			return err
		}
		if err := tx.PutDatasetOrg(ctx, "ru", orgA.ID); err != nil { // same owner again: fine
			return err
		}
		return tx.PutDatasetOrg(ctx, "de", orgB.ID)
	})
	err := s.InTx(ctx, func(tx tahqiq.CaseTx) error { return tx.PutDatasetOrg(ctx, "ru", orgB.ID) })
	wantCode(t, "PutDatasetOrg to another organisation", err, tahqiq.EFORBIDDEN)
	m, err := s.FindDatasetOrgs(ctx)
	if d := cmp.Diff(map[string]string{"ru": orgA.ID, "de": orgB.ID}, m); err != nil || d != "" {
		t.Errorf("FindDatasetOrgs %v -want +got:\n%s", err, d)
	}
}

func testAuth(t *testing.T, s Store, now *time.Time) {
	ctx := context.Background()
	seedOrgs(t, s)
	_, err := s.PasswordHash(ctx, admin.ID)
	wantCode(t, "PasswordHash before any", err, tahqiq.ENOTFOUND)
	for _, h := range []string{"$argon2id$v=19$first", "$argon2id$v=19$second"} {
		inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error { return tx.SetPassword(ctx, admin.ID, h, t0) })
	}
	if h, err := s.PasswordHash(ctx, admin.ID); err != nil || h != "$argon2id$v=19$second" {
		t.Errorf("PasswordHash = %q, %v; want the one set last", h, err)
	}
	if n, err := s.CountPasswords(ctx); err != nil || n != 1 {
		t.Errorf("CountPasswords = %d, %v; want 1", n, err)
	}
	// a password set in a transaction that fails is not set
	err = s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		if err := tx.SetPassword(ctx, viewer.ID, "$argon2id$v=19$rolled-back", t0); err != nil {
			return err
		}
		return errors.New("the log append failed")
	})
	if err == nil {
		t.Fatal("InTx returned no error")
	}
	_, err = s.PasswordHash(ctx, viewer.ID)
	wantCode(t, "PasswordHash after a rolled-back SetPassword", err, tahqiq.ENOTFOUND)

	live := tahqiq.Session{ID: "s-live", UserID: admin.ID, CSRF: "csrf1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	short := tahqiq.Session{ID: "s-short", UserID: viewer.ID, CSRF: "csrf2", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	for _, x := range []tahqiq.Session{live, short} {
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.FindSession(ctx, "s-live")
	got.CreatedAt, got.ExpiresAt = got.CreatedAt.UTC(), got.ExpiresAt.UTC()
	if d := cmp.Diff(live, got); err != nil || d != "" {
		t.Errorf("FindSession %v -want +got:\n%s", err, d)
	}
	*now = t0.Add(time.Minute) // expiry is exclusive
	_, err = s.FindSession(ctx, "s-short")
	wantCode(t, "FindSession of an expired session", err, tahqiq.ENOTFOUND)
	if _, err := s.FindSession(ctx, "s-live"); err != nil {
		t.Errorf("FindSession of a live session: %v", err)
	}
	if err := s.DeleteSession(ctx, "s-live"); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindSession(ctx, "s-live")
	wantCode(t, "FindSession after DeleteSession", err, tahqiq.ENOTFOUND)
	_, err = s.FindSession(ctx, "s-404")
	wantCode(t, "FindSession(s-404)", err, tahqiq.ENOTFOUND)

	// DeleteSessions ends every session of one user, and only those
	for _, x := range []tahqiq.Session{
		{ID: "s-a1", UserID: admin.ID, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{ID: "s-a2", UserID: admin.ID, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{ID: "s-v", UserID: viewer.ID, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
	} {
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error { return tx.DeleteSessions(ctx, admin.ID) })
	for id, want := range map[string]string{"s-a1": tahqiq.ENOTFOUND, "s-a2": tahqiq.ENOTFOUND, "s-v": ""} {
		_, err := s.FindSession(ctx, id)
		wantCode(t, "FindSession("+id+") after DeleteSessions(admin)", err, want)
	}

	tok := tahqiq.APIToken{ID: "k-1", Hash: "ab12", UserID: viewer.ID, Name: "script", CreatedAt: t0, ExpiresAt: t0.Add(48 * time.Hour)}
	tok2 := tahqiq.APIToken{ID: "k-2", Hash: "cd34", UserID: viewer.ID, Name: "other", CreatedAt: t0.Add(time.Second), ExpiresAt: t0.Add(time.Hour)}
	tok3 := tahqiq.APIToken{ID: "k-3", Hash: "ef56", UserID: admin.ID, Name: "admin's", CreatedAt: t0.Add(2 * time.Second), ExpiresAt: t0.Add(time.Hour)}
	for _, k := range []tahqiq.APIToken{tok, tok2, tok3} {
		inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error { return tx.CreateToken(ctx, k) })
	}
	err = s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		return tx.CreateToken(ctx, tahqiq.APIToken{ID: "k-1", Hash: "9999", UserID: viewer.ID, Name: "x", CreatedAt: t0})
	})
	wantCode(t, "CreateToken with a taken ID", err, tahqiq.ECONFLICT)
	utc := func(k tahqiq.APIToken) tahqiq.APIToken {
		k.CreatedAt, k.ExpiresAt = k.CreatedAt.UTC(), k.ExpiresAt.UTC()
		if !k.RevokedAt.IsZero() {
			k.RevokedAt = k.RevokedAt.UTC()
		}
		return k
	}
	gt, err := s.FindToken(ctx, "ab12")
	if d := cmp.Diff(tok, utc(gt)); err != nil || d != "" {
		t.Errorf("FindToken %v -want +got:\n%s", err, d)
	}
	gt, err = s.FindTokenByID(ctx, "k-1")
	if d := cmp.Diff(tok, utc(gt)); err != nil || d != "" {
		t.Errorf("FindTokenByID %v -want +got:\n%s", err, d)
	}
	_, err = s.FindToken(ctx, "ffff")
	wantCode(t, "FindToken(ffff)", err, tahqiq.ENOTFOUND)
	_, err = s.FindTokenByID(ctx, "k-404")
	wantCode(t, "FindTokenByID(k-404)", err, tahqiq.ENOTFOUND)

	// revocation: one token, then every live one of a user; the first time stays
	at := t0.Add(time.Minute)
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error { return tx.RevokeToken(ctx, "k-1", at) })
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		return tx.RevokeToken(ctx, "k-1", at.Add(time.Hour))
	})
	err = s.InTx(ctx, func(tx tahqiq.CaseTx) error { return tx.RevokeToken(ctx, "k-404", at) })
	wantCode(t, "RevokeToken(k-404)", err, tahqiq.ENOTFOUND)
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		return tx.RevokeTokens(ctx, viewer.ID, at.Add(2*time.Minute))
	})
	all, err := s.FindTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range all {
		all[i] = utc(all[i])
	}
	tok.RevokedAt, tok2.RevokedAt = at, at.Add(2*time.Minute)
	if d := cmp.Diff([]tahqiq.APIToken{tok, tok2, tok3}, all); d != "" {
		t.Errorf("FindTokens after revocations -want +got:\n%s", d)
	}
}

// testAccounts: organisations are counted inside a transaction, users are
// disabled and enabled again (never deleted).
func testAccounts(t *testing.T, s Store) {
	ctx := context.Background()
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		if n, err := tx.CountOrganisations(ctx); err != nil || n != 0 {
			t.Errorf("CountOrganisations of an empty store = %d, %v", n, err)
		}
		return nil
	})
	seedOrgs(t, s)
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		if n, err := tx.CountOrganisations(ctx); err != nil || n != 2 {
			t.Errorf("CountOrganisations = %d, %v; want 2", n, err)
		}
		return tx.SetUserDisabled(ctx, viewer.ID, true, t0)
	})
	want := viewer
	want.Disabled = true
	for _, get := range []func() (tahqiq.User, error){
		func() (tahqiq.User, error) { return s.FindUserByID(ctx, viewer.ID) },
		func() (tahqiq.User, error) { return s.FindUserByName(ctx, viewer.Name) },
	} {
		if u, err := get(); err != nil || u != want {
			t.Errorf("disabled user read back as %+v, %v; want %+v", u, err, want)
		}
	}
	if us, err := s.FindUsers(ctx); err != nil || len(us) != 2 || us[0] != want || us[1] != admin {
		t.Errorf("FindUsers = %+v, %v; want the disabled viewer and the admin", us, err)
	}
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		return tx.SetUserDisabled(ctx, viewer.ID, false, t0)
	})
	if u, err := s.FindUserByID(ctx, viewer.ID); err != nil || u != viewer {
		t.Errorf("enabled user read back as %+v, %v", u, err)
	}
	err := s.InTx(ctx, func(tx tahqiq.CaseTx) error { return tx.SetUserDisabled(ctx, "u-404", true, t0) })
	wantCode(t, "SetUserDisabled(u-404)", err, tahqiq.ENOTFOUND)
}

// testPreferences: a user's UI preferences, none until stored, replaced
// whole, refused for an unknown user; they are no part of the log.
func testPreferences(t *testing.T, s Store) {
	ctx := context.Background()
	seedOrgs(t, s)
	p, err := s.FindPreferences(ctx, admin.ID)
	if err != nil || p != (tahqiq.Preferences{}) {
		t.Fatalf("preferences before any are stored: %+v, %v; want the zero value", p, err)
	}
	n0, _ := s.LogSize(ctx)
	want := tahqiq.Preferences{Lang: "ur", TimeZone: "Asia/Karachi"}
	if err := s.PutPreferences(ctx, admin.ID, want, t0); err != nil {
		t.Fatal(err)
	}
	if p, err := s.FindPreferences(ctx, admin.ID); err != nil || p != want {
		t.Fatalf("preferences = %+v, %v; want %+v", p, err, want)
	}
	if p, _ := s.FindPreferences(ctx, viewer.ID); p != (tahqiq.Preferences{}) {
		t.Errorf("another user's preferences = %+v, want none", p)
	}
	want = tahqiq.Preferences{Lang: "en"}
	if err := s.PutPreferences(ctx, admin.ID, want, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if p, err := s.FindPreferences(ctx, admin.ID); err != nil || p != want {
		t.Fatalf("replaced preferences = %+v, %v; want %+v", p, err, want)
	}
	wantCode(t, "preferences of an unknown user", s.PutPreferences(ctx, "u-nobody", want, t0), tahqiq.ENOTFOUND)
	if n1, _ := s.LogSize(ctx); n1 != n0 {
		t.Errorf("preferences wrote %d log entries; they are not evidence", n1-n0)
	}
}

// testPutCase: a case replaced whole (closed, then reopened) reads back
// as written, its closing time to the nanosecond.
func testPutCase(t *testing.T, s Store) {
	ctx := context.Background()
	seedOrgs(t, s)
	c := tahqiq.Case{ID: "c-1", OrgID: orgA.ID, Title: "انتخابات 2024", TLP: tahqiq.TLPAmber, CreatedBy: admin.ID, CreatedAt: t0}
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error { return tx.CreateCase(ctx, c) })
	if got, err := s.FindCaseByID(ctx, c.ID); err != nil || got.Closed() || !cmp.Equal(got, c) {
		t.Fatalf("new case = %+v, %v; want %+v, open", got, err, c)
	}
	closed := c
	closed.ClosedBy, closed.ClosedAt = admin.ID, t0.Add(time.Hour+123456789)
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error { return tx.PutCase(ctx, closed) })
	if got, err := s.FindCaseByID(ctx, c.ID); err != nil || !got.Closed() || !cmp.Equal(got, closed) {
		t.Fatalf("closed case = %+v, %v; want %+v", got, err, closed)
	}
	if cs, err := s.FindCases(ctx); err != nil || len(cs) != 1 || !cmp.Equal(cs[0], closed) {
		t.Fatalf("cases = %+v, %v; want the closed case", cs, err)
	}
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error { return tx.PutCase(ctx, c) })
	if got, err := s.FindCaseByID(ctx, c.ID); err != nil || !cmp.Equal(got, c) {
		t.Fatalf("reopened case = %+v, %v; want %+v", got, err, c)
	}
	err := s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		return tx.PutCase(ctx, tahqiq.Case{ID: "c-none", OrgID: orgA.ID, Title: "x", TLP: tahqiq.TLPAmber, CreatedAt: t0})
	})
	wantCode(t, "put of an unknown case", err, tahqiq.ENOTFOUND)
}
