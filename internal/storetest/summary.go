package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
)

// testDatasets: datasets are listed by name with their counts, files
// and creation time (both to the second), files' options; shares are scanned
// whole or by type; a callback's error stops a scan and is returned.
func testDatasets(t *testing.T, s Store) {
	ctx := context.Background()
	p1, p2 := post("x:1", "x:alice", 0, "vote"), post("x:2", "x:bob", 9, "vote")
	shares := []tahqiq.Share{share(p1, tahqiq.ObjURL, "https://a.org/"), share(p1, tahqiq.ObjDomain, "a.org"), share(p1, tahqiq.ObjHashtag, "pti")}
	mustImport(t, s, "b", func(tx tahqiq.ImportTx) {
		add(t, tx, record(1, "a"), []tahqiq.Post{p1}, nil, shares)
		add(t, tx, record(2, "b"), []tahqiq.Post{p2}, nil, []tahqiq.Share{share(p2, tahqiq.ObjHashtag, "pti")})
	})
	tx, err := s.BeginImport(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(90*time.Minute + 500*time.Millisecond)
	opts := map[string]string{"map": "account=user,id=tweet"}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "one.csv", SHA256: "01", Size: 7, Format: "generic_csv", ImportedAt: at, Options: opts}); err != nil {
		t.Fatal(err)
	}
	add(t, tx, record(1, "c"), []tahqiq.Post{p1}, nil, shares[:1])
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "two.jsonl", SHA256: "02", Size: 9, Format: "test", Options: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetDerivation(ctx, "ingest-2+textnorm-2"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ds, err := s.FindDatasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []tahqiq.Dataset{
		{Name: "a", CreatedAt: t0, Derivation: "ingest-2+textnorm-2", Counts: tahqiq.DatasetCounts{Records: 1, Posts: 1, Accounts: 1, Shares: 1},
			Sources: []tahqiq.ImportFile{
				{Name: "one.csv", SHA256: "01", Size: 7, Format: "generic_csv", ImportedAt: t0.Add(90 * time.Minute), Records: 1, Options: opts},
				{Name: "two.jsonl", SHA256: "02", Size: 9, Format: "test", ImportedAt: t0, Options: map[string]string{}},
			}},
		{Name: "b", CreatedAt: t0, Counts: tahqiq.DatasetCounts{Records: 2, Posts: 2, Accounts: 2, Shares: 4},
			Sources: []tahqiq.ImportFile{{Name: "f.jsonl", SHA256: "aab", Size: 10, Format: "test", ImportedAt: t0, Records: 2}}},
	}
	for i := range ds {
		if ds[i].ID == 0 {
			t.Errorf("dataset %s has no id", ds[i].Name)
		}
		ds[i].ID = 0
	}
	if d := cmp.Diff(want, ds); d != "" {
		t.Errorf("FindDatasets -want +got:\n%s", d)
	}
	scan := func(types ...tahqiq.ObjectType) []string {
		t.Helper()
		var out []string
		if err := s.ScanShares(ctx, tahqiq.ShareFilter{Dataset: "b", Types: types}, func(sh tahqiq.Share) error {
			out = append(out, fmt.Sprintf("%s %s %s %s %d %s", sh.PostID, sh.AccountID, sh.Type, sh.Object, sh.Time, sh.Precision))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(out)
		return out
	}
	ts0, ts9 := t0.Unix(), t0.Unix()+9
	all := []string{
		fmt.Sprintf("x:1 x:alice domain a.org %d s", ts0),
		fmt.Sprintf("x:1 x:alice hashtag pti %d s", ts0),
		fmt.Sprintf("x:1 x:alice url https://a.org/ %d s", ts0),
		fmt.Sprintf("x:2 x:bob hashtag pti %d s", ts9),
	}
	if d := cmp.Diff(all, scan()); d != "" {
		t.Errorf("ScanShares (every type) -want +got:\n%s", d)
	}
	if d := cmp.Diff([]string{all[1], all[2], all[3]}, scan(tahqiq.ObjHashtag, tahqiq.ObjURL)); d != "" {
		t.Errorf("ScanShares (hashtag, url) -want +got:\n%s", d)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.ScanShares(ctx, tahqiq.ShareFilter{Dataset: "b"}, func(tahqiq.Share) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("ScanShares whose callback fails: %v after %d shares; want the callback's error after 1", err, n)
	}
	n = 0
	if err := s.ScanPosts(ctx, "b", func(tahqiq.Post) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("ScanPosts whose callback fails: %v after %d posts; want the callback's error after 1", err, n)
	}
}

// testImportCaseTx: the custody-log entry of an import (and the
// dataset's owner) commit or roll back with the import; so does a
// re-derivation's; a dataset deleted in a CaseTx loses its owner too.
func testImportCaseTx(t *testing.T, s Store) {
	ctx := context.Background()
	seedOrgs(t, s)
	p1 := post("x:1", "x:alice", 0, "vote")
	for _, commit := range []bool{false, true} {
		tx, err := s.BeginImport(ctx, "d")
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f", SHA256: "aa", Format: "test"}); err != nil {
			t.Fatal(err)
		}
		add(t, tx, record(1, "a"), []tahqiq.Post{p1}, nil, nil)
		if err := tx.CaseTx().PutDatasetOrg(ctx, "d", orgA.ID); err != nil {
			t.Fatal(err)
		}
		if err := appendEntry(ctx, tx.CaseTx(), `{"action":"dataset.import"}`); err != nil {
			t.Fatal(err)
		}
		if !commit {
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			if n, err := s.LogSize(ctx); err != nil || n != 0 {
				t.Errorf("LogSize after a rolled-back import = %d, %v", n, err)
			}
			if m, err := s.FindDatasetOrgs(ctx); err != nil || len(m) != 0 {
				t.Errorf("owners after a rolled-back import = %v, %v", m, err)
			}
			continue
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rx, err := s.BeginRederive(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if err := appendEntry(ctx, rx.CaseTx(), `{"action":"dataset.rederive"}`); err != nil {
		t.Fatal(err)
	}
	if err := rx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := s.LogEntries(ctx, 0, 2)
	if err != nil || len(es) != 2 || string(es[0]) != `{"action":"dataset.import"}` || string(es[1]) != `{"action":"dataset.rederive"}` {
		t.Errorf("log after the import and the re-derivation = %q, %v", es, err)
	}
	if m, err := s.FindDatasetOrgs(ctx); err != nil || m["d"] != orgA.ID {
		t.Errorf("owners after the import = %v, %v", m, err)
	}
	err = s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		_, err := tx.DeleteDataset(ctx, "nope")
		return err
	})
	wantCode(t, "CaseTx.DeleteDataset(nope)", err, tahqiq.ENOTFOUND)
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		c, err := tx.DeleteDataset(ctx, "d")
		if err == nil && c != (tahqiq.DatasetCounts{Records: 1, Posts: 1, Accounts: 1}) {
			t.Errorf("CaseTx.DeleteDataset removed %+v", c)
		}
		return err
	})
	if m, err := s.FindDatasetOrgs(ctx); err != nil || len(m) != 0 {
		t.Errorf("owners after the delete = %v, %v", m, err)
	}
	if _, err := s.FindDatasetByName(ctx, "d"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("FindDatasetByName after the delete: %v", err)
	}
}

// appendEntry appends data as the log's next entry through tx.
func appendEntry(ctx context.Context, tx tahqiq.LogTx, data string) error {
	n, err := tx.LogSize(ctx)
	if err != nil {
		return err
	}
	hs, err := hashes(ctx, tx, n, data)
	if err != nil {
		return err
	}
	return tx.AppendLogRows(ctx, tahqiq.LogRow{Index: n, Data: []byte(data)}, tlog.StoredHashIndex(0, n), hs)
}

// hashes returns the tree hashes that entry n, data, adds to the log.
func hashes(ctx context.Context, tx tahqiq.LogTx, n int64, data string) ([]tahqiq.LogHash, error) {
	hs, err := tlog.StoredHashes(n, []byte(data), txReader{ctx, tx})
	if err != nil {
		return nil, err
	}
	out := make([]tahqiq.LogHash, len(hs))
	for i, h := range hs {
		out[i] = tahqiq.LogHash(h)
	}
	return out, nil
}

// summaryPosts are the posts of testSummary: alice three, bob two (one
// an author only, no account record), carol one without a time.
func summaryPosts() ([]tahqiq.Post, []tahqiq.Account) {
	h := func(dt time.Duration) int { return int(dt / time.Second) }
	ps := []tahqiq.Post{
		post("x:1", "x:alice", 0, "a"),
		post("x:2", "x:alice", h(time.Hour), "b"),
		post("x:3", "x:alice", h(24*time.Hour), "c"),
		post("x:4", "x:bob", h(26*time.Hour), "d"),
		post("x:5", "x:bob", h(48*time.Hour), "e"),
		post("x:6", "x:carol", 0, "f"),
	}
	ps[5].CreatedAt = time.Time{}
	as := []tahqiq.Account{
		{UID: "x:alice", Platform: "x", PlatformID: "alice", Handle: "alice_h", Followers: 10, Following: -1, PostsCount: -1},
		{UID: "x:carol", Platform: "x", PlatformID: "carol", Handle: "carol_h", Name: "کیرول", Followers: -1, Following: -1, PostsCount: -1},
	}
	return ps, as
}

// testSummary: posts per day or hour bucket (posts without a time left
// out), the most active accounts with their handles, the most shared
// hashtags, URLs and domains, ties by key; Top cuts every list; an empty
// dataset has empty lists, not none.
func testSummary(t *testing.T, s Store) {
	ctx := context.Background()
	mustImport(t, s, "empty", func(tahqiq.ImportTx) {})
	ps, as := summaryPosts()
	objs := [][]tahqiq.Object{
		{obj(tahqiq.ObjHashtag, "pti"), obj(tahqiq.ObjURL, "https://a.org/"), obj(tahqiq.ObjDomain, "a.org")},
		{obj(tahqiq.ObjHashtag, "pti"), obj(tahqiq.ObjRetweet, "9")},
		{obj(tahqiq.ObjHashtag, "pmln"), obj(tahqiq.ObjURL, "https://b.org/"), obj(tahqiq.ObjDomain, "b.org")},
		{obj(tahqiq.ObjHashtag, "pti"), obj(tahqiq.ObjURL, "https://a.org/"), obj(tahqiq.ObjDomain, "a.org")},
		{obj(tahqiq.ObjHashtag, "ecp")},
		{obj(tahqiq.ObjHashtag, "ecp")},
	}
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {
		for i, p := range ps {
			var sh []tahqiq.Share
			for _, o := range objs[i] {
				sh = append(sh, share(p, o.Type, o.Value))
			}
			add(t, tx, record(int64(i+1), p.UID), []tahqiq.Post{p}, as, sh)
		}
	})
	day := func(n int) time.Time { return time.Date(2024, 2, 8+n, 0, 0, 0, 0, time.UTC) }
	hour := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	d, err := s.FindDatasetByName(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	want := tahqiq.DatasetSummary{
		Dataset:     d,
		OverTime:    []tahqiq.TimeCount{{T: day(0), Posts: 2}, {T: day(1), Posts: 2}, {T: day(2), Posts: 1}},
		TopAccounts: []tahqiq.AccountCount{{UID: "x:alice", Handle: "alice_h", Posts: 3}, {UID: "x:bob", Posts: 2}, {UID: "x:carol", Handle: "carol_h", Name: "کیرول", Posts: 1}},
		TopHashtags: []tahqiq.KeyCount{{Key: "pti", Count: 3}, {Key: "ecp", Count: 2}, {Key: "pmln", Count: 1}},
		TopURLs:     []tahqiq.KeyCount{{Key: "https://a.org/", Count: 2}, {Key: "https://b.org/", Count: 1}},
		TopDomains:  []tahqiq.KeyCount{{Key: "a.org", Count: 2}, {Key: "b.org", Count: 1}},
	}
	got, err := s.SummarizeDataset(ctx, "d", tahqiq.SummaryOptions{})
	if d := cmp.Diff(want, got); err != nil || d != "" {
		t.Errorf("SummarizeDataset (by day) %v -want +got:\n%s", err, d)
	}
	want.OverTime = nil
	for _, h := range []int{0, 1, 24, 26, 48} {
		want.OverTime = append(want.OverTime, tahqiq.TimeCount{T: hour(h), Posts: 1})
	}
	want.TopAccounts, want.TopHashtags, want.TopURLs, want.TopDomains = want.TopAccounts[:2], want.TopHashtags[:2], want.TopURLs[:2], want.TopDomains[:2]
	got, err = s.SummarizeDataset(ctx, "d", tahqiq.SummaryOptions{Bucket: time.Hour, Top: 2})
	if d := cmp.Diff(want, got); err != nil || d != "" {
		t.Errorf("SummarizeDataset (by hour, top 2) %v -want +got:\n%s", err, d)
	}
	e, err := s.FindDatasetByName(ctx, "empty")
	if err != nil {
		t.Fatal(err)
	}
	got, err = s.SummarizeDataset(ctx, "empty", tahqiq.SummaryOptions{})
	empty := tahqiq.DatasetSummary{Dataset: e, OverTime: []tahqiq.TimeCount{}, TopAccounts: []tahqiq.AccountCount{}, TopHashtags: []tahqiq.KeyCount{}, TopURLs: []tahqiq.KeyCount{}, TopDomains: []tahqiq.KeyCount{}}
	if d := cmp.Diff(empty, got); err != nil || d != "" || got.OverTime == nil || got.TopAccounts == nil || got.TopHashtags == nil || got.TopURLs == nil || got.TopDomains == nil {
		t.Errorf("SummarizeDataset of an empty dataset %v (lists must be empty, not nil) -want +got:\n%s", err, d)
	}
	_, err = s.SummarizeDataset(ctx, "nope", tahqiq.SummaryOptions{})
	wantCode(t, "SummarizeDataset(nope)", err, tahqiq.ENOTFOUND)
}

// testRejectPages: a dataset's rejects in the order stored, paged by
// limit and offset (limit 0: 100; a negative offset: 0), with their raw
// bytes (none when none were given); past the end an empty page.
func testRejectPages(t *testing.T, s Store) {
	ctx := context.Background()
	var want []tahqiq.RejectRecord
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {
		for i, line := range []int64{3, 1, 2} {
			r := tahqiq.RejectRecord{Reject: tahqiq.Reject{File: "f.jsonl", Line: line, Reason: fmt.Sprintf("bad %d", i)}}
			if i != 1 {
				r.Raw = []byte(fmt.Sprintf(`{"n":%d`, i))
			}
			if err := tx.AddReject(ctx, r.Reject, r.Raw); err != nil {
				t.Fatal(err)
			}
			want = append(want, r)
		}
		if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "g.csv", SHA256: "bb", Format: "test"}); err != nil {
			t.Fatal(err)
		}
		r := tahqiq.RejectRecord{Reject: tahqiq.Reject{File: "g.csv", Line: 1, Reason: "empty"}, Raw: []byte("x")}
		if err := tx.AddReject(ctx, r.Reject, r.Raw); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	})
	mustImport(t, s, "other", func(tx tahqiq.ImportTx) {
		if err := tx.AddReject(ctx, tahqiq.Reject{File: "f.jsonl", Line: 1, Reason: "not d's"}, nil); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		limit, offset int
		want          []tahqiq.RejectRecord
	}{
		{10, 0, want}, {0, 0, want}, {2, 0, want[:2]}, {2, 2, want[2:]}, {3, -1, want[:3]}, {10, 4, []tahqiq.RejectRecord{}},
	} {
		got, err := s.FindRejects(ctx, "d", tc.limit, tc.offset)
		if d := cmp.Diff(tc.want, got); err != nil || d != "" || got == nil {
			t.Errorf("FindRejects(d, %d, %d) %v -want +got:\n%s", tc.limit, tc.offset, err, d)
		}
	}
	_, err := s.FindRejects(ctx, "nope", 10, 0)
	wantCode(t, "FindRejects(nope)", err, tahqiq.ENOTFOUND)
}

