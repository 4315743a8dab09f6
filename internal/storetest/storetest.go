// Package storetest is the conformance suite of tahqiq's store engines:
// internal/sqlite and internal/postgres pass Run, which exercises every
// method an engine exports (Store, checked by Exports), so that the
// engines answer alike. It is imported only from tests.
package storetest

import (
	"context"
	"crypto/sha256"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
)

// Store is everything a store engine exports to the rest of tahqiq:
// imports and re-derivations, datasets, shares and posts, dataset
// summaries, cases, the custody log's rows, accounts and sessions.
type Store interface {
	tahqiq.ImportStore
	tahqiq.RederiveStore
	tahqiq.DatasetStore
	tahqiq.ShareStore
	tahqiq.PostStore
	tahqiq.PostScanner
	tahqiq.MediaStore
	tahqiq.SummaryStore
	tahqiq.CaseStore
	tahqiq.AuthStore
	// FindItemsByDHash returns the items (any case) with an image of
	// this dHash, in the order attached.
	FindItemsByDHash(ctx context.Context, dhash string) ([]tahqiq.Item, error)
	Path() string
	Close() error
}

// Run runs the suite. newStore returns a fresh, empty store whose clock
// (dataset creation, session expiry, migrations) is now.
func Run(t *testing.T, newStore func(t *testing.T, now func() time.Time) Store) {
	clock := func() time.Time { return t0 }
	fresh := func(t *testing.T) Store { return newStore(t, clock) }
	t.Run("ImportCommitAndRead", func(t *testing.T) { testImportCommit(t, fresh(t)) })
	t.Run("DuplicatesAreOccurrences", func(t *testing.T) { testDuplicates(t, fresh(t)) })
	t.Run("RollbackLeavesNothing", func(t *testing.T) { testRollback(t, fresh(t)) })
	t.Run("DeleteDataset", func(t *testing.T) { testDelete(t, fresh(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, fresh(t)) })
	t.Run("FileThatKeptNothingIsRetried", func(t *testing.T) { testRetry(t, fresh(t)) })
	t.Run("PostOfTwoAccountsIsAConflict", func(t *testing.T) { testConflict(t, fresh(t)) })
	t.Run("Rederive", func(t *testing.T) { testRederive(t, fresh(t)) })
	t.Run("DatasetsAndShares", func(t *testing.T) {
		// times are kept to the second
		testDatasets(t, newStore(t, func() time.Time { return t0.Add(500 * time.Millisecond) }))
	})
	t.Run("ImportCommitsItsLogEntry", func(t *testing.T) { testImportCaseTx(t, fresh(t)) })
	t.Run("Summary", func(t *testing.T) { testSummary(t, fresh(t)) })
	t.Run("RejectPages", func(t *testing.T) { testRejectPages(t, fresh(t)) })
	t.Run("AccountPosts", func(t *testing.T) { testAccountPosts(t, fresh(t)) })
	t.Run("FindAccounts", func(t *testing.T) { testFindAccounts(t, fresh(t)) })
	t.Run("FindPosts", func(t *testing.T) { testFindPosts(t, fresh(t)) })
	t.Run("AccountsByRef", func(t *testing.T) { testAccountsByRef(t, fresh(t)) })
	t.Run("Media", func(t *testing.T) { testMedia(t, fresh(t)) })
	t.Run("PackedAndRowShares", func(t *testing.T) { testPackedAndRowShares(t, fresh(t)) })
	t.Run("ScanOrder", func(t *testing.T) { testScanOrder(t, fresh(t)) })
	runCases(t, newStore)
}

// Clock is the time of every store of the suite, and the time Fill and
// Dump expect.
func Clock() time.Time { return t0 }

// Exports fails the test for every exported method of engine (a store
// engine's *DB) that Store does not have and that is not one of the
// engine's own, listed in specific (tested by the engine's tests): a
// method added to an engine must be added to Store, and tested here.
func Exports(t *testing.T, engine any, specific ...string) {
	t.Helper()
	known := map[string]bool{}
	st := reflect.TypeFor[Store]()
	for i := range st.NumMethod() {
		known[st.Method(i).Name] = true
	}
	for _, m := range specific {
		if known[m] {
			t.Errorf("%s is a method of storetest.Store, not specific to the engine", m)
		}
		known[m] = true
	}
	et := reflect.TypeOf(engine)
	for i := range et.NumMethod() {
		if m := et.Method(i).Name; !known[m] {
			t.Errorf("%v exports %s, which the conformance suite does not test: add it to storetest.Store and test it", et, m)
		}
	}
	for i := range st.NumMethod() {
		if _, ok := et.MethodByName(st.Method(i).Name); !ok {
			t.Errorf("%v lacks %s", et, st.Method(i).Name)
		}
	}
}

// testFindPosts: posts by UID in one call, of the dataset named only (the
// same UID in another dataset is another post), absent UIDs left out,
// more UIDs than one query of the embedded engine takes (500).
func testFindPosts(t *testing.T, s Store) {
	ctx := context.Background()
	var many []tahqiq.Post
	mustImport(t, s, "d1", func(tx tahqiq.ImportTx) {
		for i := range 1200 {
			p := post("x:"+itoa(int64(i+1)), "x:a"+itoa(int64(i%7)), i, "text "+itoa(int64(i+1)))
			p.Lang = "ur"
			p.Hashtags = []tahqiq.Entity{{Text: "حلقہ", Start: -1, End: -1}}
			many = append(many, p)
			add(t, tx, record(int64(i+1), itoa(int64(i+1))), []tahqiq.Post{p}, nil, []tahqiq.Share{share(p, tahqiq.ObjText, "nt_"+itoa(int64(i)))})
		}
	})
	mustImport(t, s, "d2", func(tx tahqiq.ImportTx) {
		p := post("x:1", "x:other", 0, "another dataset's post")
		add(t, tx, record(1, "other"), []tahqiq.Post{p}, nil, nil)
	})
	got, err := s.FindPosts(ctx, "d1", []string{"x:2", "x:1", "x:9999", "x:2"})
	if err != nil || len(got) != 2 || got["x:1"].Text != "text 1" || got["x:2"].AuthorUID != "x:a1" || got["x:2"].Lang != "ur" ||
		len(got["x:2"].Hashtags) != 1 || got["x:2"].Hashtags[0].Text != "حلقہ" || !got["x:1"].CreatedAt.Equal(t0) {
		t.Fatalf("FindPosts(d1) = %+v, %v", got, err)
	}
	if got, err := s.FindPosts(ctx, "d2", []string{"x:1", "x:2"}); err != nil || len(got) != 1 || got["x:1"].Text != "another dataset's post" {
		t.Errorf("FindPosts(d2) = %+v, %v", got, err)
	}
	uids := make([]string, len(many))
	for i, p := range many {
		uids[i] = p.UID
	}
	got, err = s.FindPosts(ctx, "d1", uids)
	if err != nil || len(got) != len(many) {
		t.Fatalf("FindPosts of %d UIDs: %d posts, %v", len(uids), len(got), err)
	}
	for _, p := range many {
		if g := got[p.UID]; g.Text != p.Text || g.AuthorUID != p.AuthorUID {
			t.Fatalf("FindPosts: %s = %+v, want %+v", p.UID, g, p)
		}
	}
	if got, err := s.FindPosts(ctx, "d1", nil); err != nil || len(got) != 0 {
		t.Errorf("FindPosts of no UID = %v, %v", got, err)
	}
	if _, err := s.FindPosts(ctx, "nope", []string{"x:1"}); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("FindPosts of a missing dataset: %v", err)
	}
}

