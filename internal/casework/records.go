package casework

import (
	"context"
	"fmt"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/taxonomy"
)

// AddFinding records a finding citing items of the case.
func (s *Service) AddFinding(ctx context.Context, actor tahqiq.User, f tahqiq.Finding) (tahqiq.Finding, error) {
	c, err := s.openCase(ctx, actor, f.CaseID, true)
	if err != nil {
		return f, err
	}
	f.ID, f.CreatedBy, f.CreatedAt = s.newID("f"), actor.ID, s.now()
	if err := f.Validate(); err != nil {
		return f, err
	}
	for _, id := range f.ItemIDs {
		it, err := s.Store.FindItemByID(ctx, id)
		if err != nil {
			return f, err
		}
		if it.CaseID != c.ID {
			return f, tahqiq.Errorf(tahqiq.EINVALID, "finding cites item %s of another case", id)
		}
	}
	if err := checkTags(f.Tags); err != nil {
		return f, err
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "finding.create", CaseID: c.ID, Details: f.ID + " " + f.Title,
		Records: []tahqiq.RecordRef{ref(tahqiq.RecFinding, f.ID, f)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateFinding(ctx, f) })
	return f, err
}

// checkTags accepts DISARM red framework IDs (T0049, T0049.003,
// DISARM:TA06) and MISP machine tags (tlp:amber).
func checkTags(tags []string) error {
	for _, t := range tags {
		if !taxonomy.Known(t) {
			return tahqiq.Errorf(tahqiq.EINVALID, "tag %q is neither a DISARM red framework ID (T0049.003) nor a known MISP machine tag (tlp:amber)", t)
		}
	}
	return nil
}

// Recommend proposes an action resting on findings.
func (s *Service) Recommend(ctx context.Context, actor tahqiq.User, r tahqiq.Recommendation) (tahqiq.Recommendation, error) {
	c, err := s.openCase(ctx, actor, r.CaseID, true)
	if err != nil {
		return r, err
	}
	r.ID, r.CreatedBy, r.CreatedAt, r.State = s.newID("r"), actor.ID, s.now(), tahqiq.RecProposed
	if err := r.Validate(); err != nil {
		return r, err
	}
	fs, err := s.Store.FindFindings(ctx, c.ID)
	if err != nil {
		return r, err
	}
	known := map[string]bool{}
	for _, f := range fs {
		known[f.ID] = true
	}
	for _, id := range r.FindingIDs {
		if !known[id] {
			return r, tahqiq.Errorf(tahqiq.EINVALID, "recommendation rests on %s, which is not a finding of case %s", id, c.ID)
		}
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "recommendation.propose", CaseID: c.ID, Details: r.ID + " " + r.Action,
		Records: []tahqiq.RecordRef{ref(tahqiq.RecRecommendation, r.ID, r)}},
		func(tx tahqiq.CaseTx) error { return tx.PutRecommendation(ctx, r) })
	return r, err
}

// Decide approves or rejects a recommendation; the reviewer must differ
// from the author (tahqiq.Recommendation.Decide).
func (s *Service) Decide(ctx context.Context, actor tahqiq.User, id string, approve bool) (tahqiq.Recommendation, error) {
	r, err := s.Store.FindRecommendation(ctx, id)
	if err != nil {
		return r, err
	}
	c, err := s.Store.FindCaseByID(ctx, r.CaseID)
	if err != nil {
		return r, err
	}
	if err := s.access(ctx, actor, c, caseRecords, false); err != nil {
		if tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND {
			return tahqiq.Recommendation{}, notFound("recommendation", id)
		}
		return tahqiq.Recommendation{}, err
	}
	if actor.OrgID != c.OrgID {
		return r, tahqiq.Errorf(tahqiq.EFORBIDDEN, "only case %s's own organisation decides its recommendations", c.ID)
	}
	if err := notClosed(c); err != nil {
		return r, err
	}
	r, err = r.Decide(actor, approve, s.now())
	if err != nil {
		return r, err
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "recommendation." + string(r.State), CaseID: c.ID, Details: r.ID,
		Records: []tahqiq.RecordRef{ref(tahqiq.RecRecommendation, r.ID, r)}},
		func(tx tahqiq.CaseTx) error { return tx.PutRecommendation(ctx, r) })
	return r, err
}

// assignee resolves who a task of case c is assigned to (a user ID or
// name; "" is nobody): an active user of the case's organisation. Any
// other name, another organisation's users included, is unknown here.
func (s *Service) assignee(ctx context.Context, c tahqiq.Case, who string) (string, error) {
	if who == "" {
		return "", nil
	}
	u, err := s.Store.FindUserByID(ctx, who)
	if err != nil {
		u, err = s.Store.FindUserByName(ctx, who)
	}
	if err != nil || u.OrgID != c.OrgID || u.Disabled {
		return "", tahqiq.Errorf(tahqiq.EINVALID, "no user %q in the case's organisation to assign the task to", who)
	}
	return u.ID, nil
}