// testAccountPosts: an account as first stored (one known only as an
// author has no data but its UID and unknown counts) with up to limit of
// its posts, oldest first, ties in import order (limit 0: 200).
func testAccountPosts(t *testing.T, s Store) {
	ctx := context.Background()
	alice := tahqiq.Account{UID: "x:alice", Platform: "x", PlatformID: "1", Handle: "alice", Name: "Alice", Description: "بیان", Location: "Lahore",
		CreatedAt: t0.Add(-24 * time.Hour), Followers: 10, Following: 2, PostsCount: 300, Verified: true, Labels: []tahqiq.Label{{Scheme: "test", Value: "x"}}}
	later := alice
	later.Handle = "alice2" // a later record's view of the account does not replace the first
	ps := []tahqiq.Post{post("x:3", "x:alice", 30, "c"), post("x:1", "x:alice", 0, "a"), post("x:4", "x:alice", 10, "d"), post("x:2", "x:alice", 10, "b"), post("x:9", "x:bob", 5, "z")}
	ps[1].Hashtags = []tahqiq.Entity{{Text: "pti", Start: 0, End: 4}}
	ps[1].Metrics = map[string]int64{"likes": 3}
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {
		for i, p := range ps {
			as := []tahqiq.Account{alice}
			if i > 0 {
				as[0] = later
			}
			add(t, tx, record(int64(i+1), p.UID), []tahqiq.Post{p}, as, nil)
		}
	})
	check := func(uid string, limit int, wantA tahqiq.Account, want []tahqiq.Post) {
		t.Helper()
		a, got, err := s.FindAccountPosts(ctx, "d", uid, limit)
		if err != nil {
			t.Fatalf("FindAccountPosts(%s, %d): %v", uid, limit, err)
		}
		if d := cmp.Diff(wantA, a); d != "" {
			t.Errorf("FindAccountPosts(%s, %d) account -want +got:\n%s", uid, limit, d)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("FindAccountPosts(%s, %d) posts -want +got:\n%s", uid, limit, d)
		}
	}
	check("x:alice", 0, alice, []tahqiq.Post{ps[1], ps[2], ps[3], ps[0]})
	check("x:alice", 2, alice, []tahqiq.Post{ps[1], ps[2]})
	check("x:bob", 10, tahqiq.Account{UID: "x:bob", Followers: -1, Following: -1, PostsCount: -1}, []tahqiq.Post{ps[4]})
	_, _, err := s.FindAccountPosts(ctx, "d", "x:nobody", 10)
	wantCode(t, "FindAccountPosts(x:nobody)", err, tahqiq.ENOTFOUND)
	_, _, err = s.FindAccountPosts(ctx, "nope", "x:alice", 10)
	wantCode(t, "FindAccountPosts of a missing dataset", err, tahqiq.ENOTFOUND)
}

