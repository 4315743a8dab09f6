package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCLINamesNotIDs: the rough edges of issue 16 on the command line. A
// failed import says why on its "nothing committed" line (it was empty
// when --as was missing); claims sets and org list name organisations,
// not only their IDs; case share says what was shared with whom (it
// printed nothing).
func TestCLINamesNotIDs(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	// org init, add and add-user say who they made by name, the ID beside
	// (org init printed the organisation's ID where its name belongs, add
	// and add-user their ID alone)
	if out := must(t, 0, data, "", "org", "init", "--org", "ECP inquiry", "--admin", "ayesha"); !regexp.MustCompile(`(?m)^organisation ECP inquiry \[o[0-9a-f]+\], admin ayesha \[u[0-9a-f]+\]$`).MatchString(out) {
		t.Errorf("org init: %q", out)
	}
	if out := must(t, 0, data, "", "org", "add", "FIA cyber wing"); !regexp.MustCompile(`^organisation FIA cyber wing added \[o[0-9a-f]+\]\n$`).MatchString(out) {
		t.Errorf("org add: %q", out)
	}
	if out := must(t, 0, data, "a long password for farah\n", "org", "add-user", "farah", "--org", "FIA cyber wing", "--role", "admin", "--password-stdin"); !regexp.MustCompile(`^user farah added to FIA cyber wing as admin \[u[0-9a-f]+\]\n$`).MatchString(out) {
		t.Errorf("org add-user: %q", out)
	}
	var added struct{ ID, Name string }
	if err := json.Unmarshal([]byte(must(t, 0, data, "", "org", "add", "Observers", "--json")), &added); err != nil || added.Name != "Observers" || !strings.HasPrefix(added.ID, "o") {
		t.Errorf("org add --json: %+v %v", added, err)
	}
	events := filepath.Join("..", "claims", "testdata", "simple.csv")

	// import without --as on a store with organisations
	code, out, errs := run(t, data, "", "import", "--dataset", "d", events)
	want := "this store has organisations: say who acts with --as USER (or TAHQIQ_USER)"
	if code == 0 || out != "dataset d: nothing committed: "+want+"\n" || !strings.Contains(errs, want) {
		t.Errorf("import without --as: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, _ = run(t, data, "", "import", "--json", "--dataset", "d", events)
	var sum struct {
		Committed bool   `json:"committed"`
		Failure   string `json:"failure"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code == 0 || sum.Committed || sum.Failure != want {
		t.Errorf("import --json without --as: exit %d, %q (%v)", code, out, err)
	}
	// an unknown user: the same line says so
	code, out, _ = run(t, data, "", "--as", "nobody", "import", "--dataset", "d", events)
	if code == 0 || !strings.HasPrefix(out, "dataset d: nothing committed: ") || strings.TrimSpace(strings.TrimPrefix(out, "dataset d: nothing committed: ")) == "" {
		t.Errorf("import --as nobody: exit %d, %q", code, out)
	}

	// claims sets: the organisation by name
	must(t, 0, data, "", "--as", "ayesha", "claims", "import", "--set", "checks", events)
	out = must(t, 0, data, "", "--as", "ayesha", "claims", "sets")
	if !regexp.MustCompile(`(?m)^SET +CLAIMS +IMPORTS +ORGANISATION +SHA256\nchecks +1 +1 +ECP inquiry +[0-9a-f]{12}$`).MatchString(out) {
		t.Errorf("claims sets:\n%s", out)
	}
	var sets []struct {
		OrgID   string `json:"org_id"`
		OrgName string `json:"org_name"`
	}
	if err := json.Unmarshal([]byte(must(t, 0, data, "", "--as", "ayesha", "claims", "sets", "--json")), &sets); err != nil ||
		len(sets) != 1 || sets[0].OrgName != "ECP inquiry" || !strings.HasPrefix(sets[0].OrgID, "o") {
		t.Errorf("claims sets --json: %+v %v", sets, err)
	}

	// org list: users' organisations by name
	out = must(t, 0, data, "", "org", "list")
	if !regexp.MustCompile(`(?m)^ayesha +u[0-9a-f]+ +ECP inquiry +admin +active$`).MatchString(out) {
		t.Errorf("org list:\n%s", out)
	}
	var list struct {
		Users []struct {
			Name    string `json:"name"`
			OrgName string `json:"org_name"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(must(t, 0, data, "", "org", "list", "--json")), &list); err != nil || len(list.Users) != 2 || list.Users[0].OrgName != "ECP inquiry" || list.Users[1].OrgName != "FIA cyber wing" {
		t.Errorf("org list --json: %+v %v", list, err)
	}

	// case share: what, with whom, at which TLP
	id := strings.TrimSpace(must(t, 0, data, "", "--as", "ayesha", "case", "new", "--title", "NA-56 forms"))
	out = must(t, 0, data, "", "--as", "ayesha", "case", "share", id, "--org", "FIA cyber wing")
	if !regexp.MustCompile(`^shared case "NA-56 forms" \[` + id + `\], every item, with FIA cyber wing \[o[0-9a-f]+\] at TLP:AMBER: .*\n$`).MatchString(out) {
		t.Errorf("case share: %q", out)
	}
	// case similar without a match says so (it printed "no items"), --json []
	note := filepath.Join(t.TempDir(), "note.txt")
	os.WriteFile(note, []byte("not a picture"), 0o644)
	must(t, 0, data, "", "--as", "ayesha", "case", "attach", id, note)
	item := regexp.MustCompile(`\[(i[0-9a-f]+)\]`).FindStringSubmatch(must(t, 0, data, "", "--as", "ayesha", "case", "show", id))
	if item == nil {
		t.Fatal("no item in case show")
	}
	if out := must(t, 0, data, "", "--as", "ayesha", "case", "similar", item[1]); out != "no item of the cases you may read has a picture within 10 bits of "+item[1]+"'s\n" {
		t.Errorf("case similar: %q", out)
	}
	if out := must(t, 0, data, "", "--as", "ayesha", "case", "similar", item[1], "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("case similar --json: %q", out)
	}
	var sh struct {
		CaseID  string `json:"case_id"`
		OrgID   string `json:"org_id"`
		OrgName string `json:"org_name"`
		TLP     string `json:"tlp"`
	}
	if err := json.Unmarshal([]byte(must(t, 0, data, "", "--as", "ayesha", "case", "share", id, "--org", "FIA cyber wing", "--json")), &sh); err != nil ||
		sh.CaseID != id || sh.OrgName != "FIA cyber wing" || !strings.HasPrefix(sh.OrgID, "o") || sh.TLP != "amber" {
		t.Errorf("case share --json: %+v %v", sh, err)
	}
}

// TestRejectPlace: tahqiq datasets rejects says where a rejected record
// of a JSON document is by its JSON pointer (#/messages/1), not "line 0";
// a CSV's by its line.
func TestRejectPlace(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "na56_chat.json"))
	if err != nil {
		t.Fatal(err)
	}
	var chat map[string]any
	if err := json.Unmarshal(b, &chat); err != nil {
		t.Fatal(err)
	}
	msg := chat["messages"].([]any)[1].(map[string]any)
	msg["date"], msg["date_unixtime"] = "not a date", "x"
	b, _ = json.Marshal(chat)
	dir := t.TempDir()
	path := filepath.Join(dir, "chat.json")
	os.WriteFile(path, b, 0o644)
	data := filepath.Join(dir, "data")
	if code, _, errs := run(t, data, "", "import", "--dataset", "tg", path); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	out := must(t, 0, data, "", "datasets", "rejects", "tg")
	if !regexp.MustCompile(`(?m)^FILE +PLACE +REASON\n` + regexp.QuoteMeta(path) + ` +#/messages/1 +date_unixtime "x" is not unix seconds$`).MatchString(out) {
		t.Errorf("datasets rejects:\n%s", out)
	}
}
