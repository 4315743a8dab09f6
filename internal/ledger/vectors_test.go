package ledger_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/ledger/minverify"
)

// The test vectors of docs/format/testdata (docs/format/ledger.md, "Test
// vectors"): what any verifier of tahqiq's custody log must conclude.
// TestVectors checks that the committed files are those their
// SHA256SUMS names (vectors are never regenerated silently) and that
// tahqiq's own code reaches the expected result for every vector of the
// log's formats; internal/casework checks the record and bundle vectors,
// and internal/ledger/minverify, a second verifier written from the spec,
// checks them all.
//
// To regenerate (then review the diff and commit it with SHA256SUMS):
//
//	go test -p 1 ./internal/ledger ./internal/casework -run TestVectors -update

var update = flag.Bool("update", false, "regenerate the test vectors in docs/format/testdata and their SHA256SUMS")

const testdata = "../../docs/format/testdata"

// vectorFile is the frame of every vector file, after Wycheproof's
// testvectors_v1: each test has a tcId unique in its file, a comment,
// flags (explained in notes), its inputs and a result, "valid" or
// "invalid" with the class of the failure.
type vectorFile struct {
	Algorithm     string            `json:"algorithm"`
	Spec          string            `json:"spec"`
	Generator     string            `json:"generator"`
	NumberOfTests int               `json:"numberOfTests"`
	Header        []string          `json:"header"`
	Notes         map[string]string `json:"notes"`
	TestKeys      json.RawMessage   `json:"testKeys,omitempty"`
	TestGroups    []json.RawMessage `json:"testGroups"`
}

type groupHead struct {
	Type string `json:"type"`
}

func readVectors(t *testing.T, name string) vectorFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// groups decodes the groups of type typ into out (a pointer to a slice).
func groups[G any](t *testing.T, f vectorFile, typ string) []G {
	t.Helper()
	var out []G
	for _, raw := range f.TestGroups {
		var h groupHead
		if err := json.Unmarshal(raw, &h); err != nil {
			t.Fatal(err)
		}
		if h.Type != typ {
			continue
		}
		var g G
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&g); err != nil {
			t.Fatalf("group %s: %v", typ, err)
		}
		out = append(out, g)
	}
	if len(out) == 0 {
		t.Fatalf("no group of type %s", typ)
	}
	return out
}

