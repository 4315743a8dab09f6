package httpapi_test

import (
	"bytes"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
)

func TestCaseUserNames(t *testing.T) { caseUserNames(t, newEnv(t)) }

// TestCaseUserNamesPostgres: the same on PostgreSQL.
func TestCaseUserNamesPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL: not in -short mode")
	}
	caseUserNames(t, newEnvPostgres(t))
}

// caseUserNames: the users a case, an item's custody history and the log
// page name come with "users" saying who they are as the caller may see
// them (casework.People): a user of the caller's organisation by name,
// another organisation's user as withheld with its organisation's name,
// never its own, whether the case was shared whole or an item of it. The
// item's history shows what the log page shows the caller: not the share
// of the item with a third organisation. The case report names users the
// same way. (An uploaded file's source says how it came, not who: the
// item record is disclosed to whoever it is shared with.)
func caseUserNames(t *testing.T, e *env) {
	a := e.setup() // "admin" of "Inquiry"
	ayesha := e.user(a, "ayesha", tahqiq.RoleInvestigator)
	var cs tahqiq.Case
	ayesha.want(201, "POST", "/api/v1/cases", map[string]string{"title": "NA-56 فارم 45", "tlp": "amber"}, &cs)
	var mb bytes.Buffer
	mw := multipart.NewWriter(&mb)
	fw, _ := mw.CreateFormFile("file", "form45.txt")
	fw.Write([]byte("Form 45, station 17: 412 votes"))
	mw.Close()
	r := ayesha.do("POST", "/api/v1/cases/"+cs.ID+"/items", &mb, map[string]string{"Content-Type": mw.FormDataContentType()})
	var items []tahqiq.Item
	r.json(t, &items)
	if r.status != 201 || len(items) != 1 {
		t.Fatalf("attach: %d %s", r.status, r.body)
	}
	ayesha.want(201, "POST", "/api/v1/cases/"+cs.ID+"/notes", map[string]string{"text": "checked against the RO's copy"}, nil)
	ayesha.want(201, "POST", "/api/v1/cases/"+cs.ID+"/tasks", map[string]string{"title": "call the RO", "assignee": "admin"}, nil)

	pid, padmin := e.partner("Observers", "chen")
	tid, _ := e.partner("Third", "tariq")
	fid, fadmin := e.partner("Fourth", "farah")
	ayesha.want(204, "POST", "/api/v1/cases/"+cs.ID+"/shares", map[string]string{"org": fid}, nil)
	ayesha.want(204, "POST", "/api/v1/cases/"+cs.ID+"/shares", map[string]string{"org": pid, "item": items[0].ID}, nil)
	ayesha.want(204, "POST", "/api/v1/cases/"+cs.ID+"/shares", map[string]string{"org": tid, "item": items[0].ID}, nil)

	type view struct {
		Case  tahqiq.Case
		Users map[string]casework.Person
	}
	var own, theirs, whole view
	a.want(200, "GET", "/api/v1/cases/"+cs.ID, nil, &own)
	padmin.want(200, "GET", "/api/v1/cases/"+cs.ID, nil, &theirs)
	fadmin.want(200, "GET", "/api/v1/cases/"+cs.ID, nil, &whole)
	for id, p := range whole.Users {
		if !p.Withheld || p.Name != "" || p.Org != "Inquiry" {
			t.Errorf("the organisation shared the whole case sees %s as %+v", id, p)
		}
	}
	if len(whole.Users) != 2 {
		t.Errorf("the organisation shared the whole case sees %d users, want 2", len(whole.Users))
	}
	who := own.Case.CreatedBy
	if p := own.Users[who]; p.Name != "ayesha" || p.Withheld || p.Org != "Inquiry" {
		t.Errorf("the owner's admin sees the case's creator as %+v", p)
	}
	if p := theirs.Users[who]; p.Name != "" || !p.Withheld || p.Org != "Inquiry" || p.Label() != "a user of Inquiry" {
		t.Errorf("the partner sees the case's creator as %+v", p)
	}
	if len(own.Users) != 2 || len(theirs.Users) != 1 { // ayesha and the task's assignee; the partner sees the item only
		t.Errorf("users: %d for the owner, %d for the partner; want ayesha and admin, ayesha", len(own.Users), len(theirs.Users))
	}

	var cu struct {
		History []tahqiq.LogEntry
		Users   map[string]casework.Person
	}
	padmin.want(200, "GET", "/api/v1/items/"+items[0].ID, nil, &cu)
	for _, h := range cu.History {
		if h.Action == "case.share" && strings.Contains(h.Details, tid) {
			t.Errorf("the partner sees the item's share with the third organisation: %+v", h)
		}
		if p := cu.Users[h.Actor]; p.Name != "" && h.Actor != padmin.me().User.ID {
			t.Errorf("the partner sees the name of %s: %+v", h.Actor, p)
		}
	}
	var ownCu struct {
		History []tahqiq.LogEntry
		Users   map[string]casework.Person
	}
	a.want(200, "GET", "/api/v1/items/"+items[0].ID, nil, &ownCu)
	if len(ownCu.History) <= len(cu.History) || ownCu.Users[who].Name != "ayesha" {
		t.Errorf("the owner's history: %d entries (the partner's %d), ayesha as %+v", len(ownCu.History), len(cu.History), ownCu.Users[who])
	}

	var lp struct {
		Entries []struct {
			Actor    string
			Redacted bool
		}
		Users map[string]casework.Person
	}
	padmin.want(200, "GET", "/api/v1/log?limit=1000", nil, &lp)
	for id, p := range lp.Users {
		if p.Name != "" && p.Org != "Observers" {
			t.Errorf("the partner's log page names %s: %+v", id, p)
		}
	}
	if lp.Users[who].Label() != "a user of Inquiry" {
		t.Errorf("the partner's log page: the case's creator as %+v", lp.Users[who])
	}

	for _, c := range []struct {
		cl       *client
		has, not string
	}{{a, "by ayesha", "a user of Inquiry"}, {padmin, "by a user of Inquiry", "ayesha"}} {
		r := c.cl.do("GET", "/api/v1/cases/"+cs.ID+"/report", nil, nil)
		if r.status != 200 || !strings.Contains(string(r.body), c.has) || strings.Contains(string(r.body), c.not) || strings.Contains(string(r.body), who) {
			t.Errorf("report: %d; want %q, not %q nor the user ID %s:\n%s", r.status, c.has, c.not, who, r.body)
		}
	}
}
