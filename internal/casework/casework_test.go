package casework_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

type fixture struct {
	dir   string
	s     *casework.Service
	db    *sqlite.DB
	admin tahqiq.User
	c     tahqiq.Case
	items []tahqiq.Item
}

func setup(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	bs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	signer, v, err := keyfile.CreateKey(dir, "tahqiq/test")
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)
	s := &casework.Service{Store: db, Blobs: bs, Signer: signer, LogKey: v, Origin: signer.Name(),
		Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	_, admin, err := s.InitOrg(ctx, "Team", "amina")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.NewCase(ctx, admin, "Fake ballot paper", "", tahqiq.TLPAmber)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for i, body := range []string{"first evidence", "second evidence"} {
		p := filepath.Join(dir, "in", string(rune('a'+i))+".txt")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
		paths = append(paths, p)
	}
	items, err := s.AttachFiles(ctx, admin, c.ID, "", paths...)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.AddFinding(ctx, admin, tahqiq.Finding{CaseID: c.ID, Title: "same picture", ItemIDs: []string{items[0].ID}, Tags: []string{"T0086", "tlp:amber"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recommend(ctx, admin, tahqiq.Recommendation{CaseID: c.ID, Action: "takedown request", Grounds: "fake", FindingIDs: []string{f.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	return &fixture{dir: dir, s: s, db: db, admin: admin, c: c, items: items}
}

func wantProblem(t *testing.T, r *casework.Report, err error, want string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if want == "" {
		if !r.OK() {
			t.Fatalf("verify problems = %v, want none", r.Problems)
		}
		return
	}
	for _, p := range r.Problems {
		if strings.Contains(p.String(), want) {
			return
		}
	}
	t.Fatalf("verify problems = %v, want one containing %q", r.Problems, want)
}

func rawExec(t *testing.T, dir, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func TestStoreTamper(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(t *testing.T, f *fixture)
		want   string
	}{
		{"intact", func(*testing.T, *fixture) {}, ""},
		{"flipped byte in blob", func(t *testing.T, f *fixture) {
			p := f.s.Blobs.Path(f.items[0].Blobs[0].SHA256)
			os.Chmod(p, 0o600)
			b, _ := os.ReadFile(p)
			b[0] ^= 1
			os.WriteFile(p, b, 0o600)
		}, "was changed"},
		{"edited item row", func(t *testing.T, f *fixture) {
			rawExec(t, f.dir, `UPDATE items SET data = replace(data, 'a.txt', 'z.txt') WHERE id = ?`, f.items[0].ID)
		}, "edited"},
		{"edited finding row", func(t *testing.T, f *fixture) {
			rawExec(t, f.dir, `UPDATE case_records SET data = replace(data, 'same picture', 'other claim') WHERE kind = 'finding'`)
		}, "finding"},
		{"inserted item row", func(t *testing.T, f *fixture) {
			rawExec(t, f.dir, `INSERT INTO items (id, case_id, seq, data) SELECT 'ifake', case_id, 99, replace(data, ?, 'ifake') FROM items WHERE id = ?`, f.items[0].ID, f.items[0].ID)
		}, "inserted without custody"},
		{"deleted log entry", func(t *testing.T, f *fixture) {
			rawExec(t, f.dir, `DELETE FROM ledger_entries WHERE idx = 2`)
		}, "entry 2: records index 3"},
		{"edited log entry", func(t *testing.T, f *fixture) {
			rawExec(t, f.dir, `UPDATE ledger_entries SET data = replace(data, 'amina', 'someone') WHERE idx = 0`)
		}, "checkpoint"},
		{"edited stored hash", func(t *testing.T, f *fixture) {
			rawExec(t, f.dir, `UPDATE ledger_hashes SET hash = zeroblob(32) WHERE idx = 1`)
		}, "hash table was edited"},
		{"checkpoint re-signed with another key", func(t *testing.T, f *fixture) {
			sk, _, _ := ledger.GenerateKey("tahqiq/test")
			other, _ := ledger.ReadSignerFromText(sk)
			n, _ := f.db.LogSize(ctx)
			tr, _ := ledger.TreeAt(casework.LogHashes(ctx, f.db), n)
			cp, _ := ledger.Sign("tahqiq/test", tr, other)
			rawExec(t, f.dir, `UPDATE ledger_checkpoints SET note = ?`, cp.Note)
		}, "not signed by any known key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			tc.tamper(t, f)
			r, err := f.s.VerifyStore(ctx, casework.VerifyOptions{})
			wantProblem(t, r, err, tc.want)
		})
	}
}

func TestBundleTamper(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   string
	}{
		{"intact", func(*testing.T, string) {}, ""},
		{"file removed", func(t *testing.T, dir string) {
			ents, _ := os.ReadDir(filepath.Join(dir, "blobs"))
			os.Remove(filepath.Join(dir, "blobs", ents[0].Name()))
		}, "file removed"},
		{"flipped blob byte", func(t *testing.T, dir string) {
			ents, _ := os.ReadDir(filepath.Join(dir, "blobs"))
			p := filepath.Join(dir, "blobs", ents[0].Name())
			b, _ := os.ReadFile(p)
			b[1] ^= 1
			os.WriteFile(p, b, 0o644)
		}, "blob"},
		{"reordered log", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "log", "entries.jsonl")
			b, _ := os.ReadFile(p)
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			lines[1], lines[2] = lines[2], lines[1]
			os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		}, "entry 1: records index 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			out := filepath.Join(t.TempDir(), "bundle")
			if _, err := f.s.Export(ctx, f.admin, f.c.ID, out); err != nil {
				t.Fatal(err)
			}
			tc.tamper(t, out)
			r, err := bundle.Verify(out, casework.VerifyOptions{})
			wantProblem(t, r, err, tc.want)
		})
	}
}

func TestApprovalAndAccess(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	v, err := f.s.Show(ctx, f.admin, f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec := v.Recommendations[0]
	if _, err := f.s.Decide(ctx, f.admin, rec.ID, true); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Errorf("author approves own recommendation: err = %v, want forbidden", err)
	}
	rev, err := f.s.AddUser(ctx, f.admin, "", "bilal", tahqiq.RoleReviewer, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Decide(ctx, rev, rec.ID, true)
	if err != nil || got.State != tahqiq.RecApproved {
		t.Fatalf("reviewer approves = %v, %v", got.State, err)
	}
	if _, err := f.s.NewCase(ctx, rev, "x", "", tahqiq.TLPClear); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Errorf("reviewer opens case: err = %v, want forbidden", err)
	}
	partner, _ := f.s.AddOrg(ctx, tahqiq.System, "Observers")
	pu, _ := f.s.AddUser(ctx, tahqiq.System, partner.ID, "chen", tahqiq.RoleViewer, "")
	if _, err := f.s.Show(ctx, pu, f.c.ID); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("unshared read: err = %v, want not found (another organisation's case does not exist for it)", err)
	}
	if err := f.s.Share(ctx, f.admin, tahqiq.CaseShare{CaseID: f.c.ID, ItemID: f.items[1].ID, OrgID: partner.ID}); err != nil {
		t.Fatal(err)
	}
	pv, err := f.s.Show(ctx, pu, f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Items) != 1 || pv.Items[0].ID != f.items[1].ID || len(pv.Findings) != 0 {
		t.Errorf("item share shows %d items, %d findings; want only item %s", len(pv.Items), len(pv.Findings), f.items[1].ID)
	}
	if _, err := f.s.ReadItem(ctx, pu, f.items[0].ID); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("read unshared item: err = %v, want not found", err)
	}
	if _, err := f.s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := f.s.VerifyStore(ctx, casework.VerifyOptions{})
	wantProblem(t, r, err, "")
}

