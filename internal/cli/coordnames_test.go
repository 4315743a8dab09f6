package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
)

// twarcNames reads what the users objects of a twarc2 file call each
// account (includes.users), the first object naming an account deciding:
// the names tahqiq should write beside the account's UID, read here from
// the file itself, not through the importer.
func twarcNames(t *testing.T, path string) map[string]coord.AccountName {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]coord.AccountName{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var page struct {
			Includes struct {
				Users []struct{ ID, Username, Name string }
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Includes.Users {
			if _, ok := out["x:"+u.ID]; !ok {
				out["x:"+u.ID] = coord.AccountName{Handle: u.Username, Name: u.Name}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readCSVMaps reads a whole CSV file as maps of its header's names.
func readCSVMaps(t *testing.T, path string) []map[string]string {
	t.Helper()
	recs := readCSV(t, path)
	if len(recs) < 2 {
		t.Fatalf("%s: %d rows", path, len(recs))
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// TestCoordNames: what the data calls an account (its handle and display
// name) is written beside its UID in edges.csv (handle_a, name_a,
// handle_b, name_b after the columns of before), nodes.csv (handle, name)
// and the graph files (the node's label, and account, handle and name
// attributes), the same for a run of the files, a run of the dataset
// imported from them on the embedded store and on PostgreSQL, and the
// server's run: on X API v2 pages (twarc2: a Pakistani account with an
// Urdu-script name among them), on a Telegram Desktop export with Urdu
// names and no handles (written by the project), and on an events CSV,
// which names no one (the columns are there, empty).
func TestCoordNames(t *testing.T) {
	if testing.Short() {
		t.Skip("names in every output, on files, both engines and the server: not in -short (go test ./..., as CI runs it, does)")
	}
	withheld := filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "withheld.jsonl")
	chat := filepath.Join("testdata", "na56_chat.json")
	events := filepath.Join(parsetest.DataDir(t, "coord"), "russian_coord_tweets.events.csv")
	pg := pgtest.Start(t)
	cases := []struct {
		name  string
		file  string
		args  []string
		names map[string]coord.AccountName // nil: every name empty
		label map[string]string            // node label of some UIDs
	}{
		{"twarc2", withheld, []string{"--window", "1h", "--min-participation", "1"}, twarcNames(t, withheld),
			map[string]string{"x:1235574652895989760": "@Zimal23_K", "x:2741420162": "@iqbalhussainsts"}},
		{"telegram", chat, nil, map[string]coord.AccountName{
			"telegram:user101": {Name: "علی رضا"}, "telegram:user102": {Name: "زینب بی بی"},
			"telegram:user103": {Name: "ووٹر_نگران"}, "telegram:user104": {Name: "Election Watch PK"}},
			map[string]string{"telegram:user101": "علی رضا"}},
		{"events", events, []string{"--by", "retweet"}, nil, map[string]string{"other:0fb4232d1b7b37069c13ee17579bd10e": "other:0fb4232d1b7b37069c13ee17579bd10e"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			files := filepath.Join(t.TempDir(), "files")
			if code, _, stderr := run(t, data, "", append([]string{"coord", "--input", tc.file, "--out", files}, tc.args...)...); code != 0 {
				t.Fatalf("coord --input: %s", stderr)
			}
			if code, _, stderr := run(t, data, "", "import", "--dataset", "d", tc.file); code != 0 {
				t.Fatalf("import: %s", stderr)
			}
			dirs := map[string]string{"sqlite": filepath.Join(t.TempDir(), "sqlite")}
			if code, _, stderr := run(t, data, "", append([]string{"coord", "--dataset", "d", "--out", dirs["sqlite"]}, tc.args...)...); code != 0 {
				t.Fatalf("coord --dataset: %s", stderr)
			}
			{
				db := pg.NewDatabase(t)
				dirs["postgres"] = filepath.Join(t.TempDir(), "postgres")
				for _, args := range [][]string{{"import", "--dataset", "d", tc.file}, append([]string{"coord", "--dataset", "d", "--out", dirs["postgres"]}, tc.args...)} {
					var out, errb bytes.Buffer
					if code := cli.Main(context.Background(), append([]string{"--quiet", "--db", db, "--data", t.TempDir()}, args...), strings.NewReader(""), &out, &errb); code != 0 {
						t.Fatalf("postgres: tahqiq %s: %s", strings.Join(args, " "), errb.String())
					}
				}
			}
			for engine, dir := range dirs {
				for _, f := range []string{"edges.csv", "nodes.csv", "graph.gexf", "graph.graphml", "evidence.csv.gz"} {
					a, _ := os.ReadFile(filepath.Join(files, f))
					b, _ := os.ReadFile(filepath.Join(dir, f))
					if !bytes.Equal(a, b) || len(a) == 0 {
						t.Errorf("%s of the dataset run on %s differs from the run of the file", f, engine)
					}
				}
			}

			want := func(uid string) coord.AccountName { return tc.names[uid] }
			named := 0
			edges := readCSVMaps(t, filepath.Join(files, "edges.csv"))
			for _, e := range edges {
				for _, side := range []string{"a", "b"} {
					w := want(e["account_"+side])
					if got := (coord.AccountName{Handle: e["handle_"+side], Name: e["name_"+side]}); got != w {
						t.Fatalf("edges.csv: %s: %+v, want %+v", e["account_"+side], got, w)
					}
					if w != (coord.AccountName{}) {
						named++
					}
				}
			}
			nodes := readCSVMaps(t, filepath.Join(files, "nodes.csv"))
			for _, n := range nodes {
				if got := (coord.AccountName{Handle: n["handle"], Name: n["name"]}); got != want(n["account"]) {
					t.Fatalf("nodes.csv: %s: %+v, want %+v", n["account"], got, want(n["account"]))
				}
			}
			if tc.names != nil && named == 0 {
				t.Fatalf("no account of edges.csv named")
			}
			t.Logf("%d edges, %d nodes, %d account sides named", len(edges), len(nodes), named)

			gexf, err := os.ReadFile(filepath.Join(files, "graph.gexf"))
			if err != nil {
				t.Fatal(err)
			}
			graphml, err := os.ReadFile(filepath.Join(files, "graph.graphml"))
			if err != nil {
				t.Fatal(err)
			}
			for uid, label := range tc.label {
				n := want(uid)
				g := `label="` + label + `"><attvalues>` + `<attvalue for="0"`
				if !bytes.Contains(gexf, []byte(g)) || !bytes.Contains(gexf, []byte(`<attvalue for="6" value="`+uid+`"/><attvalue for="7" value="`+n.Handle+`"/><attvalue for="8" value="`+n.Name+`"/>`)) {
					t.Errorf("graph.gexf: no node labelled %q with account %s, handle %q, name %q", label, uid, n.Handle, n.Name)
				}
				if !bytes.Contains(graphml, []byte(`<data key="label">`+label+`</data>`)) || !bytes.Contains(graphml, []byte(`<data key="n_account">`+uid+`</data><data key="n_handle">`+n.Handle+`</data><data key="n_name">`+n.Name+`</data>`)) {
					t.Errorf("graph.graphml: no node labelled %q with account %s, handle %q, name %q", label, uid, n.Handle, n.Name)
				}
			}
		})
	}
}

// TestReadOldTables: the run directories written before the name columns
// were (issue 16) are read all the same, their accounts unnamed.
func TestReadOldTables(t *testing.T) {
	dir := t.TempDir()
	edges := "account_a,account_b,weight,flagged,pairs,objects,avg_dt,min_dt,first,last,posts_a,posts_b,symmetry\n" +
		"x:1,x:2,3,true,3,2,4.5,1,2021-06-16T22:04:51Z,2021-06-16T22:05:51Z,2,2,1\n"
	nodes := "account,degree,strength,component,community,core,posts,first_seen,last_seen,eigenvector,pruned\n" +
		"x:1,1,3,0,0,1,2,2021-06-16T22:04:51Z,2021-06-16T22:05:51Z,1,false\n"
	if err := os.WriteFile(filepath.Join(dir, "edges.csv"), []byte(edges), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nodes.csv"), []byte(nodes), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := coord.ReadEdges(filepath.Join(dir, "edges.csv"), func(c coord.EdgeColumns, x coord.EdgeRow) error {
		n++
		if c.Names || x.AccountB != "x:2" || x.Weight != 3 || x.Symmetry != 1 || x.HandleA != "" {
			t.Errorf("old edges.csv: %+v %+v", c, x)
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Fatalf("ReadEdges of an old edges.csv: %v, %d rows", err, n)
	}
	err = coord.ReadNodes(filepath.Join(dir, "nodes.csv"), func(x coord.NodeRow) error {
		n++
		if x.Account != "x:1" || x.Posts != 2 || x.Pruned || x.Handle != "" {
			t.Errorf("old nodes.csv: %+v", x)
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("ReadNodes of an old nodes.csv: %v", err)
	}
}

// TestCoordExplainAccounts: tahqiq coord explain takes an account as a
// person writes it: its UID, the id its file wrote (without x: or
// other:), its handle with or without "@" in any case, its name; the
// two ends in either order. It prints who the accounts are. A reference
// that names two accounts of the run (user101 is telegram:user101 and
// other:user101 here) is refused, listing them; one naming none is not
// found.
func TestCoordExplainAccounts(t *testing.T) {
	withheld := filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "withheld.jsonl")
	data := t.TempDir()
	x := filepath.Join(t.TempDir(), "x")
	if code, _, stderr := run(t, data, "", "coord", "--input", withheld, "--out", x, "--window", "1h", "--min-participation", "1"); code != 0 {
		t.Fatalf("coord: %s", stderr)
	}
	explain := func(dir string, args ...string) (int, string, string) {
		return run(t, data, "", append([]string{"coord", "explain", "--run", dir}, args...)...)
	}
	code, want, stderr := explain(x, "--json", "x:1235574652895989760", "x:1007501428087193600")
	if code != 0 || !strings.Contains(want, `"handle_a": "simsim1920"`) || !strings.Contains(want, `"name_b": "🍁ذمـــــــــل`) {
		t.Fatalf("explain by UIDs: exit %d: %s%s", code, want, stderr)
	}
	for _, refs := range [][2]string{
		{"1235574652895989760", "1007501428087193600"}, // the ids the file wrote
		{"@Zimal23_K", "simsim1920"},                   // handles
		{"zimal23_k", "@SIMSIM1920"},
		{"1007501428087193600", "@Zimal23_K"},
		{"🍁ذمـــــــــل\u2066\u2066\u2066\u2066🇵🇰\u2069 PTI", "pakistan..."}, // names
	} {
		code, got, stderr := explain(x, "--json", refs[0], refs[1])
		if code != 0 || got != want {
			t.Errorf("explain %q %q: exit %d: %s%s\nwant %s", refs[0], refs[1], code, got, stderr, want)
		}
	}
	code, text, stderr := explain(x, "@Zimal23_K", "simsim1920")
	if code != 0 || !strings.Contains(text, "a: x:1007501428087193600 (@simsim1920, pakistan...)") || !strings.Contains(text, "b: x:1235574652895989760 (@Zimal23_K, 🍁ذمـــــــــل") {
		t.Errorf("explain for people: exit %d:\n%s%s", code, text, stderr)
	}

	// telegram:user101 and other:user101 in one run
	events := filepath.Join(t.TempDir(), "watchers.events.csv")
	if err := os.WriteFile(events, []byte("account_id,post_id,timestamp,object_type,object_value\n"+
		"user101,p1,1707454800,url,https://example.org/ro-statement\n"+
		"user102,p2,1707454805,url,https://example.org/ro-statement\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	both := filepath.Join(t.TempDir(), "both")
	if code, _, stderr := run(t, data, "", "coord", "--input", filepath.Join("testdata", "na56_chat.json"), "--input", events, "--out", both, "--min-participation", "1"); code != 0 {
		t.Fatalf("coord: %s", stderr)
	}
	tests := []struct {
		a, b   string
		code   int
		stderr []string
	}{
		{"user101", "user102", 2, []string{`"user101" names 2 accounts in ` + both + `: other:user101; telegram:user101 (علی رضا); give its UID`}},
		{"telegram:user101", "زینب بی بی", 0, nil},
		{"other:user101", "other:user102", 0, nil},
		{"telegram:user101", "nobody", 3, []string{`no account "nobody" in ` + both}},
	}
	for _, tc := range tests {
		code, out, stderr := explain(both, tc.a, tc.b)
		if code != tc.code {
			t.Errorf("explain %q %q: exit %d, want %d: %s%s", tc.a, tc.b, code, tc.code, out, stderr)
		}
		for _, s := range tc.stderr {
			if !strings.Contains(stderr, s) {
				t.Errorf("explain %q %q: stderr %q, want %q in it", tc.a, tc.b, stderr, s)
			}
		}
	}
	if _, out, _ := explain(both, "telegram:user101", "زینب بی بی"); !strings.Contains(out, "a: telegram:user101 (علی رضا)\n  b: telegram:user102 (زینب بی بی)") {
		t.Errorf("explain by name: %s", out)
	}
}
