package casework_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/note"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// The tamper suite: every way an insider (a partner organisation's user, a
// database operator, whoever holds a bundle) can alter evidence, each
// applied to a store of both engines or to a bundle, and each caught and
// named by verification. A class that verifies clean is a hole in the
// custody log's promise.

// world is a store with two organisations, two cases and every kind of
// record, made through casework as a user would.
type world struct {
	dir     string
	s       *casework.Service
	store   casework.Store
	exec    func(t *testing.T, q string, args ...any)
	query   func(t *testing.T, q string, args ...any) []byte // first column of the first row
	admin   tahqiq.User
	rev     tahqiq.User
	partner tahqiq.User
	c, red  tahqiq.Case
	items   []tahqiq.Item
	finding tahqiq.Finding
	recV1   tahqiq.Recommendation // as proposed
	taskV1  tahqiq.Task           // as created
	task    tahqiq.Task
	early   []byte // a checkpoint signed before the last changes
	token   tahqiq.APIToken
	runs    *runs.Store
	run     runs.Info // a coordination run the admin stored
}

type engine struct {
	name  string
	setup func(t *testing.T) // once per engine, in the engine's subtest
	open  func(t *testing.T, dir string) (casework.Store, func(*testing.T, string, ...any), func(*testing.T, string, ...any) []byte)
}

func engines(t *testing.T) []engine {
	sqliteEngine := engine{"sqlite", func(*testing.T) {}, func(t *testing.T, dir string) (casework.Store, func(*testing.T, string, ...any), func(*testing.T, string, ...any) []byte) {
		db, err := sqlite.OpenDir(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		raw, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		exec := func(t *testing.T, q string, args ...any) {
			t.Helper()
			if _, err := raw.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		query := func(t *testing.T, q string, args ...any) []byte {
			t.Helper()
			var b []byte
			if err := raw.QueryRow(q, args...).Scan(&b); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return b
		}
		return db, exec, query
	}}
	var srv *pgtest.Server // one server for the whole test, a database per world
	pgEngine := engine{"postgres", func(t *testing.T) { srv = pgtest.Start(t) }, func(t *testing.T, dir string) (casework.Store, func(*testing.T, string, ...any), func(*testing.T, string, ...any) []byte) {
		url := srv.NewAppDatabase(t)
		ctx := context.Background()
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(ctx) })
		// The operator's own connection, in the system scope that sees
		// every organisation's rows.
		dollar := func(q string) string {
			var b strings.Builder
			n := 0
			for _, r := range q {
				if r == '?' {
					n++
					fmt.Fprintf(&b, "$%d", n)
					continue
				}
				b.WriteRune(r)
			}
			return b.String()
		}
		exec := func(t *testing.T, q string, args ...any) {
			t.Helper()
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, `SELECT set_config('tahqiq.org', '*', true)`); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, dollar(q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		query := func(t *testing.T, q string, args ...any) []byte {
			t.Helper()
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, `SELECT set_config('tahqiq.org', '*', true)`); err != nil {
				t.Fatal(err)
			}
			var b []byte
			if err := tx.QueryRow(ctx, dollar(q), args...).Scan(&b); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return b
		}
		return db, exec, query
	}}
	if testing.Short() {
		return []engine{sqliteEngine}
	}
	return []engine{sqliteEngine, pgEngine}
}

