package minverify_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ledger/minverify"
)

// TestVectors runs the second verifier over every vector of
// docs/format/testdata and requires each vector's expected result. It
// reads the files with the standard library only, as an outsider would.

const testdata = "../../../docs/format/testdata"

type file struct {
	NumberOfTests int               `json:"numberOfTests"`
	TestKeys      json.RawMessage   `json:"testKeys"`
	TestGroups    []json.RawMessage `json:"testGroups"`
}

type common struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Flags   []string `json:"flags"`
	Result  string   `json:"result"`
	Class   string   `json:"class"`
}

// tests decodes every test of the groups of type typ of a file, each
// into a fresh T, with its group's raw JSON.
func tests[T any](t *testing.T, name, typ string, run func(group json.RawMessage, tc T)) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range f.TestGroups {
		var head struct {
			Type  string            `json:"type"`
			Tests []json.RawMessage `json:"tests"`
		}
		if err := json.Unmarshal(g, &head); err != nil {
			t.Fatal(err)
		}
		if head.Type != typ {
			continue
		}
		for _, raw := range head.Tests {
			var tc T
			if err := json.Unmarshal(raw, &tc); err != nil {
				t.Fatal(err)
			}
			run(g, tc)
			n++
		}
	}
	if n == 0 {
		t.Fatalf("%s: no %s", name, typ)
	}
	return n
}

func numberOfTests(t *testing.T, name string) int {
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	var f file
	json.Unmarshal(b, &f)
	return f.NumberOfTests
}

// expect compares the classes a verifier found with a test's expected
// result: valid is no class; invalid is its class among them.
func expect(t *testing.T, c common, got []string, detail any) {
	t.Helper()
	switch c.Result {
	case "valid":
		if len(got) > 0 {
			t.Errorf("tcId %d (%s): want valid, got %v: %v", c.TcID, c.Comment, got, detail)
		}
	case "invalid":
		for _, g := range got {
			if g == c.Class {
				return
			}
		}
		t.Errorf("tcId %d (%s): want %s, got %v: %v", c.TcID, c.Comment, c.Class, got, detail)
	default:
		t.Errorf("tcId %d: result %q", c.TcID, c.Result)
	}
}

