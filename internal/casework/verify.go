package casework

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// How a verification came to trust the log key it checked against.
const (
	TrustGiven  = "given"  // the user passed the key (--key)
	TrustPinned = "pinned" // the key is in the user's trusted-keys file
	TrustSelf   = "self"   // only the bundle's (or store's) own key: self-consistent, signer not established
)

// Report is the outcome of a verification. OK only when Problems is
// empty; Established only when, in addition, the log key was trusted
// independently of what was verified.
type Report struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"` // "store", "bundle" or "zip bundle"
	Format  string `json:"format,omitempty"`
	LogSize int64  `json:"log_size"`
	Root    string `json:"root"`
	Items   int    `json:"items"`
	Blobs   int    `json:"blobs"`
	Records int    `json:"records"` // records compared with the fold of the log
	// Key is the log key checked against and Trust how it came to be
	// trusted (given, pinned or self); TrustNote says more when useful.
	Key       string           `json:"key"`
	Trust     string           `json:"trust"`
	TrustNote string           `json:"trust_note,omitempty"`
	Signers   []string         `json:"signers,omitempty"`
	Witnessed []string         `json:"witnessed,omitempty"` // required witnesses that co-signed
	Withheld  int64            `json:"withheld,omitempty"`  // entries of the case withheld from the exporter
	Notes     []string         `json:"notes,omitempty"`     // what is not a problem but limits what is proven
	Problems  []ledger.Problem `json:"problems"`
}

// OK reports whether everything checked.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Established reports whether the signer was established: the key was
// given or pinned, not taken from what was verified.
func (r *Report) Established() bool { return r.Trust == TrustGiven || r.Trust == TrustPinned }

// Add records a problem with what (an entry, a file, a record) at idx.
func (r *Report) Add(what string, idx int64, f string, a ...any) {
	r.Problems = append(r.Problems, ledger.Problem{What: what, Index: idx, Msg: fmt.Sprintf(f, a...)})
}

// Note records what is not a problem but limits what is proven.
func (r *Report) Note(f string, a ...any) { r.Notes = append(r.Notes, fmt.Sprintf(f, a...)) }

// VerifyOptions are what the user brings to a verification.
type VerifyOptions struct {
	// LogKey is the log public key the user trusts (--key); "" checks the
	// store's or bundle's own key, trusted only if it is in Trusted.
	LogKey string
	// Trusted is the user's trusted-keys file (nil: none).
	Trusted *ledger.TrustedKeys
	// Witnesses must each have co-signed the checkpoint (--witness).
	Witnesses []string
	// Earlier are checkpoints the user kept from before.
	Earlier [][]byte
	// Reader, when set, is who asked (a server's caller): the report then
	// names the records of cases and organisations the reader may not read
	// by kind and ID only, never by title or name.
	Reader *tahqiq.User
	// Limits bound a zip bundle, checked before any member is read.
	Limits decompress.Limits
	// Meter shows how far a bundle's check is (bundle.Verify takes no
	// context to carry it; nil: nowhere). VerifyStore reports to the
	// meter of its context.
	Meter *progress.Meter
}

// ChooseKey decides which key to check against and how far to trust it.
func ChooseKey(own string, o VerifyOptions, r *Report, what string) string {
	own = strings.TrimSpace(own)
	switch {
	case o.LogKey != "":
		r.Key, r.Trust = strings.TrimSpace(o.LogKey), TrustGiven
		if own != "" && own != r.Key {
			r.TrustNote = fmt.Sprintf("the %s carries another key (%s)", what, keyName(own))
		}
	case o.Trusted.HasLog(own):
		r.Key, r.Trust = own, TrustPinned
		r.TrustNote = "pinned in " + o.Trusted.Path
	default:
		r.Key, r.Trust = own, TrustSelf
		r.TrustNote = fmt.Sprintf("only the %s's own key: self-consistent, signer not established (pass --key, or pin the key with tahqiq trust add)", what)
		if o.Trusted != nil && len(o.Trusted.Logs) > 0 {
			r.TrustNote = fmt.Sprintf("the %s's key %s is not among the %d log keys pinned in %s: self-consistent, signer not established", what, keyName(own), len(o.Trusted.Logs), o.Trusted.Path)
		}
	}
	return r.Key
}

func keyName(vkey string) string {
	name, _, _ := strings.Cut(vkey, "+")
	return name
}

