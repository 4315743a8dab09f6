package ledger_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// The generator of entries.json, tree.json, checkpoints.json and
// fold.json. Every expected result is written here by hand (the intent);
// tahqiq's code computes the bytes, hashes and signatures, and the
// generator refuses to write a vector on which tahqiq does not reach the
// intended result, so a vector never merely records what the code did.

const generator = "internal/ledger/vectorgen_test.go (go test -p 1 ./internal/ledger ./internal/casework -run TestVectors -update)"

// testKeySeed is the Ed25519 seed of a test key: SHA-256 of a label that
// says it is one. These keys are published; they sign test vectors only.
func testKeySeed(label string) []byte {
	s := sha256.Sum256([]byte("tahqiq test vector key, published, never to be trusted: " + label))
	return s[:]
}

// testKey is a deterministic note key pair for vectors.
type testKey struct {
	Label  string `json:"label"`
	Seed   string `json:"seed"`   // hex of the Ed25519 seed
	Secret string `json:"secret"` // golang.org/x/mod/sumdb/note signer key (PRIVATE+KEY+…)
	Public string `json:"public"` // verifier key (name+hash+base64(0x01‖key))

	signer note.Signer
}

func newTestKey(t testing.TB, name, label string) testKey {
	t.Helper()
	seed := testKeySeed(label)
	sk, vk, err := note.GenerateKey(bytes.NewReader(seed), name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(sk)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{Label: label, Seed: hex.EncodeToString(seed), Secret: sk, Public: vk, signer: s}
}

// The names of the test keys.
const (
	testLogName     = "tahqiq/TEST-vectors"
	testWitnessName = "witness.example/TEST-vectors"
	testUnknownName = "unknown.example/TEST-signer"
)

type vectorOut struct {
	Algorithm     string             `json:"algorithm"`
	Spec          string             `json:"spec"`
	Generator     string             `json:"generator"`
	NumberOfTests int                `json:"numberOfTests"`
	Header        []string           `json:"header"`
	Notes         map[string]string  `json:"notes"`
	TestKeys      map[string]testKey `json:"testKeys,omitempty"`
	TestGroups    []any              `json:"testGroups"`
}

// writeVectors writes a vector file: tests are numbered in order by the
// caller; JSON with two-space indentation, <, > and & not escaped (so the
// entries read as they are), and a final newline.
func writeVectors(t testing.TB, name string, f vectorOut, n int) {
	t.Helper()
	f.Generator, f.NumberOfTests = generator, n
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(testdata, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(testdata, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func generateVectors(t *testing.T) {
	genEntries(t)
	genTree(t)
	genCheckpoints(t)
	genFold(t)
}

// counter numbers the tests of one file.
type counter struct{ n int }

func (c *counter) next() int { c.n++; return c.n }

var vectorTime = time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)

func enc(t testing.TB, e tahqiq.LogEntry) string {
	t.Helper()
	b, err := ledger.EncodeEntry(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fakeDigest(kind, label string) string {
	s := sha256.Sum256([]byte(label))
	return kind + ":sha256:" + hex.EncodeToString(s[:])
}

func fakeSum(label string) string {
	s := sha256.Sum256([]byte(label))
	return "sha256:" + hex.EncodeToString(s[:])
}

// mut replaces old by new in s once; old must occur.
func mut(t testing.TB, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("mut: %q has no %q", s, old)
	}
	return strings.Replace(s, old, new, 1)
}

// ---- entries.json

func genEntries(t *testing.T) {
	var c counter
	var tests []entryTest
	valid := func(comment string, flags []string, e tahqiq.LogEntry) string {
		s := enc(t, e)
		if _, err := entryClasses([]byte(s), e.Index); err != nil {
			t.Fatalf("valid entry %q: %v", s, err)
		}
		tests = append(tests, entryTest{TcID: c.next(), Comment: comment, Flags: flags, Entry: s, Position: e.Index,
			LeafHash: ledger.LeafHex([]byte(s)), Format: max(e.Format, 1), Result: "valid"})
		return s
	}
	invalid := func(comment string, flags []string, s string, pos int64, class string) {
		got, _ := entryClasses([]byte(s), pos)
		if !contains(got, class) {
			t.Fatalf("invalid entry %q: tahqiq says %v, want %s", s, got, class)
		}
		tc := entryTest{TcID: c.next(), Comment: comment, Flags: flags, Entry: s, Position: pos, LeafHash: ledger.LeafHex([]byte(s)), Result: "invalid", Class: class}
		if !utf8Valid(s) {
			tc.Entry, tc.EntryHex = "", hex.EncodeToString([]byte(s))
		}
		tests = append(tests, tc)
	}
	at := func(s int) time.Time { return vectorTime.Add(time.Duration(s) * time.Second) }

	// Format 1: the first eight keys only.
	v1init := valid("format 1: org.init, no case", []string{"Format1"}, tahqiq.LogEntry{Index: 0, Time: at(0), Actor: "u1", Action: "org.init",
		Details: `org o1 "ECP-inquiry" admin u1 "amina"`})
	v1attach := valid("format 1: item.attach with hashes", []string{"Format1"}, tahqiq.LogEntry{Index: 2, Time: at(2), Actor: "u1", Action: "item.attach",
		CaseID: "c1", ItemID: "i1", Hashes: []string{fakeDigest("item", "i1"), fakeSum("blob a")}, Details: `file "a.txt"`})
	// Format 2.
	g := ledger.Genesis("c1")
	create := valid("format 2: the first entry of a case: case_seq 1, prev the case's genesis", []string{"Format2", "Genesis"}, tahqiq.LogEntry{Index: 4, Time: at(4), Actor: "u1", Action: "case.create",
		CaseID: "c1", Details: `title "Fake Form 45 images" tlp amber`, Format: 2, CaseSeq: 1, Prev: g,
		Records: []tahqiq.RecordRef{{Kind: "case", ID: "c1", Version: 1, Digest: fakeDigest("case", "c1 v1")}}})
	attach := valid("format 2: item.attach, the case's second entry", []string{"Format2"}, tahqiq.LogEntry{Index: 5, Time: at(5), Actor: "u1", Action: "item.attach",
		CaseID: "c1", ItemID: "i1", Hashes: []string{fakeSum("blob a")}, Details: `file "a.txt"`, Format: 2, CaseSeq: 2, Prev: ledger.LeafHex([]byte(create)),
		Records: []tahqiq.RecordRef{{Kind: "item", ID: "i1", Version: 1, Digest: fakeDigest("item", "i1 v1")}}})
	valid("format 2: a store record (a user), no case: no case_seq, no prev", []string{"Format2", "StoreRecord"}, tahqiq.LogEntry{Index: 6, Time: at(6), Actor: "u1", Action: "user.create",
		Details: `user u2 "bilal" org o1 role reviewer`, Format: 2,
		Records: []tahqiq.RecordRef{{Kind: "user", ID: "u2", Version: 1, Digest: fakeDigest("user", "u2 v1")}}})
	valid("format 2: two records in one entry (org.init)", []string{"Format2", "StoreRecord"}, tahqiq.LogEntry{Index: 0, Time: at(0), Actor: "u1", Action: "org.init",
		Details: `org o1 "ECP-inquiry" admin u1 "amina"`, Format: 2,
		Records: []tahqiq.RecordRef{{Kind: "org", ID: "o1", Version: 1, Digest: fakeDigest("org", "o1 v1")}, {Kind: "user", ID: "u1", Version: 1, Digest: fakeDigest("user", "u1 v1")}}})
	valid("format 2: a record removed: its reference has no digest", []string{"Format2", "Removed"}, tahqiq.LogEntry{Index: 7, Time: at(7), Actor: "u1", Action: "finding.retract",
		CaseID: "c1", Details: "f1", Format: 2, CaseSeq: 3, Prev: ledger.LeafHex([]byte(attach)),
		Records: []tahqiq.RecordRef{{Kind: "finding", ID: "f1", Version: 2}}})
	valid("format 2: a read, no records", []string{"Format2"}, tahqiq.LogEntry{Index: 8, Time: at(8), Actor: "u2", Action: "item.read",
		CaseID: "c1", ItemID: "i1", Hashes: []string{fakeSum("blob a")}, Format: 2, CaseSeq: 4, Prev: fakeSum("x")[7:]})
	valid("format 2: case.export: hashes[0] is the view digest", []string{"Format2", "Seal"}, tahqiq.LogEntry{Index: 9, Time: at(9), Actor: "u1", Action: "case.export",
		CaseID: "c1", Hashes: []string{fakeDigest("view", "the view")}, Details: "case scope, 1 items", Format: 2, CaseSeq: 5, Prev: fakeSum("y")[7:]})
	valid("time with nanoseconds", []string{"Format2", "Time"}, tahqiq.LogEntry{Index: 10, Time: at(10).Add(1), Actor: "system", Action: "audit.run", Format: 2})
	valid("time with a fraction: trailing zeros dropped (.5)", []string{"Format2", "Time"}, tahqiq.LogEntry{Index: 11, Time: at(11).Add(500 * time.Millisecond), Actor: "system", Action: "audit.run", Format: 2})
	valid("time given in another zone is written in UTC", []string{"Format2", "Time"}, tahqiq.LogEntry{Index: 12, Time: at(12).In(time.FixedZone("PKT", 5*3600)), Actor: "system", Action: "audit.run", Format: 2})
	escaped := valid("escaping: <, >, & as \\u003c \\u003e \\u0026; U+2028 and U+2029 escaped; quote, backslash and control characters escaped; Urdu and other non-ASCII as UTF-8", []string{"Format2", "Escaping"},
		tahqiq.LogEntry{Index: 13, Time: at(13), Actor: "u1", Action: "note.create", CaseID: "c2",
			Details: "<b>Form 45</b> & \"Form 46\" \\ \u2028\u2029 tab\there\nnew line \x01\x1f \b\f\r فارم ۴۵ é €", Format: 2, CaseSeq: 1, Prev: ledger.Genesis("c2")})
	valid("a large index", []string{"Format2"}, tahqiq.LogEntry{Index: 1234567, Time: at(14), Actor: "u1", Action: "case.read", CaseID: "c1", Format: 2, CaseSeq: 99, Prev: ledger.LeafHex([]byte(attach))})

	// Not canonical: the bytes are not what encoding the entry gives.
	nc := func(comment string, flags []string, s string, pos int64) {
		invalid(comment, append([]string{"NotCanonical"}, flags...), s, pos, "not-canonical")
	}
	nc("keys out of order (time before index)", []string{"KeyOrder"}, mut(t, v1init, `{"index":0,"time":"2026-02-08T09:00:00Z"`, `{"time":"2026-02-08T09:00:00Z","index":0`), 0)
	nc("keys of a record reference out of order (id before kind)", []string{"KeyOrder"}, mut(t, create, `{"kind":"case","id":"c1"`, `{"id":"c1","kind":"case"`), 4)
	nc("format after case_seq", []string{"KeyOrder"}, mut(t, create, `"format":2,"case_seq":1`, `"case_seq":1,"format":2`), 4)
	nc("a space after a colon", []string{"WhiteSpace"}, mut(t, v1init, `"index":0`, `"index": 0`), 0)
	nc("a space after a comma", []string{"WhiteSpace"}, mut(t, v1init, `,"actor"`, `, "actor"`), 0)
	nc("a trailing newline", []string{"WhiteSpace"}, v1init+"\n", 0)
	nc("a leading space", []string{"WhiteSpace"}, " "+v1init, 0)
	nc("a trailing CR LF", []string{"WhiteSpace"}, v1init+"\r\n", 0)
	var pretty bytes.Buffer
	json.Indent(&pretty, []byte(create), "", "  ")
	nc("indented", []string{"WhiteSpace"}, pretty.String(), 4)
	nc("an unknown key", []string{"UnknownKey"}, mut(t, v1init, `}`, `,"signature":"x"}`), 0)
	nc("an unknown key in a record reference", []string{"UnknownKey"}, mut(t, create, `"version":1,`, `"version":1,"note":"x",`), 4)
	nc("a key spelt with another case (Index)", []string{"UnknownKey", "CaseVariantKey"}, mut(t, v1init, `"index"`, `"Index"`), 0)
	nc("a key twice, same value", []string{"DuplicateKey"}, mut(t, v1init, `"actor":"u1",`, `"actor":"u1","actor":"u1",`), 0)
	nc("a key twice, the second value differs (a reader keeping the last would see u9)", []string{"DuplicateKey"}, mut(t, v1init, `"actor":"u1",`, `"actor":"u1","actor":"u9",`), 0)
	nc("< written as is", []string{"Escaping"}, mut(t, escaped, `\u003cb\u003e`, `<b\u003e`), 13)
	nc("& written as is", []string{"Escaping"}, mut(t, escaped, `\u0026`, `&`), 13)
	nc("U+2028 written as is", []string{"Escaping"}, mut(t, escaped, `\u2028`, "\u2028"), 13)
	nc("é escaped as \\u00e9", []string{"Escaping"}, mut(t, escaped, "é", `\u00e9`), 13)
	nc("an escaped slash \\/", []string{"Escaping"}, mut(t, v1init, `org o1`, `org\/o1`), 0)
	nc("an upper-case escape \\u003C", []string{"Escaping"}, mut(t, escaped, `\u003cb`, `\u003Cb`), 13)
	nc("a letter escaped (\\u0061 for a)", []string{"Escaping"}, mut(t, v1init, `amina`, `\u0061mina`), 0)
	nc("a tab escaped as \\u0009 instead of \\t", []string{"Escaping"}, mut(t, escaped, `tab\there`, `tab\u0009here`), 13)
	nc("a raw tab inside a string (not JSON)", []string{"Escaping", "NotJSON"}, mut(t, escaped, `tab\there`, "tab\there"), 13)
	nc("an empty key written (case_id \"\")", []string{"EmptyValue"}, mut(t, v1init, `"action":"org.init",`, `"action":"org.init","case_id":"",`), 0)
	nc("an empty list written (hashes [])", []string{"EmptyValue"}, mut(t, v1init, `"action":"org.init",`, `"action":"org.init","hashes":[],`), 0)
	nc("hashes null", []string{"EmptyValue"}, mut(t, v1init, `"action":"org.init",`, `"action":"org.init","hashes":null,`), 0)
	nc("an empty digest written in a record reference", []string{"EmptyValue"}, mut(t, create, `"version":1,"digest":"`+fakeDigest("case", "c1 v1")+`"`, `"version":1,"digest":""`), 4)
	nc("format 0 written", []string{"EmptyValue", "Format"}, mut(t, v1init, `}`, `,"format":0}`), 0)
	nc("format 1 written (format 1 has no format key)", []string{"Format"}, mut(t, v1init, `}`, `,"format":1}`), 0)
	nc("format 3 (unknown to this specification)", []string{"Format"}, mut(t, create, `"format":2`, `"format":3`), 4)
	nc("format 1 (no format key) with case_seq and prev", []string{"Format"}, mut(t, v1attach, `}`, `,"case_seq":2,"prev":"`+g+`"}`), 2)
	nc("format 1 (no format key) with records", []string{"Format"}, mut(t, v1attach, `}`, `,"records":[{"kind":"item","id":"i1","version":1,"digest":"`+fakeDigest("item", "i1")+`"}]}`), 2)
	nc("index 1.0", []string{"Number"}, mut(t, v1init, `"index":0`, `"index":0.0`), 0)
	nc("index 0e0", []string{"Number"}, mut(t, v1init, `"index":0`, `"index":0e0`), 0)
	nc("index -0", []string{"Number"}, mut(t, v1init, `"index":0`, `"index":-0`), 0)
	nc("index 04 (not JSON)", []string{"Number", "NotJSON"}, mut(t, attach, `"index":5`, `"index":05`), 5)
	nc("index as a string", []string{"Type"}, mut(t, v1init, `"index":0`, `"index":"0"`), 0)
	nc("version 1.5", []string{"Number"}, mut(t, create, `"version":1`, `"version":1.5`), 4)
	nc("hashes a string, not a list", []string{"Type"}, mut(t, v1attach, `"hashes":["`+fakeDigest("item", "i1")+`","`+fakeSum("blob a")+`"]`, `"hashes":"`+fakeSum("blob a")+`"`), 2)
	nc("time with an offset (+05:00)", []string{"Time"}, mut(t, v1init, `"2026-02-08T09:00:00Z"`, `"2026-02-08T14:00:00+05:00"`), 0)
	nc("time with trailing zeros in its fraction", []string{"Time"}, mut(t, v1init, `"2026-02-08T09:00:00Z"`, `"2026-02-08T09:00:00.500Z"`), 0)
	nc("time with a zero fraction", []string{"Time"}, mut(t, v1init, `"2026-02-08T09:00:00Z"`, `"2026-02-08T09:00:00.000Z"`), 0)
	nc("time with a lower-case z", []string{"Time"}, mut(t, v1init, `"2026-02-08T09:00:00Z"`, `"2026-02-08T09:00:00z"`), 0)
	nc("time without seconds", []string{"Time"}, mut(t, v1init, `"2026-02-08T09:00:00Z"`, `"2026-02-08T09:00Z"`), 0)
	nc("time missing", []string{"MissingKey"}, mut(t, v1init, `"time":"2026-02-08T09:00:00Z",`, ``), 0)
	nc("actor missing", []string{"MissingKey"}, mut(t, v1init, `"actor":"u1",`, ``), 0)
	nc("version missing in a record reference", []string{"MissingKey"}, mut(t, create, `"version":1,`, ``), 4)
	nc("truncated", []string{"NotJSON"}, v1init[:len(v1init)-1], 0)
	nc("two JSON values", []string{"NotJSON"}, v1init+v1init, 0)
	nc("a JSON array", []string{"NotJSON", "Type"}, "["+v1init+"]", 0)
	nc("null", []string{"NotJSON", "Type"}, "null", 0)
	nc("empty", []string{"NotJSON"}, "", 0)
	nc("invalid UTF-8 in a string (given in entryHex)", []string{"InvalidUTF8"}, mut(t, v1init, `ECP-inquiry`, "ECP\xff-inquiry"), 0)
	// Canonical, but not at its place in the log.
	invalid("canonical, index 2 at position 3: an entry was deleted, inserted or reordered", []string{"WrongIndex"}, v1attach, 3, "wrong-index")
	invalid("canonical, index 2 at position 1", []string{"WrongIndex"}, v1attach, 1, "wrong-index")
	invalid("canonical, index -1", []string{"WrongIndex"}, mut(t, v1init, `"index":0`, `"index":-1`), 0, "wrong-index")

	writeVectors(t, "entries.json", vectorOut{
		Algorithm: "tahqiq custody log entry (log entry format 2, and format 1)",
		Spec:      "docs/format/ledger.md, \"Entries (leaves)\"",
		Header: []string{
			"Each test is one log entry's bytes (entry, or entryHex when they are not valid UTF-8) at a position of a log.",
			"valid: the bytes are the canonical encoding of an entry and its index is the position; leafHash is SHA-256(0x00 || bytes) in hex, format the entry's format.",
			"invalid: class not-canonical (the bytes do not decode strictly to an entry, or do not re-encode to themselves) or wrong-index (canonical, but its index is not its position).",
			"leafHash is given for every test: it is defined for any bytes.",
		},
		Notes: map[string]string{
			"Format1":        "an entry of format 1: no format key, only the first eight keys",
			"Format2":        "an entry of format 2",
			"Genesis":        "prev is the case's genesis value SHA-256(\"tahqiq/case-genesis\\n\" || case_id)",
			"StoreRecord":    "names records of the store (organisations, users), no case",
			"Removed":        "a record reference without digest: the record was removed",
			"Seal":           "the export's own entry",
			"Time":           "the time key's canonical form: RFC 3339, UTC, Z, fraction without trailing zeros",
			"Escaping":       "the canonical escaping of strings (docs/format/ledger.md)",
			"NotCanonical":   "the bytes are not the canonical encoding of an entry",
			"KeyOrder":       "keys out of the order of the table",
			"WhiteSpace":     "insignificant white space",
			"UnknownKey":     "a key not in the table",
			"CaseVariantKey": "a key that differs from one of the table only by case (a case-insensitive reader would take it)",
			"DuplicateKey":   "a key twice",
			"EmptyValue":     "a key that is omitted when empty, written empty",
			"Format":         "a format key absent or 2, and only format 2 has case_seq, prev and records",
			"Number":         "integers in their shortest decimal form",
			"Type":           "a value of the wrong JSON type",
			"MissingKey":     "a key that is always written, missing",
			"NotJSON":        "not one JSON value",
			"InvalidUTF8":    "bytes that are not UTF-8",
			"WrongIndex":     "the entry's index differs from its position",
		},
		TestGroups: []any{entryGroup{Type: "EntryTest", Tests: tests}},
	}, c.n)
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// ---- tree.json

// ctLeaves are the eight leaf inputs of transparency-dev/merkle's
// testonly/constants.go (after Certificate Transparency's tests), and
// ctRoots the RFC 6962 root hashes of their trees of size 1 to 8.
var (
	ctLeaves = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	ctRoots  = []string{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	// rfc6962EmptyRoot is SHA-256 of nothing, RFC 6962's hash of the
	// empty tree, which tahqiq (after golang.org/x/mod/sumdb/tlog) does
	// not use: its empty tree hashes to 32 zero bytes.
	rfc6962EmptyRoot = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// ctInclusion and ctConsistency are the proofs of
	// transparency-dev/merkle's cmd/proofgen (there with 1-based leaf
	// indices; here 0-based), hashes in hex.
	ctInclusion = []struct {
		index, size int64
		hashes      []string
	}{
		{0, 1, nil},
		{0, 8, []string{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
		{5, 8, []string{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
		{2, 3, []string{"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
		{1, 5, []string{"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	}
	ctConsistency = []struct {
		old, size int64
		hashes    []string
	}{
		{1, 1, nil},
		{1, 8, []string{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
		{6, 8, []string{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
		{2, 5, []string{"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
		{6, 7, []string{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	}
)

const ctSource = "transparency-dev/merkle 417fb0c: testonly/constants.go (leaves, roots) and cmd/proofgen/main.go (proofs; leaf indices there 1-based, here 0-based)"

// treeEntries are the 17 entries of the vectors' own tree: a small log of
// two cases, as tahqiq encodes it.
func treeEntries(t testing.TB) [][]byte {
	b := newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "org.init", Details: `org o1 "ECP-inquiry" admin u1 "amina"`,
		Records: []tahqiq.RecordRef{{Kind: "org", ID: "o1", Digest: fakeDigest("org", "o1")}, {Kind: "user", ID: "u1", Digest: fakeDigest("user", "u1")}}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{{Kind: "case", ID: "c1", Digest: fakeDigest("case", "c1")}}})
	for i := 1; i <= 5; i++ {
		id := fmt.Sprintf("i%d", i)
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "item.attach", CaseID: "c1", ItemID: id, Hashes: []string{fakeSum("blob " + id)},
			Records: []tahqiq.RecordRef{{Kind: "item", ID: id, Digest: fakeDigest("item", id)}}})
	}
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c2", Records: []tahqiq.RecordRef{{Kind: "case", ID: "c2", Digest: fakeDigest("case", "c2")}}})
	for i := 1; i <= 4; i++ {
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c2", Records: []tahqiq.RecordRef{{Kind: "note", ID: fmt.Sprintf("n%d", i), Digest: fakeDigest("note", fmt.Sprint(i))}}})
		b.add(tahqiq.LogEntry{Actor: "u2", Action: "case.read", CaseID: "c1"})
	}
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.export", CaseID: "c1", Hashes: []string{fakeDigest("view", "c1")}})
	if len(b.lines) != 17 {
		t.Fatalf("tree entries: %d", len(b.lines))
	}
	out := make([][]byte, len(b.lines))
	for i, l := range b.lines {
		out[i] = []byte(l)
	}
	return out
}

// hashStore holds a tree's stored hashes (tlog.StoredHashIndex order).
type hashStore []tlog.Hash

func (h hashStore) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = h[x]
	}
	return out, nil
}

func storeOf(t testing.TB, leaves [][]byte) hashStore {
	var hs hashStore
	for i, l := range leaves {
		add, err := tlog.StoredHashes(int64(i), l, hs)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, add...)
	}
	return hs
}

func rootOf(t testing.TB, hs hashStore, n int64) tlog.Hash {
	tr, err := ledger.TreeAt(hs, n)
	if err != nil {
		t.Fatal(err)
	}
	return tr.Hash
}

func hexOf(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

func b64s(hexes []string) []string {
	out := []string{}
	for _, x := range hexes {
		b, _ := hex.DecodeString(x)
		out = append(out, base64.StdEncoding.EncodeToString(b))
	}
	return out
}

func nodeHash(l, r tlog.Hash) tlog.Hash { return tlog.NodeHash(l, r) }

func genTree(t *testing.T) {
	var c counter
	var groupsOut []any

	// Roots of the CT leaves and of the vectors' own entries.
	rootTests := func(leaves [][]byte, extra func(hs hashStore) []treeHashTest, outside []string) []treeHashTest {
		hs := storeOf(t, leaves)
		var out []treeHashTest
		for n := int64(0); n <= int64(len(leaves)); n++ {
			r := rootOf(t, hs, n)
			flags := []string{}
			comment := fmt.Sprintf("the tree of the first %d leaves", n)
			if n == 0 {
				flags, comment = append(flags, "EmptyTree"), "the empty tree: 32 zero bytes (golang.org/x/mod/sumdb/tlog's convention, not RFC 6962's SHA-256 of nothing)"
			}
			if outside != nil && n > 0 {
				if hexOf(r) != outside[n-1] {
					t.Fatalf("CT root %d: tahqiq %s, transparency-dev %s", n, hexOf(r), outside[n-1])
				}
				flags = append(flags, "OutsideVector")
			}
			out = append(out, treeHashTest{TcID: c.next(), Comment: comment, Flags: flags, Size: n, Root: hexOf(r), Result: "valid"})
		}
		return append(out, extra(hs)...)
	}
	leaves := make([][]byte, len(ctLeaves))
	for i, l := range ctLeaves {
		leaves[i], _ = hex.DecodeString(l)
	}
	groupsOut = append(groupsOut, treeHashGroup{Type: "TreeHashTest", Comment: "the eight leaf inputs of Certificate Transparency's tests", Source: ctSource,
		Leaves: ctLeaves, Tests: rootTests(leaves, func(hs hashStore) []treeHashTest {
			return []treeHashTest{
				{TcID: c.next(), Comment: "RFC 6962's hash of the empty tree (SHA-256 of nothing) is not the root of tahqiq's empty tree", Flags: []string{"EmptyTree", "OutsideVector"}, Size: 0, Root: rfc6962EmptyRoot, Result: "invalid", Class: "root-mismatch"},
				{TcID: c.next(), Comment: "the root of 8 leaves given for 7", Flags: []string{"WrongSize"}, Size: 7, Root: ctRoots[7], Result: "invalid", Class: "root-mismatch"},
			}
		}, ctRoots)})

	ents := treeEntries(t)
	var entHex []string
	for _, e := range ents {
		entHex = append(entHex, hex.EncodeToString(e))
	}
	groupsOut = append(groupsOut, treeHashGroup{Type: "TreeHashTest", Comment: "17 entries of a small log, as tahqiq encodes them (leaves given in hex; they are the JSON lines)",
		Leaves: entHex, Tests: rootTests(ents, func(hs hashStore) []treeHashTest {
			lh := func(i int) tlog.Hash { return tlog.RecordHash(ents[i]) }
			// Wrong ways to hash a tree, each giving another root.
			dup := nodeHash(nodeHash(lh(0), lh(1)), nodeHash(lh(2), lh(2)))
			split := nodeHash(rootOf(t, storeOf(t, ents[:3]), 3), nodeHash(lh(3), lh(4)))
			var noPrefix [3]tlog.Hash
			for i := range noPrefix {
				noPrefix[i] = sha256.Sum256(ents[i])
			}
			raw := nodeHash(nodeHash(noPrefix[0], noPrefix[1]), noPrefix[2])
			return []treeHashTest{
				{TcID: c.next(), Comment: "size 3 hashed with the last leaf duplicated (not RFC 6962)", Flags: []string{"WrongShape"}, Size: 3, Root: hexOf(dup), Result: "invalid", Class: "root-mismatch"},
				{TcID: c.next(), Comment: "size 5 split 3+2 instead of 4+1 (the left subtree is the largest power of two smaller than n)", Flags: []string{"WrongShape"}, Size: 5, Root: hexOf(split), Result: "invalid", Class: "root-mismatch"},
				{TcID: c.next(), Comment: "size 3 with leaves hashed without the 0x00 prefix", Flags: []string{"NoDomainSeparation"}, Size: 3, Root: hexOf(raw), Result: "invalid", Class: "root-mismatch"},
				{TcID: c.next(), Comment: "the root of 16 entries given for 17", Flags: []string{"WrongSize"}, Size: 17, Root: hexOf(rootOf(t, hs, 16)), Result: "invalid", Class: "root-mismatch"},
			}
		}, nil)})

	// Inclusion proofs.
	hs := storeOf(t, ents)
	incl := func(i, n int64) tahqiq.Proof {
		p, err := ledger.ProveInclusion(hs, i, n)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var inc []inclusionTest
	addInc := func(comment string, flags []string, leaf []byte, root tlog.Hash, p tahqiq.Proof, result string) {
		tc := inclusionTest{TcID: c.next(), Comment: comment, Flags: flags, Leaf: hex.EncodeToString(leaf), LeafHash: ledger.LeafHex(leaf), Root: hexOf(root), Proof: p, Result: result}
		if p.Hashes == nil {
			tc.Proof.Hashes = []string{}
		}
		err := ledger.CheckInclusion(p, root, leaf)
		if result == "invalid" {
			tc.Class = "bad-proof"
		}
		if (err == nil) != (result == "valid") {
			t.Fatalf("inclusion %q: tahqiq says %v, want %s", comment, err, result)
		}
		inc = append(inc, tc)
	}
	for _, n := range []int64{1, 2, 3, 5, 8, 13, 17} {
		seen := map[int64]bool{}
		for _, i := range []int64{0, n / 2, n - 1} {
			if seen[i] {
				continue
			}
			seen[i] = true
			addInc(fmt.Sprintf("entry %d in the tree of %d", i, n), []string{}, ents[i], rootOf(t, hs, n), incl(i, n), "valid")
		}
	}
	base := incl(6, 13)
	r13 := rootOf(t, hs, 13)
	with := func(f func(p *tahqiq.Proof)) tahqiq.Proof {
		p := base
		p.Hashes = append([]string{}, base.Hashes...)
		f(&p)
		return p
	}
	addInc("the proof of entry 6 given for entry 7 (same leaf)", []string{"WrongIndex"}, ents[6], r13, with(func(p *tahqiq.Proof) { p.Index = 7 }), "invalid")
	addInc("the proof of entry 6 given for entry 6 as index 7's leaf", []string{"WrongLeaf"}, ents[7], r13, base, "invalid")
	addInc("truncated: the last hash removed", []string{"Truncated"}, ents[6], r13, with(func(p *tahqiq.Proof) { p.Hashes = p.Hashes[:len(p.Hashes)-1] }), "invalid")
	addInc("a hash added at the end", []string{"ExtraHash"}, ents[6], r13, with(func(p *tahqiq.Proof) { p.Hashes = append(p.Hashes, p.Hashes[0]) }), "invalid")
	addInc("a hash added at the front", []string{"ExtraHash"}, ents[6], r13, with(func(p *tahqiq.Proof) { p.Hashes = append([]string{p.Hashes[0]}, p.Hashes...) }), "invalid")
	addInc("two hashes swapped", []string{"Reordered"}, ents[6], r13, with(func(p *tahqiq.Proof) { p.Hashes[0], p.Hashes[1] = p.Hashes[1], p.Hashes[0] }), "invalid")
	addInc("one bit of a hash flipped", []string{"ModifiedHash"}, ents[6], r13, with(func(p *tahqiq.Proof) {
		b, _ := base64.StdEncoding.DecodeString(p.Hashes[1])
		b[0] ^= 1
		p.Hashes[1] = base64.StdEncoding.EncodeToString(b)
	}), "invalid")
	addInc("checked against the root of 12 entries", []string{"WrongRoot"}, ents[6], rootOf(t, hs, 12), base, "invalid")
	addInc("the proof for size 13 given as one for size 14 (root of 14)", []string{"WrongSize"}, ents[6], rootOf(t, hs, 14), with(func(p *tahqiq.Proof) { p.Size = 14 }), "invalid")
	addInc("index equal to the size", []string{"IndexOutOfRange"}, ents[12], rootOf(t, hs, 12), with(func(p *tahqiq.Proof) { p.Index, p.Size = 12, 12 }), "invalid")
	addInc("size 0", []string{"IndexOutOfRange", "EmptyTree"}, ents[0], tlog.Hash{}, tahqiq.Proof{Kind: "inclusion", Index: 0, Size: 0, Hashes: []string{}}, "invalid")
	addInc("negative index", []string{"IndexOutOfRange"}, ents[0], rootOf(t, hs, 1), tahqiq.Proof{Kind: "inclusion", Index: -1, Size: 1, Hashes: []string{}}, "invalid")
	addInc("the leaf hash given as the leaf's bytes (hashed twice)", []string{"WrongLeaf"}, func() []byte { h := tlog.RecordHash(ents[6]); return h[:] }(), r13, base, "invalid")
	groupsOut = append(groupsOut, inclusionGroup{Type: "InclusionProofTest", Comment: "inclusion proofs in the tree of the 17 entries above (leaf: the entry's bytes in hex)", Tests: inc})
	inc = nil
	ctStore := storeOf(t, leaves)
	for _, v := range ctInclusion {
		addInc(fmt.Sprintf("entry %d in the tree of %d", v.index, v.size), []string{"OutsideVector"}, leaves[v.index], rootOf(t, ctStore, v.size),
			tahqiq.Proof{Kind: "inclusion", Index: v.index, Size: v.size, Hashes: b64s(v.hashes)}, "valid")
	}
	r1, _ := hex.DecodeString(rfc6962EmptyRoot)
	addInc("entry 0 in the tree of 1 against RFC 6962's empty root (transparency-dev/merkle testdata/inclusion/0/empty-root.json)", []string{"OutsideVector", "WrongRoot"}, leaves[0], tlog.Hash(r1),
		tahqiq.Proof{Kind: "inclusion", Index: 0, Size: 1, Hashes: []string{}}, "invalid")
	groupsOut = append(groupsOut, inclusionGroup{Type: "InclusionProofTest", Comment: "inclusion proofs over the CT leaves", Source: ctSource, Tests: inc})

	// Consistency proofs.
	var cons []consistencyTest
	addCons := func(comment string, flags []string, oldRoot, root tlog.Hash, p tahqiq.Proof, result string) {
		if p.Hashes == nil {
			p.Hashes = []string{}
		}
		tc := consistencyTest{TcID: c.next(), Comment: comment, Flags: flags, OldRoot: hexOf(oldRoot), Root: hexOf(root), Proof: p, Result: result}
		if result == "invalid" {
			tc.Class = "bad-proof"
		}
		err := ledger.CheckConsistency(p, root, oldRoot)
		if (err == nil) != (result == "valid") {
			t.Fatalf("consistency %q: tahqiq says %v, want %s", comment, err, result)
		}
		cons = append(cons, tc)
	}
	prove := func(m, n int64) tahqiq.Proof {
		if m == n || m == 0 {
			return tahqiq.Proof{Kind: "consistency", Old: m, Size: n, Hashes: []string{}}
		}
		p, err := ledger.ProveConsistency(hs, m, n)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := func(n int64) tlog.Hash { return rootOf(t, hs, n) }
	for _, mn := range [][2]int64{{1, 2}, {1, 17}, {2, 5}, {3, 7}, {4, 8}, {5, 13}, {6, 8}, {7, 17}, {12, 13}, {16, 17}} {
		m, n := mn[0], mn[1]
		addCons(fmt.Sprintf("from %d to %d", m, n), []string{}, root(m), root(n), prove(m, n), "valid")
	}
	addCons("from 0 to 5: every tree extends the empty one; the proof is empty", []string{"OldSizeZero"}, tlog.Hash{}, root(5), prove(0, 5), "valid")
	addCons("from 0 to 0", []string{"OldSizeZero", "EqualSizes"}, tlog.Hash{}, tlog.Hash{}, prove(0, 0), "valid")
	addCons("from 5 to 5 with the same root: the proof is empty", []string{"EqualSizes"}, root(5), root(5), prove(5, 5), "valid")
	addCons("from 0 with RFC 6962's empty root as the old root", []string{"OldSizeZero", "WrongRoot"}, tlog.Hash(r1), root(5), prove(0, 5), "invalid")
	addCons("from 0 with a non-empty proof", []string{"OldSizeZero", "ExtraHash"}, tlog.Hash{}, root(5), tahqiq.Proof{Kind: "consistency", Old: 0, Size: 5, Hashes: prove(1, 5).Hashes}, "invalid")
	addCons("from 5 to 5 with two roots: a fork", []string{"EqualSizes", "WrongRoot"}, root(5), root(6), tahqiq.Proof{Kind: "consistency", Old: 5, Size: 5, Hashes: []string{}}, "invalid")
	addCons("from 5 to 5 with a non-empty proof", []string{"EqualSizes", "ExtraHash"}, root(5), root(5), tahqiq.Proof{Kind: "consistency", Old: 5, Size: 5, Hashes: prove(4, 5).Hashes}, "invalid")
	addCons("from 7 to 5: the old size is larger", []string{"OldSizeLarger"}, root(7), root(5), tahqiq.Proof{Kind: "consistency", Old: 7, Size: 5, Hashes: prove(5, 7).Hashes}, "invalid")
	p37 := prove(3, 7)
	cp := func(f func(p *tahqiq.Proof)) tahqiq.Proof {
		p := p37
		p.Hashes = append([]string{}, p37.Hashes...)
		f(&p)
		return p
	}
	addCons("from 3 to 7, truncated", []string{"Truncated"}, root(3), root(7), cp(func(p *tahqiq.Proof) { p.Hashes = p.Hashes[:len(p.Hashes)-1] }), "invalid")
	addCons("from 3 to 7, a hash added", []string{"ExtraHash"}, root(3), root(7), cp(func(p *tahqiq.Proof) { p.Hashes = append(p.Hashes, p.Hashes[0]) }), "invalid")
	addCons("from 3 to 7, a hash modified", []string{"ModifiedHash"}, root(3), root(7), cp(func(p *tahqiq.Proof) {
		b, _ := base64.StdEncoding.DecodeString(p.Hashes[0])
		b[31] ^= 0x80
		p.Hashes[0] = base64.StdEncoding.EncodeToString(b)
	}), "invalid")
	addCons("from 3 to 7 against the old root of 4", []string{"WrongRoot"}, root(4), root(7), p37, "invalid")
	addCons("from 3 to 7 against the new root of 8", []string{"WrongRoot"}, root(3), root(8), p37, "invalid")
	addCons("from 3 to 7 with the roots swapped", []string{"WrongRoot"}, root(7), root(3), p37, "invalid")
	addCons("the proof from 3 to 7 given as one from 3 to 8", []string{"WrongSize"}, root(3), root(8), cp(func(p *tahqiq.Proof) { p.Size = 8 }), "invalid")
	addCons("the proof from 3 to 7 given as one from 2 to 7", []string{"WrongSize"}, root(2), root(7), cp(func(p *tahqiq.Proof) { p.Old = 2 }), "invalid")
	groupsOut = append(groupsOut, consistencyGroup{Type: "ConsistencyProofTest", Comment: "consistency proofs between trees of the 17 entries above", Tests: cons})
	cons = nil
	for _, v := range ctConsistency {
		addCons(fmt.Sprintf("from %d to %d", v.old, v.size), []string{"OutsideVector"}, rootOf(t, ctStore, v.old), rootOf(t, ctStore, v.size),
			tahqiq.Proof{Kind: "consistency", Old: v.old, Size: v.size, Hashes: b64s(v.hashes)}, "valid")
	}
	groupsOut = append(groupsOut, consistencyGroup{Type: "ConsistencyProofTest", Comment: "consistency proofs over the CT leaves", Source: ctSource, Tests: cons})

	writeVectors(t, "tree.json", vectorOut{
		Algorithm: "RFC 6962 Merkle tree of the custody log: tree hashes, inclusion and consistency proofs",
		Spec:      "docs/format/ledger.md, \"Tree\"",
		Header: []string{
			"TreeHashTest: the tree hash of the group's first size leaves (leaves in hex) is root (hex): valid, or invalid with class root-mismatch.",
			"InclusionProofTest: proof (as tahqiq writes it: base64 hashes; index omitted when 0) proves that the leaf (its bytes in hex; leafHash its leaf hash) is entry proof.index of the tree of proof.size whose root is root: valid, or invalid with class bad-proof.",
			"ConsistencyProofTest: proof proves that the tree of proof.old_size (omitted when 0) with root oldRoot is a prefix of the tree of proof.size with root root: valid, or invalid with class bad-proof.",
			"Hashes of trees and leaves are in hex here, as in transparency-dev/merkle; a checkpoint writes the root in base64.",
		},
		Notes: map[string]string{
			"OutsideVector":      "values from transparency-dev/merkle (see the group's source), which tahqiq must agree with",
			"EmptyTree":          "the tree of no leaves: its hash is 32 zero bytes",
			"WrongSize":          "a root or proof of another tree size",
			"WrongShape":         "a tree not split as RFC 6962 §2.1 splits it",
			"NoDomainSeparation": "leaves hashed without the 0x00 prefix",
			"WrongIndex":         "the proof of another leaf index",
			"WrongLeaf":          "another leaf than the one proven",
			"WrongRoot":          "a root of another tree",
			"Truncated":          "a proof with a hash missing",
			"ExtraHash":          "a proof with a hash too many",
			"Reordered":          "a proof with its hashes out of order",
			"ModifiedHash":       "a proof with a hash changed",
			"IndexOutOfRange":    "an index not smaller than the size, or negative",
			"OldSizeZero":        "a consistency proof from the empty tree: empty, and the old root must be the empty tree's (32 zero bytes)",
			"EqualSizes":         "a consistency proof between two trees of one size: empty, and the roots must be equal",
			"OldSizeLarger":      "a consistency proof whose old size is larger than its size",
		},
		TestGroups: groupsOut,
	}, c.n)
}

// ---- checkpoints.json

// cctv are C2SP/CCTV's ed25519 vectors (ed25519/ed25519vectors.json at
// 1e3d286), one of each of fourteen of their flag sets: number, public
// key, signature, message, flags.
var cctv = []struct {
	number     int
	key, sig   string
	msg, flags string
}{
	{0, "0000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "ed25519vectors 3", "low_order_R,low_order_A,low_order_component_R,low_order_component_A,low_order_residue"},
	{1, "0000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "ed25519vectors 11", "low_order_R,low_order_A,low_order_component_R,low_order_component_A"},
	{50, "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f", "b62cf890de42c413b11b1411c9f01f1c4d77aa87ef182258d1251f69af2a350608f32d206a7c0b7efa9a59e66546e8f1f599ef843fb502c9cc3c4ae8b7c11e05", "ed25519vectors 5", "low_order_component_A"},
	{51, "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f", "b62cf890de42c413b11b1411c9f01f1c4d77aa87ef182258d1251f69af2a3506030b03796b78f7afeadfccaedc9d09ce6d487d1ece1f16b1ae2b59b7e5c40603", "ed25519vectors 3", "low_order_component_A,low_order_residue"},
	{188, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "b62cf890de42c413b11b1411c9f01f1c4d77aa87ef182258d1251f69af2a350605ba9a796274d80437afa36f1236563f2f3b0aa84cecddc3d20914615ba4fe02", "ed25519vectors 15", "low_order_A,low_order_component_A,non_canonical_A,reencoded_k"},
	{267, "ef75b20e7540e3dff77404193652ba2bd13df99c1508eee1515e27ae25f28076", "36684ea91032ba5b1dbab2d02f4debc74c3327f2b3802e2e4d371aa42b12b56b2d471882773a677af1e3824e757a33f8ddf7bbeaf3d28a09595eb8daa0d74a03", "ed25519vectors 3", "low_order_component_R,low_order_residue"},
	{302, "0100000000000000000000000000000000000000000000000000000000000000", "01000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "ed25519vectors 23", "low_order_R,low_order_A"},
	{303, "0100000000000000000000000000000000000000000000000000000000000000", "b62cf890de42c413b11b1411c9f01f1c4d77aa87ef182258d1251f69af2a350605ba9a796274d80437afa36f1236563f2f3b0aa84cecddc3d20914615ba4fe02", "ed25519vectors 5", "low_order_A"},
	{304, "ef75b20e7540e3dff77404193652ba2bd13df99c1508eee1515e27ae25f28076", "0100000000000000000000000000000000000000000000000000000000000000330b30d6c1f07511e2208d233b6a34d4ed7109da2dea615bcd97daee3a842704", "ed25519vectors 7", "low_order_R"},
	{305, "ef75b20e7540e3dff77404193652ba2bd13df99c1508eee1515e27ae25f28076", "b62cf890de42c413b11b1411c9f01f1c4d77aa87ef182258d1251f69af2a350640657f1cb030f12543549bbabd848dc6403d354e7c99c4d0dcee9f63c9033b00", "ed25519vectors 5", ""},
	{307, "0100000000000000000000000000000000000000000000000000000000000080", "b62cf890de42c413b11b1411c9f01f1c4d77aa87ef182258d1251f69af2a350605ba9a796274d80437afa36f1236563f2f3b0aa84cecddc3d20914615ba4fe02", "ed25519vectors 1", "low_order_A,non_canonical_A"},
	{315, "0100000000000000000000000000000000000000000000000000000000000000", "01000000000000000000000000000000000000000000000000000000000000800000000000000000000000000000000000000000000000000000000000000000", "ed25519vectors 4", "low_order_R,low_order_A,non_canonical_R"},
	{316, "ef75b20e7540e3dff77404193652ba2bd13df99c1508eee1515e27ae25f28076", "01000000000000000000000000000000000000000000000000000000000000802d32f9eeccaa31dba2ff4ab4e196b61e2ee1648073bbb5f599dcff4f7ea02900", "ed25519vectors 5", "low_order_R,non_canonical_R"},
	{324, "0100000000000000000000000000000000000000000000000000000000000080", "01000000000000000000000000000000000000000000000000000000000000800000000000000000000000000000000000000000000000000000000000000000", "ed25519vectors", "low_order_R,low_order_A,non_canonical_A,non_canonical_R"},
}

// The signed note of golang.org/x/mod/sumdb/note's documentation
// (example_test.go), also the example of C2SP signed-note.
const (
	neumannKey  = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
	neumannNote = "If you think cryptography is the answer to your problem,\n" +
		"then you don't know what your problem is.\n" +
		"\n" +
		"— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

// sigLine is the signature line key k makes on text.
func sigLine(t testing.TB, k testKey, text string) string {
	t.Helper()
	n, err := note.Sign(&note.Note{Text: text}, k.signer)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(string(n), text+"\n")
}

func genCheckpoints(t *testing.T) {
	var c counter
	logK := newTestKey(t, testLogName, "log")
	witK := newTestKey(t, testWitnessName, "witness")
	impK := newTestKey(t, testLogName, "impostor: another key with the log key's name")
	unkK := newTestKey(t, testUnknownName, "unknown signer")

	// Keys.
	var keys []keyTest
	for _, k := range []testKey{logK, witK, impK, unkK} {
		v, err := ledger.NewVerifier(k.Public)
		if err != nil {
			t.Fatal(err)
		}
		pub := ed25519.NewKeyFromSeed(testKeySeed(k.Label)).Public().(ed25519.PublicKey)
		keys = append(keys, keyTest{TcID: c.next(), Comment: "the test key " + k.Label, Flags: []string{"TestKey"}, Name: v.Name(), PublicKey: base64.StdEncoding.EncodeToString(pub),
			KeyHash: fmt.Sprintf("%08x", v.KeyHash()), VKey: k.Public, Result: "valid"})
	}
	keys = append(keys, keyTest{TcID: c.next(), Comment: "the key of the signed-note example", Flags: []string{"OutsideVector"}, Name: "PeterNeumann",
		PublicKey: base64.StdEncoding.EncodeToString(func() []byte {
			b, _ := base64.StdEncoding.DecodeString("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
			return b[1:]
		}()), KeyHash: "c74f20a3", VKey: neumannKey, Result: "valid"})
	name, rest, _ := strings.Cut(logK.Public, "+")
	hash, key64, _ := strings.Cut(rest, "+")
	keyBytes, _ := base64.StdEncoding.DecodeString(key64)
	badKey := func(comment string, flags []string, vkey string) {
		if _, err := ledger.NewVerifier(vkey); err == nil {
			t.Fatalf("key %q: tahqiq accepts it", vkey)
		}
		keys = append(keys, keyTest{TcID: c.next(), Comment: comment, Flags: flags, VKey: vkey, Result: "invalid", Class: "malformed-key"})
	}
	wrongHash := fmt.Sprintf("%08x", func() uint64 { var x uint64; fmt.Sscanf(hash, "%x", &x); return x ^ 1 }())
	badKey("a key hash that is not the key's", []string{"WrongKeyHash"}, name+"+"+wrongHash+"+"+key64)
	badKey("the log key under another name (its key hash is the name's too)", []string{"WrongKeyHash"}, "tahqiq/other+"+hash+"+"+key64)
	// vkeyOf writes a verifier key for any name and key bytes (algorithm
	// byte first), with the right key hash.
	vkeyOf := func(name string, k []byte) string {
		h := sha256.Sum256(append([]byte(name+"\n"), k...))
		return fmt.Sprintf("%s+%s+%s", name, hex.EncodeToString(h[:4]), base64.StdEncoding.EncodeToString(k))
	}
	badKey("an algorithm byte other than 0x01 (Ed25519)", []string{"WrongAlgorithm"}, vkeyOf(name, append([]byte{0x02}, keyBytes[1:]...)))
	badKey("a 31-byte public key", []string{"WrongLength"}, vkeyOf(name, keyBytes[:32]))
	badKey("a 33-byte public key", []string{"WrongLength"}, vkeyOf(name, append(append([]byte{}, keyBytes...), 0)))
	badKey("a name with a space", []string{"BadName"}, vkeyOf("tahqiq TEST", keyBytes))
	badKey("a key hash of 7 hex digits", []string{"WrongKeyHash"}, name+"+"+hash[1:]+"+"+key64)
	badKey("the key not in base64", []string{"BadBase64"}, name+"+"+hash+"+"+strings.ReplaceAll(key64, "A", "*"))
	badKey("no key", []string{"Missing"}, name+"+"+hash)
	badKey("a secret key given as a public key", []string{"Missing"}, logK.Secret)

	// Checkpoints.
	ents := treeEntries(t)
	hs := storeOf(t, ents)
	tr := tlog.Tree{N: 17, Hash: rootOf(t, hs, 17)}
	body := ledger.CheckpointText(testLogName, tr)
	root64 := base64.StdEncoding.EncodeToString(tr.Hash[:])
	logSig := sigLine(t, logK, body)
	var cps []checkpointTest
	cpTest := func(comment string, flags []string, logKey string, witnesses []string, msg string, class string) *checkpointTest {
		tc := checkpointTest{TcID: c.next(), Comment: comment, Flags: flags, LogKey: logKey, WitnessKeys: witnesses, Note: msg, Result: "valid"}
		if class != "" {
			tc.Result, tc.Class = "invalid", class
		}
		if !utf8Valid(msg) {
			tc.Note, tc.NoteHex = "", hex.EncodeToString([]byte(msg))
		}
		lk, err := ledger.NewVerifier(logKey)
		if err != nil {
			t.Fatal(err)
		}
		var ws []note.Verifier
		for _, w := range witnesses {
			v, _ := ledger.NewVerifier(w)
			ws = append(ws, v)
		}
		origin, got, signers, err := ledger.OpenCheckpoint([]byte(msg), lk, ws...)
		switch {
		case class == "" && err != nil:
			t.Fatalf("checkpoint %q: tahqiq: %v", comment, err)
		case class != "" && (err == nil || checkpointClass(err) != class):
			t.Fatalf("checkpoint %q: tahqiq says %v, want %s", comment, err, class)
		case class == "":
			tc.Origin, tc.Size, tc.Root, tc.Signers = origin, got.N, base64.StdEncoding.EncodeToString(got.Hash[:]), signers
		}
		cps = append(cps, tc)
		return &cps[len(cps)-1]
	}
	good := body + "\n" + logSig
	cpTest("a checkpoint of 17 entries signed by the log key", []string{"TestKey"}, logK.Public, nil, good, "")
	cosigned := good + sigLine(t, witK, body)
	cpTest("co-signed by a witness whose key is known", []string{"Witness"}, logK.Public, []string{witK.Public}, cosigned, "")
	cpTest("co-signed by a witness whose key is not known: its line is ignored", []string{"Witness", "UnknownSigner"}, logK.Public, nil, cosigned, "")
	cpTest("another signer, unknown: ignored", []string{"UnknownSigner"}, logK.Public, nil, good+sigLine(t, unkK, body), "")
	cpTest("an unknown signer first, then the log", []string{"UnknownSigner"}, logK.Public, nil, body+"\n"+sigLine(t, unkK, body)+logSig, "")
	cpTest("another key with the log key's name (another key hash) also signed: ignored", []string{"UnknownSigner", "SameName"}, logK.Public, nil, body+"\n"+sigLine(t, impK, body)+logSig, "")
	cpTest("the log's signature line twice: the repeat is ignored", []string{"RepeatedSignature"}, logK.Public, nil, good+logSig, "")
	garbage := "— " + testLogName + " " + base64.StdEncoding.EncodeToString(append(func() []byte { b, _ := base64.StdEncoding.DecodeString(strings.Fields(logSig)[2]); return b[:4] }(), make([]byte, 64)...)) + "\n"
	cpTest("a second line of the log key after a valid one is not checked (the first line of a known key decides, as golang.org/x/mod/sumdb/note does)", []string{"RepeatedSignature"}, logK.Public, nil, good+garbage, "")
	empty := ledger.CheckpointText(testLogName, tlog.Tree{N: 0})
	cpTest("a checkpoint of the empty log: size 0, root 32 zero bytes", []string{"EmptyTree"}, logK.Public, nil, empty+"\n"+sigLine(t, logK, empty), "")
	ext := body + "an extension line\n"
	cpTest("an extension line after the root (tlog-checkpoint allows them; tahqiq writes none and ignores them)", []string{"ExtensionLine"}, logK.Public, nil, ext+"\n"+sigLine(t, logK, ext), "")
	other := ledger.CheckpointText("tahqiq/another-origin", tr)
	cpTest("an origin other than the key's name (a verifier checks the key, not the origin)", []string{"Origin"}, logK.Public, nil, other+"\n"+sigLine(t, logK, other), "")
	// No signature of the log key.
	impSigned := body + "\n" + sigLine(t, impK, body)
	cpTest("signed by another key with the log key's name only (re-signed with another key)", []string{"WrongKey"}, logK.Public, nil, impSigned, "no-log-signature")
	cpTest("signed by the witness only, the witness key known", []string{"WrongKey", "Witness"}, logK.Public, []string{witK.Public}, body+"\n"+sigLine(t, witK, body), "no-log-signature")
	cpTest("signed by an unknown key only", []string{"WrongKey"}, logK.Public, nil, body+"\n"+sigLine(t, unkK, body), "no-log-signature")
	cpTest("the log key given is the impostor's; the note is the log's", []string{"WrongKey"}, impK.Public, nil, good, "no-log-signature")
	// A signature of the log key that does not verify.
	flip := func(line string, at int) string {
		f := strings.Fields(line)
		b, _ := base64.StdEncoding.DecodeString(f[2])
		b[at] ^= 1
		return f[0] + " " + f[1] + " " + base64.StdEncoding.EncodeToString(b) + "\n"
	}
	cpTest("one bit of the log's signature flipped", []string{"BadSignature"}, logK.Public, nil, body+"\n"+flip(logSig, 10), "bad-signature")
	cpTest("a bad signature of the log key first, a good one after: the first decides", []string{"BadSignature", "RepeatedSignature"}, logK.Public, nil, body+"\n"+flip(logSig, 10)+logSig, "bad-signature")
	cpTest("the size changed after signing", []string{"BadSignature"}, logK.Public, nil, mut(t, good, "\n17\n", "\n16\n"), "bad-signature")
	cpTest("the root changed after signing", []string{"BadSignature"}, logK.Public, nil, mut(t, good, root64, b64Hash(rootOf(t, hs, 16))), "bad-signature")
	short := func() string {
		f := strings.Fields(logSig)
		b, _ := base64.StdEncoding.DecodeString(f[2])
		return f[0] + " " + f[1] + " " + base64.StdEncoding.EncodeToString(b[:4+63]) + "\n"
	}()
	cpTest("a 63-byte signature", []string{"BadSignature"}, logK.Public, nil, body+"\n"+short, "bad-signature")
	cpTest("the witness's co-signature flipped, the witness key known: rejected", []string{"BadSignature", "Witness"}, logK.Public, []string{witK.Public}, good+flip(sigLine(t, witK, body), 20), "bad-signature")
	// Malformed notes.
	cpTest("no blank line before the signatures", []string{"MalformedNote"}, logK.Public, nil, body+logSig, "malformed-note")
	cpTest("signature line with -- instead of the em dash", []string{"MalformedNote"}, logK.Public, nil, body+"\n"+mut(t, logSig, "— ", "-- "), "malformed-note")
	cpTest("signature not in base64", []string{"MalformedNote"}, logK.Public, nil, body+"\n"+"— "+testLogName+" not*base64\n", "malformed-note")
	cpTest("signature of 4 bytes (the key hash only)", []string{"MalformedNote"}, logK.Public, nil, body+"\n"+"— "+testLogName+" "+base64.StdEncoding.EncodeToString([]byte{1, 2, 3, 4})+"\n", "malformed-note")
	cpTest("no newline after the last signature", []string{"MalformedNote"}, logK.Public, nil, strings.TrimSuffix(good, "\n"), "malformed-note")
	cpTest("no signature at all", []string{"MalformedNote"}, logK.Public, nil, body+"\n", "malformed-note")
	cpTest("a tab in the text (a control character)", []string{"MalformedNote"}, logK.Public, nil, mut(t, good, testLogName+"\n", testLogName+"\t\n"), "malformed-note")
	cpTest("a carriage return in the text", []string{"MalformedNote"}, logK.Public, nil, mut(t, good, "\n17\n", "\r\n17\n"), "malformed-note")
	cpTest("invalid UTF-8 in the text (given in noteHex)", []string{"MalformedNote", "InvalidUTF8"}, logK.Public, nil, mut(t, good, "TEST", "TE\xffST"), "malformed-note")
	cpTest("a signer name with a space", []string{"MalformedNote"}, logK.Public, nil, good+"— bad name "+strings.Fields(logSig)[2]+"\n", "malformed-note")
	var many strings.Builder
	many.WriteString(body + "\n" + logSig)
	for i := 0; i < 100; i++ {
		many.WriteString(sigLine(t, newTestKey(t, fmt.Sprintf("signer%d.example", i), fmt.Sprintf("signer %d", i)), body))
	}
	cpTest("101 signature lines (more than 100)", []string{"MalformedNote", "TooManySignatures"}, logK.Public, nil, many.String(), "malformed-note")
	// Signed by the log key, but not a checkpoint.
	signed := func(text string) string { return text + "\n" + sigLine(t, logK, text) }
	mc := func(comment string, flags []string, text string) {
		cpTest(comment, append([]string{"MalformedCheckpoint"}, flags...), logK.Public, nil, signed(text), "malformed-checkpoint")
	}
	mc("two lines: no root", nil, testLogName+"\n17\n")
	mc("the size with a plus sign", []string{"Size"}, mut(t, body, "\n17\n", "\n+17\n"))
	mc("the size with a leading zero", []string{"Size"}, mut(t, body, "\n17\n", "\n017\n"))
	mc("a negative size", []string{"Size"}, mut(t, body, "\n17\n", "\n-17\n"))
	mc("the size in exponent form", []string{"Size"}, mut(t, body, "\n17\n", "\n1.7e1\n"))
	mc("an empty size line", []string{"Size"}, mut(t, body, "\n17\n", "\n\n"))
	mc("the root not in base64", []string{"Root"}, mut(t, body, root64, "not-base64"))
	mc("the root in hex", []string{"Root"}, mut(t, body, root64, hexOf(tr.Hash)))
	mc("a root of 31 bytes", []string{"Root"}, mut(t, body, root64, base64.StdEncoding.EncodeToString(tr.Hash[:31])))
	mc("the root without its padding", []string{"Root"}, mut(t, body, root64, strings.TrimRight(root64, "=")))
	mc("the root followed by a space", []string{"Root"}, mut(t, body, root64, root64+" "))
	mc("the root's last base64 digit with non-zero padding bits (another spelling of the same 32 bytes)", []string{"Root"}, mut(t, body, root64, root64[:42]+string(nextB64(root64[42]))+"="))
	mc("an empty origin", []string{"Origin"}, "\n17\n"+root64+"\n")
	cpTest("the signed-note example: the signature verifies, but its text is no checkpoint", []string{"OutsideVector", "MalformedCheckpoint"}, neumannKey, nil, neumannNote, "malformed-checkpoint")

	// Ed25519 edge cases, as Go's crypto/ed25519 (hence tahqiq) decides them.
	var eds []ed25519Test
	for _, v := range cctv {
		key, _ := hex.DecodeString(v.key)
		sig, _ := hex.DecodeString(v.sig)
		ok := ed25519.Verify(key, []byte(v.msg), sig)
		// C2SP/CCTV's README: Go rejects non_canonical_R and
		// low_order_residue and accepts everything else.
		if want := !strings.Contains(v.flags, "non_canonical_R") && !strings.Contains(v.flags, "low_order_residue"); ok != want {
			t.Fatalf("CCTV %d: Go says %v, the README says %v", v.number, ok, want)
		}
		tc := ed25519Test{TcID: c.next(), Comment: fmt.Sprintf("CCTV vector %d", v.number), Flags: []string{}, PublicKey: v.key, Msg: v.msg, Sig: v.sig, Result: "valid"}
		if v.flags != "" {
			tc.Flags = strings.Split(v.flags, ",")
		}
		if !ok {
			tc.Result, tc.Class = "invalid", "bad-signature"
		}
		eds = append(eds, tc)
	}

	writeVectors(t, "checkpoints.json", vectorOut{
		Algorithm: "signed checkpoints: C2SP signed-note (Ed25519, key ID) over a C2SP tlog-checkpoint body",
		Spec:      "docs/format/ledger.md, \"Checkpoints (signed tree heads)\"",
		Header: []string{
			"KeyTest: vkey is a verifier key name+<8 hex key hash>+base64(0x01 || public key): valid, with its name, 32-byte Ed25519 publicKey (base64) and keyHash, or invalid with class malformed-key.",
			"CheckpointTest: note (or noteHex when not valid UTF-8) opened with logKey as the log's key and witnessKeys as the other known keys: valid, giving origin, size, root (base64, as in the note) and signers (the known keys whose signatures verified, in note order), or invalid with class malformed-note, no-log-signature, bad-signature or malformed-checkpoint.",
			"Ed25519Test: sig (hex) is a signature of msg (the string's UTF-8 bytes) under publicKey (hex), as Go's crypto/ed25519 (and so tahqiq) decides: valid, or invalid with class bad-signature. Other libraries may decide some of these edge cases otherwise; a verifier of tahqiq's checkpoints must decide them as here.",
			"The test keys (testKeys) are published and sign nothing but these vectors: never trust them.",
		},
		Notes: map[string]string{
			"TestKey":               "one of the published test keys",
			"OutsideVector":         "a value from outside tahqiq (the group's source, or the signed-note example of golang.org/x/mod/sumdb/note and C2SP signed-note)",
			"Witness":               "a witness's co-signature",
			"UnknownSigner":         "a signature by a key the verifier does not know: ignored",
			"SameName":              "another key with the log key's name but another key hash: unknown",
			"RepeatedSignature":     "a known key's signature line more than once: the first decides, the others are ignored",
			"EmptyTree":             "the checkpoint of size 0",
			"ExtensionLine":         "a line after the root hash",
			"Origin":                "the origin line",
			"WrongKey":              "no signature of the log key",
			"BadSignature":          "a known key's signature that does not verify",
			"MalformedNote":         "not a signed note",
			"InvalidUTF8":           "bytes that are not UTF-8",
			"TooManySignatures":     "more than 100 signature lines",
			"MalformedCheckpoint":   "a signed note whose text is not a checkpoint body",
			"Size":                  "the size line: decimal, no sign, no leading zero",
			"Root":                  "the root line: standard padded base64 of exactly 32 bytes, canonical",
			"WrongKeyHash":          "a key hash that is not SHA-256(name || \"\\n\" || 0x01 || key)[:4]",
			"WrongAlgorithm":        "an algorithm byte other than 0x01",
			"WrongLength":           "a public key not of 32 bytes",
			"BadName":               "a key name with a space or a plus sign",
			"BadBase64":             "not base64",
			"Missing":               "a part of the key missing",
			"low_order_A":           "C2SP/CCTV flag (see its ed25519/README.md)",
			"low_order_R":           "C2SP/CCTV flag",
			"low_order_component_A": "C2SP/CCTV flag",
			"low_order_component_R": "C2SP/CCTV flag",
			"low_order_residue":     "C2SP/CCTV flag: rejected by Go",
			"non_canonical_A":       "C2SP/CCTV flag",
			"non_canonical_R":       "C2SP/CCTV flag: rejected by Go",
			"reencoded_k":           "C2SP/CCTV flag",
		},
		TestKeys: map[string]testKey{"log": logK, "witness": witK, "impostor": impK, "unknown": unkK},
		TestGroups: []any{
			keyGroup{Type: "KeyTest", Comment: "verifier keys and their key IDs", Tests: keys},
			checkpointGroup{Type: "CheckpointTest", Comment: "signed checkpoints; the log key is testKeys.log unless logKey says otherwise", Tests: cps},
			ed25519Group{Type: "Ed25519Test", Comment: "Ed25519 edge cases (small-order and non-canonical points)", Source: "C2SP/CCTV 1e3d286: ed25519/ed25519vectors.json (one vector of each of fourteen flag sets)", Tests: eds},
		},
	}, c.n)
}

// nextB64 is the base64 digit after d (for a root spelt with padding
// bits set).
func nextB64(d byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	return alphabet[(strings.IndexByte(alphabet, d)+1)%64]
}

// ---- fold.json

// logBuilder appends format-2 entries as casework would: index, time,
// case_seq and prev, record versions. Fields set by the caller are kept,
// so a vector can break the rules on purpose.
type logBuilder struct {
	t     testing.TB
	lines []string
	count map[string]int64
	head  map[string]string
	ver   map[string]int64
}

func newLogBuilder(t testing.TB) *logBuilder {
	return &logBuilder{t: t, count: map[string]int64{}, head: map[string]string{}, ver: map[string]int64{}}
}

// add appends e as an entry of format 2 and returns its index.
func (b *logBuilder) add(e tahqiq.LogEntry) int {
	i := len(b.lines)
	e.Index, e.Time, e.Format = int64(i), vectorTime.Add(time.Duration(i)*time.Second), 2
	if e.CaseID != "" {
		if e.CaseSeq == 0 {
			e.CaseSeq = b.count[e.CaseID] + 1
		}
		if e.Prev == "" {
			e.Prev = ledger.Genesis(e.CaseID)
			if h, ok := b.head[e.CaseID]; ok {
				e.Prev = h
			}
		}
	}
	for j, r := range e.Records {
		k := r.Kind + " " + r.ID
		if r.Version == 0 {
			e.Records[j].Version = b.ver[k] + 1
		}
		b.ver[k] = e.Records[j].Version
	}
	return b.put(e)
}

// legacy appends e as an entry of format 1.
func (b *logBuilder) legacy(e tahqiq.LogEntry) int {
	i := len(b.lines)
	e.Index, e.Time = int64(i), vectorTime.Add(time.Duration(i)*time.Second)
	return b.put(e)
}

func (b *logBuilder) put(e tahqiq.LogEntry) int {
	s := enc(b.t, e)
	if e.CaseID != "" {
		b.count[e.CaseID] = max(b.count[e.CaseID], e.CaseSeq)
		if e.Format < 2 {
			b.count[e.CaseID]++
		}
		b.head[e.CaseID] = ledger.LeafHex([]byte(s))
	}
	b.lines = append(b.lines, s)
	return len(b.lines) - 1
}

// withhold replaces line i by its withheld form (index and leaf hash).
func (b *logBuilder) withhold(i int) {
	b.lines[i] = string(ledger.EncodeWithheld(int64(i), ledger.LeafHash([]byte(b.lines[i]))))
}

// edit replaces line i by f of its entry, leaving the entries after it
// as they were (their prev still names the original).
func (b *logBuilder) edit(i int, f func(e *tahqiq.LogEntry)) {
	e, err := ledger.DecodeEntry([]byte(b.lines[i]))
	if err != nil {
		b.t.Fatal(err)
	}
	f(&e)
	b.lines[i] = enc(b.t, e)
}

func (b *logBuilder) copyLines() []string { return append([]string{}, b.lines...) }

func rr(kind, id, label string) tahqiq.RecordRef {
	return tahqiq.RecordRef{Kind: kind, ID: id, Digest: fakeDigest(kind, label)}
}

func genFold(t *testing.T) {
	var c counter
	var folds []foldTest
	fold := func(comment string, flags []string, lines []string, partial bool, want []foldProblem) {
		st := ledger.Fold(leavesOf(lines), partial)
		got := []foldProblem{}
		for _, p := range st.Problems {
			got = append(got, foldProblem{Class: foldClass(p), Index: p.Index})
		}
		if want == nil {
			want = []foldProblem{}
		}
		if jsonString(got) != jsonString(want) {
			t.Fatalf("fold %q: tahqiq finds %s (%v), want %s", comment, jsonString(got), st.Problems, jsonString(want))
		}
		recs, chains, digests, ids := foldState(st)
		tc := foldTest{TcID: c.next(), Comment: comment, Flags: flags, Lines: lines, Partial: partial, Result: "valid", Problems: got,
			Records: recs, Chains: chains, LegacyDigests: digests, LegacyIDs: ids}
		if len(got) > 0 {
			tc.Result, tc.Class = "invalid", got[0].Class
		}
		folds = append(folds, tc)
	}
	// A case with every kind of case record.
	oneCase := func() *logBuilder {
		b := newLogBuilder(t)
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "item.attach", CaseID: "c1", ItemID: "i1", Hashes: []string{fakeSum("a")}, Records: []tahqiq.RecordRef{rr("item", "i1", "i1")}})
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "finding.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("finding", "f1", "f1")}})
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "recommendation.propose", CaseID: "c1", Records: []tahqiq.RecordRef{rr("recommendation", "r1", "r1 proposed")}})
		b.add(tahqiq.LogEntry{Actor: "u2", Action: "recommendation.approved", CaseID: "c1", Records: []tahqiq.RecordRef{rr("recommendation", "r1", "r1 approved")}})
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "task.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("task", "t1", "t1 open")}})
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "task.update", CaseID: "c1", Records: []tahqiq.RecordRef{rr("task", "t1", "t1 done")}})
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("note", "n1", "n1")}})
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.share", CaseID: "c1", ItemID: "i1", Records: []tahqiq.RecordRef{rr("share", "o2/i1", "o2/i1")}})
		b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.read", CaseID: "c1"})
		return b
	}
	b := oneCase()
	fold("one case: every kind of case record; a recommendation and a task changed once", []string{"Format2"}, b.copyLines(), false, nil)

	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "org.init", Records: []tahqiq.RecordRef{rr("org", "o1", "o1"), rr("user", "u1", "u1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c2", Records: []tahqiq.RecordRef{rr("case", "c2", "c2")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "item.attach", CaseID: "c1", ItemID: "i1", Records: []tahqiq.RecordRef{rr("item", "i1", "i1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c2", Records: []tahqiq.RecordRef{rr("note", "n2", "n2")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "org.create", Records: []tahqiq.RecordRef{rr("org", "o2", "o2")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "user.create", Records: []tahqiq.RecordRef{rr("user", "u2", "u2")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "dataset.claim", Records: []tahqiq.RecordRef{rr("dataset", "ru", "ru o1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.share", CaseID: "c1", Records: []tahqiq.RecordRef{rr("share", "o2", "o2")}})
	b.add(tahqiq.LogEntry{Actor: "u2", Action: "case.read", CaseID: "c2"})
	twoCases := b.copyLines()
	fold("two cases interleaved, and the store's records (organisations, users, a dataset owner)", []string{"Format2", "StoreRecord"}, twoCases, false, nil)

	b = oneCase()
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "finding.retract", CaseID: "c1", Records: []tahqiq.RecordRef{{Kind: "finding", ID: "f1"}}})
	removed := b.copyLines()
	fold("a record removed: its state is removed, its history kept", []string{"Format2", "Removed"}, removed, false, nil)

	// Format 1, then format 2.
	b = newLogBuilder(t)
	b.legacy(tahqiq.LogEntry{Actor: "u1", Action: "org.init", Details: `org o1 "ECP-inquiry" admin u1 "amina"`})
	b.legacy(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Hashes: []string{fakeDigest("case", "c1")}, Details: `title "x" tlp amber`})
	b.legacy(tahqiq.LogEntry{Actor: "u1", Action: "item.attach", CaseID: "c1", ItemID: "i1", Hashes: []string{fakeDigest("item", "i1"), fakeSum("a")}, Details: `file "a.txt"`})
	b.legacy(tahqiq.LogEntry{Actor: "u1", Action: "finding.create", CaseID: "c1", Hashes: []string{fakeDigest("finding", "f1")}, Details: "f1 same picture"})
	b.legacy(tahqiq.LogEntry{Actor: "u1", Action: "org.create", Details: `org o2 "FIA"`})
	b.legacy(tahqiq.LogEntry{Actor: "u1", Action: "user.create", Details: `user u2 "farah" org o2 role viewer`})
	b.legacy(tahqiq.LogEntry{Actor: "u1", Action: "case.share", CaseID: "c1", ItemID: "i1", Details: "org o2 tlp amber"})
	b.legacy(tahqiq.LogEntry{Actor: "u1", Action: "dataset.claim", Details: `dataset "ru 2024" owned by org o1`})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("note", "n1", "n1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "item.attach", CaseID: "c1", ItemID: "i1", Records: []tahqiq.RecordRef{{Kind: "item", ID: "i1", Version: 1, Digest: fakeDigest("item", "i1")}}})
	legacy := b.copyLines()
	fold("format 1 entries, then format 2: format-1 entries count in the case's numbering and chain; their attached items and created cases are records, every other digest and the records their details name are remembered", []string{"Format1", "Format2"}, legacy, false, nil)

	// Partial: a holder who was not shown some entries.
	b = oneCase()
	b.withhold(2)
	b.withhold(3)
	b.withhold(4)
	partial := b.copyLines()
	fold("entries of the case withheld (index and leaf hash): the chain passes over them, and they are counted", []string{"Partial", "Withheld"}, partial, true, nil)
	fold("the same lines folded as a whole log: the withheld entries are missing", []string{"Withheld"}, partial, false, []foldProblem{{"gap", 5}})
	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c2", Records: []tahqiq.RecordRef{rr("case", "c2", "c2")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c2", Records: []tahqiq.RecordRef{rr("note", "n2", "n2")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "item.attach", CaseID: "c1", ItemID: "i1", Records: []tahqiq.RecordRef{rr("item", "i1", "i1")}})
	b.withhold(1)
	b.withhold(2)
	fold("another case's entries withheld: no gap in this case's chain", []string{"Partial", "Withheld"}, b.copyLines(), true, nil)

	// Chain problems.
	b = oneCase()
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", CaseSeq: 5, Prev: ledger.LeafHex([]byte(b.lines[3])), Records: []tahqiq.RecordRef{rr("note", "n9", "n9")}})
	fold("a number that repeats (5 after 10): the case's history was forked", []string{"Fork"}, b.copyLines(), false, []foldProblem{{"fork", 10}})
	b = oneCase()
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", CaseSeq: 1, Prev: ledger.Genesis("c1"), Records: []tahqiq.RecordRef{{Kind: "note", ID: "n9", Version: 1, Digest: fakeDigest("note", "n9")}}})
	fold("a number that goes back to 1: a second history of the case", []string{"Fork"}, b.copyLines(), false, []foldProblem{{"fork", 10}})
	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.read", CaseID: "c1", CaseSeq: -1})
	fold("an entry of a case with case_seq 0 (omitted): a number that goes back", []string{"Fork"}, []string{b.lines[0], mut(t, b.lines[1], `"case_seq":-1,`, ``)}, false, []foldProblem{{"fork", 1}})
	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	b.legacy(tahqiq.LogEntry{Actor: "u1", Action: "case.read", CaseID: "c1"})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", CaseSeq: 2, Prev: ledger.LeafHex([]byte(b.lines[0])), Records: []tahqiq.RecordRef{rr("note", "n1", "n1")}})
	fold("an entry of format 1 in the middle counts: numbering past it is a fork", []string{"Fork", "Format1"}, b.copyLines(), false, []foldProblem{{"fork", 2}})
	b = oneCase()
	b.edit(3, func(e *tahqiq.LogEntry) { e.Actor = "u9" })
	fold("an entry of the case replaced by another with its number: the next entry's prev names the original", []string{"Replaced"}, b.copyLines(), false, []foldProblem{{"replaced", 4}})
	b = oneCase()
	b.edit(0, func(e *tahqiq.LogEntry) { e.Prev = ledger.Genesis("c2") })
	fold("the first entry of a case whose prev is not the case's genesis", []string{"Replaced", "Genesis"}, b.copyLines(), false, []foldProblem{{"replaced", 0}, {"replaced", 1}})
	b = oneCase()
	lines := b.copyLines()
	// The finding's entry (the case's third) deleted; the fold looks at
	// the lines, not at their indices (Verify names those).
	gapped := append(append([]string{}, lines[:2]...), lines[3:]...)
	fold("an entry of the case deleted: its number is skipped", []string{"Gap"}, gapped, false, []foldProblem{{"gap", 2}})
	fold("the same, held as a bundle's lines: the skipped entry is not a withheld line", []string{"Gap", "Partial"}, gapped, true, []foldProblem{{"gap", 2}})
	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("note", "n1", "n1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("note", "n2", "n2")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("note", "n3", "n3")}})
	// Line 1 (entry 2 of the case) is shown withheld, line 2 (entry 3)
	// is dropped and line 3 (entry 4) shown: its prev names entry 3, not
	// the withheld line; and a later entry skipping back over a withheld
	// line before the case's last visible entry.
	b.withhold(1)
	l := b.copyLines()
	l[2] = string(ledger.EncodeWithheld(2, ledger.LeafHash([]byte("an entry that is not the one the next entry names"))))
	fold("a skipped number whose prev is not the withheld line right before", []string{"Gap", "Partial"}, l, true, []foldProblem{{"gap", 3}})
	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	w := b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("note", "n1", "n1")}})
	wh := ledger.LeafHex([]byte(b.lines[w]))
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", CaseSeq: 2, Prev: ledger.LeafHex([]byte(b.lines[0])), Records: []tahqiq.RecordRef{rr("note", "n2", "n2")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "note.create", CaseID: "c1", CaseSeq: 4, Prev: wh, Records: []tahqiq.RecordRef{rr("note", "n3", "n3")}})
	b.withhold(w)
	fold("a skipped number whose prev is a withheld line before the case's last visible entry", []string{"Gap", "Partial"}, b.copyLines(), true, []foldProblem{{"gap", 3}})

	// Record versions.
	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "task.update", CaseID: "c1", Records: []tahqiq.RecordRef{{Kind: "task", ID: "t1", Version: 2, Digest: fakeDigest("task", "t1 done")}}})
	fold("a record first seen at version 2", []string{"VersionSkip"}, b.copyLines(), false, []foldProblem{{"version-skip", 1}})
	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "task.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("task", "t1", "t1 open")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "task.update", CaseID: "c1", Records: []tahqiq.RecordRef{{Kind: "task", ID: "t1", Version: 3, Digest: fakeDigest("task", "t1 done")}}})
	fold("a record's version 1 then 3", []string{"VersionSkip"}, b.copyLines(), false, []foldProblem{{"version-skip", 2}})
	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "task.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("task", "t1", "t1 open")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "task.update", CaseID: "c1", Records: []tahqiq.RecordRef{{Kind: "task", ID: "t1", Version: 1, Digest: fakeDigest("task", "t1 done")}}})
	fold("a record's version 1 twice", []string{"VersionSkip"}, b.copyLines(), false, []foldProblem{{"version-skip", 2}})
	b = newLogBuilder(t)
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("case", "c1", "c1")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "case.create", CaseID: "c2", Records: []tahqiq.RecordRef{rr("case", "c2", "c2")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "task.create", CaseID: "c1", Records: []tahqiq.RecordRef{rr("task", "t1", "t1 open")}})
	b.add(tahqiq.LogEntry{Actor: "u1", Action: "task.update", CaseID: "c2", Records: []tahqiq.RecordRef{rr("task", "t1", "t1 done")}})
	fold("a record made in one case named by an entry of another", []string{"WrongCase"}, b.copyLines(), false, []foldProblem{{"wrong-case", 3}})

	// Comparisons with the records present.
	var cmpGroups []any
	var cmps []compareTest
	var cmpLines []string
	group := func(comment string, lines []string) {
		if cmps != nil {
			cmpGroups[len(cmpGroups)-1] = compareGroup{Type: "CompareTest", Comment: cmpGroups[len(cmpGroups)-1].(compareGroup).Comment, Lines: cmpLines, Tests: cmps}
		}
		cmps, cmpLines = []compareTest{}, lines
		if comment != "" {
			cmpGroups = append(cmpGroups, compareGroup{Type: "CompareTest", Comment: comment})
		}
	}
	compare := func(comment string, flags []string, ps []present, sc compareScope, want []compareProblem, legacy int) {
		tc := compareTest{TcID: c.next(), Comment: comment, Flags: flags, Present: ps, Scope: sc, Result: "valid", Problems: want, Legacy: legacy}
		if tc.Problems == nil {
			tc.Problems = []compareProblem{}
		}
		if tc.Present == nil {
			tc.Present = []present{}
		}
		if len(want) > 0 {
			tc.Result, tc.Class = "invalid", want[0].Class
		}
		got, gotLegacy := compareWithTahqiq(cmpLines, tc)
		if jsonString(sortedCompare(got)) != jsonString(sortedCompare(tc.Problems)) || gotLegacy != legacy {
			t.Fatalf("compare %q: tahqiq finds %s, %d legacy; want %s, %d", comment, jsonString(got), gotLegacy, jsonString(tc.Problems), legacy)
		}
		tc.Problems = sortedCompare(tc.Problems)
		cmps = append(cmps, tc)
	}
	p := func(kind, id, caseID, label string) present {
		return present{Kind: kind, ID: id, CaseID: caseID, Digest: fakeDigest(kind, label)}
	}
	full := func() []present {
		return []present{p("case", "c1", "c1", "c1"), p("item", "i1", "c1", "i1"), p("finding", "f1", "c1", "f1"), p("recommendation", "r1", "c1", "r1 approved"),
			p("task", "t1", "c1", "t1 done"), p("note", "n1", "c1", "n1"), p("share", "o2/i1", "c1", "o2/i1")}
	}
	with := func(ps []present, i int, q present) []present {
		out := append([]present{}, ps...)
		out[i] = q
		return out
	}
	group("one case with every kind of case record (the first FoldTest)", oneCase().copyLines())
	compare("every record at its latest state", []string{"Complete"}, full(), compareScope{}, nil, 0)
	compare("a task at its first state: rolled back", []string{"Stale"}, with(full(), 4, p("task", "t1", "c1", "t1 open")), compareScope{}, []compareProblem{{"stale", "task", "t1"}}, 0)
	compare("a recommendation proposed again: rolled back", []string{"Stale"}, with(full(), 3, p("recommendation", "r1", "c1", "r1 proposed")), compareScope{}, []compareProblem{{"stale", "recommendation", "r1"}}, 0)
	compare("a finding with a digest the log never had: edited", []string{"Mismatch"}, with(full(), 2, p("finding", "f1", "c1", "f1 edited")), compareScope{}, []compareProblem{{"mismatch", "finding", "f1"}}, 0)
	compare("a finding in another case: moved", []string{"Mismatch"}, with(full(), 2, p("finding", "f1", "c2", "f1")), compareScope{}, []compareProblem{{"mismatch", "finding", "f1"}}, 0)
	compare("a note no entry made: inserted", []string{"Extra"}, append(full(), p("note", "n9", "c1", "n9")), compareScope{}, []compareProblem{{"extra", "note", "n9"}}, 0)
	compare("a record present twice", []string{"Extra"}, append(full(), p("note", "n1", "c1", "n1")), compareScope{}, []compareProblem{{"extra", "note", "n1"}}, 0)
	compare("an item absent: deleted", []string{"Missing"}, append(full()[:1], full()[2:]...), compareScope{}, []compareProblem{{"missing", "item", "i1"}}, 0)
	compare("every record absent but the case", []string{"Missing"}, full()[:1], compareScope{}, []compareProblem{
		{"missing", "item", "i1"}, {"missing", "finding", "f1"}, {"missing", "recommendation", "r1"}, {"missing", "task", "t1"}, {"missing", "note", "n1"}, {"missing", "share", "o2/i1"}}, 0)
	group("the case with its finding removed (the third FoldTest)", removed)
	compare("a removed finding present: extra", []string{"Extra", "Removed"}, full(), compareScope{}, []compareProblem{{"extra", "finding", "f1"}}, 0)
	compare("a removed finding absent: complete", []string{"Complete", "Removed"}, append(full()[:2], full()[3:]...), compareScope{}, nil, 0)
	compare("scope: case c1, kinds case, item and share (an export of shared items): the other records are not expected", []string{"Scope"},
		[]present{p("case", "c1", "c1", "c1"), p("item", "i1", "c1", "i1"), p("share", "o2/i1", "c1", "o2/i1")}, compareScope{CaseID: "c1", Kinds: []string{"case", "item", "share"}}, nil, 0)
	group("two cases and the store's records (the second FoldTest)", twoCases)
	compare("scope: case c1: the store's records and other cases are not compared", []string{"Scope"},
		[]present{p("case", "c1", "c1", "c1"), p("item", "i1", "c1", "i1"), p("share", "o2", "c1", "o2"), p("org", "o1", "", "o1 edited")}, compareScope{CaseID: "c1"}, nil, 0)
	compare("the whole store: organisations, users, dataset owners compared too", []string{"StoreRecord"},
		[]present{p("case", "c1", "c1", "c1"), p("case", "c2", "c2", "c2"), p("item", "i1", "c1", "i1"), p("note", "n2", "c2", "n2"), p("share", "o2", "c1", "o2"),
			p("org", "o1", "", "o1"), p("org", "o2", "", "o2"), p("user", "u1", "", "u1"), p("user", "u2", "", "u2 admin"), p("dataset", "ru", "", "ru o2")}, compareScope{},
		[]compareProblem{{"mismatch", "user", "u2"}, {"mismatch", "dataset", "ru"}}, 0)
	group("format 1, then format 2 (the fourth FoldTest)", legacy)
	compare("records of format-1 entries: proven logged, not complete", []string{"Format1", "Legacy"},
		[]present{p("case", "c1", "c1", "c1"), p("item", "i1", "c1", "i1"), p("finding", "f1", "c1", "f1"), p("note", "n1", "c1", "n1"),
			p("org", "o1", "", "anything"), p("org", "o2", "", "anything"), p("user", "u1", "", "anything"), p("user", "u2", "", "anything"),
			p("share", "o2/i1", "c1", "anything"), p("dataset", "ru 2024", "", "anything")}, compareScope{}, nil, 8)
	compare("a format-1 record with another digest: edited", []string{"Format1", "Mismatch"},
		[]present{p("case", "c1", "c1", "c1 edited"), p("item", "i1", "c1", "i1"), p("note", "n1", "c1", "n1")}, compareScope{}, []compareProblem{{"mismatch", "case", "c1"}}, 0)
	compare("a record format 1 never named: inserted", []string{"Format1", "Extra"},
		[]present{p("case", "c1", "c1", "c1"), p("item", "i1", "c1", "i1"), p("note", "n1", "c1", "n1"), p("user", "u7", "", "u7")}, compareScope{}, []compareProblem{{"extra", "user", "u7"}}, 1)

	group("", nil)
	writeVectors(t, "fold.json", vectorOut{
		Algorithm: "the fold of a custody log into records, and its comparison with the records present",
		Spec:      "docs/format/ledger.md, \"Fold\"",
		Header: []string{
			"FoldTest: lines are log positions 0..n-1, each an entry's bytes or a withheld line {\"index\":I,\"leaf_hash\":\"<hex>\"}; partial says whether withheld lines may be entries of any case (a bundle) or the log is whole (a store).",
			"Its expected outcome: problems (class and entry index, in index order: fork, replaced, gap, version-skip, wrong-case; result invalid when there is one, class the first one's), records (kind, id, caseId, version, digest when not removed, history of digests, the entry that left it so, legacy when only format-1 entries made it; sorted by kind and id), chains (per case: count of its entries, withheld of them, legacy ones, head: hex leaf hash of its last entry, last: its index; sorted), legacyDigests (every hash of format-1 entries) and legacyIds (\"kind id\" of the records format-1 entries name in their details).",
			"CompareTest: the fold of lines (a whole log) compared with the records present (kind, id, caseId, digest) within scope (caseId: only that case's records; kinds: only those kinds): problems, each a class (missing, extra, stale, mismatch) and the record, sorted by class, kind and id (result invalid when there is one, class the first one's); legacy: how many present records only format-1 entries prove.",
			"Digests here are SHA-256 of labels, not of records: the fold compares digests, never records.",
		},
		Notes: map[string]string{
			"Format1":     "entries of format 1",
			"Format2":     "entries of format 2",
			"StoreRecord": "records of the store: org, user, dataset",
			"Removed":     "a record removed by a reference without digest",
			"Partial":     "folded as a bundle's lines (withheld lines may be any case's)",
			"Withheld":    "withheld lines",
			"Fork":        "a case number that repeats or goes back",
			"Replaced":    "a prev that is not the leaf hash of the case's previous entry (or its genesis)",
			"Genesis":     "the genesis value of a case",
			"Gap":         "a case number that skips entries not at hand",
			"VersionSkip": "a record version that is not 1 when first seen, or not one more than the last",
			"WrongCase":   "a record named by entries of two cases",
			"Complete":    "every record present at its latest state",
			"Stale":       "a record present at an earlier state",
			"Mismatch":    "a record present with a state the log never recorded, or in another case",
			"Extra":       "a record present that no entry made, that an entry removed, or present twice",
			"Missing":     "a record the fold holds live, absent",
			"Scope":       "a comparison limited to a case or to kinds",
			"Legacy":      "records proven by format-1 entries only",
		},
		TestGroups: append([]any{
			foldGroup{Type: "FoldTest", Comment: "folds", Tests: folds},
		}, cmpGroups...),
	}, c.n)
}

func sortedCompare(ps []compareProblem) []compareProblem {
	out := append([]compareProblem{}, ps...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.ID < b.ID
	})
	return out
}

func b64Hash(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }
