package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
)

// Fill writes a store with a row in every table through the store's own
// methods: two datasets (files with options, a header record, posts,
// duplicates and a post-id conflict, rejects, one re-derived, one owned),
// organisations and users (one disabled), a password, sessions, tokens
// (one revoked), preferences, two cases (one closed) with items,
// findings, recommendations (one decided), tasks (one updated), notes and
// shares, custody-log entries with case chains and record versions, and
// checkpoints. Its clock must
// be t0. The upgrade tests of the engines keep a store that Fill wrote
// with an earlier version of the engine and Dump's reading of it then.
func Fill(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	seedOrgs(t, s)
	// datasets
	ps, as := summaryPosts()
	tx, err := s.BeginImport(ctx, "ru")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "events.csv", SHA256: "e1", Size: 1234, Format: "coord_events_csv", Options: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	header := record(1, "account_id,post_id")
	header.Kind = tahqiq.RecordHeader
	add(t, tx, header, nil, nil, nil)
	for i, p := range ps {
		rec := record(int64(i+2), "row "+p.UID)
		rec.CollectedAt = t0.Add(time.Duration(i) * time.Hour)
		add(t, tx, rec, []tahqiq.Post{p}, as, []tahqiq.Share{share(p, tahqiq.ObjHashtag, "pti"), share(p, tahqiq.ObjURL, "https://a.org/"+p.UID)})
	}
	add(t, tx, record(20, "again"), []tahqiq.Post{ps[0]}, nil, []tahqiq.Share{share(ps[0], tahqiq.ObjHashtag, "pti")}) // a duplicate
	add(t, tx, record(21, "more"), []tahqiq.Post{ps[1]}, nil, []tahqiq.Share{share(ps[1], tahqiq.ObjRetweet, "x:99")}) // another share
	add(t, tx, record(22, "other"), []tahqiq.Post{post("x:1", "x:mallory", 0, "a")}, nil, nil)                         // a conflict
	if err := tx.AddReject(ctx, tahqiq.Reject{File: "events.csv", Line: 23, Reason: "bad timestamp"}, []byte("1,2,x")); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "more.jsonl", SHA256: "e2", Size: 99, Format: "generic_csv", ImportedAt: t0.Add(time.Minute), Options: map[string]string{"map": "account=user"}}); err != nil {
		t.Fatal(err)
	}
	add(t, tx, record(1, `{"user":"dawn"}`), []tahqiq.Post{post("x:10", "x:dawn", 7, "بیان")}, nil, nil)
	if err := tx.AddReject(ctx, tahqiq.Reject{File: "more.jsonl", Line: 2, Reason: "truncated"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.CaseTx().PutDatasetOrg(ctx, "ru", orgA.ID); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetDerivation(ctx, "ingest-2+textnorm-2"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, "cli", func(tx tahqiq.ImportTx) {
		p := post("telegram:chat/1", "telegram:chat", 3, "forward")
		add(t, tx, record(1, "m1"), []tahqiq.Post{p}, nil, []tahqiq.Share{share(p, tahqiq.ObjRetweet, "telegram:other/5")})
		add(t, tx, record(2, "m2"), nil, nil, nil)
	})
	rx, err := s.BeginRederive(ctx, "cli")
	if err != nil {
		t.Fatal(err)
	}
	files, err := rx.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := rx.Records(ctx, files[0].ID, 0, 10)
	if err != nil || len(recs) != 2 {
		t.Fatalf("Records = %d, %v", len(recs), err)
	}
	if err := rx.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rx.SetFile(ctx, files[0].ID); err != nil {
		t.Fatal(err)
	}
	p := post("telegram:chat/1", "telegram:chat", 3, "forward")
	if _, err := rx.Rederive(ctx, &recs[0], []tahqiq.Post{p}, nil, []tahqiq.Share{share(p, tahqiq.ObjRetweet, "telegram:other/5"), share(p, tahqiq.ObjText, "f00d")}); err != nil {
		t.Fatal(err)
	}
	if err := rx.DropRecord(ctx, &recs[1], "a service message is rejected now"); err != nil {
		t.Fatal(err)
	}
	if err := rx.SetDerivation(ctx, "ingest-2+textnorm-2"); err != nil {
		t.Fatal(err)
	}
	if err := rx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	// accounts and sessions
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		if err := tx.CreateUser(ctx, tahqiq.User{ID: "u-3", OrgID: orgA.ID, Name: "gone", Role: tahqiq.RoleInvestigator}); err != nil {
			return err
		}
		if err := tx.SetUserDisabled(ctx, "u-3", true, t0); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, admin.ID, "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", t0); err != nil {
			return err
		}
		for _, k := range []tahqiq.APIToken{
			{ID: "k-1", Hash: "ab12", UserID: admin.ID, Name: "script", CreatedAt: t0, ExpiresAt: t0.Add(48 * time.Hour)},
			{ID: "k-2", Hash: "cd34", UserID: viewer.ID, Name: "old", CreatedAt: t0.Add(time.Second), ExpiresAt: t0.Add(time.Hour)},
		} {
			if err := tx.CreateToken(ctx, k); err != nil {
				return err
			}
		}
		return tx.RevokeToken(ctx, "k-2", t0.Add(time.Minute))
	})
	for _, x := range []tahqiq.Session{
		{ID: "s-1", UserID: admin.ID, CSRF: "c1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{ID: "s-2", UserID: viewer.ID, CSRF: "c2", CreatedAt: t0.Add(123456789), ExpiresAt: t0.Add(2*time.Hour + 5)},
	} {
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}

	// cases and the log
	at := t0.Add(987654321)
	c1 := tahqiq.Case{ID: "c-1", OrgID: orgA.ID, Title: "انتخابات 2024", Description: "Form 45", TLP: tahqiq.TLPAmber, CreatedBy: admin.ID, CreatedAt: at}
	c2 := tahqiq.Case{ID: "c-2", OrgID: orgB.ID, Title: "partner", TLP: tahqiq.TLPRed, CreatedBy: viewer.ID, CreatedAt: t0}
	items := []tahqiq.Item{
		{ID: "i-1", CaseID: "c-1", Kind: tahqiq.ItemFile, Title: "form45.png", Source: "/tmp/form45.png", Blobs: []tahqiq.BlobRef{{SHA256: "sha256:aa", Size: 3, DHash: "00ff00ff00ff00ff"}}, TLP: tahqiq.TLPGreen, AddedBy: admin.ID, AddedAt: at},
		{ID: "i-2", CaseID: "c-1", Kind: tahqiq.ItemPost, Title: "post", Source: "ru/x:1", Blobs: []tahqiq.BlobRef{{SHA256: "sha256:bb", Size: 5}}, DerivedFrom: "i-1", AddedBy: admin.ID, AddedAt: at},
		{ID: "i-3", CaseID: "c-2", Kind: tahqiq.ItemFile, Title: "copy.png", Blobs: []tahqiq.BlobRef{{SHA256: "sha256:cc", Size: 3, DHash: "00ff00ff00ff00ff"}}, AddedBy: viewer.ID, AddedAt: t0},
	}
	rec := tahqiq.Recommendation{ID: "r-1", CaseID: "c-1", Action: "report", Grounds: "f-1", FindingIDs: []string{"f-1"}, State: tahqiq.RecProposed, CreatedBy: admin.ID, CreatedAt: at}
	task := tahqiq.Task{ID: "k-1", CaseID: "c-1", Title: "call", CreatedBy: admin.ID, CreatedAt: at}
	entry := 0
	log := func(ctx context.Context, tx tahqiq.CaseTx, caseID string, refs ...tahqiq.RecordRef) error {
		n, err := tx.LogSize(ctx)
		if err != nil {
			return err
		}
		var seq int64
		if caseID != "" {
			h, err := tx.CaseHead(ctx, caseID)
			if err != nil {
				return err
			}
			seq = h.Count + 1
		}
		for i, r := range refs {
			v, err := tx.RecordVersion(ctx, r.Kind, r.ID)
			if err != nil {
				return err
			}
			refs[i].Version = v + 1
		}
		entry++
		data := fmt.Sprintf(`{"index":%d,"case_id":%q,"case_seq":%d,"n":%d}`, n, caseID, seq, entry)
		hs, err := hashes(ctx, tx, n, data)
		if err != nil {
			return err
		}
		return tx.AppendLogRows(ctx, tahqiq.LogRow{Index: n, CaseID: caseID, CaseSeq: seq, Data: []byte(data), Records: refs}, tlog.StoredHashIndex(0, n), hs)
	}
	ref := func(kind, id string) tahqiq.RecordRef {
		return tahqiq.RecordRef{Kind: kind, ID: id, Digest: kind + ":sha256:00"}
	}
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		for _, c := range []tahqiq.Case{c1, c2} {
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
			if err := log(ctx, tx, c.ID, ref(tahqiq.RecCase, c.ID)); err != nil {
				return err
			}
		}
		for _, it := range items {
			if err := tx.CreateItem(ctx, it); err != nil {
				return err
			}
			if err := log(ctx, tx, it.CaseID, ref(tahqiq.RecItem, it.ID)); err != nil {
				return err
			}
		}
		if err := tx.CreateFinding(ctx, tahqiq.Finding{ID: "f-1", CaseID: "c-1", Title: "same text", ItemIDs: []string{"i-1", "i-2"}, Tags: []string{"T0049"}, CreatedBy: admin.ID, CreatedAt: at}); err != nil {
			return err
		}
		for _, r := range []tahqiq.Recommendation{rec, {ID: "r-2", CaseID: "c-1", Action: "refer", Grounds: "f-1", FindingIDs: []string{"f-1"}, State: tahqiq.RecProposed, CreatedBy: admin.ID, CreatedAt: at}} {
			if err := tx.PutRecommendation(ctx, r); err != nil {
				return err
			}
		}
		if err := tx.CreateTask(ctx, task); err != nil {
			return err
		}
		if err := tx.CreateNote(ctx, tahqiq.Note{ID: "n-1", CaseID: "c-1", Text: "نوٹ", CreatedBy: admin.ID, CreatedAt: at}); err != nil {
			return err
		}
		for _, sh := range []tahqiq.CaseShare{{CaseID: "c-1", OrgID: orgA.ID, TLP: tahqiq.TLPAmber}, {CaseID: "c-1", ItemID: "i-1", OrgID: orgB.ID, TLP: tahqiq.TLPGreen}} {
			if err := tx.CreateShare(ctx, sh); err != nil {
				return err
			}
		}
		return log(ctx, tx, "c-1", ref(tahqiq.RecFinding, "f-1"), ref(tahqiq.RecRecommendation, "r-1"), ref(tahqiq.RecTask, "k-1"))
	})
	dec, err := rec.Decide(tahqiq.User{ID: viewer.ID, Role: tahqiq.RoleReviewer}, false, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	task.Status, task.Done, task.UpdatedBy, task.UpdatedAt = tahqiq.TaskDone, true, admin.ID, at.Add(time.Hour)
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		if err := tx.PutRecommendation(ctx, dec); err != nil {
			return err
		}
		if err := tx.PutTask(ctx, task); err != nil {
			return err
		}
		if err := log(ctx, tx, "c-1", ref(tahqiq.RecRecommendation, "r-1"), ref(tahqiq.RecTask, "k-1")); err != nil {
			return err
		}
		return log(ctx, tx, "", ref(tahqiq.RecUser, "u-3"))
	})
	// a closed case (closed_by, closed_at) and two users' preferences
	// (one all set, one only its language)
	closed := c2
	closed.ClosedBy, closed.ClosedAt = viewer.ID, at.Add(2*time.Hour)
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		if err := tx.PutCase(ctx, closed); err != nil {
			return err
		}
		return log(ctx, tx, "c-2", ref(tahqiq.RecCase, "c-2"))
	})
	for id, p := range map[string]tahqiq.Preferences{admin.ID: {Lang: "ur", TimeZone: "Asia/Karachi"}, viewer.ID: {Lang: "en"}} {
		if err := s.PutPreferences(ctx, id, p, at); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []int64{3, 9} {
		if err := s.AddCheckpoint(ctx, size, []byte(fmt.Sprintf("tahqiq/test\n%d\nAAAA\n\n— key sig\n", size))); err != nil {
			t.Fatal(err)
		}
	}
}

// Dump reads back everything a store holds through every read method of
// Store, as canonical JSON: what Fill wrote, as the engine reads it. Its
// clock must be t0.
func Dump(t *testing.T, s Store) []byte {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	put := func(key string, v any, err error) {
		t.Helper()
		if err != nil {
			v = "error: " + tahqiq.ErrorCode(err) + ": " + err.Error()
		}
		out[key] = v
	}
	ds, err := s.FindDatasets(ctx)
	put("datasets", ds, err)
	for _, d := range ds {
		k := "dataset " + d.Name + " "
		one, err := s.FindDatasetByName(ctx, d.Name)
		put(k+"by name", one, err)
		var shares []string
		err = s.ScanShares(ctx, tahqiq.ShareFilter{Dataset: d.Name}, func(sh tahqiq.Share) error {
			shares = append(shares, fmt.Sprintf("%+v", sh))
			return nil
		})
		sort.Strings(shares)
		put(k+"shares", shares, err)
		var posts []tahqiq.Post
		err = s.ScanPosts(ctx, d.Name, func(p tahqiq.Post) error {
			posts = append(posts, p)
			return nil
		})
		sort.Slice(posts, func(i, j int) bool { return posts[i].UID < posts[j].UID })
		put(k+"posts", posts, err)
		uids := []string{"x:nobody"}
		for _, p := range posts {
			pr, err := s.FindPost(ctx, d.Name, p.UID)
			put(k+"post "+p.UID, pr, err)
			uids = append(uids, p.AuthorUID)
			a, aps, err := s.FindAccountPosts(ctx, d.Name, p.AuthorUID, 2)
			put(k+"account posts "+p.AuthorUID, []any{a, aps}, err)
		}
		accs, err := s.FindAccounts(ctx, d.Name, uids)
		put(k+"accounts", accs, err)
		rs, err := s.FindRejects(ctx, d.Name, 0, 0)
		put(k+"rejects", rs, err)
		rs, err = s.FindRejects(ctx, d.Name, 1, 1)
		put(k+"rejects page", rs, err)
		sum, err := s.SummarizeDataset(ctx, d.Name, tahqiq.SummaryOptions{})
		put(k+"summary", sum, err)
		sum, err = s.SummarizeDataset(ctx, d.Name, tahqiq.SummaryOptions{Bucket: time.Hour, Top: 1})
		put(k+"summary by hour", sum, err)
		put(k+"rederive", dumpRederive(ctx, s, d.Name), nil)
		put(k+"import", dumpImport(ctx, s, d.Name, d.Sources), nil)
	}
	owners, err := s.FindDatasetOrgs(ctx)
	put("dataset owners", owners, err)
	orgs, err := s.FindOrganisations(ctx)
	put("organisations", orgs, err)
	users, err := s.FindUsers(ctx)
	put("users", users, err)
	for _, u := range users {
		byID, err := s.FindUserByID(ctx, u.ID)
		put("user "+u.ID, byID, err)
		byName, err := s.FindUserByName(ctx, u.Name)
		put("user named "+u.Name, byName, err)
		h, err := s.PasswordHash(ctx, u.ID)
		put("password of "+u.ID, h, err)
		p, err := s.FindPreferences(ctx, u.ID)
		put("preferences of "+u.ID, p, err)
	}
	p, err := s.FindPreferences(ctx, "u-404")
	put("preferences of u-404", p, err)
	n, err := s.CountPasswords(ctx)
	put("passwords", n, err)
	toks, err := s.FindTokens(ctx)
	put("tokens", toks, err)
	for _, k := range toks {
		byHash, err := s.FindToken(ctx, k.Hash)
		put("token "+k.Hash, byHash, err)
		byID, err := s.FindTokenByID(ctx, k.ID)
		put("token "+k.ID, byID, err)
	}
	for _, id := range []string{"s-1", "s-2", "s-404"} {
		ses, err := s.FindSession(ctx, id)
		put("session "+id, ses, err)
	}
	cases, err := s.FindCases(ctx)
	put("cases", cases, err)
	for _, c := range append(cases, tahqiq.Case{ID: "c-404"}) {
		k := "case " + c.ID + " "
		one, err := s.FindCaseByID(ctx, c.ID)
		put(k+"by id", one, err)
		its, err := s.FindItems(ctx, c.ID)
		put(k+"items", its, err)
		for _, it := range its {
			one, err := s.FindItemByID(ctx, it.ID)
			put("item "+it.ID, one, err)
		}
		fs, err := s.FindFindings(ctx, c.ID)
		put(k+"findings", fs, err)
		rs, err := s.FindRecommendations(ctx, c.ID)
		put(k+"recommendations", rs, err)
		for _, r := range rs {
			one, err := s.FindRecommendation(ctx, r.ID)
			put("recommendation "+r.ID, one, err)
		}
		ks, err := s.FindTasks(ctx, c.ID)
		put(k+"tasks", ks, err)
		for _, x := range ks {
			one, err := s.FindTask(ctx, x.ID)
			put("task "+x.ID, one, err)
		}
		ns, err := s.FindNotes(ctx, c.ID)
		put(k+"notes", ns, err)
		sh, err := s.FindShares(ctx, c.ID)
		put(k+"shares", sh, err)
		head, err := s.CaseHead(ctx, c.ID)
		put(k+"log head", head, err)
	}
	its, err := s.FindItemsByDHash(ctx, "00ff00ff00ff00ff")
	put("items by dhash", its, err)
	size, err := s.LogSize(ctx)
	put("log size", size, err)
	es, err := s.LogEntries(ctx, 0, size)
	put("log entries", es, err)
	var idx []int64
	for i := range tlog.StoredHashCount(size) {
		idx = append(idx, i)
	}
	hs, err := s.ReadLogHashes(ctx, idx)
	put("log hashes", hs, err)
	cps, err := s.Checkpoints(ctx)
	put("checkpoints", cps, err)
	versions := map[string]int64{}
	err = s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		for _, k := range []string{"case c-1", "case c-2", "item i-1", "recommendation r-1", "task k-1", "user u-3", "note n-1"} {
			var kind, id string
			fmt.Sscan(k, &kind, &id)
			v, err := tx.RecordVersion(ctx, kind, id)
			if err != nil {
				return err
			}
			versions[k] = v
		}
		n, err := tx.CountOrganisations(ctx)
		versions["organisations"] = n
		return err
	})
	put("record versions", versions, err)
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// dumpRederive is what a re-derivation reads of a dataset (rolled back).
func dumpRederive(ctx context.Context, s Store, name string) any {
	out := map[string]any{}
	rx, err := s.BeginRederive(ctx, name)
	if err != nil {
		return "error: " + err.Error()
	}
	defer rx.Rollback()
	d, files, err := rx.Derivation(ctx)
	out["derivation"] = []any{d, files, fmt.Sprint(err)}
	fs, err := rx.Files(ctx)
	out["files"] = []any{fs, fmt.Sprint(err)}
	for _, f := range fs {
		rs, err := rx.Records(ctx, f.ID, 0, 100)
		out["records of "+f.Name] = []any{rs, fmt.Sprint(err)}
	}
	var posts, shares, rejects []string
	rx.EachPost(ctx, func(rec int64, uid, author string, data []byte) error {
		posts = append(posts, fmt.Sprintf("%d %s %s %s", rec, uid, author, data))
		return nil
	})
	rx.EachShare(ctx, func(post string, typ tahqiq.ObjectType, object string) error {
		shares = append(shares, post+" "+string(typ)+" "+object)
		return nil
	})
	rx.EachReject(ctx, func(r tahqiq.Reject) error {
		rejects = append(rejects, fmt.Sprintf("%+v", r))
		return nil
	})
	sort.Strings(posts)
	sort.Strings(shares)
	out["posts"], out["shares"], out["rejects"] = posts, shares, rejects
	c, err := rx.Counts(ctx)
	out["counts"] = []any{c, fmt.Sprint(err)}
	return out
}