func BenchmarkVerifyBundle10k(b *testing.B) {
	benchVerify(b, "bundle")
}

func BenchmarkVerifyZipBundle10k(b *testing.B) {
	benchVerify(b, "bundle.zip")
}

// benchVerify exports a case of 10,000 one-blob items (as a directory,
// or a zip when name ends in .zip) and verifies it.
func benchVerify(b *testing.B, name string) {
	ctx := context.Background()
	dir := b.TempDir()
	db, _ := sqlite.OpenDir(ctx, dir)
	defer db.Close()
	bs, _ := blob.Open(filepath.Join(dir, "blobs"))
	signer, v, _ := keyfile.CreateKey(dir, "tahqiq/bench")
	s := &casework.Service{Store: db, Blobs: bs, Signer: signer, LogKey: v, Origin: signer.Name()}
	_, admin, _ := s.InitOrg(ctx, "Team", "amina")
	c, _ := s.NewCase(ctx, admin, "bench", "", tahqiq.TLPAmber)
	for i := 0; i < 10_000; i++ {
		ref, err := s.PutBlob("f.txt", []byte(strings.Repeat("x", 100)+string(rune(i))))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.AttachBlobs(ctx, admin, tahqiq.Item{CaseID: c.ID, Kind: tahqiq.ItemFile, Title: "f", Blobs: []tahqiq.BlobRef{ref}}); err != nil {
			b.Fatal(err)
		}
	}
	out := filepath.Join(b.TempDir(), name)
	export := s.Export
	if strings.HasSuffix(name, ".zip") {
		export = s.ExportZipFile
	}
	if _, err := export(ctx, admin, c.ID, out); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := bundle.Verify(out, casework.VerifyOptions{})
		if err != nil || !r.OK() {
			b.Fatal(err, r.Problems)
		}
	}
}