// testFindAccounts: the accounts of a dataset among many UIDs (more than
// one statement's worth), absent ones and other datasets' left out.
func testFindAccounts(t *testing.T, s Store) {
	ctx := context.Background()
	want := map[string]tahqiq.Account{}
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {
		var as []tahqiq.Account
		for i := range 12 {
			a := tahqiq.Account{UID: fmt.Sprintf("x:a%d", i), Platform: "x", PlatformID: fmt.Sprint(i), Handle: fmt.Sprintf("h%d", i), Followers: int64(i), Following: -1, PostsCount: -1}
			as = append(as, a)
			want[a.UID] = a
		}
		p := post("x:1", "x:author", 0, "a")
		add(t, tx, record(1, "a"), []tahqiq.Post{p}, as, nil)
		want["x:author"] = tahqiq.Account{UID: "x:author", Followers: -1, Following: -1, PostsCount: -1}
	})
	mustImport(t, s, "other", func(tx tahqiq.ImportTx) {
		add(t, tx, record(1, "a"), nil, []tahqiq.Account{{UID: "x:stranger", Handle: "s"}}, nil)
	})
	var uids []string
	for i := range 1200 {
		uids = append(uids, fmt.Sprintf("x:a%d", 1199-i))
	}
	uids = append(uids, "x:author", "x:stranger", "x:a3")
	got, err := s.FindAccounts(ctx, "d", uids)
	if d := cmp.Diff(want, got); err != nil || d != "" {
		t.Errorf("FindAccounts %v -want +got:\n%s", err, d)
	}
	if got, err := s.FindAccounts(ctx, "d", nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("FindAccounts(no uids) = %v, %v; want an empty map", got, err)
	}
	_, err = s.FindAccounts(ctx, "nope", uids)
	wantCode(t, "FindAccounts of a missing dataset", err, tahqiq.ENOTFOUND)
}