// AddTask adds a task, assigned to a user of the case's organisation
// (assignee: an ID or a name; "" for nobody).
func (s *Service) AddTask(ctx context.Context, actor tahqiq.User, caseID, title, assignee string) (tahqiq.Task, error) {
	t := tahqiq.Task{ID: s.newID("t"), CaseID: caseID, Title: title, Status: tahqiq.TaskOpen, CreatedBy: actor.ID, CreatedAt: s.now()}
	c, err := s.openCase(ctx, actor, caseID, true)
	if err != nil {
		return t, err
	}
	if strings.TrimSpace(title) == "" {
		return t, tahqiq.Errorf(tahqiq.EINVALID, "task: title is empty")
	}
	if t.Assignee, err = s.assignee(ctx, c, assignee); err != nil {
		return t, err
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "task.create", CaseID: caseID, Details: t.ID,
		Records: []tahqiq.RecordRef{ref(tahqiq.RecTask, t.ID, t)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateTask(ctx, t) })
	return t, err
}

// UpdateTask changes a task's status and/or assignee (a user ID or name
// of the case's organisation; "" unassigns) and logs the change with the
// task's new digest. Anyone who may change the case may update its tasks.
func (s *Service) UpdateTask(ctx context.Context, actor tahqiq.User, taskID string, u tahqiq.TaskUpdate) (tahqiq.Task, error) {
	t, err := s.Store.FindTask(ctx, taskID)
	if err != nil {
		return t, err
	}
	c, err := s.Store.FindCaseByID(ctx, t.CaseID)
	if err != nil {
		return t, err
	}
	if err := s.access(ctx, actor, c, caseRecords, true); err != nil {
		if tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND {
			return tahqiq.Task{}, notFound("task", taskID)
		}
		return tahqiq.Task{}, err
	}
	if err := notClosed(c); err != nil {
		return t, err
	}
	if u.Status == nil && u.Assignee == nil {
		return t, tahqiq.Errorf(tahqiq.EINVALID, "task %s: nothing to change: give a status or an assignee", taskID)
	}
	var what []string
	if u.Status != nil {
		st, err := tahqiq.ParseTaskStatus(string(*u.Status))
		if err != nil {
			return t, err
		}
		what = append(what, fmt.Sprintf("status %s -> %s", t.State(), st))
		t.Status, t.Done = st, st == tahqiq.TaskDone
	}
	if u.Assignee != nil {
		id, err := s.assignee(ctx, c, *u.Assignee)
		if err != nil {
			return t, err
		}
		what = append(what, fmt.Sprintf("assignee %q -> %q", t.Assignee, id))
		t.Assignee = id
	}
	if t.Status == "" { // a task from before statuses: give it one
		t.Status = t.State()
	}
	t.UpdatedBy, t.UpdatedAt = actor.ID, s.now()
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "task.update", CaseID: t.CaseID, Details: t.ID + " " + strings.Join(what, ", "),
		Records: []tahqiq.RecordRef{ref(tahqiq.RecTask, t.ID, t)}},
		func(tx tahqiq.CaseTx) error { return tx.PutTask(ctx, t) })
	return t, err
}

// AddNote adds a note.
func (s *Service) AddNote(ctx context.Context, actor tahqiq.User, caseID, text string) (tahqiq.Note, error) {
	n := tahqiq.Note{ID: s.newID("n"), CaseID: caseID, Text: text, CreatedBy: actor.ID, CreatedAt: s.now()}
	if _, err := s.openCase(ctx, actor, caseID, true); err != nil {
		return n, err
	}
	if strings.TrimSpace(text) == "" {
		return n, tahqiq.Errorf(tahqiq.EINVALID, "note: text is empty")
	}
	_, err := s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "note.create", CaseID: caseID, Details: n.ID,
		Records: []tahqiq.RecordRef{ref(tahqiq.RecNote, n.ID, n)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateNote(ctx, n) })
	return n, err
}

// Share grants another organisation read access to a case or one item of
// it (TLP 2.0): TLP:RED material is never shared, and the share carries the
// material's marking or a stricter one, never a lower one. The case's
// admins and its creator share it.
func (s *Service) Share(ctx context.Context, actor tahqiq.User, sh tahqiq.CaseShare) error {
	_, err := s.ShareCase(ctx, actor, sh)
	return err
}

// ShareCase is Share returning the share made: the organisation's ID
// (sh.OrgID may give its name) and the TLP the share carries (the
// case's, or the item's when stricter, when sh asks none).
func (s *Service) ShareCase(ctx context.Context, actor tahqiq.User, sh tahqiq.CaseShare) (tahqiq.CaseShare, error) {
	err := s.share(ctx, actor, &sh)
	return sh, err
}