// CheckLog verifies the leaves against the checkpoints with the chosen
// key and the witnesses required, and returns the latest checkpoint's
// tree (N = -1 when there is none that opens).
func CheckLog(r *Report, leaves []ledger.Leaf, checkpoints, earlier [][]byte, o VerifyOptions) tlog.Tree {
	latest := tlog.Tree{N: -1}
	v, err := ledger.NewVerifier(r.Key)
	if err != nil {
		r.Add("key", 0, "log key %q: %v", r.Key, err)
		return latest
	}
	res := ledger.Verify(ledger.Input{Leaves: leaves, Checkpoints: checkpoints, Earlier: earlier, LogKey: v})
	r.LogSize, r.Root = res.Size, res.Root
	r.Problems = append(r.Problems, res.Problems...)
	seen := map[string]bool{}
	for _, ss := range res.Signers {
		for _, s := range ss {
			if !seen[s] {
				seen[s] = true
				r.Signers = append(r.Signers, s)
			}
		}
	}
	sort.Strings(r.Signers)
	if len(checkpoints) == 0 {
		return latest
	}
	cp := checkpoints[len(checkpoints)-1]
	_, t, _, err := ledger.OpenCheckpoint(cp, v)
	if err != nil {
		return latest // reported by Verify
	}
	latest = t
	// Witnesses: each one the user named, and the quorum of those pinned.
	if len(o.Witnesses) > 0 {
		got, err := ledger.Cosigners(cp, v, o.Witnesses)
		if err != nil {
			r.Add("witness", t.N, "%v", err)
		}
		for _, w := range o.Witnesses {
			if contains(got, strings.TrimSpace(w)) {
				r.Witnessed = append(r.Witnessed, keyName(w))
			} else {
				r.Add("witness", t.N, "the checkpoint of size %d is not co-signed by witness %s: its log may show others another history", t.N, keyName(w))
			}
		}
	}
	if o.Trusted != nil && o.Trusted.Quorum > 0 {
		got, err := ledger.Cosigners(cp, v, o.Trusted.Witnesses)
		if err != nil {
			r.Add("witness", t.N, "%v", err)
		}
		if len(got) < o.Trusted.Quorum {
			r.Add("witness", t.N, "the checkpoint of size %d is co-signed by %d of the witnesses pinned in %s, the quorum is %d", t.N, len(got), o.Trusted.Path, o.Trusted.Quorum)
		}
		for _, w := range got {
			r.Witnessed = append(r.Witnessed, keyName(w))
		}
	}
	return latest
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// VerifyStore checks the whole store: the log against its signed
// checkpoints (and any earlier ones the user holds), the fold of the log
// against every case, item, finding, recommendation, task, note, share,
// organisation, user and dataset owner in the store (missing, extra,
// stale, edited), every blob against its hash, and the stored tree hashes
// against the entries.
func (s *Service) VerifyStore(ctx context.Context, o VerifyOptions) (*Report, error) {
	r := &Report{Kind: "store", Path: filepath.Dir(s.Blobs.Dir)}
	own := ""
	if s.LogKey != nil {
		own = s.LogKeyName()
	}
	if own == "" && o.LogKey == "" {
		return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "verify: the store has no signing key (tahqiq org init) and no --key was given")
	}
	ChooseKey(own, o, r, "store")
	var (
		entries [][]byte
		present []ledger.Present
		items   []tahqiq.Item
		runs    map[string]tahqiq.RunRecord
		err     error
	)
	// Read a consistent state: every change appends to the log in its own
	// transaction, so a log of the same size before and after the reads
	// means no change came in between.
	prog := progress.Start(ctx, "reading the store", "", 0)
	defer func() { prog.Done() }()
	for try := 0; ; try++ {
		n0, err := s.Store.LogSize(ctx)
		if err != nil {
			return nil, err
		}
		if present, items, err = s.presentRecords(ctx); err != nil {
			return nil, err
		}
		var pr []ledger.Present
		if pr, runs, err = s.presentRuns(); err != nil {
			return nil, err
		}
		present = append(present, pr...)
		if entries, err = s.Store.LogEntries(ctx, 0, n0); err != nil {
			return nil, err
		}
		n1, err := s.Store.LogSize(ctx)
		if err != nil {
			return nil, err
		}
		if n1 == n0 {
			break
		}
		if try == 20 {
			return nil, tahqiq.Errorf(tahqiq.ECONFLICT, "verify: the store kept changing while it was read (%d entries were added); verify again when it is quieter", n1-n0)
		}
	}
	if o.Reader != nil {
		if present, err = s.redactLabels(ctx, *o.Reader, present, runs); err != nil {
			return nil, err
		}
	}
	checkpoints, err := s.Store.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	prog = progress.Start(ctx, "checking the custody log", "", 0)
	leaves := ledger.Leaves(entries)
	latest := CheckLog(r, leaves, checkpoints, o.Earlier, o)
	n := int64(len(entries))
	if latest.N >= 0 && latest.N < n {
		// Every change of format 2 signs the log it ends; entries of
		// format 1 were signed only on request.
		unsigned := 0
		for _, l := range leaves[latest.N:] {
			if l.Entry == nil || l.Entry.Format >= 2 {
				unsigned++
			}
		}
		if unsigned > 0 {
			r.Add("log", latest.N, "%d entries after the last signed checkpoint (size %d): every change signs the log it ends, so these were added without the log key", n-latest.N, latest.N)
		} else {
			r.Note("%d entries of log format 1 after the last signed checkpoint (size %d) are not signed yet: tahqiq checkpoint signs them", n-latest.N, latest.N)
		}
	}
	st := ledger.Fold(leaves, false)
	r.Problems = append(r.Problems, st.Problems...)
	var sc ledger.Scope
	if s.Runs == nil { // a service without the data directory's runs checks none
		sc.Only = func(k ledger.RecordKey) bool { return k.Kind != tahqiq.RecRun }
	}
	cmp := st.Compare(present, sc)
	r.Problems = append(r.Problems, cmp.Problems...)
	r.Records = len(present)
	if cmp.Legacy > 0 {
		r.Note("%d records were logged before their entries named records (log format 1, or runs of tahqiq serve before runs were records) and are proven logged, not complete (their deletion or rollback would not show)", cmp.Legacy)
	}
	checked := map[string]bool{}
	prog = progress.Start(ctx, "checking the items' files", "items", int64(len(items)))
	for _, it := range items {
		prog.Add(1)
		r.Items++
		for _, b := range it.Blobs {
			if checked[b.SHA256] {
				continue
			}
			checked[b.SHA256] = true
			r.Blobs++
			if err := blob.Check(s.Blobs.Path(b.SHA256), b.SHA256); err != nil {
				r.Add("blob", 0, "item %s %q: %s", it.ID, b.Name, tahqiq.ErrorMessage(err))
			}
		}
	}
	// The stored hash cache must agree with the entries (new appends and
	// proofs are computed from it).
	prog = progress.Start(ctx, "checking the stored tree hashes", "", 0)
	mem := &ledger.MemStore{}
	if _, err := ledger.New(mem).Append(entries...); err == nil {
		total := tlog.StoredHashIndex(0, n)
		idx := make([]int64, total)
		for i := range idx {
			idx[i] = int64(i)
		}
		want, _ := mem.ReadHashes(idx)
		got, err := s.Store.ReadLogHashes(ctx, idx)
		if err != nil {
			r.Add("hashes", n, "stored tree hashes unreadable: %v", err)
		} else {
			for i := range want {
				if tlog.Hash(got[i]) != want[i] {
					r.Add("hashes", int64(i), "stored tree hash %d differs from the one computed from the entries: the hash table was edited", i)
					break
				}
			}
		}
	}
	return r, nil
}

