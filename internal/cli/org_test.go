package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/auth"
	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// tq runs the CLI with stdin and returns the exit code and both outputs.
func tq(t *testing.T, data, stdin string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--data", data, "--quiet"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String() + errb.String()
}

// must runs the CLI and fails the test unless it exits with want.
func must(t *testing.T, want int, data, stdin string, args ...string) string {
	t.Helper()
	code, out := tq(t, data, stdin, args...)
	if code != want {
		t.Fatalf("tahqiq %s: exit %d, want %d: %s", strings.Join(args, " "), code, want, out)
	}
	return out
}

// loginWorks reports whether name's stored password is password.
func loginWorks(t *testing.T, data, name, password string) bool {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.FindUserByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	h, err := db.PasswordHash(ctx, u.ID)
	if err != nil {
		return false
	}
	ok, _ := auth.CheckPassword(h, password)
	return ok
}

func owners(t *testing.T, data string) (map[string]string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err := db.FindDatasetOrgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orgs, _ := db.FindOrganisations(ctx)
	byName := map[string]string{}
	for _, o := range orgs {
		byName[o.Name] = o.ID
	}
	return m, byName
}

// TestSystemAdministrator: whoever runs the CLI on the store without --as
// creates organisations, their users and passwords (one line on standard
// input); an organisation's admin (--as) manages its own users only and
// creates no organisation; CLI users get a password to log in with.
func TestSystemAdministrator(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	must(t, 0, data, "", "org", "init", "--org", "Inquiry", "--admin", "amina")
	must(t, 0, data, "amina's long password\n", "org", "passwd", "amina", "--password-stdin")
	if !loginWorks(t, data, "amina", "amina's long password") {
		t.Fatal("org passwd did not set amina's password")
	}
	must(t, 0, data, "", "org", "add", "Partner")
	must(t, 0, data, "the partner's password\n", "org", "add-user", "padmin", "--org", "Partner", "--role", "admin", "--password-stdin")
	if !loginWorks(t, data, "padmin", "the partner's password") {
		t.Fatal("org add-user --password-stdin did not set the password")
	}
	if out := must(t, 5, data, "", "--as", "amina", "org", "add", "Rogue"); !strings.Contains(out, "system administrator") {
		t.Errorf("an admin adds an organisation: %s", out)
	}
	must(t, 5, data, "a mole's password\n", "--as", "padmin", "org", "add-user", "mole", "--org", "Inquiry", "--role", "admin", "--password-stdin")
	must(t, 0, data, "", "--as", "amina", "org", "add-user", "bilal", "--role", "viewer")
	// another organisation's user does not exist for an admin
	if out := must(t, 3, data, "bilal's new password\n", "--as", "padmin", "org", "passwd", "bilal", "--password-stdin"); !strings.Contains(out, `no user "bilal"`) {
		t.Errorf("the partner admin sets a password in the inquiry: %s", out)
	}
	must(t, 3, data, "", "--as", "padmin", "org", "disable-user", "bilal")
	must(t, 0, data, "bilal's own password\n", "--as", "bilal", "org", "passwd", "bilal", "--password-stdin")
	if !loginWorks(t, data, "bilal", "bilal's own password") {
		t.Error("a user did not set its own password")
	}
	if out := must(t, 2, data, "short\n", "org", "passwd", "amina", "--password-stdin"); !strings.Contains(out, "at least") {
		t.Errorf("a short password: %s", out)
	}
	must(t, 2, data, "", "org", "passwd", "amina")
	// disabled users do not act
	must(t, 0, data, "", "org", "disable-user", "bilal")
	if out := must(t, 5, data, "", "--as", "bilal", "case", "list"); !strings.Contains(out, "disabled") {
		t.Errorf("a disabled user acts: %s", out)
	}
	must(t, 0, data, "", "org", "enable-user", "bilal")
	must(t, 0, data, "", "--as", "bilal", "case", "list")
}

// TestCLIDatasetOwnership: once an organisation exists, commands that read
// or change evidence need --as; an import belongs to the importer's
// organisation, which alone imports into it, reads it and deletes it.
func TestCLIDatasetOwnership(t *testing.T) {
	if testing.Short() {
		t.Skip("dataset ownership across organisations: not in -short (go test ./..., as CI runs it, does)")
	}
	sample := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	data := filepath.Join(t.TempDir(), "data")
	// a single-user store: no --as needed, and the first organisation gets its datasets
	must(t, 0, data, "", "import", "--dataset", "early", sample)
	must(t, 0, data, "", "org", "init", "--org", "Inquiry", "--admin", "amina")
	must(t, 0, data, "", "org", "add", "Partner")
	must(t, 0, data, "", "org", "add-user", "pat", "--org", "Partner", "--role", "investigator")
	must(t, 0, data, "", "org", "add-user", "vera", "--org", "Inquiry", "--role", "viewer")
	m, orgs := owners(t, data)
	if m["early"] != orgs["Inquiry"] {
		t.Fatalf("the dataset imported before the first organisation belongs to %q, want Inquiry's %q", m["early"], orgs["Inquiry"])
	}

	if out := must(t, 5, data, "", "import", "--dataset", "ru", sample); !strings.Contains(out, "--as") {
		t.Errorf("import without --as on a store with organisations: %s", out)
	}
	must(t, 0, data, "", "--as", "amina", "import", "--dataset", "ru", sample)
	if m, orgs := owners(t, data); m["ru"] != orgs["Inquiry"] {
		t.Fatalf("the CLI import belongs to %q, want the importer's organisation %q", m["ru"], orgs["Inquiry"])
	}
	must(t, 4, data, "", "--as", "pat", "import", "--dataset", "ru", sample)
	for _, args := range [][]string{
		{"export", "shares", "--dataset", "ru"},
		{"coord", "--dataset", "ru", "--out", filepath.Join(t.TempDir(), "run")},
		{"datasets", "rm", "ru"},
	} {
		must(t, 3, data, "", append([]string{"--as", "pat"}, args...)...)
	}
	if out := must(t, 0, data, "", "--as", "pat", "datasets"); strings.Contains(out, "ru") || strings.Contains(out, "early") {
		t.Errorf("the partner lists the inquiry's datasets: %s", out)
	}
	if out := must(t, 0, data, "", "--as", "vera", "datasets"); !strings.Contains(out, "ru") {
		t.Errorf("a viewer of the inquiry does not list its dataset: %s", out)
	}
	must(t, 5, data, "", "--as", "vera", "datasets", "rm", "ru")
	must(t, 0, data, "", "--as", "amina", "datasets", "rm", "ru")
	if code, out := tq(t, data, "", "--as", "amina", "export", "shares", "--dataset", "early"); code != 0 {
		t.Errorf("the owner exports its dataset: exit %d: %.200s", code, out)
	}
}