// TestVectors regenerates the vectors with -update, then checks the
// digests of every file of docs/format/testdata and tahqiq against the
// vectors of the log's formats.
func TestVectors(t *testing.T) {
	if *update {
		generateVectors(t)
		if err := minverify.WriteSums(testdata); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("SHA256SUMS", func(t *testing.T) {
		for _, p := range minverify.CheckSums(testdata) {
			t.Errorf("docs/format/testdata: %s (vectors change only with -update, reviewed and committed with their SHA256SUMS)", p)
		}
	})
	t.Run("entries", testEntryVectors)
	t.Run("tree", testTreeVectors)
	t.Run("checkpoints", testCheckpointVectors)
	t.Run("fold", testFoldVectors)
}

// check reports a vector whose outcome differs from its expected result.
func check(t *testing.T, id int, comment, result, class string, gotClasses []string, detail any) {
	t.Helper()
	switch {
	case result == "valid" && len(gotClasses) > 0:
		t.Errorf("tcId %d (%s): want valid, got %v: %v", id, comment, gotClasses, detail)
	case result == "invalid" && !contains(gotClasses, class):
		t.Errorf("tcId %d (%s): want invalid (%s), got %v: %v", id, comment, class, gotClasses, detail)
	case result != "valid" && result != "invalid":
		t.Errorf("tcId %d: result %q", id, result)
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

// ---- entries.json

type entryTest struct {
	TcID     int      `json:"tcId"`
	Comment  string   `json:"comment"`
	Flags    []string `json:"flags"`
	Entry    string   `json:"entry"`
	EntryHex string   `json:"entryHex,omitempty"`
	Position int64    `json:"position"`
	LeafHash string   `json:"leafHash"`
	Format   int      `json:"format,omitempty"`
	Result   string   `json:"result"`
	Class    string   `json:"class,omitempty"`
}

func (e entryTest) bytes() []byte {
	if e.EntryHex != "" {
		b, _ := hex.DecodeString(e.EntryHex)
		return b
	}
	return []byte(e.Entry)
}

type entryGroup struct {
	Type  string      `json:"type"`
	Tests []entryTest `json:"tests"`
}

// entryClasses is how tahqiq judges one entry at a position.
func entryClasses(b []byte, pos int64) ([]string, error) {
	e, err := ledger.DecodeEntry(b)
	if err != nil {
		return []string{"not-canonical"}, err
	}
	if e.Index != pos {
		return []string{"wrong-index"}, fmt.Errorf("index %d at position %d", e.Index, pos)
	}
	return nil, nil
}

func testEntryVectors(t *testing.T) {
	f := readVectors(t, "entries.json")
	n := 0
	for _, g := range groups[entryGroup](t, f, "EntryTest") {
		for _, tc := range g.Tests {
			n++
			b := tc.bytes()
			got, err := entryClasses(b, tc.Position)
			check(t, tc.TcID, tc.Comment, tc.Result, tc.Class, got, err)
			if lh := ledger.LeafHex(b); lh != tc.LeafHash {
				t.Errorf("tcId %d: leaf hash %s, want %s", tc.TcID, lh, tc.LeafHash)
			}
			if tc.Result == "valid" {
				e, _ := ledger.DecodeEntry(b)
				if format := max(e.Format, 1); format != tc.Format {
					t.Errorf("tcId %d: format %d, want %d", tc.TcID, format, tc.Format)
				}
			}
		}
	}
	if n != f.NumberOfTests {
		t.Errorf("entries.json: %d tests, numberOfTests says %d", n, f.NumberOfTests)
	}
}

// ---- tree.json

type treeHashGroup struct {
	Type    string         `json:"type"`
	Comment string         `json:"comment"`
	Source  string         `json:"source,omitempty"`
	Leaves  []string       `json:"leaves"` // hex of each leaf's bytes
	Tests   []treeHashTest `json:"tests"`
}

type treeHashTest struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Flags   []string `json:"flags"`
	Size    int64    `json:"size"`
	Root    string   `json:"root"` // hex
	Result  string   `json:"result"`
	Class   string   `json:"class,omitempty"`
}

type inclusionGroup struct {
	Type    string          `json:"type"`
	Comment string          `json:"comment"`
	Source  string          `json:"source,omitempty"`
	Tests   []inclusionTest `json:"tests"`
}

type inclusionTest struct {
	TcID     int          `json:"tcId"`
	Comment  string       `json:"comment"`
	Flags    []string     `json:"flags"`
	Leaf     string       `json:"leaf"`     // hex of the entry's bytes
	LeafHash string       `json:"leafHash"` // hex
	Root     string       `json:"root"`     // hex, of the tree of proof.size
	Proof    tahqiq.Proof `json:"proof"`
	Result   string       `json:"result"`
	Class    string       `json:"class,omitempty"`
}

type consistencyGroup struct {
	Type    string            `json:"type"`
	Comment string            `json:"comment"`
	Source  string            `json:"source,omitempty"`
	Tests   []consistencyTest `json:"tests"`
}

type consistencyTest struct {
	TcID    int          `json:"tcId"`
	Comment string       `json:"comment"`
	Flags   []string     `json:"flags"`
	OldRoot string       `json:"oldRoot"` // hex, of the tree of proof.old_size
	Root    string       `json:"root"`    // hex, of the tree of proof.size
	Proof   tahqiq.Proof `json:"proof"`
	Result  string       `json:"result"`
	Class   string       `json:"class,omitempty"`
}

func hexHash(t *testing.T, s string) tlog.Hash {
	t.Helper()
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		t.Fatalf("bad hash %q in a vector", s)
	}
	copy(h[:], b)
	return h
}

func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q in a vector", s)
	}
	return b
}

