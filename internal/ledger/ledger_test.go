package ledger_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

const origin = "tahqiq.test/log"

func keys(t testing.TB, name string) (note.Signer, note.Verifier) {
	t.Helper()
	sk, vk, err := ledger.GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(sk)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ledger.NewVerifier(vk)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func entries(t testing.TB, n int) [][]byte {
	t.Helper()
	base := time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)
	out := make([][]byte, n)
	for i := range out {
		b, err := ledger.EncodeEntry(tahqiq.LogEntry{Index: int64(i), Time: base.Add(time.Duration(i) * time.Second),
			Actor: "u1", Action: "item.attach", CaseID: "c1", ItemID: fmt.Sprint("i", i),
			Hashes: []string{fmt.Sprintf("sha256:%064x", i)}})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// build appends es and signs checkpoints at each size in sizes.
func build(t testing.TB, es [][]byte, s note.Signer, sizes ...int) (*ledger.MemStore, [][]byte) {
	t.Helper()
	m := &ledger.MemStore{}
	l := ledger.New(m)
	var cps [][]byte
	prev := 0
	for _, n := range sizes {
		if _, err := l.Append(es[prev:n]...); err != nil {
			t.Fatal(err)
		}
		prev = n
		tr, err := l.Tree()
		if err != nil {
			t.Fatal(err)
		}
		cp, err := ledger.Sign(origin, tr, s)
		if err != nil {
			t.Fatal(err)
		}
		cps = append(cps, cp.Note)
	}
	return m, cps
}

func TestVerifyTamper(t *testing.T) {
	s, v := keys(t, "tahqiq.test")
	other, _ := keys(t, "tahqiq.test")
	es := entries(t, 20)
	_, cps := build(t, es, s, 10, 20)
	cp20 := cps[1]

	clone := func() [][]byte { return append([][]byte(nil), es...) }
	tests := []struct {
		name        string
		entries     [][]byte
		checkpoints [][]byte
		earlier     [][]byte
		want        string // substring of the first problem; "" = OK
	}{
		{"intact", clone(), cps, nil, ""},
		{"flipped byte", func() [][]byte {
			c := clone()
			b := append([]byte(nil), c[5]...)
			b[len(b)-3] ^= 1
			c[5] = b
			return c
		}(), cps, nil, "entry 5"},
		{"deleted entry", append(clone()[:7], es[8:]...), cps, nil, "entry 7: records index 8"},
		{"inserted entry", append(append(clone()[:3:3], es[3]), es[3:]...), cps, nil, "entry 4: records index 3"},
		{"reordered", func() [][]byte { c := clone(); c[2], c[3] = c[3], c[2]; return c }(), cps, nil, "entry 2: records index 3"},
		{"truncated", clone()[:15], cps, nil, "checkpoint 20: checkpoint covers 20 entries"},
		{"re-signed with another key", clone(), func() [][]byte {
			_, c := build(t, es, other, 20)
			return c
		}(), nil, "not signed by any known key"},
		{"no checkpoint", clone(), nil, nil, "no signed checkpoint"},
		{"earlier checkpoint ok", clone(), [][]byte{cp20}, [][]byte{cps[0]}, ""},
	}
	// A forked log: same size, different root, both signed by the log key.
	forked := clone()
	alt := entries(t, 21)
	forked = forked[:19]
	forked = append(forked, alt[19])
	forked[19] = []byte(strings.Replace(string(forked[19]), `"u1"`, `"u2"`, 1))
	_, forkCP := build(t, forked, s, 20)
	tests = append(tests, struct {
		name                          string
		entries, checkpoints, earlier [][]byte
		want                          string
	}{"fork", clone(), cps, forkCP, "fork 20"})

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ledger.Verify(ledger.Input{Entries: tc.entries, Checkpoints: tc.checkpoints, Earlier: tc.earlier, LogKey: v, Origin: origin})
			if tc.want == "" {
				if !r.OK() {
					t.Fatalf("Verify = %v, want no problems", r.Problems)
				}
				return
			}
			if r.OK() {
				t.Fatalf("Verify found nothing, want %q", tc.want)
			}
			if got := r.Problems[0].String(); !strings.Contains(got, tc.want) {
				t.Errorf("Verify first problem = %q, want it to contain %q (all: %v)", got, tc.want, r.Problems)
			}
		})
	}
}

