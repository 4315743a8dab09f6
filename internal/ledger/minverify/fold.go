package minverify

import (
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// The fold: ledger.md, "Fold".

// RecordKey names a record.
type RecordKey struct{ Kind, ID string }

// Record is a record as the fold leaves it.
type Record struct {
	Key     RecordKey
	CaseID  string
	Version int64
	Digest  string // "" when removed
	History []string
	Entry   int64
	Legacy  bool // only format-1 entries made it
}

// Chain is a case's chain after the fold.
type Chain struct {
	CaseID   string
	Count    int64
	Withheld int64
	Legacy   int64
	Head     [32]byte
	Last     int64
}

// State is the outcome of a fold.
type State struct {
	Records       map[RecordKey]*Record
	Chains        map[string]*Chain
	LegacyDigests map[string]bool
	LegacyIDs     map[RecordKey]bool
	Problems      []Problem
}

// Fold replays lines in order. partial says the lines are a bundle's:
// its withheld lines may be entries of any case.
func Fold(lines []Line, partial bool) *State {
	st := &State{Records: map[RecordKey]*Record{}, Chains: map[string]*Chain{}, LegacyDigests: map[string]bool{}, LegacyIDs: map[RecordKey]bool{}}
	withheldAt := map[string]int64{} // hex leaf hash of a withheld line seen so far -> its position
	chain := func(c string) *Chain {
		ch := st.Chains[c]
		if ch == nil {
			ch = &Chain{CaseID: c, Last: -1}
			st.Chains[c] = ch
		}
		return ch
	}
	for _, l := range lines {
		if l.Withheld {
			withheldAt[hexOf(l.Leaf)] = l.Position
			continue
		}
		e := l.Entry
		if e == nil {
			continue
		}
		if e.Format != 2 {
			foldFormat1(st, l, chain)
			continue
		}
		if e.CaseID != "" {
			c := chain(e.CaseID)
			s := e.CaseSeq
			switch {
			case s <= c.Count:
				st.Problems = append(st.Problems, problem("fork", l.Position, "case %s: number %d after %d", e.CaseID, s, c.Count))
			case s == c.Count+1:
				want := Genesis(e.CaseID)
				if c.Count > 0 {
					want = hexOf(c.Head)
				}
				if e.Prev != want {
					st.Problems = append(st.Problems, problem("replaced", l.Position, "case %s: entry %d does not follow entry %d", e.CaseID, s, c.Count))
				}
			default:
				at, ok := withheldAt[e.Prev]
				if partial && ok && at > c.Last {
					c.Withheld += s - c.Count - 1
				} else {
					st.Problems = append(st.Problems, problem("gap", l.Position, "case %s: entries %d to %d are not in the log", e.CaseID, c.Count+1, s-1))
				}
			}
			c.Count, c.Head, c.Last = max(c.Count, s), l.Leaf, l.Position
		}
		for _, r := range e.Records {
			k := RecordKey{r.Kind, r.ID}
			rec := st.Records[k]
			if rec == nil {
				if r.Version != 1 {
					st.Problems = append(st.Problems, problem("version-skip", l.Position, "%s %s first seen at version %d", r.Kind, r.ID, r.Version))
				}
				rec = &Record{Key: k, CaseID: e.CaseID}
				st.Records[k] = rec
			} else if !rec.Legacy && r.Version != rec.Version+1 {
				st.Problems = append(st.Problems, problem("version-skip", l.Position, "%s %s: version %d after %d", r.Kind, r.ID, r.Version, rec.Version))
			}
			if rec.CaseID != e.CaseID {
				st.Problems = append(st.Problems, problem("wrong-case", l.Position, "%s %s of case %q named by an entry of case %q", r.Kind, r.ID, rec.CaseID, e.CaseID))
			}
			rec.Version, rec.Digest, rec.Entry, rec.Legacy = r.Version, r.Digest, l.Position, false
			if r.Digest != "" {
				rec.History = append(rec.History, r.Digest)
			}
		}
	}
	return st
}

// foldFormat1 folds an entry of format 1 (ledger.md, "Fold", 3).
func foldFormat1(st *State, l Line, chain func(string) *Chain) {
	e := l.Entry
	for _, h := range e.Hashes {
		st.LegacyDigests[h] = true
	}
	if e.CaseID != "" {
		c := chain(e.CaseID)
		c.Count++
		c.Legacy++
		c.Head, c.Last = l.Leaf, l.Position
	}
	words := strings.Fields(e.Details)
	word := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	named := func(kind, id string) { st.LegacyIDs[RecordKey{kind, id}] = true }
	switch e.Action {
	case "org.init":
		named("org", word(1))
		for i, w := range words {
			if i >= 2 && w == "admin" {
				named("user", word(i+1))
			}
		}
	case "org.create":
		named("org", word(1))
	case "user.create":
		named("user", word(1))
	case "case.share":
		id := word(1)
		if e.ItemID != "" {
			id += "/" + e.ItemID
		}
		named("share", id)
	case "dataset.claim":
		if i := strings.Index(e.Details, " owned by org "); i > 0 {
			if name, err := strconv.Unquote(strings.TrimPrefix(e.Details[:i], "dataset ")); err == nil {
				named("dataset", name)
			}
		}
	}
	var k RecordKey
	switch {
	case e.Action == "item.attach" && e.ItemID != "" && len(e.Hashes) > 0:
		k = RecordKey{"item", e.ItemID}
	case e.Action == "case.create" && e.CaseID != "" && len(e.Hashes) > 0:
		k = RecordKey{"case", e.CaseID}
	default:
		return
	}
	if st.Records[k] == nil {
		st.Records[k] = &Record{Key: k, CaseID: e.CaseID, Digest: e.Hashes[0], History: []string{e.Hashes[0]}, Entry: l.Position, Legacy: true}
	}
}

// Present is a record as a store or a bundle holds it.
type Present struct {
	Key    RecordKey
	CaseID string
	Digest string
}

// Scope limits a comparison: to a case's records, to some kinds.
type Scope struct {
	CaseID string
	Kinds  []string
}

func (sc Scope) covers(kind, caseID string) bool {
	if sc.CaseID != "" && caseID != sc.CaseID {
		return false
	}
	if sc.Kinds == nil {
		return true
	}
	for _, k := range sc.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Finding is one record the comparison names: its class (missing, extra,
// stale, mismatch) and the record.
type Finding struct {
	Class string
	Key   RecordKey
}

// Compare judges the records present against the fold (ledger.md, "Fold",
// the numbered rules) and returns what it finds and how many records only
// format-1 entries prove.
func (st *State) Compare(present []Present, sc Scope) ([]Finding, int) {
	var out []Finding
	legacy := 0
	seen := map[RecordKey]bool{}
	for _, p := range present {
		if !sc.covers(p.Key.Kind, p.CaseID) {
			continue
		}
		r := st.Records[p.Key]
		switch {
		case seen[p.Key]:
			out = append(out, Finding{"extra", p.Key})
			continue
		case r == nil && (st.LegacyDigests[p.Digest] || st.LegacyIDs[p.Key]):
			legacy++
		case r == nil:
			out = append(out, Finding{"extra", p.Key})
		case r.CaseID != p.CaseID:
			out = append(out, Finding{"mismatch", p.Key})
		case r.Digest == p.Digest:
			if r.Legacy {
				legacy++
			}
		case r.Digest == "":
			out = append(out, Finding{"extra", p.Key})
		case contains(r.History, p.Digest):
			out = append(out, Finding{"stale", p.Key})
		case r.Legacy && st.LegacyDigests[p.Digest]:
			legacy++
		default:
			out = append(out, Finding{"mismatch", p.Key})
		}
		seen[p.Key] = true
	}
	var missing []Finding
	for k, r := range st.Records {
		if !seen[k] && r.Digest != "" && sc.covers(k.Kind, r.CaseID) {
			missing = append(missing, Finding{"missing", k})
		}
	}
	sort.Slice(missing, func(i, j int) bool { return st.Records[missing[i].Key].Entry < st.Records[missing[j].Key].Entry })
	return append(out, missing...), legacy
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// HeadHex is a chain's head in hex.
func (c *Chain) HeadHex() string { return hex.EncodeToString(c.Head[:]) }
