package cli_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
)

func runCase(t *testing.T, data string, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	if args[0] == "case" || args[0] == "org" {
		args = append([]string{args[0], "--as", "amina"}, args[1:]...)
	}
	code := cli.Main(context.Background(), append([]string{"--data", data}, args...), strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), code
}

func TestCaseCLI(t *testing.T) {
	data := t.TempDir()
	t.Setenv("TAHQIQ_TRUSTED_KEYS", filepath.Join(t.TempDir(), "trusted-keys"))
	if out, code := runCase(t, data, "org", "init", "--org", "Team", "--admin", "amina"); code != 0 {
		t.Fatalf("org init = %d: %s", code, out)
	}
	out, code := runCase(t, data, "case", "new", "--title", "T", "--json")
	var id struct{ ID string }
	if code != 0 || json.Unmarshal([]byte(out), &id) != nil || id.ID == "" {
		t.Fatalf("case new --json = %d %q, want {\"id\": …}", code, out)
	}
	f := filepath.Join(t.TempDir(), "ev.txt")
	os.WriteFile(f, []byte("evidence"), 0o644)
	if out, code := runCase(t, data, "case", "attach", id.ID, f); code != 0 {
		t.Fatalf("attach = %d: %s", code, out)
	}
	bundle := filepath.Join(t.TempDir(), "b")
	if out, code := runCase(t, data, "case", "export", id.ID, "--out", bundle); code != 0 {
		t.Fatalf("export = %d: %s", code, out)
	}
	// Without a key from elsewhere, a bundle is only self-consistent.
	if out, code := runCase(t, data, "verify", bundle); code != 7 || !strings.Contains(out, "NOT ESTABLISHED") {
		t.Fatalf("verify bundle without a key = %d: %s; want 7, the signer not established", code, out)
	}
	pub := filepath.Join(data, "keys", "log.pub")
	if out, code := runCase(t, data, "verify", bundle, "--key", pub); code != 0 || !strings.Contains(out, "OK") || !strings.Contains(out, "given (--key)") {
		t.Fatalf("verify bundle --key = %d: %s", code, out)
	}
	if out, code := runCase(t, data, "trust", "add", pub); code != 0 {
		t.Fatalf("trust add = %d: %s", code, out)
	}
	if out, code := runCase(t, data, "verify", bundle); code != 0 || !strings.Contains(out, ": pinned; pinned in") {
		t.Fatalf("verify bundle with the key pinned = %d: %s", code, out)
	}
	if out, code := runCase(t, data, "verify"); code != 0 {
		t.Fatalf("verify store = %d: %s", code, out)
	}
	ents, _ := os.ReadDir(filepath.Join(bundle, "blobs"))
	os.Remove(filepath.Join(bundle, "blobs", ents[0].Name()))
	if out, code := runCase(t, data, "verify", bundle); code != 6 || !strings.Contains(out, "file removed") {
		t.Fatalf("verify tampered bundle = %d: %s, want exit 6 naming the removed file", code, out)
	}
	out, code = runCase(t, data, "case", "task", id.ID, "call the returning officer", "--json")
	var task struct {
		ID, Status, Assignee string
	}
	if code != 0 || json.Unmarshal([]byte(out), &task) != nil || task.Status != "open" {
		t.Fatalf("case task = %d %q, want an open task", code, out)
	}
	out, code = runCase(t, data, "case", "task", "update", task.ID, "--status", "in progress", "--assignee", "amina", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &task) != nil || task.Status != "in_progress" || task.Assignee == "" {
		t.Fatalf("case task update = %d %q, want in_progress and assigned", code, out)
	}
	if out, code := runCase(t, data, "case", "task", "update", task.ID, "--status", "finished"); code != 2 || !strings.Contains(out, "want open, in_progress or done") {
		t.Fatalf("case task update --status finished = %d %q, want exit 2 naming the statuses", code, out)
	}
	if out, code := runCase(t, data, "case", "show", id.ID, "--json"); code != 0 || !strings.Contains(out, `"status": "in_progress"`) {
		t.Fatalf("case show --json = %d %q, want the task in progress", code, out)
	}
	// Without --json, for people: users by name, no JSON.
	if out, code := runCase(t, data, "case", "show", id.ID); code != 0 || !strings.Contains(out, "[in_progress] call the returning officer") ||
		!strings.Contains(out, "assigned to amina") || strings.Contains(out, `"findings"`) || strings.Contains(out, task.Assignee) {
		t.Fatalf("case show = %d %q, want the case laid out for people, users by name", code, out)
	}
	zipped := filepath.Join(t.TempDir(), "case.zip")
	if out, code := runCase(t, data, "case", "export", id.ID, "--out", zipped); code != 0 || !strings.Contains(out, zipped) {
		t.Fatalf("export zip = %d: %s", code, out)
	}
	if out, code := runCase(t, data, "verify", zipped, "--key", filepath.Join(data, "keys", "log.pub")); code != 0 || !strings.Contains(out, "zip bundle") || !strings.Contains(out, "OK") {
		t.Fatalf("verify zip = %d: %s", code, out)
	}
	zr, err := zip.OpenReader(zipped)
	if err != nil {
		t.Fatal(err)
	}
	off, _ := zr.File[0].DataOffset() // the first member: the blob
	name := zr.File[0].Name
	zr.Close()
	b, _ := os.ReadFile(zipped)
	b[off] ^= 0xff
	os.WriteFile(zipped, b, 0o644)
	if out, code := runCase(t, data, "verify", zipped); code != 6 || !strings.Contains(out, "FAIL file 0: "+name) {
		t.Fatalf("verify tampered zip = %d: %s, want exit 6 naming the problem", code, out)
	}
	missing := filepath.Join(t.TempDir(), "missing.zip")
	if out, code := runCase(t, data, "verify", missing); code != 3 || !strings.Contains(out, "no such bundle") {
		t.Fatalf("verify of a missing path = %d: %s, want exit 3 saying so", code, out)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatalf("verify of a missing path created %s", missing)
	}
	if out, code := runCase(t, data, "case", "list", "--as", "nobody"); code == 0 {
		t.Fatalf("unknown user = 0: %s", out)
	}
}