// testRederive: a dataset's derivation is recorded; a re-derivation reads
// its files, records (in order, in pages), posts, shares and rejects,
// rebuilds posts, accounts and shares from the records (a record's kind
// may change, a record may become a reject), recomputes the store's own
// rejects and keeps the parser's, all in one transaction; a rollback
// changes nothing.
func testRederive(t *testing.T, s Store) {
	ctx := context.Background()
	alice := post("x:1", "x:alice", 0, "vote")
	bob := post("x:1", "x:bob", 5, "vote")
	carol := post("x:2", "x:carol", 9, "vote")
	tx, err := s.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if d, files, err := tx.Derivation(ctx); err != nil || d != "" || files {
		t.Fatalf("Derivation of a new dataset = %q, %v, %v", d, files, err)
	}
	opts := map[string]string{"map": "account=user"}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f.csv", SHA256: "aa", Size: 10, Format: "test", Options: opts}); err != nil {
		t.Fatal(err)
	}
	add(t, tx, record(1, "a"), []tahqiq.Post{alice}, nil, []tahqiq.Share{share(alice, tahqiq.ObjURL, "https://a.org/")})
	add(t, tx, record(2, "b"), []tahqiq.Post{bob}, nil, []tahqiq.Share{share(bob, tahqiq.ObjURL, "https://b.org/")}) // a conflict
	add(t, tx, record(3, "c"), []tahqiq.Post{carol}, nil, []tahqiq.Share{share(carol, tahqiq.ObjHashtag, "h")})
	if err := tx.AddReject(ctx, tahqiq.Reject{File: "f.csv", Line: 9, Reason: "bad row"}, []byte("9")); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetDerivation(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.FindDatasetByName(ctx, "d")
	if err != nil || d.Derivation != "old" || len(d.Sources) != 1 || !reflect.DeepEqual(d.Sources[0].Options, opts) {
		t.Fatalf("dataset = %+v, %v", d, err)
	}
	if _, err := s.BeginRederive(ctx, "nope"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("BeginRederive of a missing dataset: %v", err)
	}

	// a rolled-back re-derivation changes nothing
	rx, err := s.BeginRederive(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if err := rx.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if d2, err := s.FindDatasetByName(ctx, "d"); err != nil || d2.Counts != d.Counts || d2.Counts != (tahqiq.DatasetCounts{Records: 3, Posts: 2, Accounts: 2, Shares: 2, Rejects: 2}) {
		t.Fatalf("after a rollback: %+v (before %+v), %v", d2.Counts, d.Counts, err)
	}

	rx, err = s.BeginRederive(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Rollback()
	if v, files, err := rx.Derivation(ctx); err != nil || v != "old" || !files {
		t.Errorf("Derivation = %q, %v, %v", v, files, err)
	}
	files, err := rx.Files(ctx)
	if err != nil || len(files) != 1 || files[0].Name != "f.csv" || files[0].Format != "test" || files[0].Records != 3 || !reflect.DeepEqual(files[0].Options, opts) {
		t.Fatalf("Files = %+v, %v", files, err)
	}
	first, err := rx.Records(ctx, files[0].ID, 0, 2)
	if err != nil || len(first) != 2 {
		t.Fatalf("Records page 1 = %+v, %v", first, err)
	}
	rest, err := rx.Records(ctx, files[0].ID, first[1].ID, 10)
	if err != nil || len(rest) != 1 {
		t.Fatalf("Records page 2 = %+v, %v", rest, err)
	}
	recs := append(first, rest...)
	for i, r := range recs {
		if r.Line != int64(i+1) || string(r.Raw) != []string{"a", "b", "c"}[i] || r.Kind != tahqiq.RecordPost || r.SourceFile != "f.csv" || r.Format != "test" ||
			r.SHA256 != sha256.Sum256(r.Raw) || r.Locator != "L"+itoa(int64(i+1)) {
			t.Errorf("record %d = %+v", i, r)
		}
	}
	var posts, shares, rejects []string
	if err := rx.EachPost(ctx, func(rec int64, uid, author string, data []byte) error {
		posts = append(posts, uid+" "+author+" "+itoa(rec-recs[0].ID))
		if !strings.Contains(string(data), `"text":"vote"`) {
			t.Errorf("post %s data %s", uid, data)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := rx.EachShare(ctx, func(post string, typ tahqiq.ObjectType, object string) error {
		shares = append(shares, post+" "+string(typ)+" "+object)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := rx.EachReject(ctx, func(r tahqiq.Reject) error {
		rejects = append(rejects, r.File+":"+itoa(r.Line))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(posts)
	sort.Strings(shares)
	sort.Strings(rejects)
	if strings.Join(posts, ",") != "x:1 x:alice 0,x:2 x:carol 2" || strings.Join(shares, ",") != "x:1 url https://a.org/,x:2 hashtag h" ||
		strings.Join(rejects, ",") != "f.csv:2,f.csv:9" {
		t.Errorf("before: posts %v, shares %v, rejects %v", posts, shares, rejects)
	}
	if err := rx.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if c, err := rx.Counts(ctx); err != nil || c != (tahqiq.DatasetCounts{Records: 3, Rejects: 1}) {
		t.Errorf("after Reset: %+v, %v", c, err)
	}
	if err := rx.SetFile(ctx, files[0].ID); err != nil {
		t.Fatal(err)
	}
	// the new rules: record 1 also shares a hashtag, record 2 is now
	// rejected, record 3 is no post (kind other)
	r, err := rx.Rederive(ctx, &recs[0], []tahqiq.Post{alice}, nil, []tahqiq.Share{share(alice, tahqiq.ObjURL, "https://a.org/"), share(alice, tahqiq.ObjHashtag, "h")})
	if err != nil || !reflect.DeepEqual(r, tahqiq.RecordResult{NewPosts: 1, NewAccounts: 1, NewShares: 2}) {
		t.Errorf("Rederive 1 = %+v, %v", r, err)
	}
	if err := rx.DropRecord(ctx, &recs[1], "now rejected"); err != nil {
		t.Fatal(err)
	}
	recs[2].Kind = tahqiq.RecordOther
	if r, err := rx.Rederive(ctx, &recs[2], nil, nil, nil); err != nil || !reflect.DeepEqual(r, tahqiq.RecordResult{}) {
		t.Errorf("Rederive 3 = %+v, %v", r, err)
	}
	if err := rx.SetDerivation(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	if err := rx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	d, err = s.FindDatasetByName(ctx, "d")
	if err != nil || d.Derivation != "new" || d.Counts != (tahqiq.DatasetCounts{Records: 2, Posts: 1, Accounts: 1, Shares: 2, Rejects: 2}) || d.Sources[0].Records != 2 {
		t.Fatalf("after the re-derivation: %+v, %v", d, err)
	}
	rs, err := s.FindRejects(ctx, "d", 10, 0)
	if err != nil || len(rs) != 2 || rs[0].Line != 9 || rs[1].Line != 2 || rs[1].Reason != "now rejected" || string(rs[1].Raw) != "b" {
		t.Errorf("rejects = %+v, %v", rs, err)
	}
	pr, err := s.FindPost(ctx, "d", "x:1")
	if err != nil || len(pr.Records) != 1 || string(pr.Records[0].Raw) != "a" {
		t.Errorf("post x:1 = %+v, %v", pr, err)
	}
	if _, err := s.FindPost(ctx, "d", "x:2"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("post x:2 after the re-derivation: %v", err)
	}
	// the records kept: the dropped one gone, the third with its new kind
	rx, err = s.BeginRederive(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	kept, err := rx.Records(ctx, files[0].ID, 0, 10)
	rx.Rollback()
	if err != nil || len(kept) != 2 || string(kept[0].Raw) != "a" || kept[0].Kind != tahqiq.RecordPost || string(kept[1].Raw) != "c" || kept[1].Kind != tahqiq.RecordOther {
		t.Errorf("records after the re-derivation = %+v, %v; want a (post) and c (other)", kept, err)
	}
	// an import continues the dataset: its files and derivation are known
	tx, err = s.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if v, files, err := tx.Derivation(ctx); err != nil || v != "new" || !files {
		t.Errorf("Derivation after = %q, %v, %v", v, files, err)
	}
	if f, ok, err := tx.FindFile(ctx, "aa"); err != nil || !ok || f.Records != 2 || f.Kept != 2 {
		t.Errorf("FindFile after = %+v, %v, %v", f, ok, err)
	}
}

// testConflict: a post id the dataset holds as another account's post is
// rejected, in the same import and in a later one, naming both accounts;
// the first account's post keeps its shares and gains no occurrence, and
// the record stays (it is evidence).
func testConflict(t *testing.T, s Store) {
	ctx := context.Background()
	alice := post("x:1", "x:alice", 0, "vote")
	bob := post("x:1", "x:bob", 5, "vote")
	want := tahqiq.RecordResult{Conflicts: []tahqiq.PostConflict{{UID: "x:1", Account: "x:alice", Other: "x:bob"}}}
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {
		add(t, tx, record(1, "a"), []tahqiq.Post{alice}, nil, []tahqiq.Share{share(alice, tahqiq.ObjURL, "https://a.org/")})
		if r := add(t, tx, record(2, "b"), []tahqiq.Post{bob}, nil, []tahqiq.Share{share(bob, tahqiq.ObjURL, "https://b.org/")}); !reflect.DeepEqual(r, want) {
			t.Errorf("conflict in the import = %+v, want %+v", r, want)
		}
	})
	tx, err := s.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "g.jsonl", SHA256: "bb", Size: 1, Format: "test"}); err != nil {
		t.Fatal(err)
	}
	carol := post("x:1", "x:carol", 9, "vote")
	two := post("x:2", "x:carol", 9, "vote")
	r := add(t, tx, record(7, "c"), []tahqiq.Post{carol, two}, nil, []tahqiq.Share{share(carol, tahqiq.ObjURL, "https://c.org/"), share(two, tahqiq.ObjURL, "https://c.org/")})
	want = tahqiq.RecordResult{NewPosts: 1, NewAccounts: 1, NewShares: 1, Conflicts: []tahqiq.PostConflict{{UID: "x:1", Account: "x:alice", Other: "x:carol"}}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("conflict with a stored post = %+v, want %+v", r, want)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.FindDatasetByName(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if d.Counts != (tahqiq.DatasetCounts{Records: 3, Posts: 2, Accounts: 2, Shares: 2, Rejects: 2}) {
		t.Errorf("counts = %+v", d.Counts)
	}
	pr, err := s.FindPost(ctx, "d", "x:1")
	if err != nil || pr.Post.AuthorUID != "x:alice" || len(pr.Records) != 1 {
		t.Errorf("post x:1 = %+v, %v", pr, err)
	}
	rs, err := s.FindRejects(ctx, "d", 10, 0)
	if err != nil || len(rs) != 2 {
		t.Fatalf("rejects = %+v, %v", rs, err)
	}
	for i, other := range []string{"x:bob", "x:carol"} {
		if r := rs[i]; !strings.Contains(r.Reason, "account x:alice") || !strings.Contains(r.Reason, "account "+other) || r.Line != []int64{2, 7}[i] || string(r.Raw) != []string{"b", "c"}[i] {
			t.Errorf("reject %d = %+v", i, r)
		}
	}
}

func record(line int64, raw string) *tahqiq.RawRecord {
	return &tahqiq.RawRecord{Format: "test", Line: line, Locator: "L" + itoa(line), Raw: []byte(raw), SHA256: sha256.Sum256([]byte(raw)), Kind: tahqiq.RecordPost}
}

func itoa(n int64) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

var t0 = time.Date(2024, 2, 8, 12, 0, 0, 0, time.UTC)

func post(uid, author string, dt int, text string) tahqiq.Post {
	return tahqiq.Post{UID: uid, Platform: "x", PlatformID: uid[2:], AuthorUID: author, Kind: tahqiq.KindOriginal,
		CreatedAt: t0.Add(time.Duration(dt) * time.Second), Precision: tahqiq.PrecisionSecond, Text: text}
}

func share(p tahqiq.Post, typ tahqiq.ObjectType, obj string) tahqiq.Share {
	return tahqiq.Share{Type: typ, Object: obj, AccountID: p.AuthorUID, PostID: p.UID, Time: p.CreatedAt.Unix(), Precision: p.Precision}
}

func mustImport(t *testing.T, s Store, dataset string, fn func(tx tahqiq.ImportTx)) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.BeginImport(ctx, dataset)
	if err != nil {
		t.Fatalf("BeginImport: %v", err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f.jsonl", SHA256: "aa" + dataset, Size: 10, Format: "test"}); err != nil {
		t.Fatalf("AddFile: %v", err)
	}
	fn(tx)
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func add(t *testing.T, tx tahqiq.ImportTx, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) tahqiq.RecordResult {
	t.Helper()
	r, err := tx.AddRecord(context.Background(), rec, posts, accounts, shares)
	if err != nil {
		t.Fatalf("AddRecord %s: %v", rec.Locator, err)
	}
	return r
}

func testImportCommit(t *testing.T, s Store) {
	ctx := context.Background()
	p1 := post("x:1", "x:alice", 0, "vote")
	p2 := post("x:2", "x:bob", 30, "vote")
	mustImport(t, s, "d1", func(tx tahqiq.ImportTx) {
		r := add(t, tx, record(1, `{"id":"1"}`), []tahqiq.Post{p1}, []tahqiq.Account{{UID: "x:alice", Handle: "alice", Followers: 10}},
			[]tahqiq.Share{share(p1, tahqiq.ObjURL, "https://a.org/"), share(p1, tahqiq.ObjDomain, "https://a.org/")})
		if !reflect.DeepEqual(r, tahqiq.RecordResult{NewPosts: 1, NewAccounts: 1, NewShares: 2}) {
			t.Errorf("first record result = %+v", r)
		}
		r = add(t, tx, record(2, `{"id":"2"}`), []tahqiq.Post{p2}, nil, []tahqiq.Share{share(p2, tahqiq.ObjURL, "https://a.org/")})
		if !reflect.DeepEqual(r, tahqiq.RecordResult{NewPosts: 1, NewAccounts: 1, NewShares: 1}) {
			t.Errorf("second record result = %+v", r)
		}
		if err := tx.AddReject(ctx, tahqiq.Reject{File: "f.jsonl", Line: 3, Reason: "truncated"}, []byte(`{"id":`)); err != nil {
			t.Fatal(err)
		}
	})
	d, err := s.FindDatasetByName(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	want := tahqiq.DatasetCounts{Records: 2, Posts: 2, Accounts: 2, Shares: 3, Rejects: 1}
	if d.Counts != want {
		t.Errorf("counts = %+v, want %+v", d.Counts, want)
	}
	if len(d.Sources) != 1 || d.Sources[0].Records != 2 || d.Sources[0].SHA256 != "aad1" {
		t.Errorf("sources = %+v", d.Sources)
	}
	var got []tahqiq.Share
	if err := s.ScanShares(ctx, tahqiq.ShareFilter{Dataset: "d1", Types: []tahqiq.ObjectType{tahqiq.ObjURL}}, func(sh tahqiq.Share) error {
		got = append(got, sh)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].PostID < got[j].PostID })
	wantShares := []tahqiq.Share{share(p1, tahqiq.ObjURL, "https://a.org/"), share(p2, tahqiq.ObjURL, "https://a.org/")}
	if len(got) != 2 || got[0] != wantShares[0] || got[1] != wantShares[1] {
		t.Errorf("url shares = %+v, want %+v", got, wantShares)
	}
	pr, err := s.FindPost(ctx, "d1", "x:1")
	if err != nil {
		t.Fatal(err)
	}
	if pr.Post.Text != "vote" || !pr.Post.CreatedAt.Equal(p1.CreatedAt) || len(pr.Records) != 1 || string(pr.Records[0].Raw) != `{"id":"1"}` ||
		pr.Records[0].SHA256 != sha256.Sum256([]byte(`{"id":"1"}`)) || pr.Records[0].Line != 1 {
		t.Errorf("FindPost = %+v", pr)
	}
	// ScanPosts gives each post once, as stored
	texts := map[string]string{}
	if err := s.ScanPosts(ctx, "d1", func(p tahqiq.Post) error {
		if _, dup := texts[p.UID]; dup {
			t.Errorf("ScanPosts gave %s twice", p.UID)
		}
		texts[p.UID] = p.Text + "@" + p.AuthorUID + "@" + p.CreatedAt.UTC().Format(time.RFC3339)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(texts) != 2 || texts["x:1"] != "vote@x:alice@"+p1.CreatedAt.UTC().Format(time.RFC3339) || texts["x:2"] != "vote@x:bob@"+p2.CreatedAt.UTC().Format(time.RFC3339) {
		t.Errorf("ScanPosts = %v", texts)
	}
	if err := s.ScanPosts(ctx, "no-such", func(tahqiq.Post) error { return nil }); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("ScanPosts of a missing dataset: %v, want ENOTFOUND", err)
	}
	// The file is known to the dataset now, and only to it.
	tx, err := s.BeginImport(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if f, ok, err := tx.FindFile(ctx, "aad1"); err != nil || !ok || f.Records != 2 || f.Kept != 2 || f.Rejects != 1 || f.Name != "f.jsonl" {
		t.Errorf("FindFile(imported) = %+v, %v, %v", f, ok, err)
	}
	if _, ok, err := tx.FindFile(ctx, "bb"); err != nil || ok {
		t.Errorf("FindFile(other) = %v, %v", ok, err)
	}
}

// testRetry: a file whose import kept nothing but its header line (every
// row rejected) is known with Kept 0, and importing it again replaces it:
// its header record and its rejects go, the new import's stay.
func testRetry(t *testing.T, s Store) {
	ctx := context.Background()
	header := record(1, "a,b")
	header.Kind = tahqiq.RecordHeader
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {
		add(t, tx, header, nil, nil, nil)
		if err := tx.AddReject(ctx, tahqiq.Reject{File: "f.jsonl", Line: 2, Reason: "bad"}, []byte("1,2")); err != nil {
			t.Fatal(err)
		}
	})
	tx, err := s.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	f, ok, err := tx.FindFile(ctx, "aad")
	if err != nil || !ok || f.Records != 1 || f.Kept != 0 || f.Rejects != 1 {
		t.Fatalf("FindFile(kept nothing) = %+v, %v, %v", f, ok, err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f.jsonl", SHA256: "aad", Size: 10, Format: "other"}); err != nil {
		t.Fatalf("AddFile of a file that kept nothing: %v", err)
	}
	p1 := post("x:1", "x:alice", 0, "vote")
	add(t, tx, record(1, `{"id":"1"}`), []tahqiq.Post{p1}, nil, nil)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.FindDatasetByName(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if d.Counts != (tahqiq.DatasetCounts{Records: 1, Posts: 1, Accounts: 1}) || len(d.Sources) != 1 || d.Sources[0].Format != "other" || d.Sources[0].Records != 1 {
		t.Errorf("after the retry: %+v, sources %+v", d.Counts, d.Sources)
	}
	tx, err = s.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if f, ok, err := tx.FindFile(ctx, "aad"); err != nil || !ok || f.Kept != 1 || f.Rejects != 0 {
		t.Errorf("FindFile after the retry = %+v, %v, %v", f, ok, err)
	}
}

func testDuplicates(t *testing.T, s Store) {
	ctx := context.Background()
	p1 := post("x:1", "x:alice", 0, "vote")
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {
		add(t, tx, record(1, "a"), []tahqiq.Post{p1}, nil, []tahqiq.Share{share(p1, tahqiq.ObjRetweet, "9")})
		// The same post again with the same object: a duplicate.
		r := add(t, tx, record(2, "a"), []tahqiq.Post{p1}, nil, []tahqiq.Share{share(p1, tahqiq.ObjRetweet, "9")})
		if !reflect.DeepEqual(r, tahqiq.RecordResult{Duplicates: 1}) {
			t.Errorf("duplicate record = %+v", r)
		}
		// The same post with another object (a second row of an events
		// file): not a duplicate, one more share.
		r = add(t, tx, record(3, "b"), []tahqiq.Post{p1}, nil, []tahqiq.Share{share(p1, tahqiq.ObjRetweet, "10")})
		if !reflect.DeepEqual(r, tahqiq.RecordResult{NewShares: 1}) {
			t.Errorf("second object record = %+v", r)
		}
	})
	d, _ := s.FindDatasetByName(ctx, "d")
	if d.Counts.Records != 3 || d.Counts.Posts != 1 || d.Counts.Shares != 2 {
		t.Errorf("counts = %+v", d.Counts)
	}
	pr, err := s.FindPost(ctx, "d", "x:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Records) != 3 {
		t.Errorf("post occurrences = %d, want 3", len(pr.Records))
	}
}

func testRollback(t *testing.T, s Store) {
	ctx := context.Background()
	p1 := post("x:1", "x:alice", 0, "vote")
	mustImport(t, s, "keep", func(tx tahqiq.ImportTx) {
		add(t, tx, record(1, "a"), []tahqiq.Post{p1}, nil, nil)
	})
	tx, err := s.BeginImport(ctx, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "g", SHA256: "cc", Format: "test"}); err != nil {
		t.Fatal(err)
	}
	add(t, tx, record(1, "b"), []tahqiq.Post{post("x:2", "x:bob", 0, "x")}, nil, nil)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindDatasetByName(ctx, "gone"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("rolled-back dataset: err = %v, want not found", err)
	}
	ds, err := s.FindDatasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Name != "keep" || ds[0].Counts.Posts != 1 {
		t.Errorf("datasets after rollback = %+v", ds)
	}
}

func testDelete(t *testing.T, s Store) {
	ctx := context.Background()
	p1 := post("x:1", "x:alice", 0, "vote")
	for _, name := range []string{"a", "b"} {
		mustImport(t, s, name, func(tx tahqiq.ImportTx) {
			add(t, tx, record(1, "a"), []tahqiq.Post{p1}, nil, []tahqiq.Share{share(p1, tahqiq.ObjHashtag, "pti")})
		})
	}
	c, err := s.DeleteDataset(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if c != (tahqiq.DatasetCounts{Records: 1, Posts: 1, Accounts: 1, Shares: 1}) {
		t.Errorf("removed = %+v", c)
	}
	if _, err := s.FindDatasetByName(ctx, "a"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("deleted dataset still found: %v", err)
	}
	d, err := s.FindDatasetByName(ctx, "b")
	if err != nil || d.Counts != (tahqiq.DatasetCounts{Records: 1, Posts: 1, Accounts: 1, Shares: 1}) {
		t.Errorf("other dataset after delete = %+v, %v", d.Counts, err)
	}
}

func testNotFound(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.FindDatasetByName(ctx, "nope"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("FindDatasetByName: %v", err)
	}
	if _, err := s.DeleteDataset(ctx, "nope"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("DeleteDataset: %v", err)
	}
	if err := s.ScanShares(ctx, tahqiq.ShareFilter{Dataset: "nope"}, func(tahqiq.Share) error { return nil }); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("ScanShares: %v", err)
	}
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {})
	if _, err := s.FindPost(ctx, "d", "x:404"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("FindPost: %v", err)
	}
}

// testAccountsByRef: the accounts a reference may name, as a person writes
// one (tahqiq.ResolveAccount decides among them): the UID, the id without
// its platform (on two platforms: both), the handle with or without "@" in
// any letter case, the display name; only the dataset's.
func testAccountsByRef(t *testing.T, s Store) {
	ctx := context.Background()
	accounts := []tahqiq.Account{
		{UID: "x:1014289465672716288", Handle: "stephy_wr", Name: "Stephy"},
		{UID: "telegram:user101", Name: "علی رضا"},
		{UID: "other:user101"},
		{UID: "x:42", Handle: "ali_raza", Name: "علی رضا"},
	}
	for i, ds := range []string{"d1", "d2"} {
		mustImport(t, s, ds, func(tx tahqiq.ImportTx) {
			for j, a := range accounts[:len(accounts)-i] {
				add(t, tx, record(int64(j+1), `{"n":`+itoa(int64(j))+`}`), nil, []tahqiq.Account{a}, nil)
			}
		})
	}
	tests := []struct {
		ref  string
		want []string
	}{
		{"x:1014289465672716288", []string{"x:1014289465672716288"}},
		{"1014289465672716288", []string{"x:1014289465672716288"}},
		{"stephy_wr", []string{"x:1014289465672716288"}},
		{"@Stephy_WR", []string{"x:1014289465672716288"}},
		{"user101", []string{"other:user101", "telegram:user101"}},
		{"علی رضا", []string{"telegram:user101", "x:42"}},
		{"@ali_raza", []string{"x:42"}},
		{"nobody", nil},
	}
	for _, tc := range tests {
		got, err := s.FindAccountsByRef(ctx, "d1", tc.ref)
		if err != nil {
			t.Fatal(err)
		}
		var uids []string
		for _, a := range got {
			uids = append(uids, a.UID)
		}
		sort.Strings(uids)
		if !reflect.DeepEqual(uids, tc.want) {
			t.Errorf("FindAccountsByRef(d1, %q) = %v, want %v", tc.ref, uids, tc.want)
		}
	}
	if got, err := s.FindAccountsByRef(ctx, "d2", "@ali_raza"); err != nil || len(got) != 0 {
		t.Errorf("FindAccountsByRef(d2, @ali_raza) = %v, %v; want none (the account is d1's)", got, err)
	}
	if _, err := s.FindAccountsByRef(ctx, "no-such", "x"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("FindAccountsByRef of a missing dataset: %v, want ENOTFOUND", err)
	}
}
