package casework_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/ledger/minverify"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// The record and bundle vectors of docs/format/testdata (ledger.md and
// bundle.md, "Test vectors"): records.json (each record kind's canonical
// JSON and digest) and bundles.json with the bundle directories under
// bundles/, made by tahqiq's own export from a deterministic store and
// then tampered with, one bundle per failure class. TestVectors checks
// tahqiq against them; with -update it makes them again (see
// internal/ledger/vectors_test.go).

var update = flag.Bool("update", false, "regenerate the record and bundle vectors in docs/format/testdata and their SHA256SUMS")

const testdata = "../../docs/format/testdata"

const vectorGenerator = "internal/casework/vectors_test.go (go test -p 1 ./internal/ledger ./internal/casework -run TestVectors -update)"

type vectorOut struct {
	Algorithm     string            `json:"algorithm"`
	Spec          string            `json:"spec"`
	Generator     string            `json:"generator"`
	NumberOfTests int               `json:"numberOfTests"`
	Header        []string          `json:"header"`
	Notes         map[string]string `json:"notes"`
	TestKeys      map[string]string `json:"testKeys,omitempty"`
	TestGroups    []any             `json:"testGroups"`
}

type vectorIn struct {
	Algorithm     string            `json:"algorithm"`
	Spec          string            `json:"spec"`
	Generator     string            `json:"generator"`
	NumberOfTests int               `json:"numberOfTests"`
	Header        []string          `json:"header"`
	Notes         map[string]string `json:"notes"`
	TestKeys      map[string]string `json:"testKeys,omitempty"`
	TestGroups    []json.RawMessage `json:"testGroups"`
}