// presentRecords reads every record the fold of the log accounts for, and
// every item (for its blobs).
func (s *Service) presentRecords(ctx context.Context) ([]ledger.Present, []tahqiq.Item, error) {
	var out []ledger.Present
	var items []tahqiq.Item
	cases, err := s.Store.FindCases(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cases {
		v := View{Case: c}
		if v.Items, err = s.Store.FindItems(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		if v.Findings, err = s.Store.FindFindings(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		if v.Recommendations, err = s.Store.FindRecommendations(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		if v.Tasks, err = s.Store.FindTasks(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		if v.Notes, err = s.Store.FindNotes(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		if v.Shares, err = s.Store.FindShares(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		items = append(items, v.Items...)
		out = append(out, ViewRecords(v)...)
	}
	orgs, err := s.Store.FindOrganisations(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range orgs {
		out = append(out, ledger.Present{Key: ledger.RecordKey{Kind: tahqiq.RecOrg, ID: o.ID}, Digest: digest(tahqiq.RecOrg, o), Label: fmt.Sprintf("organisation %s %q", o.ID, o.Name)})
	}
	users, err := s.Store.FindUsers(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range users {
		out = append(out, ledger.Present{Key: ledger.RecordKey{Kind: tahqiq.RecUser, ID: u.ID}, Digest: digest(tahqiq.RecUser, u), Label: fmt.Sprintf("user %s %q (%s)", u.ID, u.Name, u.Role)})
	}
	for _, u := range users {
		h, err := s.Store.PasswordHash(ctx, u.ID)
		switch {
		case tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND:
		case err != nil:
			return nil, nil, err
		default:
			out = append(out, ledger.Present{Key: ledger.RecordKey{Kind: tahqiq.RecCredential, ID: u.ID}, Digest: credentialRef(u.ID, h).Digest, Label: fmt.Sprintf("password of user %s %q", u.ID, u.Name)})
		}
	}
	tokens, err := s.Store.FindTokens(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range tokens {
		out = append(out, ledger.Present{Key: ledger.RecordKey{Kind: tahqiq.RecToken, ID: t.ID}, Digest: tokenRef(t).Digest, Label: fmt.Sprintf("API token %s %q of user %s", t.ID, t.Name, t.UserID)})
	}
	owners, err := s.Store.FindDatasetOrgs(ctx)
	if err != nil {
		return nil, nil, err
	}
	for name, org := range owners {
		out = append(out, ledger.Present{Key: ledger.RecordKey{Kind: tahqiq.RecDatasetOwner, ID: name}, Digest: datasetOwnerRef(name, org).Digest, Label: fmt.Sprintf("owner of dataset %q (organisation %s)", name, org)})
	}
	return out, items, nil
}

// ViewRecords lists the records of a case view as the fold names them.
func ViewRecords(v View) []ledger.Present {
	c := v.Case.ID
	p := func(kind, id, d, label string) ledger.Present {
		return ledger.Present{Key: ledger.RecordKey{Kind: kind, ID: id}, CaseID: c, Digest: d, Label: label}
	}
	out := []ledger.Present{p(tahqiq.RecCase, c, digest(tahqiq.RecCase, v.Case), fmt.Sprintf("case %s %q", c, v.Case.Title))}
	for _, it := range v.Items {
		out = append(out, p(tahqiq.RecItem, it.ID, it.Digest(), fmt.Sprintf("item %s %q of case %s", it.ID, it.Title, c)))
	}
	for _, f := range v.Findings {
		out = append(out, p(tahqiq.RecFinding, f.ID, digest(tahqiq.RecFinding, f), fmt.Sprintf("finding %s %q of case %s", f.ID, f.Title, c)))
	}
	for _, x := range v.Recommendations {
		out = append(out, p(tahqiq.RecRecommendation, x.ID, digest(tahqiq.RecRecommendation, x), fmt.Sprintf("recommendation %s %q (%s) of case %s", x.ID, x.Action, x.State, c)))
	}
	for _, t := range v.Tasks {
		out = append(out, p(tahqiq.RecTask, t.ID, digest(tahqiq.RecTask, t), fmt.Sprintf("task %s %q (%s) of case %s", t.ID, t.Title, t.State(), c)))
	}
	for _, n := range v.Notes {
		out = append(out, p(tahqiq.RecNote, n.ID, digest(tahqiq.RecNote, n), fmt.Sprintf("note %s of case %s", n.ID, c)))
	}
	for _, sh := range v.Shares {
		what := "case " + c
		if sh.ItemID != "" {
			what = "item " + sh.ItemID + " of case " + c
		}
		out = append(out, p(tahqiq.RecShare, shareID(sh), digest(tahqiq.RecShare, sh), fmt.Sprintf("share of %s with organisation %s (TLP:%s)", what, sh.OrgID, strings.ToUpper(string(sh.TLP)))))
	}
	return out
}

// redactLabels names the records reader may not read by kind and ID only.
func (s *Service) redactLabels(ctx context.Context, reader tahqiq.User, present []ledger.Present, runs map[string]tahqiq.RunRecord) ([]ledger.Present, error) {
	rd := s.newReader(reader)
	users, err := s.Store.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	orgOf := map[string]string{}
	for _, u := range users {
		orgOf[u.ID] = u.OrgID
	}
	for i, p := range present {
		var ok bool
		switch {
		case p.CaseID != "":
			sc, err := rd.scope(ctx, p.CaseID)
			if err != nil {
				return nil, err
			}
			ok = sc.whole || (p.Key.Kind == tahqiq.RecItem && sc.items[p.Key.ID]) || (p.Key.Kind == tahqiq.RecCase && len(sc.items) > 0)
		case p.Key.Kind == tahqiq.RecOrg:
			ok = p.Key.ID == reader.OrgID
		case p.Key.Kind == tahqiq.RecRun:
			rec, known := runs[p.Key.ID]
			ok = known && s.RunAccess(ctx, reader, rec.Kind, rec.ID, rec.CreatedBy, rec.Dataset) == nil
		case p.Key.Kind == tahqiq.RecUser, p.Key.Kind == tahqiq.RecCredential:
			ok = orgOf[p.Key.ID] == reader.OrgID
		}
		if !ok {
			present[i].Label = p.Key.String() + " (not readable by " + reader.Name + ")"
		}
	}
	return present, nil
}