// dumpImport is what an import finds of a dataset's files (rolled back).
func dumpImport(ctx context.Context, s Store, name string, files []tahqiq.ImportFile) any {
	tx, err := s.BeginImport(ctx, name)
	if err != nil {
		return "error: " + err.Error()
	}
	defer tx.Rollback()
	out := map[string]any{}
	d, has, err := tx.Derivation(ctx)
	out["derivation"] = []any{d, has, fmt.Sprint(err)}
	for _, f := range append(files, tahqiq.ImportFile{SHA256: "none"}) {
		got, ok, err := tx.FindFile(ctx, f.SHA256)
		out["file "+f.SHA256] = []any{got, ok, fmt.Sprint(err)}
	}
	return out
}

// DiffDump compares got, a Dump of a store an upgrade test opened, with
// want, the Dump kept with the store when it was written: "" when they
// read alike, else their difference, line by line (-want +got). older is
// for a store written before Dump read all it reads now: only want's
// keys are compared (a key of want that got lacks is still a difference).
func DiffDump(want, got []byte, older bool) (string, error) {
	if older {
		var w, g map[string]json.RawMessage
		if err := json.Unmarshal(want, &w); err != nil {
			return "", fmt.Errorf("the kept dump: %w", err)
		}
		if err := json.Unmarshal(got, &g); err != nil {
			return "", err
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				delete(g, k)
			}
		}
		var err error
		if want, err = json.MarshalIndent(w, "", " "); err != nil {
			return "", err
		}
		if got, err = json.MarshalIndent(g, "", " "); err != nil {
			return "", err
		}
	}
	return cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")), nil
}

