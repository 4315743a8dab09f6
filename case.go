package tahqiq

import (
	"context"
	"strings"
	"time"
)

// Role is what a user may do in an organisation.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin        Role = "admin"        // manages users and sharing
	RoleInvestigator Role = "investigator" // opens cases, attaches evidence, writes findings
	RoleReviewer     Role = "reviewer"     // approves or rejects recommendations
	RoleViewer       Role = "viewer"       // reads
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleInvestigator, RoleReviewer, RoleViewer:
		return true
	}
	return false
}

// CanWrite reports whether the role may change case contents.
func (r Role) CanWrite() bool { return r == RoleAdmin || r == RoleInvestigator }

// TLP is a Traffic Light Protocol 2.0 marking.
type TLP string

// TLP markings (FIRST TLP 2.0; also in the MISP "tlp" taxonomy).
const (
	TLPClear       TLP = "clear"
	TLPGreen       TLP = "green"
	TLPAmber       TLP = "amber"
	TLPAmberStrict TLP = "amber+strict"
	TLPRed         TLP = "red"
)

// Valid reports whether t is a TLP 2.0 marking.
func (t TLP) Valid() bool {
	switch t {
	case TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed:
		return true
	}
	return false
}

// Organisation owns cases and users.
type Organisation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// User is an actor. Every log entry names one. A disabled user is kept
// (the log names it) but neither logs in nor acts.
type User struct {
	ID       string `json:"id"`
	OrgID    string `json:"org_id"`
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	Disabled bool   `json:"disabled,omitempty"`
}

// SystemID is the actor ID of the system administrator: whoever runs the
// CLI on the store itself (--data or --db) without --as. It creates
// organisations and their first admins. No user has this ID (user IDs are
// made by casework) and no HTTP caller is ever this actor.
const SystemID = "system"

// System is the system administrator as an actor. It belongs to no
// organisation and has no role, so no rule that asks for an organisation
// or a role lets it through by accident.
var System = User{ID: SystemID, Name: "system administrator"}

// IsSystem reports whether u is the system administrator.
func (u User) IsSystem() bool { return u.ID == SystemID && u.OrgID == "" }

// Active returns an error when the user may not act: it is disabled.
func (u User) Active() error {
	if u.Disabled {
		return Errorf(EUNAUTHORIZED, "user %s is disabled", u.Name)
	}
	return nil
}

// Validate checks a user.
func (u User) Validate() error {
	if strings.TrimSpace(u.Name) == "" {
		return Errorf(EINVALID, "user: name is empty")
	}
	if !u.Role.Valid() {
		return Errorf(EINVALID, "user %s: unknown role %q (want admin, investigator, reviewer or viewer)", u.Name, u.Role)
	}
	return nil
}

