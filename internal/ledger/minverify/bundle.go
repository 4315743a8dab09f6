package minverify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Bundles: bundle.md, "Verification", steps 1 to 6, for bundles of format
// tahqiq-bundle/2 in a directory. Format 1 and zip archives are not
// covered: a format-1 bundle is checked only for a downgrade.

// Report is the outcome of VerifyBundle.
type Report struct {
	Problems    []Problem
	Established bool // the key was given, not taken from the bundle
	LogSize     int64
	Scope       string
	Items       int
	Blobs       int
	Records     int
	Withheld    int64
}

// Classes are the classes of the report's problems, and
// signer-not-established for a bundle otherwise valid whose key was not
// given.
func (r *Report) Classes() []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.Class)
	}
	if len(out) == 0 && !r.Established {
		out = append(out, "signer-not-established")
	}
	return out
}

type manifest struct {
	Format     string           `json:"format"`
	ExportedAt string           `json:"exported_at"`
	ExportedBy string           `json:"exported_by"`
	Origin     string           `json:"origin"`
	LogSize    int64            `json:"log_size"`
	CaseID     string           `json:"case_id"`
	Scope      string           `json:"scope"`
	Items      int              `json:"items"`
	Entry      int64            `json:"entry"`
	Proofs     map[string]Proof `json:"proofs"`
}

var viewSchema = schema{
	{name: "case", typ: tObject, sub: recordSchemas["case"]},
	{name: "items", typ: tObjects, sub: recordSchemas["item"]},
	{name: "findings", typ: tObjects, sub: recordSchemas["finding"]},
	{name: "recommendations", typ: tObjects, sub: recordSchemas["recommendation"]},
	{name: "tasks", typ: tObjects, sub: recordSchemas["task"]},
	{name: "notes", typ: tObjects, sub: recordSchemas["note"]},
	{name: "shares", typ: tObjects, omit: omitEmpty, sub: recordSchemas["share"]},
	{name: "scope", typ: tString, omit: omitEmpty},
}

