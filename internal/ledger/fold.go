package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
)

// A case is the fold of its log: replaying its entries in order gives every
// record the case must hold now (its latest digest) and every state each
// record ever had. Verification compares that with what a store or a bundle
// holds and names each difference (docs/format/ledger.md, "Fold").

// Genesis is the Prev of a case's first entry: the hex SHA-256 of
// "tahqiq/case-genesis\n" followed by the case ID.
func Genesis(caseID string) string {
	h := sha256.Sum256([]byte("tahqiq/case-genesis\n" + caseID))
	return hex.EncodeToString(h[:])
}

// LeafHex is the hex form of an entry's RFC 6962 leaf hash, as Prev holds it.
func LeafHex(data []byte) string {
	h := LeafHash(data)
	return hex.EncodeToString(h[:])
}

// Leaf is one position of a log as a verifier holds it: an entry's bytes,
// or only its leaf hash when the entry was withheld (redacted) from the
// holder.
type Leaf struct {
	Index int64
	Data  []byte    // nil when withheld
	Hash  tlog.Hash // RFC 6962 leaf hash
	Entry *tahqiq.LogEntry
}

// Withheld reports whether only the leaf's hash is known.
func (l Leaf) Withheld() bool { return l.Data == nil }

// Leaves makes leaves of complete entries, decoding each (an entry that
// does not decode keeps Entry nil; Verify names it).
func Leaves(entries [][]byte) []Leaf {
	out := make([]Leaf, len(entries))
	for i, b := range entries {
		out[i] = Leaf{Index: int64(i), Data: b, Hash: LeafHash(b)}
		if e, err := DecodeEntry(b); err == nil {
			out[i].Entry = &e
		}
	}
	return out
}

// RecordKey names a record.
type RecordKey struct{ Kind, ID string }

func (k RecordKey) String() string { return k.Kind + " " + k.ID }

// Record is a record as the log leaves it.
type Record struct {
	Key     RecordKey
	CaseID  string   // "" for the store's records (organisations, users, dataset owners, credentials, tokens)
	Version int64    // 0 for a record known only from format-1 entries
	Digest  string   // latest; "" when removed
	History []string // every digest it had, oldest first (the latest last)
	Entry   int64    // the entry that left it as it is
	Legacy  bool     // made by a format-1 entry
}

// Chain is the state of one case's entry chain after a fold.
type Chain struct {
	CaseID   string
	Count    int64     // entries of the case, visible and withheld
	Withheld int64     // of which only a leaf hash was seen
	Head     tlog.Hash // leaf hash of its last entry
	Last     int64     // index of its last entry
	Legacy   int64     // format-1 entries of the case
}

// State is the outcome of a fold.
type State struct {
	Records map[RecordKey]*Record
	Chains  map[string]*Chain
	// LegacyDigests holds every record digest named by a format-1 entry:
	// records logged before format 2 are proven only to have been logged
	// once, not to be complete.
	LegacyDigests map[string]bool
	// LegacyIDs holds the records format-1 entries name without a digest
	// (organisations, users, shares, dataset owners): known to have been
	// logged, in no particular state.
	LegacyIDs map[RecordKey]bool
	// LegacyKinds holds the kinds of records format-1 entries made without
	// naming them (passwords, API tokens): any record of such a kind not
	// in the fold is counted as proven logged, not complete.
	LegacyKinds map[string]bool
	Problems    []Problem
}