func testTreeVectors(t *testing.T) {
	f := readVectors(t, "tree.json")
	n := 0
	for _, g := range groups[treeHashGroup](t, f, "TreeHashTest") {
		var leaves [][]byte
		for _, l := range g.Leaves {
			leaves = append(leaves, hexBytes(t, l))
		}
		for _, tc := range g.Tests {
			n++
			m := &ledger.MemStore{}
			if _, err := ledger.New(m).Append(leaves[:tc.Size]...); err != nil {
				t.Fatal(err)
			}
			tr, err := ledger.TreeAt(m, tc.Size)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if tr.Hash != hexHash(t, tc.Root) {
				got = []string{"root-mismatch"}
			}
			check(t, tc.TcID, tc.Comment, tc.Result, tc.Class, got, hex.EncodeToString(tr.Hash[:]))
		}
	}
	for _, g := range groups[inclusionGroup](t, f, "InclusionProofTest") {
		for _, tc := range g.Tests {
			n++
			leaf := hexBytes(t, tc.Leaf)
			if lh := ledger.LeafHex(leaf); lh != tc.LeafHash {
				t.Errorf("tcId %d: leaf hash %s, want %s", tc.TcID, lh, tc.LeafHash)
			}
			var got []string
			err := ledger.CheckInclusion(tc.Proof, hexHash(t, tc.Root), leaf)
			if err != nil || tc.Proof.Kind != "inclusion" {
				got = []string{"bad-proof"}
			}
			check(t, tc.TcID, tc.Comment, tc.Result, tc.Class, got, err)
		}
	}
	for _, g := range groups[consistencyGroup](t, f, "ConsistencyProofTest") {
		for _, tc := range g.Tests {
			n++
			var got []string
			err := ledger.CheckConsistency(tc.Proof, hexHash(t, tc.Root), hexHash(t, tc.OldRoot))
			if err != nil || tc.Proof.Kind != "consistency" {
				got = []string{"bad-proof"}
			}
			check(t, tc.TcID, tc.Comment, tc.Result, tc.Class, got, err)
		}
	}
	if n != f.NumberOfTests {
		t.Errorf("tree.json: %d tests, numberOfTests says %d", n, f.NumberOfTests)
	}
}

// ---- checkpoints.json

type keyGroup struct {
	Type    string    `json:"type"`
	Comment string    `json:"comment"`
	Tests   []keyTest `json:"tests"`
}

type keyTest struct {
	TcID      int      `json:"tcId"`
	Comment   string   `json:"comment"`
	Flags     []string `json:"flags"`
	Name      string   `json:"name,omitempty"`
	PublicKey string   `json:"publicKey,omitempty"` // base64 of the 32-byte Ed25519 key
	KeyHash   string   `json:"keyHash,omitempty"`   // 8 hex
	VKey      string   `json:"vkey"`
	Result    string   `json:"result"`
	Class     string   `json:"class,omitempty"`
}

type checkpointGroup struct {
	Type    string           `json:"type"`
	Comment string           `json:"comment"`
	Source  string           `json:"source,omitempty"`
	Tests   []checkpointTest `json:"tests"`
}

type checkpointTest struct {
	TcID        int      `json:"tcId"`
	Comment     string   `json:"comment"`
	Flags       []string `json:"flags"`
	LogKey      string   `json:"logKey"`
	WitnessKeys []string `json:"witnessKeys,omitempty"`
	Note        string   `json:"note"`
	NoteHex     string   `json:"noteHex,omitempty"`
	Result      string   `json:"result"`
	Class       string   `json:"class,omitempty"`
	Origin      string   `json:"origin,omitempty"`
	Size        int64    `json:"size,omitempty"`
	Root        string   `json:"root,omitempty"`    // base64, as in the note
	Signers     []string `json:"signers,omitempty"` // the known keys that signed, by name, in note order
}

func (c checkpointTest) bytes() []byte {
	if c.NoteHex != "" {
		b, _ := hex.DecodeString(c.NoteHex)
		return b
	}
	return []byte(c.Note)
}

type ed25519Group struct {
	Type    string        `json:"type"`
	Comment string        `json:"comment"`
	Source  string        `json:"source"`
	Tests   []ed25519Test `json:"tests"`
}

type ed25519Test struct {
	TcID      int      `json:"tcId"`
	Comment   string   `json:"comment"`
	Flags     []string `json:"flags"`
	PublicKey string   `json:"publicKey"` // hex
	Msg       string   `json:"msg"`
	Sig       string   `json:"sig"` // hex
	Result    string   `json:"result"`
	Class     string   `json:"class,omitempty"`
}