// testItemsByDHash: the items of any case with an image of a dHash, each
// once, in the order attached.
func testItemsByDHash(t *testing.T, s Store) {
	ctx := context.Background()
	seedOrgs(t, s)
	img := func(sha, dhash string) tahqiq.BlobRef { return tahqiq.BlobRef{SHA256: sha, Size: 1, DHash: dhash} }
	items := []tahqiq.Item{
		{ID: "i-3", CaseID: "c-2", Kind: tahqiq.ItemFile, Title: "b.png", Blobs: []tahqiq.BlobRef{img("sha256:03", "00ff00ff00ff00ff")}, AddedBy: admin.ID, AddedAt: t0},
		{ID: "i-1", CaseID: "c-1", Kind: tahqiq.ItemFile, Title: "a.png", Blobs: []tahqiq.BlobRef{img("sha256:01", "00ff00ff00ff00ff"), img("sha256:02", "00ff00ff00ff00ff")}, AddedBy: admin.ID, AddedAt: t0},
		{ID: "i-2", CaseID: "c-1", Kind: tahqiq.ItemFile, Title: "c.pdf", Blobs: []tahqiq.BlobRef{img("sha256:04", "")}, AddedBy: admin.ID, AddedAt: t0},
		{ID: "i-4", CaseID: "c-1", Kind: tahqiq.ItemFile, Title: "d.png", Blobs: []tahqiq.BlobRef{img("sha256:05", "ffffffffffffffff"), img("sha256:06", "00ff00ff00ff00ff")}, AddedBy: admin.ID, AddedAt: t0},
	}
	inTx(t, s, func(ctx context.Context, tx tahqiq.CaseTx) error {
		for _, id := range []string{"c-1", "c-2"} {
			if err := tx.CreateCase(ctx, tahqiq.Case{ID: id, OrgID: orgA.ID, Title: id, TLP: tahqiq.TLPAmber, CreatedBy: admin.ID, CreatedAt: t0}); err != nil {
				return err
			}
		}
		for _, it := range items {
			if err := tx.CreateItem(ctx, it); err != nil {
				return err
			}
		}
		return nil
	})
	for dhash, want := range map[string][]tahqiq.Item{
		"00ff00ff00ff00ff": {items[0], items[1], items[3]},
		"ffffffffffffffff": {items[3]},
		"0123456789abcdef": {},
	} {
		got, err := s.FindItemsByDHash(ctx, dhash)
		if d := cmp.Diff(want, utcItems(got)); err != nil || d != "" {
			t.Errorf("FindItemsByDHash(%s) %v -want +got:\n%s", dhash, err, d)
		}
	}
}

func obj(typ tahqiq.ObjectType, value string) tahqiq.Object {
	return tahqiq.Object{Type: typ, Value: value}
}