// Fold replays leaves (a whole log or a bundle's, in index order). With
// partial set, withheld leaves may be entries of any case (an export that
// redacts what its reader may not see): a case whose chain passes over
// them counts them as withheld. Without it (a store's own log, where every
// entry is at hand), a gap in a case's chain is a problem.
func Fold(leaves []Leaf, partial bool) *State {
	st := &State{Records: map[RecordKey]*Record{}, Chains: map[string]*Chain{}, LegacyDigests: map[string]bool{}, LegacyIDs: map[RecordKey]bool{}, LegacyKinds: map[string]bool{}}
	add := func(what string, i int64, f string, a ...any) {
		st.Problems = append(st.Problems, Problem{What: what, Index: i, Msg: fmt.Sprintf(f, a...)})
	}
	// withheldAt[h] = index, for withheld leaves, to check a chain that
	// passes over them.
	withheldAt := map[tlog.Hash]int64{}
	for _, l := range leaves {
		if l.Withheld() {
			withheldAt[l.Hash] = l.Index
			continue
		}
		e := l.Entry
		if e == nil {
			continue // Verify reports entries that do not decode
		}
		if e.Format < 2 {
			foldLegacy(st, l)
			continue
		}
		if e.CaseID != "" {
			c := st.Chains[e.CaseID]
			if c == nil {
				c = &Chain{CaseID: e.CaseID, Last: -1}
				st.Chains[e.CaseID] = c
			}
			switch {
			case e.CaseSeq <= c.Count:
				add("chain", l.Index, "case %s: entry numbered %d after entry %d of the case: the case's history was forked or rewritten", e.CaseID, e.CaseSeq, c.Count)
			case e.CaseSeq == c.Count+1:
				want := Genesis(e.CaseID)
				if c.Count > 0 {
					want = hex.EncodeToString(c.Head[:])
				}
				if e.Prev != want {
					add("chain", l.Index, "case %s: entry %d does not follow the case's entry %d: an entry of the case was replaced", e.CaseID, e.CaseSeq, c.Count)
				}
			default: // entries of the case between here and its last one are not at hand
				gap := e.CaseSeq - c.Count - 1
				ph, err := hex.DecodeString(e.Prev)
				var prev tlog.Hash
				copy(prev[:], ph)
				at, ok := withheldAt[prev]
				switch {
				case !partial:
					add("chain", l.Index, "case %s: entries %d to %d of the case are missing from the log before entry %d: deleted", e.CaseID, c.Count+1, e.CaseSeq-1, l.Index)
				case err != nil || len(ph) != len(prev) || !ok || at < c.Last:
					add("chain", l.Index, "case %s: entry %d follows no entry of this log: entries of the case were removed", e.CaseID, e.CaseSeq)
				default:
					c.Withheld += gap
				}
			}
			c.Count, c.Head, c.Last = max(c.Count, e.CaseSeq), l.Hash, l.Index
		}
		for _, r := range e.Records {
			foldRecord(st, add, l.Index, e.CaseID, r)
		}
		if len(e.Records) == 0 && (e.Action == "coord.run" || e.Action == "audit.run") {
			// a run the server logged before runs were records: proven
			// logged, not complete
			for _, k := range legacyIDs(e) {
				st.LegacyIDs[k] = true
			}
		}
	}
	return st
}

func foldRecord(st *State, add func(string, int64, string, ...any), idx int64, caseID string, r tahqiq.RecordRef) {
	k := RecordKey{r.Kind, r.ID}
	rec := st.Records[k]
	if rec == nil {
		if r.Version != 1 {
			add("record", idx, "%s: first logged at version %d: the entries that made versions 1 to %d are missing", k, r.Version, r.Version-1)
		}
		rec = &Record{Key: k, CaseID: caseID}
		st.Records[k] = rec
	} else if !rec.Legacy && r.Version != rec.Version+1 {
		add("record", idx, "%s: version %d follows version %d: the history of the record was rewritten", k, r.Version, rec.Version)
	}
	if rec.CaseID != caseID {
		add("record", idx, "%s: belongs to case %q, entry %d names case %q", k, rec.CaseID, idx, caseID)
	}
	rec.Version, rec.Digest, rec.Entry, rec.Legacy = r.Version, r.Digest, idx, false
	if r.Digest != "" {
		rec.History = append(rec.History, r.Digest)
	}
}

// foldLegacy folds a format-1 entry: it carries no chain fields and no
// record references. Attached items and cases are named by their IDs and
// folded as records; every other record digest is only remembered, so
// that a record it names is known to have been logged.
func foldLegacy(st *State, l Leaf) {
	e := l.Entry
	for _, h := range e.Hashes {
		st.LegacyDigests[h] = true
	}
	if e.CaseID != "" {
		c := st.Chains[e.CaseID]
		if c == nil {
			c = &Chain{CaseID: e.CaseID, Last: -1}
			st.Chains[e.CaseID] = c
		}
		c.Count++
		c.Legacy++
		c.Head, c.Last = l.Hash, l.Index
	}
	for _, k := range legacyIDs(e) {
		st.LegacyIDs[k] = true
	}
	switch e.Action {
	case "user.password":
		st.LegacyKinds[tahqiq.RecCredential] = true
	case "token.create":
		st.LegacyKinds[tahqiq.RecToken] = true
	}
	var k RecordKey
	switch {
	case e.Action == "item.attach" && e.ItemID != "" && len(e.Hashes) > 0:
		k = RecordKey{tahqiq.RecItem, e.ItemID}
	case e.Action == "case.create" && e.CaseID != "" && len(e.Hashes) > 0:
		k = RecordKey{tahqiq.RecCase, e.CaseID}
	default:
		return
	}
	if _, ok := st.Records[k]; ok {
		return
	}
	st.Records[k] = &Record{Key: k, CaseID: e.CaseID, Digest: e.Hashes[0], History: []string{e.Hashes[0]}, Entry: l.Index, Legacy: true}
}