// checkpointClass is how tahqiq names a checkpoint that does not open.
func checkpointClass(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "not signed by any known key"), strings.Contains(s, "not signed by the log key"):
		return "no-log-signature"
	case strings.Contains(s, "invalid signature for key"):
		return "bad-signature"
	case strings.Contains(s, "malformed note"):
		return "malformed-note"
	case strings.HasPrefix(s, "checkpoint: "):
		return "malformed-checkpoint"
	}
	return "unclassified: " + s
}

func testCheckpointVectors(t *testing.T) {
	f := readVectors(t, "checkpoints.json")
	n := 0
	for _, g := range groups[keyGroup](t, f, "KeyTest") {
		for _, tc := range g.Tests {
			n++
			v, err := ledger.NewVerifier(tc.VKey)
			var got []string
			if err != nil {
				got = []string{"malformed-key"}
			}
			check(t, tc.TcID, tc.Comment, tc.Result, tc.Class, got, err)
			if err == nil && tc.Result == "valid" {
				if v.Name() != tc.Name || fmt.Sprintf("%08x", v.KeyHash()) != tc.KeyHash {
					t.Errorf("tcId %d: key %s+%08x, want %s+%s", tc.TcID, v.Name(), v.KeyHash(), tc.Name, tc.KeyHash)
				}
				pub, _ := base64.StdEncoding.DecodeString(tc.PublicKey)
				if want, _ := note.NewEd25519VerifierKey(tc.Name, pub); want != tc.VKey {
					t.Errorf("tcId %d: vkey of %s is %s, want %s", tc.TcID, tc.PublicKey, want, tc.VKey)
				}
			}
		}
	}
	for _, g := range groups[checkpointGroup](t, f, "CheckpointTest") {
		for _, tc := range g.Tests {
			n++
			lk, err := ledger.NewVerifier(tc.LogKey)
			if err != nil {
				t.Fatalf("tcId %d: log key: %v", tc.TcID, err)
			}
			var ws []note.Verifier
			for _, w := range tc.WitnessKeys {
				v, err := ledger.NewVerifier(w)
				if err != nil {
					t.Fatalf("tcId %d: witness key: %v", tc.TcID, err)
				}
				ws = append(ws, v)
			}
			origin, tr, signers, err := ledger.OpenCheckpoint(tc.bytes(), lk, ws...)
			var got []string
			if err != nil {
				got = []string{checkpointClass(err)}
			}
			check(t, tc.TcID, tc.Comment, tc.Result, tc.Class, got, err)
			if err == nil && tc.Result == "valid" {
				root := base64.StdEncoding.EncodeToString(tr.Hash[:])
				if origin != tc.Origin || tr.N != tc.Size || root != tc.Root || strings.Join(signers, ",") != strings.Join(tc.Signers, ",") {
					t.Errorf("tcId %d: %q %d %s signed by %v, want %q %d %s signed by %v", tc.TcID, origin, tr.N, root, signers, tc.Origin, tc.Size, tc.Root, tc.Signers)
				}
			}
		}
	}
	for _, g := range groups[ed25519Group](t, f, "Ed25519Test") {
		for _, tc := range g.Tests {
			n++
			// Through the note verifier tahqiq uses for checkpoints.
			pub := append([]byte{1}, hexBytes(t, tc.PublicKey)...)
			vk, err := note.NewEd25519VerifierKey("cctv", pub[1:])
			if err != nil {
				t.Fatal(err)
			}
			v, err := ledger.NewVerifier(vk)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if !v.Verify([]byte(tc.Msg), hexBytes(t, tc.Sig)) {
				got = []string{"bad-signature"}
			}
			check(t, tc.TcID, tc.Comment, tc.Result, tc.Class, got, nil)
		}
	}
	if n != f.NumberOfTests {
		t.Errorf("checkpoints.json: %d tests, numberOfTests says %d", n, f.NumberOfTests)
	}
}

// ---- fold.json

type foldProblem struct {
	Class string `json:"class"`
	Index int64  `json:"index"`
}

type foldRecord struct {
	Kind    string   `json:"kind"`
	ID      string   `json:"id"`
	CaseID  string   `json:"caseId,omitempty"`
	Version int64    `json:"version"`
	Digest  string   `json:"digest,omitempty"`
	History []string `json:"history"`
	Entry   int64    `json:"entry"`
	Legacy  bool     `json:"legacy,omitempty"`
}

