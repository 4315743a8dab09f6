package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
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