func writeVectorFile(t *testing.T, name string, f vectorOut, n int) {
	t.Helper()
	f.Generator, f.NumberOfTests = vectorGenerator, n
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(testdata, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readVectorFile(t *testing.T, name string) vectorIn {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	var f vectorIn
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

func TestVectors(t *testing.T) {
	if *update {
		genRecordVectors(t)
		genBundleVectors(t)
		if err := minverify.WriteSums(testdata); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range minverify.CheckSums(testdata) {
		t.Errorf("docs/format/testdata: %s (vectors change only with -update, reviewed and committed with their SHA256SUMS)", p)
	}
	t.Run("records", testRecordVectors)
	t.Run("bundles", testBundleVectors)
}

// ---- the deterministic store the vectors come from

var vectorTime = time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)

// vectorKey is the published test key "log" of checkpoints.json: its
// seed is SHA-256 of a label that says it is one.
func vectorKey(t testing.TB, name, label string) (skey, vkey string) {
	seed := sha256.Sum256([]byte("tahqiq test vector key, published, never to be trusted: " + label))
	sk, vk, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	return sk, vk
}

const vectorLogName = "tahqiq/TEST-vectors"

// vworld is the store behind the bundle vectors: the tamper suite's world,
// made deterministic (clock, IDs, key, blobs), so that regenerating it
// gives the same bytes.
type vworld struct {
	dir                 string
	s                   *casework.Service
	signer              note.Signer
	vkey                string
	admin, rev, partner tahqiq.User
	org, fia            tahqiq.Organisation
	c, red              tahqiq.Case
	items               []tahqiq.Item
	finding             tahqiq.Finding
	recV1, rec          tahqiq.Recommendation
	taskV1, task        tahqiq.Task
	note                tahqiq.Note
	share               tahqiq.CaseShare
}

func newVectorWorld(t *testing.T) *vworld {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	bs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	sk, vk := vectorKey(t, vectorLogName, "log")
	os.MkdirAll(filepath.Join(dir, "keys"), 0o700)
	if err := os.WriteFile(filepath.Join(dir, keyfile.KeyFile), []byte(sk+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, keyfile.PubKeyFile), []byte(vk+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	signer, v, err := keyfile.LoadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	seed := sha256.Sum256([]byte("tahqiq test vectors: record IDs"))
	clock := vectorTime
	s := &casework.Service{Store: db, Blobs: bs, Datasets: db, Signer: signer, LogKey: v, Origin: signer.Name(), Rand: rand.NewChaCha8(seed),
		Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	w := &vworld{dir: dir, s: s, signer: signer, vkey: vk}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w.org, w.admin, err = s.InitOrg(ctx, "ECP-inquiry", "amina")
	must(err)
	w.rev, err = s.AddUser(ctx, w.admin, "", "bilal", tahqiq.RoleReviewer, "")
	must(err)
	w.fia, err = s.AddOrg(ctx, tahqiq.System, "FIA")
	must(err)
	w.partner, err = s.AddUser(ctx, tahqiq.System, w.fia.ID, "farah", tahqiq.RoleViewer, "")
	must(err)
	w.c, err = s.NewCase(ctx, w.admin, "Fake Form 45 images", "Form 45 of PS-12 & PS-13 <NA-56>", tahqiq.TLPAmber)
	must(err)
	for i, body := range []string{"Form 45, PS-12: 1,203 votes for candidate A\n", "فارم ۴۵، پی ایس ۱۳: ۹۸۷ ووٹ\n"} {
		ref, err := s.PutBlob(fmt.Sprintf("form45-ps%d.txt", 12+i), []byte(body))
		must(err)
		ref.Type = "text/plain; charset=utf-8"
		it, err := s.AttachBlobs(ctx, w.admin, tahqiq.Item{CaseID: w.c.ID, Kind: tahqiq.ItemFile, Title: fmt.Sprintf("Form 45 of PS-%d", 12+i),
			Source: "https://example.org/na-56/ps-" + fmt.Sprint(12+i), Blobs: []tahqiq.BlobRef{ref}})
		must(err)
		w.items = append(w.items, it)
	}
	w.finding, err = s.AddFinding(ctx, w.admin, tahqiq.Finding{CaseID: w.c.ID, Title: "same picture", Text: "The two forms carry one photograph.",
		ItemIDs: []string{w.items[0].ID, w.items[1].ID}, Tags: []string{"T0086", "tlp:amber"}})
	must(err)
	w.recV1, err = s.Recommend(ctx, w.admin, tahqiq.Recommendation{CaseID: w.c.ID, Action: "takedown request", Grounds: "fake form", FindingIDs: []string{w.finding.ID}})
	must(err)
	w.rec, err = s.Decide(ctx, w.rev, w.recV1.ID, true)
	must(err)
	w.taskV1, err = s.AddTask(ctx, w.admin, w.c.ID, "call the returning officer", "")
	must(err)
	done := tahqiq.TaskDone
	assignee := w.rev.ID
	w.task, err = s.UpdateTask(ctx, w.admin, w.taskV1.ID, tahqiq.TaskUpdate{Status: &done, Assignee: &assignee})
	must(err)
	w.note, err = s.AddNote(ctx, w.admin, w.c.ID, "Form 45 of PS-12 differs from the original: \"1,203\" < 1,230")
	must(err)
	w.share = tahqiq.CaseShare{CaseID: w.c.ID, ItemID: w.items[1].ID, OrgID: w.fia.ID, TLP: tahqiq.TLPAmber}
	must(s.Share(ctx, w.admin, w.share))
	must(s.ClaimDataset(ctx, w.admin, "ru"))
	w.red, err = s.NewCase(ctx, w.admin, "Names of officials (RED)", "", tahqiq.TLPRed)
	must(err)
	_, err = s.AddNote(ctx, w.admin, w.red.ID, "the returning officer of NA-56")
	must(err)
	r, err := s.VerifyStore(ctx, casework.VerifyOptions{LogKey: vk})
	must(err)
	if !r.OK() || len(r.Notes) != 0 {
		t.Fatalf("the vector world does not verify: %v %v", r.Problems, r.Notes)
	}
	return w
}

// ---- records.json

type recordGroup struct {
	Type    string       `json:"type"`
	Comment string       `json:"comment"`
	Tests   []recordTest `json:"tests"`
}

type recordTest struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Flags   []string `json:"flags"`
	Kind    string   `json:"kind"`
	ID      string   `json:"id"`
	Value   string   `json:"value"`  // the record's bytes
	Digest  string   `json:"digest"` // <kind>:sha256:<hex>
	Result  string   `json:"result"`
	Class   string   `json:"class,omitempty"`
}

// recordDigest decodes a record of kind strictly, re-encodes it and
// returns its digest as tahqiq computes it, or the class of the failure.
func recordDigest(kind string, value []byte) (string, string) {
	dec := func(v any) (any, bool) {
		d := json.NewDecoder(bytes.NewReader(value))
		d.DisallowUnknownFields()
		if err := d.Decode(v); err != nil || d.More() {
			return nil, false
		}
		re, err := json.Marshal(v)
		return v, err == nil && bytes.Equal(re, value)
	}
	var v any
	var ok bool
	switch kind {
	case tahqiq.RecCase:
		v, ok = dec(&tahqiq.Case{})
	case tahqiq.RecItem:
		var it tahqiq.Item
		if _, ok = dec(&it); ok {
			return it.Digest(), ""
		}
	case tahqiq.RecFinding:
		v, ok = dec(&tahqiq.Finding{})
	case tahqiq.RecRecommendation:
		v, ok = dec(&tahqiq.Recommendation{})
	case tahqiq.RecTask:
		v, ok = dec(&tahqiq.Task{})
	case tahqiq.RecNote:
		v, ok = dec(&tahqiq.Note{})
	case tahqiq.RecShare:
		v, ok = dec(&tahqiq.CaseShare{})
	case tahqiq.RecOrg:
		v, ok = dec(&tahqiq.Organisation{})
	case tahqiq.RecUser:
		v, ok = dec(&tahqiq.User{})
	case tahqiq.RecDatasetOwner:
		v, ok = dec(&casework.DatasetOwner{})
	default:
		return "", "unknown-kind"
	}
	if !ok {
		return "", "not-canonical"
	}
	return casework.Digest(kind, v), ""
}

func genRecordVectors(t *testing.T) {
	w := newVectorWorld(t)
	n := 0
	var tests []recordTest
	add := func(comment string, flags []string, kind, id string, v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		d, class := recordDigest(kind, b)
		if class != "" {
			t.Fatalf("record %s: %s", comment, class)
		}
		n++
		tests = append(tests, recordTest{TcID: n, Comment: comment, Flags: flags, Kind: kind, ID: id, Value: string(b), Digest: d, Result: "valid"})
		return string(b)
	}
	bad := func(comment string, flags []string, kind, id, value, digest, class string) {
		_, got := recordDigest(kind, []byte(value))
		if got == "" {
			if d, _ := recordDigest(kind, []byte(value)); d != digest {
				got = "digest-mismatch"
			}
		}
		if got != class {
			t.Fatalf("record %s: tahqiq says %q, want %s", comment, got, class)
		}
		n++
		tests = append(tests, recordTest{TcID: n, Comment: comment, Flags: flags, Kind: kind, ID: id, Value: value, Digest: digest, Result: "invalid", Class: class})
	}
	caseV := add("a case with a description (escaped <, > and &)", []string{"Case"}, tahqiq.RecCase, w.c.ID, w.c)
	add("a case without description", []string{"Case", "Omitted"}, tahqiq.RecCase, w.red.ID, w.red)
	itemV := add("an item (file): one blob with its media type", []string{"Item"}, tahqiq.RecItem, w.items[0].ID, w.items[0])
	add("an item whose title and blob are Urdu", []string{"Item"}, tahqiq.RecItem, w.items[1].ID, w.items[1])
	add("a derived item with a TLP marking and an image blob (dhash)", []string{"Item"}, tahqiq.RecItem, "i-derived", tahqiq.Item{ID: "i-derived", CaseID: w.c.ID, Kind: tahqiq.ItemDerived,
		Title: "crop of Form 45", Blobs: []tahqiq.BlobRef{{Name: "crop.png", SHA256: strings.Repeat("ab", 32), Size: 2048, Type: "image/png", DHash: "00ff00ff00ff00ff"}},
		DerivedFrom: w.items[0].ID, TLP: tahqiq.TLPAmberStrict, AddedBy: w.admin.ID, AddedAt: vectorTime.Add(90 * time.Second)})
	add("an item (file) with a photograph: dHash and PDQ hash with its quality", []string{"Item"}, tahqiq.RecItem, "i-photo", tahqiq.Item{ID: "i-photo", CaseID: w.c.ID, Kind: tahqiq.ItemFile,
		Title: "ballot photo", Blobs: []tahqiq.BlobRef{{Name: "ballot.jpg", SHA256: strings.Repeat("ef", 32), Size: 81234, Type: "image/jpeg", DHash: "f0f0e0c0c0e0f0f8",
			PDQ: "e019502f509b19760540055654a91585275e8b64d99afaabf82fea1bfa5bfaf9", PDQQuality: 100}},
		AddedBy: w.admin.ID, AddedAt: vectorTime.Add(95 * time.Second)})
	add("an item added at a time with nanoseconds", []string{"Item", "Time"}, tahqiq.RecItem, "i-nano", tahqiq.Item{ID: "i-nano", CaseID: w.c.ID, Kind: tahqiq.ItemPost,
		Title: "post 1 of ru", Source: "ru/1", Blobs: []tahqiq.BlobRef{{Name: "record-1.json", SHA256: strings.Repeat("cd", 32), Size: 10, Type: "application/json"}},
		AddedBy: w.admin.ID, AddedAt: vectorTime.Add(1500 * time.Millisecond)})
	findingV := add("a finding with text and tags", []string{"Finding"}, tahqiq.RecFinding, w.finding.ID, w.finding)
	add("a finding without text and tags", []string{"Finding", "Omitted"}, tahqiq.RecFinding, "f-bare", tahqiq.Finding{ID: "f-bare", CaseID: w.c.ID, Title: "bare", ItemIDs: []string{w.items[0].ID}, CreatedBy: w.admin.ID, CreatedAt: vectorTime})
	add("a recommendation as proposed (version 1)", []string{"Recommendation", "Omitted"}, tahqiq.RecRecommendation, w.recV1.ID, w.recV1)
	add("the recommendation approved (version 2)", []string{"Recommendation"}, tahqiq.RecRecommendation, w.rec.ID, w.rec)
	taskV := add("a task as created (version 1, no status: tasks from before statuses keep their digest)", []string{"Task", "Omitted"}, tahqiq.RecTask, w.taskV1.ID, w.taskV1)
	add("the task done and assigned (version 2)", []string{"Task"}, tahqiq.RecTask, w.task.ID, w.task)
	noteV := add("a note (a quote and < escaped)", []string{"Note"}, tahqiq.RecNote, w.note.ID, w.note)
	add("a share of one item", []string{"Share"}, tahqiq.RecShare, w.share.OrgID+"/"+w.share.ItemID, w.share)
	add("a share of the whole case (no item_id)", []string{"Share", "Omitted"}, tahqiq.RecShare, w.fia.ID, tahqiq.CaseShare{CaseID: w.c.ID, OrgID: w.fia.ID, TLP: tahqiq.TLPGreen})
	add("an organisation", []string{"Org"}, tahqiq.RecOrg, w.org.ID, w.org)
	add("a user", []string{"User"}, tahqiq.RecUser, w.admin.ID, w.admin)
	add("a dataset's owner", []string{"Dataset"}, tahqiq.RecDatasetOwner, "ru", casework.DatasetOwner{Dataset: "ru", OrgID: w.org.ID})
	itemD, _ := recordDigest(tahqiq.RecItem, []byte(itemV))
	caseD, _ := recordDigest(tahqiq.RecCase, []byte(caseV))
	findingD, _ := recordDigest(tahqiq.RecFinding, []byte(findingV))
	taskD, _ := recordDigest(tahqiq.RecTask, []byte(taskV))
	noteD, _ := recordDigest(tahqiq.RecNote, []byte(noteV))
	rep := func(s, old, new string) string {
		if !strings.Contains(s, old) {
			t.Fatalf("%q has no %q", s, old)
		}
		return strings.Replace(s, old, new, 1)
	}
	bad("keys out of order", []string{"Case", "KeyOrder"}, tahqiq.RecCase, w.c.ID, rep(caseV, `"org_id":"`+w.org.ID+`","title":"Fake Form 45 images"`, `"title":"Fake Form 45 images","org_id":"`+w.org.ID+`"`), caseD, "not-canonical")
	bad("indented", []string{"Case", "WhiteSpace"}, tahqiq.RecCase, w.c.ID, func() string { var b bytes.Buffer; json.Indent(&b, []byte(caseV), "", " "); return b.String() }(), caseD, "not-canonical")
	bad("an empty description written", []string{"Case", "EmptyValue"}, tahqiq.RecCase, w.red.ID, rep(caseV, `"description":"Form 45 of PS-12 \u0026 PS-13 \u003cNA-56\u003e"`, `"description":""`), caseD, "not-canonical")
	bad("& written as is", []string{"Case", "Escaping"}, tahqiq.RecCase, w.c.ID, rep(caseV, `\u0026`, `&`), caseD, "not-canonical")
	bad("an unknown key", []string{"Item", "UnknownKey"}, tahqiq.RecItem, w.items[0].ID, rep(itemV, `"kind":"file",`, `"kind":"file","hidden":true,`), itemD, "not-canonical")
	bad("added_at with trailing zeros in its fraction", []string{"Item", "Time"}, tahqiq.RecItem, w.items[0].ID, rep(itemV, `Z"}`, `.000Z"}`), itemD, "not-canonical")
	bad("a key twice: a reader keeping the first would see another title", []string{"Finding", "DuplicateKey"}, tahqiq.RecFinding, w.finding.ID, rep(findingV, `"title":"same picture"`, `"title":"no finding","title":"same picture"`), findingD, "not-canonical")
	bad("created_by missing", []string{"Note", "MissingKey"}, tahqiq.RecNote, w.note.ID, rep(noteV, `"created_by":"`+w.admin.ID+`",`, ``), noteD, "not-canonical")
	bad("done as a string", []string{"Task", "Type"}, tahqiq.RecTask, w.taskV1.ID, rep(taskV, `"done":false`, `"done":"false"`), taskD, "not-canonical")
	bad("the item's digest with the case's kind", []string{"Item", "WrongKind"}, tahqiq.RecItem, w.items[0].ID, itemV, "case"+strings.TrimPrefix(itemD, "item"), "digest-mismatch")
	bad("a digest of another state (the task done, given for the task open)", []string{"Task"}, tahqiq.RecTask, w.taskV1.ID, taskV, func() string { d, _ := recordDigest(tahqiq.RecTask, mustJSON(t, w.task)); return d }(), "digest-mismatch")
	writeVectorFile(t, "records.json", vectorOut{
		Algorithm: "record digests: <kind>:sha256:<hex> of a record's canonical JSON",
		Spec:      "docs/format/ledger.md, \"Records\"",
		Header: []string{
			"Each test is a record of kind with the ID the log names it by, its bytes (value) and a digest.",
			"valid: value is the canonical JSON of a record of that kind (ledger.md, \"Records\": keys, order, omission) and digest is <kind>:sha256: + the hex SHA-256 of its bytes.",
			"invalid: class not-canonical (value is not canonical) or digest-mismatch (value is canonical, digest is not its digest).",
		},
		Notes: map[string]string{
			"Case": "kind case", "Item": "kind item", "Finding": "kind finding", "Recommendation": "kind recommendation", "Task": "kind task",
			"Note": "kind note", "Share": "kind share", "Org": "kind org", "User": "kind user", "Dataset": "kind dataset (a dataset's owner)",
			"Omitted":      "keys omitted when empty are absent",
			"Time":         "a time key",
			"KeyOrder":     "keys out of order",
			"WhiteSpace":   "insignificant white space",
			"EmptyValue":   "a key omitted when empty, written empty",
			"Escaping":     "a character not escaped as the canonical form escapes it",
			"UnknownKey":   "a key the kind does not have",
			"DuplicateKey": "a key twice",
			"MissingKey":   "a key always written, missing",
			"Type":         "a value of the wrong JSON type",
			"WrongKind":    "a digest with another kind's prefix",
		},
		TestGroups: []any{recordGroup{Type: "RecordDigestTest", Comment: "records of the vector store (bundles.json) and a few more", Tests: tests}},
	}, n)
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testRecordVectors(t *testing.T) {
	f := readVectorFile(t, "records.json")
	n := 0
	for _, raw := range f.TestGroups {
		var g recordGroup
		if err := json.Unmarshal(raw, &g); err != nil {
			t.Fatal(err)
		}
		for _, tc := range g.Tests {
			n++
			d, class := recordDigest(tc.Kind, []byte(tc.Value))
			if class == "" && d != tc.Digest {
				class = "digest-mismatch"
			}
			switch {
			case tc.Result == "valid" && class != "":
				t.Errorf("tcId %d (%s): want valid, tahqiq says %s", tc.TcID, tc.Comment, class)
			case tc.Result == "invalid" && class != tc.Class:
				t.Errorf("tcId %d (%s): want %s, tahqiq says %q", tc.TcID, tc.Comment, tc.Class, class)
			}
		}
	}
	if n != f.NumberOfTests || n == 0 {
		t.Errorf("records.json: %d tests, numberOfTests says %d", n, f.NumberOfTests)
	}
}

// ---- bundles.json

type bundleGroup struct {
	Type    string       `json:"type"`
	Comment string       `json:"comment"`
	Tests   []bundleTest `json:"tests"`
}

type bundleTest struct {
	TcID       int      `json:"tcId"`
	Comment    string   `json:"comment"`
	Flags      []string `json:"flags"`
	Bundle     string   `json:"bundle"`               // directory, relative to docs/format/testdata
	TrustedKey string   `json:"trustedKey,omitempty"` // the log key the verifier trusts; none: only the bundle's own
	Result     string   `json:"result"`
	Class      string   `json:"class,omitempty"`
	// For a valid bundle: what a verifier reports of it.
	LogSize  int64  `json:"logSize,omitempty"`
	Scope    string `json:"scope,omitempty"`
	Items    int    `json:"items,omitempty"`
	Blobs    int    `json:"blobs,omitempty"`
	Records  int    `json:"records,omitempty"`
	Withheld int64  `json:"withheld,omitempty"`
}

// bundleClasses names each problem of a bundle report by the classes of
// ledger.md, "Test vectors"; a report without problems whose key was not
// given or pinned is signer-not-established.
func bundleClasses(r *casework.Report) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, problemClass(p))
	}
	if len(out) == 0 && !r.Established() {
		out = append(out, "signer-not-established")
	}
	return out
}

func problemClass(p ledger.Problem) string {
	m := p.Msg
	has := func(s string) bool { return strings.Contains(m, s) }
	switch p.What {
	case "file":
		switch {
		case has("file removed"):
			return "file-removed"
		case has("file added"):
			return "file-added"
		case has("unsafe path"), has("not a regular file"):
			return "unsafe-path"
		case has("file changed"), has("SHA256SUMS: bad line"):
			return "file-changed"
		case has("view.json"):
			return "view-not-canonical"
		case has("manifest.json"):
			return "manifest"
		}
	case "log":
		if has("entries after the signed checkpoint") {
			return "entries-after-checkpoint"
		}
	case "checkpoint", "earlier checkpoint":
		switch {
		case has("entries removed"):
			return "truncated"
		case has("an entry was changed"):
			return "root-mismatch"
		case has("not signed by any known key"), has("not signed by the log key"):
			return "no-log-signature"
		case has("invalid signature for key"):
			return "bad-signature"
		case has("malformed note"):
			return "malformed-note"
		case strings.HasPrefix(m, "checkpoint: "):
			return "malformed-checkpoint"
		}
	case "fork":
		return "fork"
	case "entry":
		if has("deleted, inserted or reordered") {
			return "wrong-index"
		}
		return "not-canonical"
	case "seal":
		if has("view.json differs") {
			return "view-not-sealed"
		}
		return "no-seal"
	case "chain":
		switch {
		case has("withheld from an export of the whole case"):
			return "withheld-in-whole-case"
		case has("forked or rewritten"):
			return "fork"
		case has("was replaced"):
			return "replaced"
		default:
			return "gap"
		}
	case "record":
		if has("belongs to case") {
			return "wrong-case"
		}
		return "version-skip"
	case "missing", "extra", "stale", "mismatch":
		return p.What
	case "proof":
		return "bad-proof"
	case "blob":
		if has("missing") {
			return "file-removed"
		}
		return "blob-changed"
	case "format":
		return "downgrade"
	case "key":
		return "malformed-key"
	}
	return "unclassified: " + p.String()
}

func testBundleVectors(t *testing.T) {
	f := readVectorFile(t, "bundles.json")
	n := 0
	for _, raw := range f.TestGroups {
		var g bundleGroup
		if err := json.Unmarshal(raw, &g); err != nil {
			t.Fatal(err)
		}
		for _, tc := range g.Tests {
			n++
			r, err := bundle.Verify(filepath.Join(testdata, filepath.FromSlash(tc.Bundle)), casework.VerifyOptions{LogKey: tc.TrustedKey})
			if err != nil {
				t.Fatalf("tcId %d: %v", tc.TcID, err)
			}
			got := bundleClasses(r)
			checkBundle(t, tc, got, r)
		}
	}
	if n != f.NumberOfTests || n == 0 {
		t.Errorf("bundles.json: %d tests, numberOfTests says %d", n, f.NumberOfTests)
	}
}

func checkBundle(t *testing.T, tc bundleTest, got []string, r *casework.Report) {
	t.Helper()
	for _, c := range got {
		if strings.HasPrefix(c, "unclassified") {
			t.Errorf("tcId %d: %s", tc.TcID, c)
		}
	}
	switch tc.Result {
	case "valid":
		if len(got) > 0 {
			t.Errorf("tcId %d (%s): want valid, got %v: %v", tc.TcID, tc.Comment, got, r.Problems)
			return
		}
		if r.LogSize != tc.LogSize || r.Items != tc.Items || r.Blobs != tc.Blobs || r.Records != tc.Records || r.Withheld != tc.Withheld {
			t.Errorf("tcId %d (%s): size %d, %d items, %d blobs, %d records, %d withheld; want %d, %d, %d, %d, %d", tc.TcID, tc.Comment,
				r.LogSize, r.Items, r.Blobs, r.Records, r.Withheld, tc.LogSize, tc.Items, tc.Blobs, tc.Records, tc.Withheld)
		}
	case "invalid":
		found := false
		for _, c := range got {
			found = found || c == tc.Class
		}
		if !found {
			t.Errorf("tcId %d (%s): want %s among the problems, got %v: %v", tc.TcID, tc.Comment, tc.Class, got, r.Problems)
		}
	default:
		t.Errorf("tcId %d: result %q", tc.TcID, tc.Result)
	}
}

// ---- making the bundles

// copyDir copies a bundle directory.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readManifest(t *testing.T, dir string) casework.Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m casework.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// writeManifest writes manifest.json as the export does.
func writeManifest(t *testing.T, dir string, m casework.Manifest) {
	t.Helper()
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readView(t *testing.T, dir string) casework.View {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "view.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v casework.View
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// leafStore is a tree's stored hashes built from leaf hashes only (a
// bundle's withheld lines have nothing else).
type leafStore []tlog.Hash

func (h leafStore) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = h[x]
	}
	return out, nil
}

// reseal is what an operator holding the log key does to a bundle after
// changing it: lines (the log) rewritten by edit, view.json replaced by
// view (when not nil) and sealed again by the export's entry, the
// checkpoint signed again, the inclusion proofs made again (dropping those
// of items no longer in the view), SHA256SUMS written again. What is
// left to catch it is the fold: what the case's entries made.
func reseal(t *testing.T, w *vworld, dir string, view []byte, edit func(lines []string) []string) {
	t.Helper()
	p := filepath.Join(dir, "log", "entries.jsonl")
	b, _ := os.ReadFile(p)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if edit != nil {
		lines = edit(lines)
	}
	m := readManifest(t, dir)
	if view != nil {
		last := len(lines) - 1
		e, err := ledger.DecodeEntry([]byte(lines[last]))
		if err != nil || e.Action != "case.export" {
			t.Fatalf("reseal: the last line is not the export: %v", err)
		}
		e.Hashes[0] = ledger.Digest("view", view)
		var v casework.View
		json.Unmarshal(view, &v)
		e.Details = fmt.Sprintf("%s scope, %d items", v.Scope, len(v.Items))
		nb, _ := ledger.EncodeEntry(e)
		lines[last] = string(nb)
		if err := os.WriteFile(filepath.Join(dir, "view.json"), view, 0o644); err != nil {
			t.Fatal(err)
		}
		keep := map[string]bool{}
		for _, it := range v.Items {
			keep[it.ID] = true
		}
		for id := range m.Proofs {
			if !keep[id] {
				delete(m.Proofs, id)
			}
		}
		m.Items = len(v.Items)
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var hs leafStore
	for i, l := range lines {
		add, err := tlog.StoredHashesForRecordHash(int64(i), ledger.ParseLine(int64(i), []byte(l)).Hash, hs)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, add...)
	}
	n := int64(len(lines))
	tr, err := ledger.TreeAt(hs, n)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ledger.Sign(w.s.Origin, tr, w.signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "log", "checkpoint"), cp.Note, 0o644); err != nil {
		t.Fatal(err)
	}
	for id, old := range m.Proofs {
		pr, err := ledger.ProveInclusion(hs, old.Index, n)
		if err != nil {
			t.Fatal(err)
		}
		m.Proofs[id] = pr
	}
	m.LogSize, m.Entry = n, n-1
	writeManifest(t, dir, m)
	resum(t, dir)
}

func genBundleVectors(t *testing.T) {
	ctx := context.Background()
	w := newVectorWorld(t)
	root := filepath.Join(testdata, "bundles")
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	whole := filepath.Join(t.TempDir(), "whole")
	if _, err := w.s.Export(ctx, w.admin, w.c.ID, whole); err != nil {
		t.Fatal(err)
	}
	items := filepath.Join(t.TempDir(), "items")
	if _, err := w.s.Export(ctx, w.partner, w.c.ID, items); err != nil {
		t.Fatal(err)
	}
	// The bundles changed on purpose start from the owner's export
	// without log/earlier (optional checkpoints, which would make every
	// vector a few dozen files larger).
	thin := filepath.Join(t.TempDir(), "thin")
	copyDir(t, whole, thin)
	os.RemoveAll(filepath.Join(thin, "log", "earlier"))
	resum(t, thin)
	n := 0
	var tests []bundleTest
	// make copies base into bundles/name, lets tamper change it, and
	// checks that tahqiq reaches the intended result.
	make := func(name, comment string, flags []string, base string, trusted string, class string, tamper func(dir string)) {
		dir := filepath.Join(root, name)
		copyDir(t, base, dir)
		if tamper != nil {
			tamper(dir)
		}
		n++
		tc := bundleTest{TcID: n, Comment: comment, Flags: flags, Bundle: "bundles/" + name, TrustedKey: trusted, Result: "valid"}
		if class != "" {
			tc.Result, tc.Class = "invalid", class
		}
		r, err := bundle.Verify(dir, casework.VerifyOptions{LogKey: trusted})
		if err != nil {
			t.Fatal(err)
		}
		if class == "" {
			tc.LogSize, tc.Scope, tc.Items, tc.Blobs, tc.Records, tc.Withheld = r.LogSize, readView(t, dir).Scope, r.Items, r.Blobs, r.Records, r.Withheld
		}
		checkBundle(t, tc, bundleClasses(r), r)
		if t.Failed() {
			t.FailNow()
		}
		tests = append(tests, tc)
	}
	key := w.vkey
	lines := func(dir string) []string {
		return readLines(t, filepath.Join(dir, "log", "entries.jsonl"))
	}
	setLines := func(dir string, l []string) {
		writeLines(t, filepath.Join(dir, "log", "entries.jsonl"), l)
	}
	caseLine := func(l []string, action string) int {
		for i, x := range l {
			if strings.Contains(x, `"action":"`+action+`"`) && strings.Contains(x, `"case_id":"`+w.c.ID+`"`) {
				return i
			}
		}
		t.Fatalf("no %s entry of the case", action)
		return -1
	}
	blob0 := "blobs/" + w.items[0].Blobs[0].SHA256
	make("valid-whole-case", "the owner's export of the whole case, the log key trusted", []string{"Valid", "ScopeCase"}, whole, key, "", nil)
	make("valid-no-earlier", "the owner's export without log/earlier (the earlier checkpoints are optional): the bundle the invalid ones below are made from", []string{"Valid", "ScopeCase"}, thin, key, "", nil)
	make("valid-items", "a partner's export of the one item shared with it: the case's other entries withheld", []string{"Valid", "ScopeItems", "Withheld"}, items, key, "", nil)
	make("self-consistent", "the owner's export verified without a trusted key: consistent with its own key, the signer not established", []string{"KeyTrust"}, whole, "", "signer-not-established", nil)
	make("file-removed", "a blob removed", []string{"Files"}, thin, key, "file-removed", func(dir string) {
		os.Remove(filepath.Join(dir, blob0))
	})
	make("file-changed", "a byte of a blob changed, SHA256SUMS left as it was", []string{"Files"}, thin, key, "file-changed", func(dir string) {
		p := filepath.Join(dir, blob0)
		b, _ := os.ReadFile(p)
		b[0] ^= 1
		os.WriteFile(p, b, 0o644)
	})
	make("file-added", "a file not listed in SHA256SUMS", []string{"Files"}, thin, key, "file-added", func(dir string) {
		os.WriteFile(filepath.Join(dir, "README.txt"), []byte("trust me\n"), 0o644)
	})
	make("unsafe-path", "SHA256SUMS lists a path outside the bundle: it must not be read", []string{"Files"}, thin, key, "unsafe-path", func(dir string) {
		p := filepath.Join(dir, "SHA256SUMS")
		b, _ := os.ReadFile(p)
		os.WriteFile(p, append(b, []byte(strings.Repeat("0", 64)+"  ../../entries.json\n")...), 0o644)
	})
	make("sums-bad-line", "SHA256SUMS with a line that is not <64 hex>  <path>", []string{"Files"}, thin, key, "file-changed", func(dir string) {
		p := filepath.Join(dir, "SHA256SUMS")
		b, _ := os.ReadFile(p)
		os.WriteFile(p, append(b, []byte("everything is fine\n")...), 0o644)
	})
	make("blob-changed", "a byte of a blob changed and SHA256SUMS written again", []string{"Blob"}, thin, key, "blob-changed", func(dir string) {
		p := filepath.Join(dir, blob0)
		b, _ := os.ReadFile(p)
		b[0] ^= 1
		os.WriteFile(p, b, 0o644)
		resum(t, dir)
	})
	make("entries-after-checkpoint", "an entry attaching a forged item appended after the checkpoint's last", []string{"Log"}, thin, key, "entries-after-checkpoint", func(dir string) {
		l := lines(dir)
		e, _ := ledger.DecodeEntry([]byte(l[len(l)-1]))
		e.Index, e.Action, e.ItemID, e.Hashes, e.CaseSeq = int64(len(l)), "item.attach", "iforged", []string{"sha256:" + strings.Repeat("0", 64)}, e.CaseSeq+1
		e.Prev = ledger.LeafHex([]byte(l[len(l)-1]))
		e.Records = []tahqiq.RecordRef{{Kind: tahqiq.RecItem, ID: "iforged", Version: 1, Digest: "item:sha256:" + strings.Repeat("0", 64)}}
		b, _ := ledger.EncodeEntry(e)
		setLines(dir, append(l, string(b)))
		resum(t, dir)
	})
	make("truncated", "the log's last two lines removed", []string{"Log"}, thin, key, "truncated", func(dir string) {
		l := lines(dir)
		setLines(dir, l[:len(l)-2])
		resum(t, dir)
	})
	make("wrong-index", "two entries of the case swapped", []string{"Log"}, thin, key, "wrong-index", func(dir string) {
		l := lines(dir)
		i := caseLine(l, "finding.create")
		l[i], l[i+1] = l[i+1], l[i]
		setLines(dir, l)
		resum(t, dir)
	})
	make("root-mismatch", "an entry of the case edited (another actor)", []string{"Log"}, thin, key, "root-mismatch", func(dir string) {
		l := lines(dir)
		i := caseLine(l, "note.create")
		e, _ := ledger.DecodeEntry([]byte(l[i]))
		e.Actor = w.rev.ID
		b, _ := ledger.EncodeEntry(e)
		l[i] = string(b)
		setLines(dir, l)
		resum(t, dir)
	})
	make("entry-not-canonical", "an entry of the case written with a space", []string{"Log"}, thin, key, "not-canonical", func(dir string) {
		l := lines(dir)
		i := caseLine(l, "note.create")
		l[i] = strings.Replace(l[i], `"actor":`, `"actor": `, 1)
		setLines(dir, l)
		resum(t, dir)
	})
	otherSK, otherVK := vectorKey(t, vectorLogName, "impostor: another key with the log key's name")
	other, _ := note.NewSigner(otherSK)
	replaceKey := func(dir string) {
		l := lines(dir)
		var hs leafStore
		for i, x := range l {
			add, _ := tlog.StoredHashesForRecordHash(int64(i), ledger.ParseLine(int64(i), []byte(x)).Hash, hs)
			hs = append(hs, add...)
		}
		tr, _ := ledger.TreeAt(hs, int64(len(l)))
		cp, _ := ledger.Sign(w.s.Origin, tr, other)
		os.WriteFile(filepath.Join(dir, "log", "checkpoint"), cp.Note, 0o644)
		os.WriteFile(filepath.Join(dir, "keys", "log.pub"), []byte(otherVK+"\n"), 0o644)
		os.RemoveAll(filepath.Join(dir, "log", "earlier"))
		resum(t, dir)
	}
	make("key-replaced", "the checkpoint signed again with another key (of the same name), which replaces keys/log.pub; the log key trusted", []string{"KeyTrust"}, thin, key, "no-log-signature", replaceKey)
	make("key-replaced-self", "the same bundle without a trusted key: self-consistent, the signer not established", []string{"KeyTrust"}, thin, "", "signer-not-established", replaceKey)
	make("own-key-replaced", "keys/log.pub replaced by another key, the log key trusted: only the trusted key counts, and the log is signed by it", []string{"Valid", "KeyTrust"}, thin, key, "", func(dir string) {
		os.WriteFile(filepath.Join(dir, "keys", "log.pub"), []byte(otherVK+"\n"), 0o644)
		resum(t, dir)
	})
	make("earlier-other-key", "an earlier checkpoint signed by another key (of the log key's name)", []string{"Checkpoint"}, thin, key, "no-log-signature", func(dir string) {
		l := lines(dir)
		var hs leafStore
		for i, x := range l[:len(l)-1] {
			add, _ := tlog.StoredHashesForRecordHash(int64(i), ledger.ParseLine(int64(i), []byte(x)).Hash, hs)
			hs = append(hs, add...)
		}
		tr, _ := ledger.TreeAt(hs, int64(len(l)-1))
		cp, _ := ledger.Sign(w.s.Origin, tr, other)
		os.MkdirAll(filepath.Join(dir, "log", "earlier"), 0o755)
		os.WriteFile(filepath.Join(dir, "log", "earlier", "000000"), cp.Note, 0o644)
		resum(t, dir)
	})
	make("bad-signature", "a bit of the checkpoint's signature flipped", []string{"Checkpoint"}, thin, key, "bad-signature", func(dir string) {
		p := filepath.Join(dir, "log", "checkpoint")
		b, _ := os.ReadFile(p)
		i := bytes.LastIndexByte(b[:len(b)-1], ' ') + 10
		b[i] = map[bool]byte{true: 'A', false: 'B'}[b[i] != 'A']
		os.WriteFile(p, b, 0o644)
		resum(t, dir)
	})
	make("fork", "an earlier checkpoint of the same size with another root, signed by the log key", []string{"Checkpoint"}, thin, key, "fork", func(dir string) {
		m := readManifest(t, dir)
		cp, _ := ledger.Sign(w.s.Origin, tlog.Tree{N: m.LogSize, Hash: sha256.Sum256([]byte("another history"))}, w.signer)
		os.MkdirAll(filepath.Join(dir, "log", "earlier"), 0o755)
		os.WriteFile(filepath.Join(dir, "log", "earlier", "000000"), cp.Note, 0o644)
		resum(t, dir)
	})
	make("manifest", "manifest.json's log_size edited", []string{"Manifest"}, thin, key, "manifest", func(dir string) {
		m := readManifest(t, dir)
		m.LogSize--
		writeManifest(t, dir, m)
		resum(t, dir)
	})
	make("view-not-sealed", "an item removed from view.json (and SHA256SUMS written again): the export's entry sealed another view", []string{"Seal"}, thin, key, "view-not-sealed", func(dir string) {
		v := readView(t, dir)
		v.Items = v.Items[1:]
		os.WriteFile(filepath.Join(dir, "view.json"), mustJSON(t, v), 0o644)
		resum(t, dir)
	})
	make("no-seal", "the export's own entry removed and the checkpoint signed again at the size before it (by the key holder)", []string{"Seal", "KeyHolder"}, thin, key, "no-seal", func(dir string) {
		reseal(t, w, dir, nil, func(l []string) []string { return l[:len(l)-1] })
	})
	make("withheld-in-whole-case", "an entry of the case shown as withheld in an export of the whole case", []string{"Withheld"}, thin, key, "withheld-in-whole-case", func(dir string) {
		l := lines(dir)
		i := caseLine(l, "note.create")
		l[i] = string(ledger.EncodeWithheld(int64(i), ledger.LeafHash([]byte(l[i]))))
		setLines(dir, l)
		resum(t, dir)
	})
	make("view-not-canonical", "view.json with the case's title twice, sealed by the key holder: a reader keeping the first title sees another case", []string{"View", "KeyHolder"}, thin, key, "view-not-canonical", func(dir string) {
		vb, _ := os.ReadFile(filepath.Join(dir, "view.json"))
		vb = bytes.Replace(vb, []byte(`"title":"Fake Form 45 images"`), []byte(`"title":"Nothing to see","title":"Fake Form 45 images"`), 1)
		reseal(t, w, dir, vb, nil)
	})
	resealView := func(f func(v *casework.View)) func(dir string) {
		return func(dir string) {
			v := readView(t, dir)
			f(&v)
			reseal(t, w, dir, mustJSON(t, v), nil)
		}
	}
	make("missing", "an item removed from the view, its proof and its blob, sealed by the key holder: the log attached it", []string{"Fold", "KeyHolder"}, thin, key, "missing", func(dir string) {
		os.Remove(filepath.Join(dir, blob0))
		resealView(func(v *casework.View) { v.Items = v.Items[1:] })(dir)
	})
	make("stale", "the task at its first state, sealed by the key holder: rolled back", []string{"Fold", "KeyHolder"}, thin, key, "stale", resealView(func(v *casework.View) { v.Tasks[0] = w.taskV1 }))
	make("mismatch", "the finding's title edited, sealed by the key holder", []string{"Fold", "KeyHolder"}, thin, key, "mismatch", resealView(func(v *casework.View) { v.Findings[0].Title = "a different claim" }))
	make("extra", "a note no entry made, sealed by the key holder", []string{"Fold", "KeyHolder"}, thin, key, "extra", resealView(func(v *casework.View) {
		v.Notes = append(v.Notes, tahqiq.Note{ID: "nplanted", CaseID: w.c.ID, Text: "planted", CreatedBy: w.admin.ID, CreatedAt: vectorTime.Add(time.Minute)})
	}))
	make("scope-missing", "an entry of the case withheld and the view sealed without its scope by the key holder: only a view of scope items may lack entries of the case", []string{"Withheld", "KeyHolder"}, thin, key, "withheld-in-whole-case", func(dir string) {
		v := readView(t, dir)
		v.Scope, v.Notes = "", nil
		reseal(t, w, dir, mustJSON(t, v), func(l []string) []string {
			i := caseLine(l, "note.create")
			l[i] = string(ledger.EncodeWithheld(int64(i), ledger.LeafHash([]byte(l[i]))))
			return l
		})
	})
	make("proof-modified", "a hash of an item's inclusion proof changed", []string{"Proof"}, thin, key, "bad-proof", func(dir string) {
		m := readManifest(t, dir)
		p := m.Proofs[w.items[0].ID]
		p.Hashes[0] = p.Hashes[1]
		writeManifest(t, dir, m)
		resum(t, dir)
	})
	make("proof-removed", "an item's inclusion proof removed", []string{"Proof"}, thin, key, "bad-proof", func(dir string) {
		m := readManifest(t, dir)
		delete(m.Proofs, w.items[0].ID)
		writeManifest(t, dir, m)
		resum(t, dir)
	})
	make("downgrade", "manifest.json claims format 1 (its view inline, without a finding)", []string{"Format"}, thin, key, "downgrade", func(dir string) {
		v := readView(t, dir)
		v.Findings = nil
		b, _ := json.Marshal(bundle.ManifestV1{Format: casework.BundleFormatV1, View: v})
		os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644)
		resum(t, dir)
	})
	make("items-attachment-withheld", "a partner's export with the shared item's attachment withheld too: no entry at hand made the item", []string{"ScopeItems", "Withheld"}, items, key, "extra", func(dir string) {
		l := lines(dir)
		i := caseLine(l, "item.attach")
		for ; !strings.Contains(l[i], w.items[1].ID); i++ {
		}
		l[i] = string(ledger.EncodeWithheld(int64(i), ledger.LeafHash([]byte(l[i]))))
		setLines(dir, l)
		resum(t, dir)
	})
	writeVectorFile(t, "bundles.json", vectorOut{
		Algorithm: "export bundles (tahqiq-bundle/2), verified end to end",
		Spec:      "docs/format/bundle.md, \"Verification\"",
		Header: []string{
			"Each test is a bundle directory (bundle, relative to docs/format/testdata) verified with trustedKey as the log key the verifier trusts (none: only the bundle's own keys/log.pub).",
			"valid: every check of bundle.md passes and the key is trusted; the verifier reports logSize (the checkpoint's size), items, blobs, records (the records of view.json compared with the fold) and withheld (the case's entries withheld from the exporter).",
			"invalid: the verifier must name class among its problems (it may name others: a removed blob is also a blob that does not hash, for instance); signer-not-established is a bundle that is otherwise valid but verified against its own key only.",
			"All bundles come from one store made by tahqiq with the published test key testKeys.log of checkpoints.json; the invalid ones were then changed as their comment says.",
		},
		Notes: map[string]string{
			"Valid":      "a bundle as tahqiq exports it",
			"ScopeCase":  "an export of the whole case",
			"ScopeItems": "an export of the items shared with the exporter's organisation",
			"Withheld":   "entries of the case withheld (index and leaf hash)",
			"KeyTrust":   "which key the verifier trusts",
			"Files":      "SHA256SUMS and the files it lists",
			"Blob":       "a blob that does not hash to its name",
			"Log":        "log/entries.jsonl against the checkpoint",
			"Checkpoint": "log/checkpoint and log/earlier",
			"Manifest":   "manifest.json",
			"Seal":       "the export's own entry sealing view.json",
			"View":       "view.json's canonical form",
			"KeyHolder":  "changed by someone holding the log key: the log, the seal, the checkpoint and the proofs all made again; only the fold (or the canonical form) catches it",
			"Fold":       "the records of view.json against the fold of the case's entries",
			"Proof":      "an item's inclusion proof in manifest.json",
			"Format":     "the bundle's format",
		},
		TestKeys:   map[string]string{"log": w.vkey, "impostor": otherVK},
		TestGroups: []any{bundleGroup{Type: "BundleTest", Comment: "bundles of case " + w.c.ID, Tests: tests}},
	}, n)
}