// UpgradeFixtures are the stores of earlier engines that each engine's
// TestUpgradeFromMain opens, in its testdata, by the prefix of their
// files (PREFIX-store.db.gz or PREFIX-store.sql.gz, PREFIX-dump.json).
var UpgradeFixtures = []struct {
	// Prefix names the files; Commit is main's commit whose engines
	// wrote them.
	Prefix, Commit string
	// Older: written before Fill and Dump knew of preferences and closed
	// cases (schema 0010); compared by DiffDump's older rule.
	Older bool
}{
	{Prefix: "main", Commit: "4f6f157"}, // raw records in blocks (0013), shares a row each: before 0014 packed them
	{Prefix: "main-01e49d3", Commit: "01e49d3"},
	{Prefix: "main-0cab02e", Commit: "0cab02e", Older: true},
}

// AfterUpgrade checks an upgraded store (Fill's, written by an engine that
// kept raw records a row each, before migration 0013) taking an import
// into a dataset it holds: post x:1 then has records of both kinds, which
// FindPost reads back in order, the old ones as before; and a
// re-derivation reads every record of the old files and the new one.
func AfterUpgrade(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	before, err := s.FindPost(ctx, "ru", "x:1")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := summaryPosts()
	tx, err := s.BeginImport(ctx, "ru")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "after.csv", SHA256: "e9", Size: 10, Format: "coord_events_csv", Options: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	add(t, tx, record(2, "after the upgrade"), []tahqiq.Post{ps[0]}, nil, nil)
	add(t, tx, record(3, "a new post"), []tahqiq.Post{post("x:500", "x:alice", 5, "new")}, nil, nil)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := s.FindPost(ctx, "ru", "x:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Records) != len(before.Records)+1 {
		t.Fatalf("post x:1 has %d records after the import, want %d", len(after.Records), len(before.Records)+1)
	}
	if d := cmp.Diff(before.Records, after.Records[:len(before.Records)]); d != "" {
		t.Errorf("the records kept before the upgrade read back otherwise -before +after:\n%s", d)
	}
	last := after.Records[len(after.Records)-1]
	if string(last.Raw) != "after the upgrade" || last.SourceFile != "after.csv" || last.Line != 2 {
		t.Errorf("the record imported after the upgrade reads back as %+v", last)
	}
	rx, err := s.BeginRederive(ctx, "ru")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Rollback()
	files, err := rx.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rs, err := rx.Records(ctx, f.ID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(rs)) != f.Records {
			t.Errorf("file %s: a re-derivation reads %d records, the file counts %d", f.Name, len(rs), f.Records)
		}
	}
}