// TestLogPageRedacts: an admin of a partner organisation reads the
// custody log with the entries of cases (and items) it may not see
// redacted to their index and leaf hash; sharing an item opens exactly
// that item's entries; the home admin sees its own in full; a viewer may
// not page the log at all. Leaf hashes are those of the stored entries.
func TestLogPageRedacts(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	partner, err := f.s.AddOrg(ctx, tahqiq.System, "Observers")
	if err != nil {
		t.Fatal(err)
	}
	padmin, err := f.s.AddUser(ctx, tahqiq.System, partner.ID, "chen", tahqiq.RoleAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	pview, _ := f.s.AddUser(ctx, tahqiq.System, partner.ID, "dana", tahqiq.RoleViewer, "")
	if _, _, err := f.s.LogPage(ctx, pview, 0, 10); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Errorf("viewer pages the log: %v, want forbidden", err)
	}
	own, err := f.s.NewCase(ctx, padmin, "the partner's own case", "", tahqiq.TLPGreen)
	if err != nil {
		t.Fatal(err)
	}
	count := func(actor tahqiq.User) (full, redacted int, byCase map[string]int) {
		t.Helper()
		n, lines, err := f.s.LogPage(ctx, actor, 0, 1000)
		if err != nil || int64(len(lines)) != n {
			t.Fatalf("LogPage: %d of %d lines, %v", len(lines), n, err)
		}
		raw, _ := f.db.LogEntries(ctx, 0, n)
		byCase = map[string]int{}
		for i, l := range lines {
			h := ledger.LeafHash(raw[i])
			if l.Index != int64(i) || l.LeafHash != hex.EncodeToString(h[:]) {
				t.Fatalf("line %d: index %d, leaf %s; want the stored entry's", i, l.Index, l.LeafHash)
			}
			if l.Redacted != (l.LogEntry == nil) {
				t.Fatalf("line %d: redacted %v with entry %v", i, l.Redacted, l.LogEntry)
			}
			if l.Redacted {
				redacted++
				continue
			}
			full++
			byCase[l.CaseID]++
		}
		return full, redacted, byCase
	}
	hf, hr, hc := count(f.admin)
	// redacted: the partner's case.create, and the system administrator's
	// org.create and two user.create of the partner's users
	if hr != 4 || hc[own.ID] != 0 || hc[f.c.ID] == 0 {
		t.Errorf("home admin: %d full, %d redacted, by case %v; want only the partner's case.create and the partner's accounts redacted", hf, hr, hc)
	}
	pf, pr, pc := count(padmin)
	if pc[f.c.ID] != 0 || pc[own.ID] != 1 || pr == 0 || pf == 0 {
		t.Errorf("partner admin before any share: %d full, %d redacted, by case %v; want the home case's entries redacted", pf, pr, pc)
	}
	if err := f.s.Share(ctx, f.admin, tahqiq.CaseShare{CaseID: f.c.ID, ItemID: f.items[1].ID, OrgID: partner.ID}); err != nil {
		t.Fatal(err)
	}
	_, lines, _ := f.s.LogPage(ctx, padmin, 0, 1000)
	items := map[string]bool{}
	for _, l := range lines {
		if !l.Redacted && l.CaseID == f.c.ID {
			items[l.ItemID] = true
		}
	}
	if !items[f.items[1].ID] || items[f.items[0].ID] {
		t.Errorf("after sharing item %s the partner sees the entries of items %v", f.items[1].ID, items)
	}
}