func newWorld(t *testing.T, eng engine) *world {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, exec, query := eng.open(t, dir)
	bs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	signer, v, err := keyfile.CreateKey(dir, "tahqiq/ECP-inquiry")
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)
	s := &casework.Service{Store: store, Blobs: bs, Signer: signer, LogKey: v, Origin: signer.Name(),
		Datasets: store.(tahqiq.DatasetStore), Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	w := &world{dir: dir, s: s, store: store, exec: exec, query: query}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, w.admin, err = s.InitOrg(ctx, "ECP-inquiry", "amina")
	must(err)
	w.rev, err = s.AddUser(ctx, w.admin, "", "bilal", tahqiq.RoleReviewer, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA")
	must(err)
	fia, err := s.AddOrg(ctx, tahqiq.System, "FIA")
	must(err)
	w.partner, err = s.AddUser(ctx, tahqiq.System, fia.ID, "farah", tahqiq.RoleViewer, "")
	must(err)
	w.token, err = s.CreateToken(ctx, w.admin, "scraper", "sha256-of-the-secret", 0)
	must(err)
	must(s.RevokeToken(ctx, w.admin, w.token.ID))
	w.c, err = s.NewCase(ctx, w.admin, "Fake Form 45 images", "", tahqiq.TLPAmber)
	must(err)
	var paths []string
	for i, body := range []string{"first evidence", "second evidence"} {
		p := filepath.Join(dir, "in", fmt.Sprintf("%c.txt", 'a'+i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
		paths = append(paths, p)
	}
	w.items, err = s.AttachFiles(ctx, w.admin, w.c.ID, "", paths...)
	must(err)
	w.finding, err = s.AddFinding(ctx, w.admin, tahqiq.Finding{CaseID: w.c.ID, Title: "same picture", ItemIDs: []string{w.items[0].ID}})
	must(err)
	w.recV1, err = s.Recommend(ctx, w.admin, tahqiq.Recommendation{CaseID: w.c.ID, Action: "takedown request", Grounds: "fake", FindingIDs: []string{w.finding.ID}})
	must(err)
	_, err = s.Decide(ctx, w.rev, w.recV1.ID, true)
	must(err)
	w.taskV1, err = s.AddTask(ctx, w.admin, w.c.ID, "call the returning officer", "")
	must(err)
	cp, err := s.Checkpoint(ctx)
	must(err)
	w.early = cp.Note
	done := tahqiq.TaskDone
	w.task, err = s.UpdateTask(ctx, w.admin, w.taskV1.ID, tahqiq.TaskUpdate{Status: &done})
	must(err)
	_, err = s.AddNote(ctx, w.admin, w.c.ID, "Form 45 of PS-12 differs")
	must(err)
	must(s.Share(ctx, w.admin, tahqiq.CaseShare{CaseID: w.c.ID, ItemID: w.items[1].ID, OrgID: fia.ID}))
	must(s.ClaimDataset(ctx, w.admin, "ru"))
	w.red, err = s.NewCase(ctx, w.admin, "Names of officials (RED)", "", tahqiq.TLPRed)
	must(err)
	_, err = s.AddNote(ctx, w.admin, w.red.ID, "the returning officer of NA-56")
	must(err)
	// a stored coordination run, logged as tahqiq serve and the CLI store
	// theirs (runs.Store.Log)
	w.runs = &runs.Store{Dir: filepath.Join(dir, "runs"), Log: s.LogRun, Now: s.Now}
	s.Runs = w.runs
	var sh []tahqiq.Share
	for i, a := range []string{"x:1", "x:2", "x:1", "x:2", "x:3"} {
		sh = append(sh, tahqiq.Share{Type: tahqiq.ObjRetweet, Object: fmt.Sprint("o", i/2), AccountID: a, PostID: fmt.Sprint("x:p", i), Time: 1707379200 + int64(i)})
	}
	made, err := w.runs.MakeCoord(ctx, &runs.CoordRun{Data: coord.Data{Shares: sh}, Params: coord.DefaultParams(), Actor: w.admin.ID, Name: "co-retweets"}, "test", nil)
	must(err)
	w.run = made.Info
	r, err := s.VerifyStore(ctx, casework.VerifyOptions{})
	must(err)
	if !r.OK() || len(r.Notes) != 0 {
		t.Fatalf("the untouched world does not verify: %v %v", r.Problems, r.Notes)
	}
	return w
}

func hasProblem(r *casework.Report, want string) bool {
	for _, p := range r.Problems {
		if strings.Contains(p.String(), want) {
			return true
		}
	}
	return false
}

func TestTamperStore(t *testing.T) {
	ctx := context.Background()
	resign := func(t *testing.T, w *world, signer note.Signer) {
		// What an operator holding the key (or an outsider with another
		// key) does after rewriting the log: recompute the stored hashes
		// and sign every checkpoint again.
		n, _ := w.store.LogSize(ctx)
		entries, _ := w.store.LogEntries(ctx, 0, n)
		w.exec(t, `DELETE FROM ledger_hashes`)
		m := &ledger.MemStore{}
		if _, err := ledger.New(m).Append(entries...); err != nil {
			t.Fatal(err)
		}
		total := int64(0)
		if n > 0 {
			total = int64(len(entries))*2 - int64(bitsOnes(uint64(n)))
		}
		for i := int64(0); i < total; i++ {
			h, _ := m.ReadHashes([]int64{i})
			w.exec(t, `INSERT INTO ledger_hashes (idx, hash) VALUES (?, ?)`, i, h[0][:])
		}
		w.exec(t, `DELETE FROM ledger_checkpoints`)
		tr, _ := ledger.TreeAt(m, n)
		cp, _ := ledger.Sign(w.s.Origin, tr, signer)
		w.exec(t, `INSERT INTO ledger_checkpoints (size, note) VALUES (?, ?)`, n, cp.Note)
	}
	editJSON := func(t *testing.T, w *world, table, id, from, to string) {
		b := w.query(t, `SELECT data FROM `+table+` WHERE id = ?`, id)
		if !bytes.Contains(b, []byte(from)) {
			t.Fatalf("%s %s has no %q: %s", table, id, from, b)
		}
		w.exec(t, `UPDATE `+table+` SET data = ? WHERE id = ?`, bytes.Replace(b, []byte(from), []byte(to), 1), id)
	}
	tests := []struct {
		name    string
		tamper  func(t *testing.T, w *world) casework.VerifyOptions
		want    string
		special func(t *testing.T, r *casework.Report)
	}{
		{"blob byte flipped", func(t *testing.T, w *world) casework.VerifyOptions {
			p := w.s.Blobs.Path(w.items[0].Blobs[0].SHA256)
			os.Chmod(p, 0o600)
			b, _ := os.ReadFile(p)
			b[0] ^= 1
			os.WriteFile(p, b, 0o600)
			return casework.VerifyOptions{}
		}, "the file was changed", nil},
		{"item row edited", func(t *testing.T, w *world) casework.VerifyOptions {
			editJSON(t, w, "items", w.items[0].ID, "a.txt", "z.txt")
			return casework.VerifyOptions{}
		}, "differs from every state the log recorded", nil},
		{"finding row edited", func(t *testing.T, w *world) casework.VerifyOptions {
			editJSON(t, w, "case_records", w.finding.ID, "same picture", "other claim")
			return casework.VerifyOptions{}
		}, "finding " + "%F" + ` "other claim"`, nil},
		{"item row inserted", func(t *testing.T, w *world) casework.VerifyOptions {
			b := w.query(t, `SELECT data FROM items WHERE id = ?`, w.items[0].ID)
			w.exec(t, `INSERT INTO items (id, case_id, seq, data) VALUES ('ifake', ?, 99, ?)`, w.c.ID, bytes.Replace(b, []byte(w.items[0].ID), []byte("ifake"), 1))
			return casework.VerifyOptions{}
		}, "item ifake", nil},
		{"item deleted", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `DELETE FROM item_blobs WHERE item_id = ?`, w.items[0].ID)
			w.exec(t, `DELETE FROM items WHERE id = ?`, w.items[0].ID)
			return casework.VerifyOptions{}
		}, "missing", nil},
		{"finding deleted", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `DELETE FROM case_records WHERE id = ?`, w.finding.ID)
			return casework.VerifyOptions{}
		}, "finding %F of case", nil},
		{"finding moved to another case (its row, not its JSON)", func(t *testing.T, w *world) casework.VerifyOptions {
			// The finding now shows in the RED case, byte for byte as
			// logged in the first: its digest is the logged one.
			w.exec(t, `UPDATE case_records SET case_id = ? WHERE id = ?`, w.red.ID, w.finding.ID)
			return casework.VerifyOptions{}
		}, "the log puts it in case", nil},
		{"case deleted", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `DELETE FROM case_records WHERE case_id = ?`, w.red.ID)
			w.exec(t, `DELETE FROM cases WHERE id = ?`, w.red.ID)
			return casework.VerifyOptions{}
		}, "case %R of case %R", nil},
		{"recommendation rolled back", func(t *testing.T, w *world) casework.VerifyOptions {
			b, _ := json.Marshal(w.recV1)
			w.exec(t, `UPDATE case_records SET data = ? WHERE id = ?`, b, w.recV1.ID)
			return casework.VerifyOptions{}
		}, "rolled back", nil},
		{"task rolled back", func(t *testing.T, w *world) casework.VerifyOptions {
			b, _ := json.Marshal(w.taskV1)
			w.exec(t, `UPDATE case_records SET data = ? WHERE id = ?`, b, w.taskV1.ID)
			return casework.VerifyOptions{}
		}, "holds state 1 of 2", nil},
		{"access grant inserted", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `INSERT INTO case_shares (case_id, item_id, org_id, tlp) VALUES (?, '', ?, 'green')`, w.red.ID, w.partner.OrgID)
			return casework.VerifyOptions{}
		}, "share of case %R with organisation", nil},
		{"admin user inserted", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `INSERT INTO users (id, org_id, name, role) VALUES ('umallory', ?, 'mallory', 'admin')`, w.partner.OrgID)
			return casework.VerifyOptions{}
		}, `user umallory "mallory" (admin): no log entry made it`, nil},
		{"user role raised", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `UPDATE users SET role = 'admin' WHERE id = ?`, w.rev.ID)
			return casework.VerifyOptions{}
		}, `"bilal" (admin): differs`, nil},
		{"dataset taken over", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `UPDATE dataset_orgs SET org_id = ? WHERE dataset = 'ru'`, w.partner.OrgID)
			return casework.VerifyOptions{}
		}, `owner of dataset "ru"`, nil},
		{"password hash replaced", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `UPDATE passwords SET hash = 'the operator''s own' WHERE user_id = ?`, w.rev.ID)
			return casework.VerifyOptions{}
		}, `password of user`, nil},
		{"password set without custody", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `INSERT INTO passwords (user_id, hash, set_at) VALUES (?, 'known', '2026-02-08T09:00:00Z')`, w.partner.ID)
			return casework.VerifyOptions{}
		}, `no log entry made it`, nil},
		{"API token revocation undone", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `UPDATE api_tokens SET revoked_at = '' WHERE id = ?`, w.token.ID)
			return casework.VerifyOptions{}
		}, `API token`, nil},
		{"run output edited (a link removed from edges.csv)", func(t *testing.T, w *world) casework.VerifyOptions {
			p, err := w.runs.File(runs.Coord, w.run.ID, "edges.csv")
			if err != nil {
				t.Fatal(err)
			}
			lines := readLines(t, p)
			writeLines(t, p, lines[:len(lines)-1])
			return casework.VerifyOptions{}
		}, "coordination run %N \"co-retweets\" (", func(t *testing.T, r *casework.Report) {
			if !hasProblem(r, "differs from every state the log recorded") {
				t.Errorf("problems %v; want the edited run named as edited", r.Problems)
			}
		}},
		{"run deleted", func(t *testing.T, w *world) casework.VerifyOptions {
			p, _ := w.runs.Path(runs.Coord, w.run.ID)
			if err := os.RemoveAll(p); err != nil {
				t.Fatal(err)
			}
			return casework.VerifyOptions{}
		}, "run coord/%N: entry", func(t *testing.T, r *casework.Report) {
			if !hasProblem(r, "it is absent: deleted") {
				t.Errorf("problems %v; want the run named as deleted", r.Problems)
			}
		}},
		{"run planted (a copy under a new id)", func(t *testing.T, w *world) casework.VerifyOptions {
			from, _ := w.runs.Path(runs.Coord, w.run.ID)
			id := "c-20260208T090000-abcdef"
			to := filepath.Join(filepath.Dir(from), id)
			os.MkdirAll(to, 0o750)
			ents, _ := os.ReadDir(from)
			for _, e := range ents {
				b, _ := os.ReadFile(filepath.Join(from, e.Name()))
				if e.Name() == "run.json" {
					b = bytes.Replace(b, []byte(w.run.ID), []byte(id), 1)
				}
				os.WriteFile(filepath.Join(to, e.Name()), b, 0o640)
			}
			if _, err := w.runs.Get(runs.Coord, id); err != nil {
				t.Fatalf("the planted run does not read as a run: %v", err)
			}
			return casework.VerifyOptions{}
		}, `coordination run c-20260208T090000-abcdef "co-retweets" (9 files): no log entry made it`, nil},
		{"run's maker changed (who may read it)", func(t *testing.T, w *world) casework.VerifyOptions {
			p, _ := w.runs.File(runs.Coord, w.run.ID, "run.json")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(b, []byte(w.admin.ID), []byte(w.partner.ID), 1), 0o640)
			return casework.VerifyOptions{}
		}, "differs from every state the log recorded", nil},
		{"log entry deleted", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `DELETE FROM ledger_entries WHERE idx = 3`)
			return casework.VerifyOptions{}
		}, "entry deleted, inserted or reordered", nil},
		{"log entry inserted", func(t *testing.T, w *world) casework.VerifyOptions {
			n, _ := w.store.LogSize(ctx)
			for i := n - 1; i >= 4; i-- {
				w.exec(t, `UPDATE ledger_entries SET idx = ? WHERE idx = ?`, i+1, i)
			}
			b := w.query(t, `SELECT data FROM ledger_entries WHERE idx = 3`)
			w.exec(t, `INSERT INTO ledger_entries (idx, data) VALUES (4, ?)`, b)
			return casework.VerifyOptions{}
		}, "entry deleted, inserted or reordered", nil},
		{"log entries reordered", func(t *testing.T, w *world) casework.VerifyOptions {
			a := w.query(t, `SELECT data FROM ledger_entries WHERE idx = 5`)
			b := w.query(t, `SELECT data FROM ledger_entries WHERE idx = 6`)
			w.exec(t, `UPDATE ledger_entries SET data = ? WHERE idx = 5`, b)
			w.exec(t, `UPDATE ledger_entries SET data = ? WHERE idx = 6`, a)
			return casework.VerifyOptions{}
		}, "records index 6", nil},
		{"log entry edited", func(t *testing.T, w *world) casework.VerifyOptions {
			b := w.query(t, `SELECT data FROM ledger_entries WHERE idx = 0`)
			w.exec(t, `UPDATE ledger_entries SET data = ? WHERE idx = 0`, bytes.Replace(b, []byte("amina"), []byte("hamid"), 1))
			return casework.VerifyOptions{}
		}, "an entry was changed", nil},
		{"stored tree hash edited", func(t *testing.T, w *world) casework.VerifyOptions {
			w.exec(t, `UPDATE ledger_hashes SET hash = ? WHERE idx = 1`, make([]byte, 32))
			return casework.VerifyOptions{}
		}, "hash table was edited", nil},
		{"entry appended without the log key", func(t *testing.T, w *world) casework.VerifyOptions {
			// An insider with the database but not the key uses the code
			// itself to append a well-formed entry and its record.
			forger := &casework.Service{Store: w.s.Store, Blobs: w.s.Blobs, LogKey: w.s.LogKey, Origin: w.s.Origin}
			if _, err := forger.AddNote(ctx, w.admin, w.c.ID, "planted"); err != nil {
				t.Fatal(err)
			}
			return casework.VerifyOptions{}
		}, "added without the log key", nil},
		{"checkpoint re-signed with another key", func(t *testing.T, w *world) casework.VerifyOptions {
			sk, _, _ := ledger.GenerateKey(w.s.Origin)
			other, _ := note.NewSigner(sk)
			resign(t, w, other)
			return casework.VerifyOptions{}
		}, "not signed by any known key", nil},
		{"log rolled back and re-signed by the operator", func(t *testing.T, w *world) casework.VerifyOptions {
			n, _ := w.store.LogSize(ctx)
			w.exec(t, `DELETE FROM ledger_entries WHERE idx >= ?`, n-3)
			resign(t, w, w.s.Signer)
			return casework.VerifyOptions{Earlier: [][]byte{w.early}}
		}, "", func(t *testing.T, r *casework.Report) {
			// The fold alone sees the records of the removed entries as
			// extra; the checkpoint the user kept shows the log shrank only
			// if it covered them, so a later one is needed: here the fold
			// is what catches it.
			if !hasProblem(r, "no log entry made it") {
				t.Errorf("problems %v; want the records of the removed entries named", r.Problems)
			}
		}},
		{"log forked and re-signed by the operator", func(t *testing.T, w *world) casework.VerifyOptions {
			b := w.query(t, `SELECT data FROM ledger_entries WHERE idx = 1`)
			if !bytes.Contains(b, []byte("bilal")) {
				t.Fatalf("entry 1 does not name bilal: %s", b)
			}
			w.exec(t, `UPDATE ledger_entries SET data = ? WHERE idx = 1`, bytes.Replace(b, []byte("bilal"), []byte("bilaL"), 1))
			resign(t, w, w.s.Signer)
			return casework.VerifyOptions{Earlier: [][]byte{w.early}}
		}, "an entry was changed, deleted, inserted or reordered", nil},
	}
	classes := map[string]bool{}
	for _, eng := range engines(t) {
		t.Run(eng.name, func(t *testing.T) {
			eng.setup(t)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					w := newWorld(t, eng)
					o := tc.tamper(t, w)
					r, err := w.s.VerifyStore(ctx, o)
					if err != nil {
						t.Fatal(err)
					}
					if r.OK() {
						t.Fatalf("tampering verifies clean")
					}
					want := strings.NewReplacer("%F", w.finding.ID, "%R", w.red.ID, "%N", w.run.ID).Replace(tc.want)
					if want != "" && !hasProblem(r, want) {
						t.Errorf("problems %v; want one naming %q", r.Problems, want)
					}
					if tc.special != nil {
						tc.special(t, r)
					}
				})
				classes[tc.name] = true
			}
		})
	}
	if len(classes) < 20 {
		t.Errorf("%d store tamper classes; the suite promises at least 20 with the bundle's", len(classes))
	}
}

