package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
)

// TestEnginesAgree imports the bundled real sample into the embedded store
// and into PostgreSQL (--db) and checks that both report the same counts
// and export the same shares.
func TestEnginesAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: every command on both engines, compared; runs without -short, as CI does")
	}
	srv := pgtest.Start(t)
	sample := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	engines := []struct {
		name string
		args []string
	}{
		{"sqlite", []string{"--data", filepath.Join(t.TempDir(), "data")}},
		{"postgres", []string{"--db", srv.NewDatabase(t)}},
	}
	type result struct {
		counts json.RawMessage
		shares []string
	}
	var got []result
	for _, e := range engines {
		runE := func(args ...string) string {
			t.Helper()
			var out, errb bytes.Buffer
			code := cli.Main(context.Background(), append(append([]string{"--quiet"}, e.args...), args...), strings.NewReader(""), &out, &errb)
			if code != 0 {
				t.Fatalf("%s: tahqiq %s: exit %d: %s", e.name, strings.Join(args, " "), code, errb.String())
			}
			return out.String()
		}
		runE("import", "--dataset", "ru", sample)
		var ds []struct {
			Counts json.RawMessage `json:"counts"`
		}
		out := runE("datasets", "--json")
		if err := json.Unmarshal([]byte(out), &ds); err != nil || len(ds) != 1 {
			t.Fatalf("%s: datasets --json = %q (%v)", e.name, out, err)
		}
		lines := strings.Split(strings.TrimSpace(runE("export", "shares", "--dataset", "ru")), "\n")
		slices.Sort(lines)
		got = append(got, result{ds[0].Counts, lines})
	}
	t.Logf("counts: %s; %d shares", got[0].counts, len(got[0].shares))
	if string(got[0].counts) != string(got[1].counts) {
		t.Errorf("counts: sqlite %s, postgres %s", got[0].counts, got[1].counts)
	}
	if len(got[0].shares) < 100 || !slices.Equal(got[0].shares, got[1].shares) {
		t.Errorf("exported shares differ: sqlite %d lines, postgres %d lines", len(got[0].shares), len(got[1].shares))
	}
	// Unknown schemes are refused with a usage error, not a panic.
	var out, errb bytes.Buffer
	if code := cli.Main(context.Background(), []string{"--db", "mysql://u:secret@h/db", "datasets"}, strings.NewReader(""), &out, &errb); code != 2 || strings.Contains(errb.String(), "secret") {
		t.Errorf("--db mysql://: exit %d, stderr %q; want exit 2 without the password", code, errb.String())
	}
}

// TestPostgresCLI runs the investigator's path through the CLI twice: on
// the embedded store, moved with tahqiq migrate and verified on both sides
// (same log size, root and signer), then continued on PostgreSQL; and from
// scratch with --db (import, coord --dataset, case new, attach, attach-run,
// verify), as an ordinary role under row-level security.
func TestPostgresCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: the whole CLI on a PostgreSQL server; runs without -short, as CI does")
	}
	srv := pgtest.Start(t)
	sample := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	evidence := filepath.Join(t.TempDir(), "form45.txt")
	if err := os.WriteFile(evidence, []byte("Form 45, station 17: 412 votes"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, engine []string, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), append(append([]string{"--quiet", "--as", "amina"}, engine...), args...), strings.NewReader(""), &out, &errb)
		if code != 0 {
			t.Fatalf("tahqiq %s %s: exit %d: %s%s", strings.Join(engine, " "), strings.Join(args, " "), code, out.String(), errb.String())
		}
		return out.String()
	}
	// verified returns the verify line after the path ("N log entries, root
	// R, I items, B blobs, signed by K") and checks the OK.
	verified := func(t *testing.T, engine []string) string {
		t.Helper()
		data := ""
		for i, a := range engine {
			if a == "--data" {
				data = engine[i+1]
			}
		}
		out := run(t, engine, "verify", "--key", filepath.Join(data, "keys", "log.pub"))
		first, rest, _ := strings.Cut(out, "\n")
		_, summary, ok := strings.Cut(first, ": ")
		if !ok || !strings.HasSuffix(strings.TrimSpace(rest), "\nOK") {
			t.Fatalf("verify: %q", out)
		}
		return summary
	}
	flow := func(t *testing.T, engine []string, data string) (caseID string) {
		t.Helper()
		run(t, engine, "org", "init", "--org", "Inquiry", "--admin", "amina")
		run(t, engine, "import", "--dataset", "ru", sample)
		runDir := filepath.Join(data, "runs", "ru-coord")
		run(t, engine, "coord", "--dataset", "ru", "--out", runDir)
		var c struct{ ID string }
		if err := json.Unmarshal([]byte(run(t, engine, "case", "new", "--title", "Coordinated posting", "--json")), &c); err != nil || c.ID == "" {
			t.Fatalf("case new --json: %v", err)
		}
		run(t, engine, "case", "attach", c.ID, evidence)
		run(t, engine, "case", "attach-run", c.ID, runDir)
		run(t, engine, "checkpoint")
		return c.ID
	}

	t.Run("migrate", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		embedded := []string{"--data", data}
		id := flow(t, embedded, data)
		before := verified(t, embedded)
		url := srv.NewAppDatabase(t)
		run(t, embedded, "migrate", "--from", data, "--to", url)
		onPG := []string{"--data", data, "--db", url}
		if after := verified(t, onPG); after != before {
			t.Fatalf("verify after migrate:\n embedded   %s\n postgresql %s", before, after)
		}
		if verified(t, embedded) != before {
			t.Fatal("the embedded store changed during migrate")
		}
		t.Logf("both sides: %s", before)
		// the datasets moved too, and work continues on PostgreSQL
		if a, b := run(t, embedded, "datasets", "--json"), run(t, onPG, "datasets", "--json"); a != b {
			t.Errorf("datasets --json differ:\n%s\n%s", a, b)
		}
		run(t, onPG, "case", "attach", id, sample)
		if after := verified(t, onPG); after == before || !strings.Contains(after, "items") {
			t.Errorf("verify after a new attachment on PostgreSQL: %s", after)
		}
	})
	t.Run("db", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		onPG := []string{"--data", data, "--db", srv.NewAppDatabase(t)}
		flow(t, onPG, data)
		got := verified(t, onPG)
		if !strings.Contains(got, ", 2 items,") {
			t.Errorf("verify on PostgreSQL: %s, want 2 items", got)
		}
		if _, err := os.Stat(filepath.Join(data, "tahqiq.db")); err == nil {
			t.Error("--db postgres:// also created an embedded store in --data")
		}
	})
}
