package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes runs a failing command for every row of the exit-code
// table (and a few more of the common ones) and checks its exit code
// against the table, by name.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	events := filepath.Join(dir, "events.csv")
	os.WriteFile(events, []byte("account_id,post_id,timestamp,time_utc,object_type,object_value\n"+
		"a,1,1000,1970-01-01T00:16:40Z,url,https://example.org/x\nb,2,1010,1970-01-01T00:16:50Z,url,https://example.org/x\n"), 0o644)
	broken := filepath.Join(dir, "broken")
	os.MkdirAll(broken, 0o755)
	os.WriteFile(filepath.Join(broken, "tahqiq.db"), []byte("not a database"), 0o644)

	// A store with an organisation, and two checkpoints of its log: a
	// smaller one after the first change, a larger one later.
	mustMain(t, "--data", store, "org", "init", "--org", "Team", "--admin", "amina")
	old := filepath.Join(dir, "old.checkpoint")
	os.WriteFile(old, mustMain(t, "--data", store, "checkpoint"), 0o644)
	mustMain(t, "--data", store, "org", "add-user", "bilal", "--role", "viewer", "--org", "Team")
	newer := filepath.Join(dir, "new.checkpoint")
	os.WriteFile(newer, mustMain(t, "--data", store, "checkpoint"), 0o644)
	pub := filepath.Join(store, "keys", "log.pub")

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		args []string
		want string // the row of exitCodes, by name
		says string // in stderr
	}{
		{"help", nil, []string{"help", "exit-codes"}, "ok", ""},
		{"store failure", nil, []string{"--data", broken, "datasets"}, "failure", "not a database"},
		{"write failure", nil, []string{"synth", "--posts", "10", "--out", "/dev/full"}, "failure", "no space left"},
		{"unknown command", nil, []string{"frobnicate"}, "usage", `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"datasets", "--frobnicate"}, "usage", "tahqiq datasets --help shows its usage"},
		{"missing argument", nil, []string{"import"}, "usage", "requires at least 1 arg"},
		{"extra argument", nil, []string{"checkpoint", "check", "x"}, "usage", `checkpoint check takes no arguments (got "x")`},
		{"bad flag value", nil, []string{"coord", "--input", events, "--out", dir, "--workers", "many"}, "usage", `invalid argument "many"`},
		{"missing flag", nil, []string{"export", "shares"}, "usage", "--dataset is required"},
		{"run parameter said as its flag", nil, []string{"coord", "--input", events, "--out", dir, "--window-kind", "weekly"}, "usage", "--window-kind"},
		{"nothing imported", nil, []string{"--data", filepath.Join(dir, "s2"), "import", filepath.Join(dir, "none.jsonl")}, "usage", "nothing imported"},
		{"no store", nil, []string{"--data", filepath.Join(dir, "none"), "datasets"}, "not found", "no tahqiq store in"},
		{"no such user", nil, []string{"--data", store, "--as", "nobody", "datasets"}, "not found", `no user "nobody"`},
		{"no such case", nil, []string{"--data", store, "--as", "amina", "case", "show", "nope"}, "not found", `no case "nope"`},
		{"no such checkpoint file", nil, []string{"checkpoint", "check", "--old", filepath.Join(dir, "nope"), "--new", newer, "--log-key", pub}, "not found", "no such file"},
		{"store initialised twice", nil, []string{"--data", store, "org", "init", "--org", "Team", "--admin", "amina"}, "conflict", "initialised already"},
		{"no --as on a store with organisations", nil, []string{"--data", store, "datasets"}, "forbidden", "say who acts with --as"},
		{"viewer may not import", nil, []string{"--data", store, "--as", "bilal", "import", events}, "forbidden", ""},
		{"log rolled back", nil, []string{"checkpoint", "check", "--old", newer, "--new", old, "--log-key", pub}, "verification failed", "rolled back"},
		{"signer not established", nil, []string{"--data", store, "verify"}, "signer not established", "signer is not established"},
		{"interrupted", cancelled, []string{"--data", filepath.Join(dir, "s3"), "import", events}, "interrupted", "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			var out, errs bytes.Buffer
			code := Main(ctx, append([]string{"--quiet"}, tc.args...), strings.NewReader(""), &out, &errs)
			want := -1
			for _, r := range exitCodes {
				if r.Name == tc.want {
					want = r.Code
				}
			}
			if want < 0 {
				t.Fatalf("no row %q in the exit-code table", tc.want)
			}
			if code != want || !strings.Contains(errs.String(), tc.says) {
				t.Errorf("tahqiq %s: exit %d, stderr %q; want exit %d (%s), stderr containing %q",
					strings.Join(tc.args, " "), code, errs.String(), want, tc.want, tc.says)
			}
		})
	}
}

// TestExitCodesDocumented: docs/cli.md holds the table the CLI prints.
func TestExitCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := exitCodesMarkdown(); !strings.Contains(string(doc), want) {
		t.Errorf("docs/cli.md does not hold the exit-code table of exitcodes.go; want it to contain:\n%s", want)
	}
	var out bytes.Buffer
	if code := Main(context.Background(), []string{"help", "exit-codes"}, nil, &out, &out); code != 0 || !strings.Contains(out.String(), "130  interrupted") {
		t.Errorf("tahqiq help exit-codes: exit %d:\n%s", code, out.String())
	}
}

func mustMain(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errs bytes.Buffer
	if code := Main(context.Background(), append([]string{"--quiet"}, args...), strings.NewReader(""), &out, &errs); code != 0 {
		t.Fatalf("tahqiq %s: exit %d: %s", strings.Join(args, " "), code, errs.String())
	}
	return out.Bytes()
}