// legacyIDs reads the records a format-1 entry names in its details, as
// format 1 wrote them (docs/format/ledger.md).
func legacyIDs(e *tahqiq.LogEntry) []RecordKey {
	f := strings.Fields(e.Details)
	word := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	var out []RecordKey
	switch e.Action {
	case "org.init": // org <id> "<name>" admin <id> "<name>"
		out = append(out, RecordKey{tahqiq.RecOrg, word(1)})
		for i := 2; i < len(f); i++ {
			if f[i] == "admin" {
				out = append(out, RecordKey{tahqiq.RecUser, word(i + 1)})
			}
		}
	case "org.create": // org <id> "<name>"
		out = append(out, RecordKey{tahqiq.RecOrg, word(1)})
	case "user.create": // user <id> "<name>" org <id> role <role>
		out = append(out, RecordKey{tahqiq.RecUser, word(1)})
	case "case.share": // org <id> tlp <tlp>
		id := word(1)
		if e.ItemID != "" {
			id += "/" + e.ItemID
		}
		out = append(out, RecordKey{tahqiq.RecShare, id})
	case "coord.run": // coordination run <id> of dataset "<name>"
		if word(0) == "coordination" && word(1) == "run" {
			out = append(out, RecordKey{tahqiq.RecRun, "coord/" + word(2)})
		}
	case "audit.run": // audit run <id> of <file> (map <map>)
		if word(0) == "audit" && word(1) == "run" {
			out = append(out, RecordKey{tahqiq.RecRun, "audit/" + word(2)})
		}
	case "dataset.claim": // dataset "<name>" owned by org <id>
		if i := strings.Index(e.Details, " owned by org "); i > 0 {
			if name, err := strconv.Unquote(strings.TrimPrefix(e.Details[:i], "dataset ")); err == nil {
				out = append(out, RecordKey{tahqiq.RecDatasetOwner, name})
			}
		}
	}
	return out
}

// Present is a record as a store or a bundle holds it.
type Present struct {
	Key    RecordKey
	CaseID string
	Digest string
	Label  string // how to name it to a person, e.g. `finding f1 "Fake Form 45"`
}

// Scope says which of the fold's records a comparison covers.
type Scope struct {
	// CaseID limits the comparison to one case's records ("" for all).
	CaseID string
	// Kinds limits it to these record kinds (nil: all).
	Kinds []string
	// Only, when set, limits the fold's records expected present to these
	// (an export of shared items holds only the records its reader may
	// see; the others' entries are withheld).
	Only func(RecordKey) bool
}

func (sc Scope) covers(k RecordKey, caseID string) bool {
	if sc.CaseID != "" && caseID != sc.CaseID {
		return false
	}
	if sc.Kinds != nil {
		ok := false
		for _, x := range sc.Kinds {
			ok = ok || x == k.Kind
		}
		if !ok {
			return false
		}
	}
	return true
}

// Comparison is the outcome of comparing a fold with what is present.
type Comparison struct {
	Problems []Problem
	// Legacy counts present records logged only by format-1 entries,
	// whose completeness the log cannot prove.
	Legacy int
}