// VerifyBundle verifies the bundle directory dir with trustedKey as the
// log key ("" to use only the bundle's own keys/log.pub).
func VerifyBundle(dir, trustedKey string) *Report {
	r := &Report{}
	add := func(class string, index int64, f string, a ...any) {
		r.Problems = append(r.Problems, problem(class, index, f, a...))
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			add("file-removed", -1, "%s: %v", name, err)
			return nil
		}
		return b
	}
	// 1. Files.
	r.Problems = append(r.Problems, CheckSums(dir)...)
	mb := read("manifest.json")
	if mb == nil {
		return r
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(mb, &head); err != nil {
		add("manifest", -1, "manifest.json: %v", err)
		return r
	}
	if head.Format == "tahqiq-bundle/1" {
		verifyFormat1(dir, mb, r)
		return r
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(mb))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || m.Format != "tahqiq-bundle/2" {
		add("manifest", -1, "manifest.json: %v (format %q)", err, m.Format)
		return r
	}
	// 2. The key.
	keyText := trustedKey
	r.Established = trustedKey != ""
	if keyText == "" {
		keyText = string(read("keys/log.pub"))
	}
	key, err := ParseKey(keyText)
	if err != nil {
		r.Problems = append(r.Problems, err.(*Error).Problem)
		return r
	}
	// 3. The log.
	lines := readLines(read("log/entries.jsonl"))
	for _, l := range lines {
		if l.Err != nil {
			p := l.Err.(*Error).Problem
			p.Index = l.Position
			r.Problems = append(r.Problems, p)
		}
	}
	leaves := make([][32]byte, len(lines))
	for i, l := range lines {
		leaves[i] = l.Leaf
	}
	n := int64(len(lines))
	cpb := read("log/checkpoint")
	if cpb == nil {
		return r
	}
	cp, err := OpenCheckpoint(cpb, key)
	if err != nil {
		r.Problems = append(r.Problems, err.(*Error).Problem)
		return r
	}
	size := cp.Size
	roots := map[int64][32]byte{}
	checkTree := func(what string, c Checkpoint) {
		if old, ok := roots[c.Size]; ok && old != c.Root {
			add("fork", c.Size, "two checkpoints of size %d with different roots", c.Size)
		}
		roots[c.Size] = c.Root
		if c.Size > n {
			add("truncated", c.Size, "%s of size %d, the log has %d lines: entries removed", what, c.Size, n)
			return
		}
		if TreeHash(leaves[:c.Size]) != c.Root {
			add("root-mismatch", c.Size, "%s: the tree of the first %d lines is not its root", what, c.Size)
		}
	}
	checkTree("log/checkpoint", cp)
	if n > size {
		add("entries-after-checkpoint", size, "%d lines after the checkpoint's %d", n-size, size)
		lines = lines[:size]
	}
	var earlier []string
	if ents, err := os.ReadDir(filepath.Join(dir, "log", "earlier")); err == nil {
		for _, e := range ents {
			earlier = append(earlier, "log/earlier/"+e.Name())
		}
	}
	sort.Strings(earlier)
	for _, name := range earlier {
		b := read(name)
		if b == nil {
			continue
		}
		c, err := OpenCheckpoint(b, key)
		if err != nil {
			p := err.(*Error).Problem
			p.Msg = name + ": " + p.Msg
			r.Problems = append(r.Problems, p)
			continue
		}
		checkTree(name, c)
	}
	r.LogSize = n
	if len(lines) == 0 {
		return r
	}
	// 4. The view and its seal.
	vb := read("view.json")
	if vb == nil {
		return r
	}
	view, err := canonical(vb, viewSchema)
	if err != nil {
		add("view-not-canonical", -1, "view.json: %v", err)
		return r
	}
	caseID := view.get("case").get("id").text
	last := lines[len(lines)-1]
	switch e := last.Entry; {
	case last.Withheld || e == nil || e.Action != "case.export" || e.CaseID != caseID:
		add("no-seal", last.Position, "the last line is not the export of case %s", caseID)
		return r
	case len(e.Hashes) == 0 || e.Hashes[0] != Digest("view", vb):
		add("view-not-sealed", last.Position, "view.json is not the view the export sealed")
		return r
	}
	if m.CaseID != caseID || m.Entry != last.Position || m.LogSize != size {
		add("manifest", -1, "manifest.json names case %q, entry %d, size %d; the bundle: %s, %d, %d", m.CaseID, m.Entry, m.LogSize, caseID, last.Position, size)
	}
	// 5. The fold.
	st := Fold(lines, true)
	r.Problems = append(r.Problems, st.Problems...)
	scope := ""
	if s := view.get("scope"); s != nil {
		scope = s.text
	}
	r.Scope = scope
	if c := st.Chains[caseID]; c != nil {
		r.Withheld = c.Withheld
		if c.Withheld > 0 && scope != "items" {
			add("withheld-in-whole-case", c.Last, "%d entries of case %s withheld from a view of scope %q", c.Withheld, caseID, scope)
		}
	}
	var present []Present
	rec := func(kind string, v *jvalue) {
		present = append(present, Present{Key: RecordKey{kind, recordID(kind, v)}, CaseID: caseID, Digest: Digest(kind, vb[v.start:v.end])})
	}
	rec("case", view.get("case"))
	for _, l := range []struct{ key, kind string }{{"items", "item"}, {"findings", "finding"}, {"recommendations", "recommendation"}, {"tasks", "task"}, {"notes", "note"}, {"shares", "share"}} {
		if list := view.get(l.key); list != nil {
			for _, v := range list.elems {
				rec(l.kind, v)
			}
		}
	}
	sc := Scope{CaseID: caseID}
	if scope == "items" {
		sc.Kinds = []string{"case", "item", "share"}
	}
	found, _ := st.Compare(present, sc)
	for _, f := range found {
		add(f.Class, -1, "%s %s", f.Key.Kind, f.Key.ID)
	}
	r.Records = len(present)
	// 6. Items.
	blobs := map[string]bool{}
	if items := view.get("items"); items != nil {
		for _, it := range items.elems {
			r.Items++
			id := it.get("id").text
			if fr := st.Records[RecordKey{"item", id}]; fr != nil {
				p, ok := m.Proofs[id]
				switch {
				case !ok:
					add("bad-proof", fr.Entry, "item %s: no inclusion proof", id)
				case p.Index != fr.Entry || p.Size != size:
					add("bad-proof", fr.Entry, "item %s: a proof of entry %d in %d, want %d in %d", id, p.Index, p.Size, fr.Entry, size)
				default:
					if err := VerifyInclusion(p, lines[fr.Entry].Leaf, cp.Root); err != nil {
						add("bad-proof", fr.Entry, "item %s: %v", id, err)
					}
				}
			}
			if bl := it.get("blobs"); bl != nil {
				for _, b := range bl.elems {
					sum := b.get("sha256").text
					if blobs[sum] {
						continue
					}
					blobs[sum] = true
					if !hex64.MatchString(sum) {
						add("file-removed", -1, "item %s: blob %q is not a SHA-256", id, sum)
						continue
					}
					data := read("blobs/" + sum)
					if data == nil {
						continue
					}
					if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
						add("blob-changed", -1, "blobs/%s does not hash to its name", sum)
					}
				}
			}
		}
	}
	r.Blobs = len(blobs)
	return r
}

// readLines reads log/entries.jsonl: one line per position, each ending in
// "\n" (a last line without it is read all the same).
func readLines(b []byte) []Line {
	if len(b) == 0 {
		return nil
	}
	raw := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	out := make([]Line, len(raw))
	for i, l := range raw {
		out[i] = ReadLine(int64(i), []byte(l))
	}
	return out
}

// verifyFormat1 checks a bundle of format 1 only for a downgrade: an entry
// of format 2 of the case its view names. Anything else of format 1 is
// not verified here, and said so.
func verifyFormat1(dir string, mb []byte, r *Report) {
	var m struct {
		Case struct {
			ID string `json:"id"`
		} `json:"case"`
	}
	json.Unmarshal(mb, &m)
	b, _ := os.ReadFile(filepath.Join(dir, "log", "entries.jsonl"))
	for _, l := range readLines(b) {
		if l.Entry != nil && l.Entry.Format == 2 && l.Entry.CaseID == m.Case.ID {
			r.Problems = append(r.Problems, problem("downgrade", l.Position, "case %s was logged in format 2, the bundle claims format 1", m.Case.ID))
			return
		}
	}
	r.Problems = append(r.Problems, problem("unsupported", -1, "bundles of format 1 are not verified by minverify"))
}