func bitsOnes(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// resum rewrites SHA256SUMS, as anyone who changed a bundle would.
func resum(t *testing.T, dir string) {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			if rel != "SHA256SUMS" {
				names = append(names, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	sort.Strings(names)
	var buf bytes.Buffer
	for _, n := range names {
		b, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(n)))
		s := sha256.Sum256(b)
		fmt.Fprintf(&buf, "%s  %s\n", hex.EncodeToString(s[:]), n)
	}
	if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readLines(t *testing.T, p string) []string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func writeLines(t *testing.T, p string, lines []string) {
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTamperBundle(t *testing.T) {
	ctx := context.Background()
	editView := func(t *testing.T, dir string, fn func(v *casework.View)) {
		p := filepath.Join(dir, "view.json")
		b, _ := os.ReadFile(p)
		var v casework.View
		json.Unmarshal(b, &v)
		fn(&v)
		b, _ = json.Marshal(v)
		os.WriteFile(p, b, 0o644)
		resum(t, dir)
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, w *world, dir string) casework.VerifyOptions
		want   string
	}{
		{"bundle file removed", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			os.Remove(filepath.Join(dir, "blobs", w.items[0].Blobs[0].SHA256))
			return casework.VerifyOptions{}
		}, "file removed"},
		{"bundle blob byte flipped (sums redone)", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			p := filepath.Join(dir, "blobs", w.items[0].Blobs[0].SHA256)
			b, _ := os.ReadFile(p)
			b[1] ^= 1
			os.WriteFile(p, b, 0o644)
			resum(t, dir)
			return casework.VerifyOptions{}
		}, "the file was changed"},
		{"bundle log reordered", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			p := filepath.Join(dir, "log", "entries.jsonl")
			l := readLines(t, p)
			l[1], l[2] = l[2], l[1]
			writeLines(t, p, l)
			resum(t, dir)
			return casework.VerifyOptions{}
		}, "entry deleted, inserted or reordered"},
		{"bundle forged item appended after the checkpoint", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			p := filepath.Join(dir, "log", "entries.jsonl")
			l := readLines(t, p)
			var e tahqiq.LogEntry
			json.Unmarshal([]byte(l[len(l)-1]), &e)
			e.Index, e.Action, e.ItemID = int64(len(l)), "item.attach", "iforged"
			b, _ := ledger.EncodeEntry(e)
			writeLines(t, p, append(l, string(b)))
			resum(t, dir)
			return casework.VerifyOptions{}
		}, "entries after the signed checkpoint"},
		{"bundle item removed from the view (sums redone)", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			editView(t, dir, func(v *casework.View) { v.Items = v.Items[1:] })
			return casework.VerifyOptions{}
		}, "view.json differs from the view the export logged"},
		{"bundle finding removed from the view (sums redone)", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			editView(t, dir, func(v *casework.View) { v.Findings = []tahqiq.Finding{} })
			return casework.VerifyOptions{}
		}, "view.json differs from the view the export logged"},
		{"bundle inclusion proof removed", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			p := filepath.Join(dir, "manifest.json")
			b, _ := os.ReadFile(p)
			var m casework.Manifest
			json.Unmarshal(b, &m)
			delete(m.Proofs, w.items[0].ID)
			b, _ = json.MarshalIndent(m, "", "  ")
			os.WriteFile(p, b, 0o644)
			resum(t, dir)
			return casework.VerifyOptions{}
		}, "no inclusion proof"},
		{"bundle key and checkpoint replaced", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			sk, vk, _ := ledger.GenerateKey(w.s.Origin)
			other, _ := note.NewSigner(sk)
			l := readLines(t, filepath.Join(dir, "log", "entries.jsonl"))
			var leaves [][]byte
			for _, x := range l {
				leaves = append(leaves, []byte(x))
			}
			m := &ledger.MemStore{}
			ledger.New(m).Append(leaves...)
			tr, _ := ledger.TreeAt(m, int64(len(leaves)))
			cp, _ := ledger.Sign(w.s.Origin, tr, other)
			os.WriteFile(filepath.Join(dir, "log", "checkpoint"), cp.Note, 0o644)
			os.WriteFile(filepath.Join(dir, "keys", "log.pub"), []byte(vk+"\n"), 0o644)
			os.RemoveAll(filepath.Join(dir, "log", "earlier"))
			resum(t, dir)
			return casework.VerifyOptions{LogKey: w.vkey()}
		}, "not signed by any known key"},
		{"bundle checkpoint re-signed with another key", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			sk, _, _ := ledger.GenerateKey(w.s.Origin)
			other, _ := note.NewSigner(sk)
			b, _ := os.ReadFile(filepath.Join(dir, "log", "checkpoint"))
			text := b[:bytes.Index(b, []byte("\n\n"))+1]
			cp, _ := note.Sign(&note.Note{Text: string(text)}, other)
			os.WriteFile(filepath.Join(dir, "log", "checkpoint"), cp, 0o644)
			resum(t, dir)
			return casework.VerifyOptions{}
		}, "not signed by any known key"},
		{"bundle log truncated", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			p := filepath.Join(dir, "log", "entries.jsonl")
			l := readLines(t, p)
			writeLines(t, p, l[:len(l)-2])
			resum(t, dir)
			return casework.VerifyOptions{}
		}, "entries removed"},
		{"bundle entry of the case withheld", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			p := filepath.Join(dir, "log", "entries.jsonl")
			l := readLines(t, p)
			for i, x := range l {
				if strings.Contains(x, `"note.create"`) && strings.Contains(x, w.c.ID) {
					l[i] = string(ledger.EncodeWithheld(int64(i), ledger.LeafHash([]byte(x))))
				}
			}
			writeLines(t, p, l)
			resum(t, dir)
			return casework.VerifyOptions{}
		}, "withheld from an export of the whole case"},
		{"bundle downgraded to format 1", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			vb, _ := os.ReadFile(filepath.Join(dir, "view.json"))
			var v casework.View
			json.Unmarshal(vb, &v)
			v.Findings = nil // the point of the downgrade: drop a record
			m := bundle.ManifestV1{Format: casework.BundleFormatV1, View: v}
			b, _ := json.Marshal(m)
			os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644)
			resum(t, dir)
			return casework.VerifyOptions{}
		}, "a downgrade"},
		{"bundle view not canonical", func(t *testing.T, w *world, dir string) casework.VerifyOptions {
			p := filepath.Join(dir, "view.json")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append([]byte(`{"Case":{"title":"x"},`), b[1:]...), 0o644)
			resum(t, dir)
			return casework.VerifyOptions{}
		}, "view.json"},
	}
	for _, eng := range engines(t) {
		t.Run(eng.name, func(t *testing.T) {
			eng.setup(t)
			w := newWorld(t, eng)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					dir := filepath.Join(t.TempDir(), "bundle")
					if _, err := w.s.Export(ctx, w.admin, w.c.ID, dir); err != nil {
						t.Fatal(err)
					}
					if r, err := bundle.Verify(dir, casework.VerifyOptions{LogKey: w.vkey()}); err != nil || !r.OK() || !r.Established() {
						t.Fatalf("untouched bundle: %v %v (trust %s)", err, r.Problems, r.Trust)
					}
					o := tc.tamper(t, w, dir)
					r, err := bundle.Verify(dir, o)
					if err != nil {
						t.Fatal(err)
					}
					if r.OK() {
						t.Fatalf("tampering verifies clean")
					}
					if !hasProblem(r, tc.want) {
						t.Errorf("problems %v; want one naming %q", r.Problems, tc.want)
					}
				})
			}
		})
	}
}