// Case is an investigation.
type Case struct {
	ID          string    `json:"id"`
	OrgID       string    `json:"org_id"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	TLP         TLP       `json:"tlp"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	// ClosedBy and ClosedAt say who closed the case and when (case.close;
	// case.reopen clears them). They are omitted while the case is open,
	// so that the record of a case that was never closed keeps its digest.
	ClosedBy string    `json:"closed_by,omitempty"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// Closed reports whether the case is closed: its contents no longer change.
func (c Case) Closed() bool { return c.ClosedBy != "" }

// Validate checks a case.
func (c Case) Validate() error {
	if strings.TrimSpace(c.Title) == "" {
		return Errorf(EINVALID, "case: title is empty")
	}
	if !c.TLP.Valid() {
		return Errorf(EINVALID, "case %q: unknown TLP %q (want clear, green, amber, amber+strict or red)", c.Title, c.TLP)
	}
	return nil
}

// Rank orders markings from least to most restrictive: clear 0, green 1,
// amber 2, amber+strict 3, red 4; -1 for an unknown marking.
func (t TLP) Rank() int {
	switch t {
	case TLPClear:
		return 0
	case TLPGreen:
		return 1
	case TLPAmber:
		return 2
	case TLPAmberStrict:
		return 3
	case TLPRed:
		return 4
	}
	return -1
}

// CheckShare decides whether material marked t may be shared with another
// organisation under the marking share (TLP 2.0): TLP:RED is for named
// recipients of the owning organisation and is never shared; a share never
// lowers the marking (it may keep it or make it stricter). It returns the
// marking the share carries: share, or t when share is empty.
func (t TLP) CheckShare(share TLP) (TLP, error) {
	if share == "" {
		share = t
	}
	if !share.Valid() {
		return share, Errorf(EINVALID, "unknown TLP %q (want clear, green, amber, amber+strict or red)", share)
	}
	if t == TLPRed || share == TLPRed {
		return share, Errorf(EFORBIDDEN, "TLP:RED material is for named recipients of its own organisation and is never shared with another organisation")
	}
	if share.Rank() < t.Rank() {
		return share, Errorf(EFORBIDDEN, "the material is TLP:%s; a share cannot lower it to TLP:%s", strings.ToUpper(string(t)), strings.ToUpper(string(share)))
	}
	return share, nil
}

// CaseShare grants another organisation access to a case, or to one item of it
// when ItemID is set.
type CaseShare struct {
	CaseID string `json:"case_id"`
	ItemID string `json:"item_id,omitempty"`
	OrgID  string `json:"org_id"`
	TLP    TLP    `json:"tlp"`
}

// Finding is a claim backed by evidence items.
type Finding struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Title     string    `json:"title"`
	Text      string    `json:"text,omitempty"`
	ItemIDs   []string  `json:"item_ids"`       // the evidence it cites
	Tags      []string  `json:"tags,omitempty"` // DISARM technique IDs (T0049...) and MISP machinetags
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a finding.
func (f Finding) Validate() error {
	if strings.TrimSpace(f.Title) == "" {
		return Errorf(EINVALID, "finding: title is empty")
	}
	if len(f.ItemIDs) == 0 {
		return Errorf(EINVALID, "finding %q: cites no evidence", f.Title)
	}
	return nil
}

// RecState is the approval state of a recommendation.
type RecState string

// Recommendation states: proposed -> approved | rejected.
const (
	RecProposed RecState = "proposed"
	RecApproved RecState = "approved"
	RecRejected RecState = "rejected"
)

// Recommendation is a proposed action (takedown request, referral) that
// takes effect only when a reviewer other than its author approves it.
type Recommendation struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case_id"`
	Action     string    `json:"action"`
	Grounds    string    `json:"grounds"`
	FindingIDs []string  `json:"finding_ids"`
	State      RecState  `json:"state"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	DecidedBy  string    `json:"decided_by,omitempty"`
	DecidedAt  time.Time `json:"decided_at,omitzero"`
}

// Validate checks a recommendation.
func (r Recommendation) Validate() error {
	if strings.TrimSpace(r.Action) == "" || strings.TrimSpace(r.Grounds) == "" {
		return Errorf(EINVALID, "recommendation: action and grounds are required")
	}
	if len(r.FindingIDs) == 0 {
		return Errorf(EINVALID, "recommendation %q: rests on no finding", r.Action)
	}
	return nil
}

// Decide moves a proposed recommendation to approved or rejected. The
// reviewer must hold the reviewer (or admin) role and must not be the author.
func (r Recommendation) Decide(reviewer User, approve bool, at time.Time) (Recommendation, error) {
	if r.State != RecProposed {
		return r, Errorf(ECONFLICT, "recommendation %s is already %s", r.ID, r.State)
	}
	if reviewer.Role != RoleReviewer && reviewer.Role != RoleAdmin {
		return r, Errorf(EFORBIDDEN, "user %s (%s) may not review recommendations", reviewer.Name, reviewer.Role)
	}
	if reviewer.ID == r.CreatedBy {
		return r, Errorf(EFORBIDDEN, "recommendation %s: its author cannot review it", r.ID)
	}
	r.State = RecRejected
	if approve {
		r.State = RecApproved
	}
	r.DecidedBy, r.DecidedAt = reviewer.ID, at.UTC()
	return r, nil
}

// Task is a to-do in a case.
type Task struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Title     string    `json:"title"`
	Assignee  string    `json:"assignee,omitempty"`
	Done      bool      `json:"done"` // Status == TaskDone
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// Status, UpdatedBy and UpdatedAt were added with task updates (task.go);
	// they are omitted when empty so that older tasks keep their digest.
	Status    TaskStatus `json:"status,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
	UpdatedAt time.Time  `json:"updated_at,omitzero"`
}