func TestProofsAndWitness(t *testing.T) {
	s, v := keys(t, "tahqiq.test")
	ws, wv := keys(t, "witness.example")
	es := entries(t, 37)
	m, cps := build(t, es, s, 13, 37)
	_, t13, _, err := ledger.OpenCheckpoint(cps[0], v)
	if err != nil {
		t.Fatal(err)
	}
	co, err := ledger.Cosign(cps[1], v, ws)
	if err != nil {
		t.Fatal(err)
	}
	_, t37, signers, err := ledger.OpenCheckpoint(co, v, wv)
	if err != nil {
		t.Fatal(err)
	}
	if len(signers) != 2 {
		t.Errorf("signers = %v, want log and witness", signers)
	}
	for _, i := range []int64{0, 12, 36} {
		p, err := ledger.ProveInclusion(m, i, 37)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.CheckInclusion(p, t37.Hash, es[i]); err != nil {
			t.Errorf("CheckInclusion(%d) = %v", i, err)
		}
		if err := ledger.CheckInclusion(p, t37.Hash, es[(i+1)%37]); err == nil {
			t.Errorf("CheckInclusion(%d) with wrong leaf = nil, want error", i)
		}
	}
	p, err := ledger.ProveConsistency(m, 13, 37)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.CheckConsistency(p, t37.Hash, t13.Hash); err != nil {
		t.Errorf("CheckConsistency = %v", err)
	}
	if err := ledger.CheckConsistency(p, t37.Hash, t37.Hash); err == nil {
		t.Error("CheckConsistency with wrong old root = nil, want error")
	}
}

func BenchmarkAppend100k(b *testing.B) {
	s, _ := keys(b, "tahqiq.bench")
	es := entries(b, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l := ledger.New(&ledger.MemStore{})
		for i := 0; i < len(es); i += 1000 {
			if _, err := l.Append(es[i : i+1000]...); err != nil {
				b.Fatal(err)
			}
		}
		tr, err := l.Tree()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ledger.Sign(origin, tr, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify10k(b *testing.B) {
	s, v := keys(b, "tahqiq.bench")
	es := entries(b, 10_000)
	_, cps := build(b, es, s, 10_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := ledger.Verify(ledger.Input{Entries: es, Checkpoints: cps, LogKey: v}); !r.OK() {
			b.Fatal(r.Problems)
		}
	}
}

// TestFoldLegacyRuns: tahqiq serve logged its runs before runs were records
// ("coord.run" and "audit.run" entries naming the run in their details, no
// record reference); such a run is proven logged (legacy), not unknown,
// while a run no entry names is extra and one the entry names by record
// is compared by its digest.
func TestFoldLegacyRuns(t *testing.T) {
	at := time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)
	var raw [][]byte
	for i, e := range []tahqiq.LogEntry{
		{Actor: "u1", Action: "coord.run", Details: `coordination run c-20261101T100000-aaaaaa of dataset "ru"`},
		{Actor: "u1", Action: "audit.run", Details: "audit run a-20261101T100000-bbbbbb of ru2018.csv (map ru-cik)"},
		{Actor: "u1", Action: "coord.run", Records: []tahqiq.RecordRef{{Kind: tahqiq.RecRun, ID: "coord/c-20261201T100000-cccccc", Version: 1, Digest: "run:sha256:01"}}},
	} {
		e.Index, e.Time, e.Format = int64(i), at.Add(time.Duration(i)*time.Second), 2
		b, err := ledger.EncodeEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b)
	}
	st := ledger.Fold(ledger.Leaves(raw), false)
	if len(st.Problems) != 0 {
		t.Fatalf("fold problems: %v", st.Problems)
	}
	run := func(id, digest string) ledger.Present {
		return ledger.Present{Key: ledger.RecordKey{Kind: tahqiq.RecRun, ID: id}, Digest: digest}
	}
	cmp := st.Compare([]ledger.Present{
		run("coord/c-20261101T100000-aaaaaa", "run:sha256:aa"),
		run("audit/a-20261101T100000-bbbbbb", "run:sha256:bb"),
		run("coord/c-20261201T100000-cccccc", "run:sha256:02"),
		run("coord/c-20261202T100000-dddddd", "run:sha256:dd"),
	}, ledger.Scope{})
	if cmp.Legacy != 2 {
		t.Errorf("legacy = %d; want the 2 runs the server logged by their details", cmp.Legacy)
	}
	var got []string
	for _, p := range cmp.Problems {
		got = append(got, p.What+" "+p.Msg)
	}
	want := []string{
		"mismatch run coord/c-20261201T100000-cccccc: differs from every state the log recorded (latest: entry 2): edited",
		"extra run coord/c-20261202T100000-dddddd: no log entry made it: inserted without custody",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