func classes(err error) []string {
	if err == nil {
		return nil
	}
	return []string{minverify.ClassOf(err)}
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func hash(t *testing.T, s string) [32]byte {
	var h [32]byte
	if copy(h[:], mustHex(t, s)) != 32 {
		t.Fatalf("hash %q", s)
	}
	return h
}

func TestEntryVectors(t *testing.T) {
	type entryTest struct {
		common
		Entry    string `json:"entry"`
		EntryHex string `json:"entryHex"`
		Position int64  `json:"position"`
		LeafHash string `json:"leafHash"`
		Format   int64  `json:"format"`
	}
	n := tests(t, "entries.json", "EntryTest", func(_ json.RawMessage, tc entryTest) {
		b := []byte(tc.Entry)
		if tc.EntryHex != "" {
			b = mustHex(t, tc.EntryHex)
		}
		e, err := minverify.CheckEntry(b, tc.Position)
		expect(t, tc.common, classes(err), err)
		if h := minverify.LeafHash(b); hex.EncodeToString(h[:]) != tc.LeafHash {
			t.Errorf("tcId %d: leaf hash %x, want %s", tc.TcID, h, tc.LeafHash)
		}
		if err == nil && max(e.Format, 1) != tc.Format {
			t.Errorf("tcId %d: format %d, want %d", tc.TcID, e.Format, tc.Format)
		}
	})
	if n != numberOfTests(t, "entries.json") {
		t.Errorf("%d tests run, the file has %d", n, numberOfTests(t, "entries.json"))
	}
}

func TestRecordVectors(t *testing.T) {
	type recordTest struct {
		common
		Kind   string `json:"kind"`
		ID     string `json:"id"`
		Value  string `json:"value"`
		Digest string `json:"digest"`
	}
	n := tests(t, "records.json", "RecordDigestTest", func(_ json.RawMessage, tc recordTest) {
		id, d, err := minverify.RecordDigest(tc.Kind, []byte(tc.Value))
		got := classes(err)
		if err == nil && d != tc.Digest {
			got = []string{"digest-mismatch"}
		}
		expect(t, tc.common, got, err)
		if err == nil && tc.Result == "valid" && id != tc.ID {
			t.Errorf("tcId %d: ID %q, want %q", tc.TcID, id, tc.ID)
		}
	})
	if n != numberOfTests(t, "records.json") {
		t.Errorf("%d tests run, the file has %d", n, numberOfTests(t, "records.json"))
	}
}

func TestTreeVectors(t *testing.T) {
	type rootTest struct {
		common
		Size int64  `json:"size"`
		Root string `json:"root"`
	}
	n := tests(t, "tree.json", "TreeHashTest", func(g json.RawMessage, tc rootTest) {
		var group struct {
			Leaves []string `json:"leaves"`
		}
		json.Unmarshal(g, &group)
		var leaves [][32]byte
		for _, l := range group.Leaves[:tc.Size] {
			leaves = append(leaves, minverify.LeafHash(mustHex(t, l)))
		}
		var got []string
		if minverify.TreeHash(leaves) != hash(t, tc.Root) {
			got = []string{"root-mismatch"}
		}
		expect(t, tc.common, got, nil)
	})
	type inclusionTest struct {
		common
		Leaf     string          `json:"leaf"`
		LeafHash string          `json:"leafHash"`
		Root     string          `json:"root"`
		Proof    json.RawMessage `json:"proof"`
	}
	n += tests(t, "tree.json", "InclusionProofTest", func(_ json.RawMessage, tc inclusionTest) {
		leaf := minverify.LeafHash(mustHex(t, tc.Leaf))
		if hex.EncodeToString(leaf[:]) != tc.LeafHash {
			t.Errorf("tcId %d: leaf hash %x, want %s", tc.TcID, leaf, tc.LeafHash)
		}
		p, err := minverify.ParseProof(tc.Proof)
		if err == nil {
			err = minverify.VerifyInclusion(p, leaf, hash(t, tc.Root))
		}
		expect(t, tc.common, classes(err), err)
	})
	type consistencyTest struct {
		common
		OldRoot string          `json:"oldRoot"`
		Root    string          `json:"root"`
		Proof   json.RawMessage `json:"proof"`
	}
	n += tests(t, "tree.json", "ConsistencyProofTest", func(_ json.RawMessage, tc consistencyTest) {
		p, err := minverify.ParseProof(tc.Proof)
		if err == nil {
			err = minverify.VerifyConsistency(p, hash(t, tc.OldRoot), hash(t, tc.Root))
		}
		expect(t, tc.common, classes(err), err)
	})
	if n != numberOfTests(t, "tree.json") {
		t.Errorf("%d tests run, the file has %d", n, numberOfTests(t, "tree.json"))
	}
}

func TestCheckpointVectors(t *testing.T) {
	type keyTest struct {
		common
		Name      string `json:"name"`
		PublicKey string `json:"publicKey"`
		KeyHash   string `json:"keyHash"`
		VKey      string `json:"vkey"`
	}
	n := tests(t, "checkpoints.json", "KeyTest", func(_ json.RawMessage, tc keyTest) {
		k, err := minverify.ParseKey(tc.VKey)
		expect(t, tc.common, classes(err), err)
		if err == nil && tc.Result == "valid" {
			pub, _ := base64.StdEncoding.DecodeString(tc.PublicKey)
			if k.Name != tc.Name || fmt.Sprintf("%08x", k.Hash) != tc.KeyHash || string(k.Pub) != string(pub) {
				t.Errorf("tcId %d: key %s %08x %x", tc.TcID, k.Name, k.Hash, k.Pub)
			}
			if fmt.Sprintf("%08x", minverify.KeyHash(tc.Name, pub)) != tc.KeyHash {
				t.Errorf("tcId %d: key hash of %s is not %s", tc.TcID, tc.Name, tc.KeyHash)
			}
		}
	})
	type checkpointTest struct {
		common
		LogKey      string   `json:"logKey"`
		WitnessKeys []string `json:"witnessKeys"`
		Note        string   `json:"note"`
		NoteHex     string   `json:"noteHex"`
		Origin      string   `json:"origin"`
		Size        int64    `json:"size"`
		Root        string   `json:"root"`
		Signers     []string `json:"signers"`
	}
	n += tests(t, "checkpoints.json", "CheckpointTest", func(_ json.RawMessage, tc checkpointTest) {
		lk, err := minverify.ParseKey(tc.LogKey)
		if err != nil {
			t.Fatalf("tcId %d: %v", tc.TcID, err)
		}
		var ws []minverify.Key
		for _, w := range tc.WitnessKeys {
			k, err := minverify.ParseKey(w)
			if err != nil {
				t.Fatalf("tcId %d: %v", tc.TcID, err)
			}
			ws = append(ws, k)
		}
		note := []byte(tc.Note)
		if tc.NoteHex != "" {
			note = mustHex(t, tc.NoteHex)
		}
		cp, err := minverify.OpenCheckpoint(note, lk, ws...)
		expect(t, tc.common, classes(err), err)
		if err == nil && tc.Result == "valid" {
			if cp.Origin != tc.Origin || cp.Size != tc.Size || base64.StdEncoding.EncodeToString(cp.Root[:]) != tc.Root || strings.Join(cp.Signers, ",") != strings.Join(tc.Signers, ",") {
				t.Errorf("tcId %d: %q %d %x %v, want %q %d %s %v", tc.TcID, cp.Origin, cp.Size, cp.Root, cp.Signers, tc.Origin, tc.Size, tc.Root, tc.Signers)
			}
		}
	})
	type ed25519Test struct {
		common
		PublicKey string `json:"publicKey"`
		Msg       string `json:"msg"`
		Sig       string `json:"sig"`
	}
	n += tests(t, "checkpoints.json", "Ed25519Test", func(_ json.RawMessage, tc ed25519Test) {
		// As a checkpoint would be checked: through a key in the note
		// format, over the message's bytes.
		pub := mustHex(t, tc.PublicKey)
		text := fmt.Sprintf("cctv+%08x+%s", minverify.KeyHash("cctv", pub), base64.StdEncoding.EncodeToString(append([]byte{1}, pub...)))
		k, err := minverify.ParseKey(text)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		if !k.Verify([]byte(tc.Msg), mustHex(t, tc.Sig)) {
			got = []string{"bad-signature"}
		}
		expect(t, tc.common, got, nil)
	})
	if n != numberOfTests(t, "checkpoints.json") {
		t.Errorf("%d tests run, the file has %d", n, numberOfTests(t, "checkpoints.json"))
	}
}

type problem struct {
	Class string `json:"class"`
	Index int64  `json:"index"`
}

func lines(ls []string) []minverify.Line {
	out := make([]minverify.Line, len(ls))
	for i, l := range ls {
		out[i] = minverify.ReadLine(int64(i), []byte(l))
	}
	return out
}

func TestFoldVectors(t *testing.T) {
	type record struct {
		Kind    string   `json:"kind"`
		ID      string   `json:"id"`
		CaseID  string   `json:"caseId"`
		Version int64    `json:"version"`
		Digest  string   `json:"digest"`
		History []string `json:"history"`
		Entry   int64    `json:"entry"`
		Legacy  bool     `json:"legacy"`
	}
	type chain struct {
		CaseID   string `json:"caseId"`
		Count    int64  `json:"count"`
		Withheld int64  `json:"withheld"`
		Legacy   int64  `json:"legacy"`
		Head     string `json:"head"`
		Last     int64  `json:"last"`
	}
	type foldTest struct {
		common
		Lines         []string  `json:"lines"`
		Partial       bool      `json:"partial"`
		Problems      []problem `json:"problems"`
		Records       []record  `json:"records"`
		Chains        []chain   `json:"chains"`
		LegacyDigests []string  `json:"legacyDigests"`
		LegacyIDs     []string  `json:"legacyIds"`
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	n := tests(t, "fold.json", "FoldTest", func(_ json.RawMessage, tc foldTest) {
		st := minverify.Fold(lines(tc.Lines), tc.Partial)
		got := []problem{}
		for _, p := range st.Problems {
			got = append(got, problem{p.Class, p.Index})
		}
		sortProblems(got)
		sortProblems(tc.Problems)
		if js(got) != js(tc.Problems) {
			t.Errorf("tcId %d (%s): problems %s, want %s (%v)", tc.TcID, tc.Comment, js(got), js(tc.Problems), st.Problems)
		}
		var cls []string
		for _, p := range got {
			cls = append(cls, p.Class)
		}
		expect(t, tc.common, cls, got)
		recs := []record{}
		for _, r := range st.Records {
			recs = append(recs, record{r.Key.Kind, r.Key.ID, r.CaseID, r.Version, r.Digest, append([]string{}, r.History...), r.Entry, r.Legacy})
		}
		sort.Slice(recs, func(i, j int) bool {
			return recs[i].Kind < recs[j].Kind || recs[i].Kind == recs[j].Kind && recs[i].ID < recs[j].ID
		})
		if js(recs) != js(tc.Records) {
			t.Errorf("tcId %d (%s): records\n%s\nwant\n%s", tc.TcID, tc.Comment, js(recs), js(tc.Records))
		}
		chains := []chain{}
		for _, c := range st.Chains {
			chains = append(chains, chain{c.CaseID, c.Count, c.Withheld, c.Legacy, c.HeadHex(), c.Last})
		}
		sort.Slice(chains, func(i, j int) bool { return chains[i].CaseID < chains[j].CaseID })
		if js(chains) != js(tc.Chains) {
			t.Errorf("tcId %d (%s): chains\n%s\nwant\n%s", tc.TcID, tc.Comment, js(chains), js(tc.Chains))
		}
		digests, ids := []string{}, []string{}
		for d := range st.LegacyDigests {
			digests = append(digests, d)
		}
		for k := range st.LegacyIDs {
			ids = append(ids, k.Kind+" "+k.ID)
		}
		sort.Strings(digests)
		sort.Strings(ids)
		if js(digests) != js(tc.LegacyDigests) || js(ids) != js(tc.LegacyIDs) {
			t.Errorf("tcId %d (%s): legacy %v %v, want %v %v", tc.TcID, tc.Comment, digests, ids, tc.LegacyDigests, tc.LegacyIDs)
		}
	})
	type present struct {
		Kind   string `json:"kind"`
		ID     string `json:"id"`
		CaseID string `json:"caseId"`
		Digest string `json:"digest"`
	}
	type finding struct {
		Class string `json:"class"`
		Kind  string `json:"kind"`
		ID    string `json:"id"`
	}
	type compareTest struct {
		common
		Present []present `json:"present"`
		Scope   struct {
			CaseID string   `json:"caseId"`
			Kinds  []string `json:"kinds"`
		} `json:"scope"`
		Problems []finding `json:"problems"`
		Legacy   int       `json:"legacy"`
	}
	n += tests(t, "fold.json", "CompareTest", func(g json.RawMessage, tc compareTest) {
		var group struct {
			Lines []string `json:"lines"`
		}
		json.Unmarshal(g, &group)
		st := minverify.Fold(lines(group.Lines), false)
		var ps []minverify.Present
		for _, p := range tc.Present {
			ps = append(ps, minverify.Present{Key: minverify.RecordKey{Kind: p.Kind, ID: p.ID}, CaseID: p.CaseID, Digest: p.Digest})
		}
		found, legacy := st.Compare(ps, minverify.Scope{CaseID: tc.Scope.CaseID, Kinds: tc.Scope.Kinds})
		got := []finding{}
		for _, f := range found {
			got = append(got, finding{f.Class, f.Key.Kind, f.Key.ID})
		}
		sort.Slice(got, func(i, j int) bool { return js(got[i]) < js(got[j]) })
		want := append([]finding{}, tc.Problems...)
		sort.Slice(want, func(i, j int) bool { return js(want[i]) < js(want[j]) })
		if js(got) != js(want) || legacy != tc.Legacy {
			t.Errorf("tcId %d (%s): %s, %d legacy; want %s, %d", tc.TcID, tc.Comment, js(got), legacy, js(want), tc.Legacy)
		}
		var cls []string
		for _, f := range got {
			cls = append(cls, f.Class)
		}
		expect(t, tc.common, cls, got)
	})
	if n != numberOfTests(t, "fold.json") {
		t.Errorf("%d tests run, the file has %d", n, numberOfTests(t, "fold.json"))
	}
}

func sortProblems(ps []problem) {
	sort.Slice(ps, func(i, j int) bool {
		return ps[i].Index < ps[j].Index || ps[i].Index == ps[j].Index && ps[i].Class < ps[j].Class
	})
}

func TestBundleVectors(t *testing.T) {
	type bundleTest struct {
		common
		Bundle     string `json:"bundle"`
		TrustedKey string `json:"trustedKey"`
		LogSize    int64  `json:"logSize"`
		Scope      string `json:"scope"`
		Items      int    `json:"items"`
		Blobs      int    `json:"blobs"`
		Records    int    `json:"records"`
		Withheld   int64  `json:"withheld"`
	}
	n := tests(t, "bundles.json", "BundleTest", func(_ json.RawMessage, tc bundleTest) {
		r := minverify.VerifyBundle(filepath.Join(testdata, filepath.FromSlash(tc.Bundle)), tc.TrustedKey)
		expect(t, tc.common, r.Classes(), r.Problems)
		if tc.Result == "valid" && (r.LogSize != tc.LogSize || r.Scope != tc.Scope || r.Items != tc.Items || r.Blobs != tc.Blobs || r.Records != tc.Records || r.Withheld != tc.Withheld) {
			t.Errorf("tcId %d (%s): %+v, want size %d scope %s, %d items, %d blobs, %d records, %d withheld", tc.TcID, tc.Comment, *r,
				tc.LogSize, tc.Scope, tc.Items, tc.Blobs, tc.Records, tc.Withheld)
		}
	})
	if n != numberOfTests(t, "bundles.json") {
		t.Errorf("%d tests run, the file has %d", n, numberOfTests(t, "bundles.json"))
	}
}

// TestSums: the vectors are the ones their SHA256SUMS names.
func TestSums(t *testing.T) {
	for _, p := range minverify.CheckSums(testdata) {
		t.Error(p)
	}
}