// Note is free text in a case.
type Note struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Text      string    `json:"text"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// CaseTx is one store transaction of internal/casework: the state change
// and its custody-log entry commit together or not at all.
type CaseTx interface {
	LogTx
	// CountOrganisations counts the organisations; the count holds until
	// the transaction ends (transactions of a CaseStore are serialised).
	CountOrganisations(ctx context.Context) (int64, error)
	CreateOrganisation(ctx context.Context, o Organisation) error
	CreateUser(ctx context.Context, u User) error
	// FindUserByID reads a user in the transaction (ENOTFOUND when there
	// is none): the acting user is checked again under the log's lock.
	FindUserByID(ctx context.Context, id string) (User, error)
	// SetUserDisabled disables (at is the time) or enables a user;
	// ENOTFOUND when there is no such user.
	SetUserDisabled(ctx context.Context, userID string, disabled bool, at time.Time) error
	// SetPassword stores the encoded password hash of a user, replacing
	// any earlier one.
	SetPassword(ctx context.Context, userID, hash string, at time.Time) error
	// DeleteSessions ends every session of a user.
	DeleteSessions(ctx context.Context, userID string) error
	CreateToken(ctx context.Context, t APIToken) error
	// RevokeToken marks a token revoked at at (a revoked one keeps its
	// first revocation time); ENOTFOUND when there is no such token.
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// RevokeTokens revokes every live token of a user.
	RevokeTokens(ctx context.Context, userID string, at time.Time) error
	CreateCase(ctx context.Context, c Case) error
	// PutCase replaces the case with c's ID (ENOTFOUND when there is none).
	PutCase(ctx context.Context, c Case) error
	CreateShare(ctx context.Context, s CaseShare) error
	CreateItem(ctx context.Context, it Item) error
	CreateFinding(ctx context.Context, f Finding) error
	PutRecommendation(ctx context.Context, r Recommendation) error
	CreateTask(ctx context.Context, t Task) error
	PutTask(ctx context.Context, t Task) error // replaces the task with t's ID
	CreateNote(ctx context.Context, n Note) error
	// DeleteDataset removes a dataset, everything imported into it and
	// its owner, and returns the counts it removed (ENOTFOUND when absent).
	DeleteDataset(ctx context.Context, name string) (DatasetCounts, error)
	// PutDatasetOrg records the organisation owning a dataset; a dataset
	// that already has an owner keeps it (EFORBIDDEN when it is another).
	PutDatasetOrg(ctx context.Context, dataset, orgID string) error
}

// CaseStore is the persistence of cases, organisations and users and the
// custody log's rows (internal/sqlstore's SQL, run by the engines
// internal/sqlite and internal/postgres).
type CaseStore interface {
	InTx(ctx context.Context, fn func(tx CaseTx) error) error
	FindUserByName(ctx context.Context, name string) (User, error)
	FindUserByID(ctx context.Context, id string) (User, error)
	FindUsers(ctx context.Context) ([]User, error)                 // by name
	FindOrganisations(ctx context.Context) ([]Organisation, error) // by name
	FindCaseByID(ctx context.Context, id string) (Case, error)
	FindCases(ctx context.Context) ([]Case, error)
	FindShares(ctx context.Context, caseID string) ([]CaseShare, error)
	FindItems(ctx context.Context, caseID string) ([]Item, error)
	FindItemByID(ctx context.Context, id string) (Item, error)
	FindFindings(ctx context.Context, caseID string) ([]Finding, error)
	FindRecommendation(ctx context.Context, id string) (Recommendation, error)
	FindRecommendations(ctx context.Context, caseID string) ([]Recommendation, error)
	FindTasks(ctx context.Context, caseID string) ([]Task, error)
	FindTask(ctx context.Context, id string) (Task, error)
	FindNotes(ctx context.Context, caseID string) ([]Note, error)
	// FindDatasetOrgs returns the owning organisation of every dataset that
	// has one (datasets imported from the CLI have none).
	FindDatasetOrgs(ctx context.Context) (map[string]string, error)
	// LogEntries returns the encoded log entries [from, to); LogSize the
	// count; ReadLogHashes the stored tree hashes of the committed log.
	LogEntries(ctx context.Context, from, to int64) ([][]byte, error)
	LogSize(ctx context.Context) (int64, error)
	ReadLogHashes(ctx context.Context, idx []int64) ([]LogHash, error)
	// CaseHead returns the end of a case's chain in the committed log.
	CaseHead(ctx context.Context, caseID string) (LogHead, error)
	// Checkpoints returns all signed checkpoints, oldest first.
	Checkpoints(ctx context.Context) ([][]byte, error)
	AddCheckpoint(ctx context.Context, size int64, note []byte) error
}
