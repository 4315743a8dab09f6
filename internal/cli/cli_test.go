package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cli"
)

// run runs the CLI in-process with a data directory of the test's own.
func run(t *testing.T, data string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Main(context.Background(), append([]string{"--data", data, "--quiet"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLIErrors(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"no store", []string{"datasets"}, 3, "", "no tahqiq store in"},
		{"remove from no store", []string{"datasets", "rm", "nope"}, 3, "", "no tahqiq store in"},
		// read-only and user commands of org make no store either (org list made an empty one and asked for org init)
		{"org list on no store", []string{"org", "list"}, 3, "", "no tahqiq store in"},
		{"org disable-user on no store", []string{"org", "disable-user", "ali"}, 3, "", "no tahqiq store in"},
		{"case list on no store", []string{"case", "list"}, 3, "", "no tahqiq store in"},
		{"claims sets on no store", []string{"claims", "sets"}, 3, "", "no tahqiq store in"},
		{"import missing file", []string{"import", "/nonexistent/x.jsonl"}, 2, "", "nothing imported: /nonexistent/x.jsonl: no such file"},
		{"import unknown format", []string{"import", "--format", "nope", "-"}, 2, "", `unknown format "nope"`},
		{"export without dataset", []string{"export", "shares"}, 2, "", "--dataset is required"},
		{"bad option", []string{"import", "--option", "novalue", "x"}, 2, "", `--option "novalue": want KEY=VALUE`},
		{"unknown command", []string{"frobnicate"}, 2, "", "unknown command"},
		{"nats-listen without the embedded server", []string{"serve", "--nats", "off", "--nats-listen", "127.0.0.1:4222"}, 2, "", "--nats-listen sets the embedded NATS server's address; with --nats off there is none"},
		{"coord parameter said as its flag", []string{"coord", "--input", "x.csv", "--out", "o", "--window-kind", "weekly"}, 2, "", `--window-kind "weekly": want sliding, tumbling`},
		{"coord window said as its flag", []string{"coord", "--input", "x.csv", "--out", "o", "--fast-window", "10"}, 2, "", `--fast-window "10": give a unit, e.g. 10s`},
		{"serve watch window said as its flag", []string{"serve", "--watch", "--watch-by", "likes"}, 2, "", `--watch-by "likes": want retweet`},
		{"nats-listen without --watch", []string{"serve", "--nats-listen", "127.0.0.1:4222"}, 2, "", "serve starts one only with --watch (or --nats embedded)"},
		{"watch horizon not above the window", []string{"watch", "--nats", "nats://127.0.0.1:1", "--window", "60s", "--horizon", "30s"}, 2, "", "want a horizon longer than the window"},
		{"import publish to no URL", []string{"import", "--publish", "embedded", "x"}, 2, "", `--publish "embedded": want the nats:// URL`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, data, "x", tc.args...)
			if _, err := os.Stat(filepath.Join(data, "tahqiq.db")); err == nil && strings.Contains(tc.name, "no store") {
				t.Errorf("tahqiq %s made a store in %s", strings.Join(tc.args, " "), data)
			}
			if code != tc.code || !strings.Contains(out, tc.inStdout) || !strings.Contains(errs, tc.inStderr) {
				t.Errorf("tahqiq %s: exit %d, stdout %q, stderr %q; want exit %d, stdout containing %q, stderr containing %q",
					strings.Join(tc.args, " "), code, out, errs, tc.code, tc.inStdout, tc.inStderr)
			}
		})
	}
}

// TestCLIErrorsOnAStore: the same refusals once a store exists.
func TestCLIErrorsOnAStore(t *testing.T) {
	data := t.TempDir()
	if code, _, errs := run(t, data, "", "org", "init", "--org", "Team", "--admin", "amina"); code != 0 {
		t.Fatalf("org init: %s", errs)
	}
	for _, tc := range []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{[]string{"--as", "amina", "datasets"}, 0, "no datasets in", ""},
		{[]string{"--as", "amina", "datasets", "rm", "nope"}, 3, "", `no dataset named "nope"`},
	} {
		code, out, errs := run(t, data, "", tc.args...)
		if code != tc.code || !strings.Contains(out, tc.inStdout) || !strings.Contains(errs, tc.inStderr) {
			t.Errorf("tahqiq %s: exit %d, stdout %q, stderr %q", strings.Join(tc.args, " "), code, out, errs)
		}
	}
}