func (s *Service) share(ctx context.Context, actor tahqiq.User, sh *tahqiq.CaseShare) error {
	// a closed case may still be shared: a share changes who reads it, not
	// what it holds
	c, err := s.Store.FindCaseByID(ctx, sh.CaseID)
	if err != nil {
		return err
	}
	if err := s.access(ctx, actor, c, "", true); err != nil {
		return err
	}
	if actor.Role != tahqiq.RoleAdmin && actor.ID != c.CreatedBy {
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "only an admin or the case's creator may share it")
	}
	o, err := s.FindOrg(ctx, sh.OrgID)
	if err != nil {
		return err
	}
	if o.ID == c.OrgID {
		return tahqiq.Errorf(tahqiq.EINVALID, "case %s is its own organisation's already: share it with another one", c.ID)
	}
	sh.OrgID = o.ID
	marking := c.TLP
	if sh.ItemID != "" {
		it, err := s.Store.FindItemByID(ctx, sh.ItemID)
		if err != nil || it.CaseID != c.ID {
			return notFound("item", sh.ItemID)
		}
		if it.TLP.Rank() > marking.Rank() {
			marking = it.TLP
		}
	}
	if sh.TLP, err = marking.CheckShare(sh.TLP); err != nil {
		return err
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "case.share", CaseID: c.ID, ItemID: sh.ItemID, Details: fmt.Sprintf("org %s tlp %s", sh.OrgID, sh.TLP),
		Records: []tahqiq.RecordRef{ref(tahqiq.RecShare, shareID(*sh), *sh)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateShare(ctx, *sh) })
	return err
}

// View is what a reader sees of a case. An export logs the digest of its
// canonical JSON (view.json of a bundle).
type View struct {
	Case            tahqiq.Case             `json:"case"`
	Items           []tahqiq.Item           `json:"items"`
	Findings        []tahqiq.Finding        `json:"findings"`
	Recommendations []tahqiq.Recommendation `json:"recommendations"`
	Tasks           []tahqiq.Task           `json:"tasks"`
	Notes           []tahqiq.Note           `json:"notes"`
	// Shares are the case's access grants the reader may see: all of
	// them for the whole case, the reader's own for shared items.
	Shares []tahqiq.CaseShare `json:"shares,omitempty"`
	// Scope is ScopeCase or ScopeItems (only the items shared with the
	// reader's organisation, without the case's other records).
	Scope string `json:"scope,omitempty"`
}

// Show returns a case as the actor may see it and logs the read (a
// "case.read" entry naming the case and the digests of the items shown).
func (s *Service) Show(ctx context.Context, actor tahqiq.User, id string) (View, error) {
	v, err := s.view(ctx, actor, id)
	if err != nil {
		return v, err
	}
	return v, s.logView(ctx, actor, "case.read", v)
}

// logView logs a read of the case view v (once per reader and window:
// logRead).
func (s *Service) logView(ctx context.Context, actor tahqiq.User, action string, v View) error {
	hs := []string{digest("case", v.Case)}
	for _, it := range v.Items {
		hs = append(hs, it.Digest())
	}
	return s.logRead(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: action, CaseID: v.Case.ID, Hashes: hs,
		Details: fmt.Sprintf("%d items, %d findings", len(v.Items), len(v.Findings))})
}

// view returns a case as the actor may see it, without logging (callers
// log the read, export or report themselves).
func (s *Service) view(ctx context.Context, actor tahqiq.User, id string) (View, error) {
	var v View
	c, err := s.openCase(ctx, actor, id, false)
	if err != nil {
		return v, err
	}
	v.Case = c
	items, err := s.Store.FindItems(ctx, id)
	if err != nil {
		return v, err
	}
	v.Items = s.visibleItems(ctx, actor, c, items)
	shares, err := s.Store.FindShares(ctx, id)
	if err != nil {
		return v, err
	}
	if s.access(ctx, actor, c, caseRecords, false) != nil { // item-only share: no case records
		v.Scope = ScopeItems
		for _, sh := range shares {
			if sh.OrgID == actor.OrgID && sh.ItemID != "" {
				v.Shares = append(v.Shares, sh)
			}
		}
		return v, nil
	}
	v.Scope, v.Shares = ScopeCase, shares
	if v.Findings, err = s.Store.FindFindings(ctx, id); err != nil {
		return v, err
	}
	if v.Recommendations, err = s.Store.FindRecommendations(ctx, id); err != nil {
		return v, err
	}
	if v.Tasks, err = s.Store.FindTasks(ctx, id); err != nil {
		return v, err
	}
	v.Notes, err = s.Store.FindNotes(ctx, id)
	return v, err
}

// List returns the cases the actor can read.
func (s *Service) List(ctx context.Context, actor tahqiq.User) ([]tahqiq.Case, error) {
	all, err := s.Store.FindCases(ctx)
	if err != nil {
		return nil, err
	}
	var out []tahqiq.Case
	for _, c := range all {
		if s.access(ctx, actor, c, "", false) == nil {
			out = append(out, c)
		}
	}
	return out, nil
}