func (w *world) vkey() string {
	b, _ := os.ReadFile(filepath.Join(w.dir, keyfile.PubKeyFile))
	return strings.TrimSpace(string(b))
}

// TestBundleKeyTrust: a bundle whose key and checkpoints were replaced is
// self-consistent, and verify says the signer is not established unless
// the key was given or pinned.
func TestBundleKeyTrust(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, engines(t)[0])
	dir := filepath.Join(t.TempDir(), "bundle")
	if _, err := w.s.Export(ctx, w.admin, w.c.ID, dir); err != nil {
		t.Fatal(err)
	}
	trusted := filepath.Join(t.TempDir(), "trusted-keys")
	tk, _ := ledger.ReadTrustedKeys(trusted)
	for _, tc := range []struct {
		name  string
		o     func() casework.VerifyOptions
		trust string
	}{
		{"own key only", func() casework.VerifyOptions { return casework.VerifyOptions{} }, casework.TrustSelf},
		{"key given", func() casework.VerifyOptions { return casework.VerifyOptions{LogKey: w.vkey()} }, casework.TrustGiven},
		{"key pinned", func() casework.VerifyOptions {
			if err := tk.Add("log", w.vkey()); err != nil {
				t.Fatal(err)
			}
			got, err := ledger.ReadTrustedKeys(trusted)
			if err != nil {
				t.Fatal(err)
			}
			return casework.VerifyOptions{Trusted: got}
		}, casework.TrustPinned},
	} {
		r, err := bundle.Verify(dir, tc.o())
		if err != nil || !r.OK() || r.Trust != tc.trust {
			t.Errorf("%s: verify = %v %v, trust %q; want OK, trust %q", tc.name, err, r.Problems, r.Trust, tc.trust)
		}
	}
}