type foldChain struct {
	CaseID   string `json:"caseId"`
	Count    int64  `json:"count"`
	Withheld int64  `json:"withheld"`
	Legacy   int64  `json:"legacy"`
	Head     string `json:"head"` // hex leaf hash of the case's last entry
	Last     int64  `json:"last"` // its index
}

type foldGroup struct {
	Type    string     `json:"type"`
	Comment string     `json:"comment"`
	Tests   []foldTest `json:"tests"`
}

type foldTest struct {
	TcID          int           `json:"tcId"`
	Comment       string        `json:"comment"`
	Flags         []string      `json:"flags"`
	Lines         []string      `json:"lines"`
	Partial       bool          `json:"partial"`
	Result        string        `json:"result"`
	Class         string        `json:"class,omitempty"` // of the first problem
	Problems      []foldProblem `json:"problems"`
	Records       []foldRecord  `json:"records"`
	Chains        []foldChain   `json:"chains"`
	LegacyDigests []string      `json:"legacyDigests"`
	LegacyIDs     []string      `json:"legacyIds"` // "<kind> <id>"
}

type present struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	CaseID string `json:"caseId,omitempty"`
	Digest string `json:"digest"`
}

type compareScope struct {
	CaseID string   `json:"caseId,omitempty"`
	Kinds  []string `json:"kinds,omitempty"`
}

type compareProblem struct {
	Class string `json:"class"`
	Kind  string `json:"kind"`
	ID    string `json:"id"`
}

type compareGroup struct {
	Type    string        `json:"type"`
	Comment string        `json:"comment"`
	Lines   []string      `json:"lines"` // the log every test of the group compares with
	Tests   []compareTest `json:"tests"`
}

type compareTest struct {
	TcID     int              `json:"tcId"`
	Comment  string           `json:"comment"`
	Flags    []string         `json:"flags"`
	Present  []present        `json:"present"`
	Scope    compareScope     `json:"scope"`
	Result   string           `json:"result"`
	Class    string           `json:"class,omitempty"` // of the first problem
	Problems []compareProblem `json:"problems"`
	Legacy   int              `json:"legacy"`
}

// foldClass names a problem of ledger.Fold by the classes of ledger.md.
func foldClass(p ledger.Problem) string {
	switch {
	case p.What == "chain" && strings.Contains(p.Msg, "forked or rewritten"):
		return "fork"
	case p.What == "chain" && strings.Contains(p.Msg, "was replaced"):
		return "replaced"
	case p.What == "chain" && (strings.Contains(p.Msg, "are missing from the log") || strings.Contains(p.Msg, "follows no entry of this log")):
		return "gap"
	case p.What == "record" && (strings.Contains(p.Msg, "first logged at version") || strings.Contains(p.Msg, "follows version")):
		return "version-skip"
	case p.What == "record" && strings.Contains(p.Msg, "belongs to case"):
		return "wrong-case"
	}
	return "unclassified: " + p.String()
}

func leavesOf(lines []string) []ledger.Leaf {
	out := make([]ledger.Leaf, len(lines))
	for i, l := range lines {
		out[i] = ledger.ParseLine(int64(i), []byte(l))
	}
	return out
}

