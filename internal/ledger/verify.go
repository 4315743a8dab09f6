package ledger

import (
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Problem is one thing Verify found wrong, named precisely.
type Problem struct {
	What  string `json:"what"`            // "entry", "checkpoint", "consistency", "fork"
	Index int64  `json:"index,omitempty"` // entry index or checkpoint size
	Msg   string `json:"message"`
}

func (p Problem) String() string { return fmt.Sprintf("%s %d: %s", p.What, p.Index, p.Msg) }

// Input is what an offline verifier holds.
type Input struct {
	Entries     [][]byte        // the log's entries, in order (or Leaves)
	Leaves      []Leaf          // the log's leaves, some perhaps withheld; used when set
	Checkpoints [][]byte        // signed checkpoints shipped with the log
	Earlier     [][]byte        // checkpoints the user kept from before
	LogKey      note.Verifier   // the log's public key
	Witnesses   []note.Verifier // optional witness keys
	Origin      string          // expected origin line, "" to accept any
}

// Result is the outcome of Verify.
type Result struct {
	Size     int64              `json:"size"`
	Root     string             `json:"root"`
	Problems []Problem          `json:"problems"`
	Signers  map[int64][]string `json:"signers,omitempty"`
}

// OK reports whether nothing was wrong.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// Verify recomputes the tree from the entries and checks each entry's
// encoding and index, every checkpoint's signature and root, and
// consistency with earlier checkpoints, naming each problem.
func Verify(in Input) *Result {
	res := &Result{Signers: map[int64][]string{}}
	add := func(what string, i int64, f string, a ...any) {
		res.Problems = append(res.Problems, Problem{What: what, Index: i, Msg: fmt.Sprintf(f, a...)})
	}
	leaves := in.Leaves
	if leaves == nil {
		leaves = Leaves(in.Entries)
	}
	m := &MemStore{}
	for i, l := range leaves {
		switch {
		case l.Index != int64(i):
			add("entry", int64(i), "position %d holds entry %d: entry deleted, inserted or reordered", i, l.Index)
		case l.Withheld():
		case l.Entry == nil:
			_, err := DecodeEntry(l.Data)
			add("entry", int64(i), "%v", err)
		case l.Entry.Index != int64(i):
			add("entry", int64(i), "records index %d: entry deleted, inserted or reordered", l.Entry.Index)
		}
		if err := m.appendLeafHash(int64(i), l.Hash); err != nil {
			add("log", int64(i), "%v", err)
			return res
		}
	}
	n := int64(len(leaves))
	full, err := TreeAt(m, n)
	if err != nil {
		add("log", n, "%v", err)
		return res
	}
	res.Size, res.Root = n, encHashes([]tlog.Hash{full.Hash})[0]
	seen := map[int64]tlog.Hash{}
	check := func(kind string, cp []byte) {
		origin, t, signers, err := OpenCheckpoint(cp, in.LogKey, in.Witnesses...)
		if err != nil {
			add(kind, 0, "%v", err)
			return
		}
		if in.Origin != "" && origin != in.Origin {
			add(kind, t.N, "origin %q, want %q", origin, in.Origin)
		}
		res.Signers[t.N] = signers
		if prev, ok := seen[t.N]; ok && prev != t.Hash {
			add("fork", t.N, "two signed checkpoints of size %d with different roots: the log was forked", t.N)
			return
		}
		seen[t.N] = t.Hash
		if t.N > n {
			add(kind, t.N, "checkpoint covers %d entries, log has only %d: entries removed", t.N, n)
			return
		}
		h, err := TreeAt(m, t.N)
		if err != nil {
			add(kind, t.N, "%v", err)
			return
		}
		if h.Hash != t.Hash {
			add(kind, t.N, "root of the first %d entries is %s, checkpoint says %s: an entry was changed, deleted, inserted or reordered",
				t.N, encHashes([]tlog.Hash{h.Hash})[0], encHashes([]tlog.Hash{t.Hash})[0])
		}
	}
	for _, cp := range in.Checkpoints {
		check("checkpoint", cp)
	}
	if len(in.Checkpoints) == 0 {
		add("checkpoint", n, "no signed checkpoint")
	}
	for _, cp := range in.Earlier {
		check("earlier checkpoint", cp)
	}
	return res
}