// Compare names every difference between the fold and the records
// present: missing (live in the log, absent), extra (no entry made it, or
// an entry removed it), stale (an earlier state of the record: rolled
// back) and mismatch (a state the log never recorded: edited).
func (st *State) Compare(present []Present, sc Scope) Comparison {
	var out Comparison
	add := func(what string, i int64, f string, a ...any) {
		out.Problems = append(out.Problems, Problem{What: what, Index: i, Msg: fmt.Sprintf(f, a...)})
	}
	seen := map[RecordKey]bool{}
	for _, p := range present {
		if !sc.covers(p.Key, p.CaseID) {
			continue
		}
		label := p.Label
		if label == "" {
			label = p.Key.String()
		}
		if seen[p.Key] {
			add("extra", 0, "%s: present twice", label)
			continue
		}
		seen[p.Key] = true
		r := st.Records[p.Key]
		switch {
		case r == nil && (st.LegacyDigests[p.Digest] || st.LegacyIDs[p.Key] || st.LegacyKinds[p.Key.Kind]):
			out.Legacy++
		case r == nil:
			add("extra", 0, "%s: no log entry made it: inserted without custody", label)
		case r.CaseID != p.CaseID: // before the digest: a record moved unchanged keeps it
			add("mismatch", r.Entry, "%s: the log puts it in case %q, it is in case %q: moved", label, r.CaseID, p.CaseID)
		case r.Digest == p.Digest:
			if r.Legacy {
				out.Legacy++
			}
		case r.Digest == "":
			add("extra", r.Entry, "%s: entry %d removed it, yet it is present", label, r.Entry)
		case indexOf(r.History, p.Digest) >= 0:
			v := indexOf(r.History, p.Digest) + 1
			add("stale", r.Entry, "%s: holds state %d of %d; entry %d logged the latest: rolled back", label, v, len(r.History), r.Entry)
		case r.Legacy && st.LegacyDigests[p.Digest]:
			out.Legacy++
		default:
			add("mismatch", r.Entry, "%s: differs from every state the log recorded (latest: entry %d): edited", label, r.Entry)
		}
	}
	keys := make([]RecordKey, 0, len(st.Records))
	for k, r := range st.Records {
		if !seen[k] && r.Digest != "" && sc.covers(k, r.CaseID) && (sc.Only == nil || sc.Only(k)) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return st.Records[keys[i]].Entry < st.Records[keys[j]].Entry })
	for _, k := range keys {
		r := st.Records[k]
		where := ""
		if r.CaseID != "" {
			where = " of case " + r.CaseID
		}
		add("missing", r.Entry, "%s%s: entry %d logged it, it is absent: deleted", k, where, r.Entry)
	}
	return out
}

func indexOf(s []string, x string) int {
	for i, y := range s {
		if y == x {
			return i
		}
	}
	return -1
}

// Digest is the digest a record reference carries: "<kind>:sha256:<hex>"
// of the value's canonical JSON.
func Digest(kind string, canonicalJSON []byte) string {
	s := sha256.Sum256(canonicalJSON)
	return kind + ":sha256:" + hex.EncodeToString(s[:])
}

// ParseDigest splits "<kind>:sha256:<hex>".
func ParseDigest(d string) (kind, hexSum string, ok bool) {
	kind, rest, ok := strings.Cut(d, ":sha256:")
	return kind, rest, ok && len(rest) == 64
}

// withheldLine is how a bundle lists a log position whose entry the
// exporter may not disclose: its index and leaf hash, nothing else.
type withheldLine struct {
	Index    int64  `json:"index"`
	LeafHash string `json:"leaf_hash"`
}

// EncodeWithheld is the line of a withheld entry in a bundle's
// log/entries.jsonl: {"index":I,"leaf_hash":"<64 hex>"}.
func EncodeWithheld(i int64, h tlog.Hash) []byte {
	b, _ := json.Marshal(withheldLine{Index: i, LeafHash: hex.EncodeToString(h[:])})
	return b
}

// ParseLine reads the line at position i of a bundle's log/entries.jsonl:
// a withheld entry (exactly the canonical form EncodeWithheld writes) or
// an entry's bytes, decoded when they decode.
func ParseLine(i int64, line []byte) Leaf {
	if bytes.HasPrefix(line, []byte(`{"index":`)) && bytes.Contains(line, []byte(`"leaf_hash":`)) {
		var w withheldLine
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if dec.Decode(&w) == nil {
			h, err := hex.DecodeString(w.LeafHash)
			if err == nil && len(h) == 32 {
				var lh tlog.Hash
				copy(lh[:], h)
				if bytes.Equal(EncodeWithheld(w.Index, lh), line) {
					return Leaf{Index: w.Index, Hash: lh}
				}
			}
		}
	}
	l := Leaf{Index: i, Data: line, Hash: LeafHash(line)}
	if e, err := DecodeEntry(line); err == nil {
		l.Entry = &e
	}
	return l
}