// TestVerifyZipBomb: tahqiq verify on a zip bomb exits 6 ("problems
// found") naming the member and the flag that raises the limit, having
// read nothing of the member; --max-ratio lets it be read (and fail as
// the bundle it is not).
func TestVerifyZipBomb(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "manifest.json", Method: zip.Deflate})
	w.Write(make([]byte, 64<<20))
	zw.Close()
	bomb := filepath.Join(t.TempDir(), "bomb.zip")
	os.WriteFile(bomb, b.Bytes(), 0o644)
	out, code := runCase(t, t.TempDir(), "verify", bomb)
	for _, s := range []string{`FAIL file 0: ` + bomb + `: member "manifest.json": declares 64 MiB, more than 100 times its compressed size`, "decompression bomb", "raise --max-ratio", "nothing read"} {
		if code != 6 || !strings.Contains(out, s) {
			t.Errorf("verify of a zip bomb: exit %d, %q; want 6 and %q", code, out, s)
		}
	}
	out, code = runCase(t, t.TempDir(), "verify", "--max-ratio", "2000", bomb)
	if code != 6 || strings.Contains(out, "decompression bomb") || !strings.Contains(out, "SHA256SUMS: missing") {
		t.Errorf("verify --max-ratio 2000: exit %d, %q; want the member read and the bundle found wanting", code, out)
	}
}

// TestCaseUserNamesCLI: the case commands name users as the reader may
// see them (casework.People), on the embedded store and on PostgreSQL: the
// case's own organisation by name, a partner shared the case as "a user of
// Team" (never the name); the HTML report the same way.
func TestCaseUserNamesCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("users named across organisations: not in -short (go test ./..., as CI runs it, does)")
	}
	srv := pgtest.Start(t)
	for _, engine := range []struct {
		name string
		args []string
	}{
		{"sqlite", nil},
		{"postgres", []string{"--db", srv.NewDatabase(t)}},
	} {
		t.Run(engine.name, func(t *testing.T) {
			data := t.TempDir()
			tq := func(as string, args ...string) string {
				t.Helper()
				var out, errb bytes.Buffer
				pre := append([]string{"--data", data, "--quiet"}, engine.args...)
				if as != "" {
					pre = append(pre, "--as", as)
				}
				if code := cli.Main(context.Background(), append(pre, args...), strings.NewReader(""), &out, &errb); code != 0 {
					t.Fatalf("tahqiq %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
				}
				return out.String()
			}
			tq("", "org", "init", "--org", "Team", "--admin", "amina")
			tq("", "org", "add", "Partner")
			tq("", "org", "add-user", "chen", "--org", "Partner", "--role", "admin")
			var c struct{ ID string }
			if err := json.Unmarshal([]byte(tq("amina", "case", "new", "--title", "NA-56", "--json")), &c); err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "form45.txt")
			os.WriteFile(f, []byte("Form 45, station 17: 412 votes"), 0o644)
			tq("amina", "case", "attach", c.ID, f)
			tq("amina", "case", "note", c.ID, "checked against the RO's copy")
			tq("amina", "case", "share", c.ID, "--org", "Partner")

			own := tq("amina", "case", "show", c.ID)
			theirs := tq("chen", "case", "show", c.ID)
			for _, tc := range []struct {
				who, out, has, not string
			}{
				{"amina", own, "opened", "a user of"},
				{"chen", theirs, "by a user of Team of Team", "amina"},
			} {
				if !strings.Contains(tc.out, tc.has) || strings.Contains(tc.out, tc.not) {
					t.Errorf("case show as %s: want %q, not %q:\n%s", tc.who, tc.has, tc.not, tc.out)
				}
			}
			if !strings.Contains(own, "by amina of Team") || !strings.Contains(own, "amina, 20") {
				t.Errorf("case show as amina: want her name on the case, the item and the note:\n%s", own)
			}
			if !strings.Contains(theirs, "a user of Team, 20") {
				t.Errorf("case show as chen: want the note by a user of Team:\n%s", theirs)
			}
			for as, want := range map[string]string{"amina": "by amina", "chen": "by a user of Team"} {
				out := filepath.Join(t.TempDir(), as+".html")
				tq(as, "case", "report", c.ID, "--out", out)
				b, _ := os.ReadFile(out)
				if !strings.Contains(string(b), want) || (as == "chen" && strings.Contains(string(b), "amina")) {
					t.Errorf("report as %s: want %q (and no amina for chen)", as, want)
				}
			}
		})
	}
}
