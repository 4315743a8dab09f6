package casework

import (
	"fmt"
	"sort"

	"golang.org/x/mod/sumdb/note"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// Report is the outcome of a verification. OK only when Problems is empty.
type Report struct {
	Path     string           `json:"path"`
	Kind     string           `json:"kind"` // "store", "bundle" or "zip bundle"
	LogSize  int64            `json:"log_size"`
	Root     string           `json:"root"`
	Items    int              `json:"items"`
	Blobs    int              `json:"blobs"`
	Signers  []string         `json:"signers,omitempty"`
	Problems []ledger.Problem `json:"problems"`
}

// OK reports whether everything checked.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(what string, idx int64, f string, a ...any) {
	r.Problems = append(r.Problems, ledger.Problem{What: what, Index: idx, Msg: fmt.Sprintf(f, a...)})
}

// material is everything an offline check needs, from a store or a bundle.
type material struct {
	entries     [][]byte
	checkpoints [][]byte
	earlier     [][]byte
	logKey      note.Verifier
	witnesses   []note.Verifier
	items       []tahqiq.Item
	records     map[string]string // "finding f1" -> digest
	checkBlob   func(sum string) error
	proofs      map[string]tahqiq.Proof // item ID -> inclusion proof (bundles)
}

func check(m material, r *Report) {
	res := ledger.Verify(ledger.Input{Entries: m.entries, Checkpoints: m.checkpoints, Earlier: m.earlier, LogKey: m.logKey, Witnesses: m.witnesses})
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
	// Index the log: item attachments and all hashes.
	attach := map[string]tahqiq.LogEntry{}
	logged := map[string]bool{}
	for i, b := range m.entries {
		e, err := ledger.DecodeEntry(b)
		if err != nil {
			continue // already reported
		}
		if e.Action == "item.attach" {
			attach[e.ItemID] = e
		}
		for _, h := range e.Hashes {
			logged[h] = true
		}
		_ = i
	}
	var root []byte
	if len(m.checkpoints) > 0 {
		if _, t, _, err := ledger.OpenCheckpoint(m.checkpoints[len(m.checkpoints)-1], m.logKey, m.witnesses...); err == nil {
			root = t.Hash[:]
			for id, p := range m.proofs {
				e, ok := attach[id]
				if !ok {
					continue
				}
				if p.Size != t.N || p.Index != e.Index {
					r.add("proof", e.Index, "item %s: inclusion proof is for entry %d in size %d, want %d in %d", id, p.Index, p.Size, e.Index, t.N)
					continue
				}
				if err := ledger.CheckInclusion(p, t.Hash, m.entries[e.Index]); err != nil {
					r.add("proof", e.Index, "item %s: %v", id, err)
				}
			}
		}
	}
	_ = root
	checked := map[string]bool{}
	for _, it := range m.items {
		r.Items++
		e, ok := attach[it.ID]
		switch {
		case !ok:
			r.add("item", 0, "item %s (%s): no log entry attaches it: inserted without custody", it.ID, it.Title)
		case len(e.Hashes) == 0 || e.Hashes[0] != it.Digest():
			r.add("item", e.Index, "item %s (%s): record differs from what entry %d logged: edited", it.ID, it.Title, e.Index)
		}
		for _, b := range it.Blobs {
			if ok && !contains(e.Hashes, "sha256:"+b.SHA256) {
				r.add("item", e.Index, "item %s: blob %s not in its log entry", it.ID, b.SHA256)
			}
			if checked[b.SHA256] {
				continue
			}
			checked[b.SHA256] = true
			r.Blobs++
			if err := m.checkBlob(b.SHA256); err != nil {
				r.add("blob", 0, "item %s %q: %s", it.ID, b.Name, tahqiq.ErrorMessage(err))
			}
		}
	}
	keys := make([]string, 0, len(m.records))
	for k := range m.records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !logged[m.records[k]] {
			r.add("record", 0, "%s: not as logged: edited or inserted without custody", k)
		}
	}
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func recordDigests(v View, into map[string]string) {
	into["case "+v.Case.ID] = digest("case", v.Case)
	for _, f := range v.Findings {
		into["finding "+f.ID] = digest("finding", f)
	}
	for _, x := range v.Recommendations {
		into["recommendation "+x.ID] = digest("recommendation", x)
	}
	for _, t := range v.Tasks {
		into["task "+t.ID] = digest("task", t)
	}
	for _, n := range v.Notes {
		into["note "+n.ID] = digest("note", n)
	}
}