// TestExportDisclosesOnlyTheCase: a partner's viewer who was shared one
// item exports the case; the bundle verifies, holds that item alone, and
// no entry of the owner's other (TLP:RED) case, of the unshared item or of
// the case's findings travels in full.
func TestExportDisclosesOnlyTheCase(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, engines(t)[0])
	dir := filepath.Join(t.TempDir(), "bundle")
	m, err := w.s.Export(ctx, w.partner, w.c.ID, dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Scope != casework.ScopeItems || m.Items != 1 {
		t.Errorf("partner export: scope %q, %d items; want items, 1", m.Scope, m.Items)
	}
	r, err := bundle.Verify(dir, casework.VerifyOptions{LogKey: w.vkey()})
	if err != nil || !r.OK() {
		t.Fatalf("partner's bundle: %v %v", err, r.Problems)
	}
	if r.Withheld == 0 {
		t.Errorf("partner's bundle withholds no entry of the case; want the unshared records' entries withheld")
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log", "entries.jsonl"))
	for _, secret := range []string{w.red.ID, "Names of officials", "same picture", w.items[0].ID, "takedown", "bilal"} {
		if bytes.Contains(log, []byte(secret)) {
			t.Errorf("the partner's bundle discloses %q", secret)
		}
	}
	// The owner's export of the same case holds everything of it, and
	// still nothing of the other case.
	own := filepath.Join(t.TempDir(), "own")
	if _, err := w.s.Export(ctx, w.admin, w.c.ID, own); err != nil {
		t.Fatal(err)
	}
	log, _ = os.ReadFile(filepath.Join(own, "log", "entries.jsonl"))
	if !bytes.Contains(log, []byte("same picture")) || bytes.Contains(log, []byte(w.red.ID)) {
		t.Errorf("owner's bundle: findings shown %v, RED case shown %v; want true, false", bytes.Contains(log, []byte("same picture")), bytes.Contains(log, []byte(w.red.ID)))
	}
	if r, err := bundle.Verify(own, casework.VerifyOptions{LogKey: w.vkey()}); err != nil || !r.OK() || r.Withheld != 0 {
		t.Errorf("owner's bundle: %v %v, %d withheld", err, r.Problems, r.Withheld)
	}
}

// TestVerifyReportRedacts: a partner's user who asks the server to verify
// the store learns that the owner's TLP:RED case was tampered with, not
// its title or its records' contents.
func TestVerifyReportRedacts(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, engines(t)[0])
	w.exec(t, `DELETE FROM case_records WHERE case_id = ?`, w.red.ID)
	w.exec(t, `UPDATE cases SET title = 'Names of officials (edited)' WHERE id = ?`, w.red.ID)
	if p, err := w.runs.File(runs.Coord, w.run.ID, "edges.csv"); err != nil {
		t.Fatal(err)
	} else {
		os.WriteFile(p, []byte("edited\n"), 0o640)
	}
	partner := w.partner
	r, err := w.s.VerifyStore(ctx, casework.VerifyOptions{Reader: &partner})
	if err != nil || r.OK() {
		t.Fatalf("verify = %v, %v; want problems", err, r.Problems)
	}
	for _, p := range r.Problems {
		if strings.Contains(p.Msg, "Names of officials") || strings.Contains(p.Msg, "returning officer") {
			t.Errorf("the partner's report discloses the RED case: %s", p)
		}
		if strings.Contains(p.Msg, "co-retweets") {
			t.Errorf("the partner's report names another organisation's run: %s", p)
		}
	}
	if !hasProblem(r, "run coord/"+w.run.ID+" (not readable by farah)") {
		t.Errorf("the partner's report does not name the edited run by its kind and ID: %v", r.Problems)
	}
	own, _ := w.s.VerifyStore(ctx, casework.VerifyOptions{Reader: &w.admin})
	if !hasProblem(own, "Names of officials (edited)") || !hasProblem(own, `"co-retweets"`) {
		t.Errorf("the owner's report does not name its own case and run: %v", own.Problems)
	}
}