func foldState(st *ledger.State) ([]foldRecord, []foldChain, []string, []string) {
	var recs []foldRecord
	for _, r := range st.Records {
		recs = append(recs, foldRecord{Kind: r.Key.Kind, ID: r.Key.ID, CaseID: r.CaseID, Version: r.Version, Digest: r.Digest,
			History: append([]string{}, r.History...), Entry: r.Entry, Legacy: r.Legacy})
	}
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].Kind != recs[j].Kind {
			return recs[i].Kind < recs[j].Kind
		}
		return recs[i].ID < recs[j].ID
	})
	var chains []foldChain
	for _, c := range st.Chains {
		chains = append(chains, foldChain{CaseID: c.CaseID, Count: c.Count, Withheld: c.Withheld, Legacy: c.Legacy, Head: hex.EncodeToString(c.Head[:]), Last: c.Last})
	}
	sort.Slice(chains, func(i, j int) bool { return chains[i].CaseID < chains[j].CaseID })
	digests := []string{}
	for d := range st.LegacyDigests {
		digests = append(digests, d)
	}
	sort.Strings(digests)
	ids := []string{}
	for k := range st.LegacyIDs {
		ids = append(ids, k.Kind+" "+k.ID)
	}
	sort.Strings(ids)
	if recs == nil {
		recs = []foldRecord{}
	}
	if chains == nil {
		chains = []foldChain{}
	}
	return recs, chains, digests, ids
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func testFoldVectors(t *testing.T) {
	f := readVectors(t, "fold.json")
	n := 0
	for _, g := range groups[foldGroup](t, f, "FoldTest") {
		for _, tc := range g.Tests {
			n++
			st := ledger.Fold(leavesOf(tc.Lines), tc.Partial)
			got := []foldProblem{}
			var classes []string
			for _, p := range st.Problems {
				got = append(got, foldProblem{Class: foldClass(p), Index: p.Index})
				classes = append(classes, foldClass(p))
			}
			check(t, tc.TcID, tc.Comment, tc.Result, tc.Class, classes, st.Problems)
			if jsonString(got) != jsonString(tc.Problems) {
				t.Errorf("tcId %d (%s): problems %s, want %s (%v)", tc.TcID, tc.Comment, jsonString(got), jsonString(tc.Problems), st.Problems)
			}
			recs, chains, digests, ids := foldState(st)
			if jsonString(recs) != jsonString(tc.Records) {
				t.Errorf("tcId %d (%s): records\n%s\nwant\n%s", tc.TcID, tc.Comment, jsonString(recs), jsonString(tc.Records))
			}
			if jsonString(chains) != jsonString(tc.Chains) {
				t.Errorf("tcId %d (%s): chains\n%s\nwant\n%s", tc.TcID, tc.Comment, jsonString(chains), jsonString(tc.Chains))
			}
			if jsonString(digests) != jsonString(tc.LegacyDigests) || jsonString(ids) != jsonString(tc.LegacyIDs) {
				t.Errorf("tcId %d (%s): legacy %v %v, want %v %v", tc.TcID, tc.Comment, digests, ids, tc.LegacyDigests, tc.LegacyIDs)
			}
		}
	}
	for _, g := range groups[compareGroup](t, f, "CompareTest") {
		for _, tc := range g.Tests {
			n++
			got, legacy := compareWithTahqiq(g.Lines, tc)
			if jsonString(sortedCompare(got)) != jsonString(tc.Problems) || legacy != tc.Legacy {
				t.Errorf("tcId %d (%s): problems %s, %d legacy; want %s, %d", tc.TcID, tc.Comment, jsonString(got), legacy, jsonString(tc.Problems), tc.Legacy)
			}
			var classes []string
			for _, p := range got {
				classes = append(classes, p.Class)
			}
			check(t, tc.TcID, tc.Comment, tc.Result, tc.Class, classes, got)
		}
	}
	if n != f.NumberOfTests {
		t.Errorf("fold.json: %d tests, numberOfTests says %d", n, f.NumberOfTests)
	}
}

// compareWithTahqiq folds the lines and compares the fold with the
// records present, naming each problem by class and record.
func compareWithTahqiq(lines []string, tc compareTest) ([]compareProblem, int) {
	st := ledger.Fold(leavesOf(lines), false)
	var ps []ledger.Present
	for _, p := range tc.Present {
		ps = append(ps, ledger.Present{Key: ledger.RecordKey{Kind: p.Kind, ID: p.ID}, CaseID: p.CaseID, Digest: p.Digest, Label: p.Kind + " " + p.ID})
	}
	cmp := st.Compare(ps, ledger.Scope{CaseID: tc.Scope.CaseID, Kinds: tc.Scope.Kinds})
	got := []compareProblem{}
	for _, p := range cmp.Problems {
		// Every message of Compare starts with the record's label.
		kind, rest, _ := strings.Cut(p.Msg, " ")
		id, _, _ := strings.Cut(rest, ":")
		id, _, _ = strings.Cut(id, " ")
		got = append(got, compareProblem{Class: p.What, Kind: kind, ID: id})
	}
	return got, cmp.Legacy
}