// TestDeleteDatasetLogged: deleting a dataset commits with its entry (the
// owner's record removed), verify passes afterwards, and a delete whose
// entry cannot be written leaves the dataset in place.
func TestDeleteDatasetLogged(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, engines(t)[0])
	imp := &ingest.Importer{Formats: ingest.Default()}
	sample := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	if _, err := imp.Import(ctx, w.store.(tahqiq.ImportStore), []string{sample}, ingest.Options{Dataset: "ru"}); err != nil {
		t.Fatal(err)
	}
	bad := &casework.Service{Store: logFails{w.store.(*sqlite.DB)}, Blobs: w.s.Blobs, Datasets: w.s.Datasets, Signer: w.s.Signer, LogKey: w.s.LogKey, Origin: w.s.Origin}
	if _, err := bad.DeleteDataset(ctx, w.admin, "ru"); err == nil {
		t.Fatal("the delete succeeded though its entry could not be written")
	}
	if _, err := w.s.Datasets.FindDatasetByName(ctx, "ru"); err != nil {
		t.Fatalf("the dataset is gone without its entry: %v", err)
	}
	n, err := w.s.DeleteDataset(ctx, w.admin, "ru")
	if err != nil || n.Posts == 0 {
		t.Fatalf("DeleteDataset = %+v, %v", n, err)
	}
	size, _ := w.store.LogSize(ctx)
	raw, _ := w.store.LogEntries(ctx, size-1, size)
	if !bytes.Contains(raw[0], []byte(`"action":"dataset.delete"`)) || !bytes.Contains(raw[0], []byte(`{"kind":"dataset","id":"ru","version":2}`)) {
		t.Errorf("last entry %s; want dataset.delete removing the owner record", raw[0])
	}
	if r, err := w.s.VerifyStore(ctx, casework.VerifyOptions{}); err != nil || !r.OK() {
		t.Errorf("after the delete: %v %v", err, r.Problems)
	}
}
