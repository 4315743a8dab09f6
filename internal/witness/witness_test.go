package witness_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/witness"
)

func keys(t *testing.T, name string) (note.Signer, note.Verifier) {
	t.Helper()
	sk, vk, err := ledger.GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(sk)
	v, _ := ledger.NewVerifier(vk)
	return s, v
}

// logOf builds a log of n entries (tag changes their content: another
// history) and signs checkpoints at the sizes asked.
type logOf struct {
	m   *ledger.MemStore
	key note.Signer
}

func newLog(t *testing.T, key note.Signer, tag string, n int) *logOf {
	l := &logOf{m: &ledger.MemStore{}, key: key}
	var es [][]byte
	for i := 0; i < n; i++ {
		b, _ := ledger.EncodeEntry(tahqiq.LogEntry{Index: int64(i), Time: time.Unix(int64(i), 0), Actor: "u1", Action: "note.create", Details: fmt.Sprint(tag, i)})
		es = append(es, b)
	}
	if _, err := ledger.New(l.m).Append(es...); err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *logOf) checkpoint(t *testing.T, n int64) []byte {
	tr, err := ledger.TreeAt(l.m, n)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ledger.Sign("tahqiq/test", tr, l.key)
	if err != nil {
		t.Fatal(err)
	}
	return cp.Note
}

func (l *logOf) proof(t *testing.T, old, n int64) *tahqiq.Proof {
	p, err := ledger.ProveConsistency(l.m, old, n)
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

func TestWitness(t *testing.T) {
	logKey, logV := keys(t, "tahqiq/test")
	wKey, wV := keys(t, "witness.fia.example")
	honest := newLog(t, logKey, "a", 20)
	fork := newLog(t, logKey, "b", 20) // the same key, another history at every size
	w := &witness.Witness{Dir: t.TempDir(), Signer: wKey}
	refused := func(t *testing.T, err error, reason string) {
		t.Helper()
		var r *witness.Refusal
		if !errors.As(err, &r) || r.Reason != reason {
			t.Fatalf("Cosign = %v, want a refusal for %s", err, reason)
		}
	}
	// The first checkpoint is taken on trust.
	cp8 := honest.checkpoint(t, 8)
	out, err := w.Cosign(cp8, logV, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(out, note.VerifierList(logV, wV)); err != nil {
		t.Fatalf("co-signed checkpoint does not open with the witness key: %v", err)
	}
	// A larger tree needs a proof, and a valid one passes.
	cp12 := honest.checkpoint(t, 12)
	_, err = w.Cosign(cp12, logV, nil)
	refused(t, err, "proof")
	if _, err := w.Cosign(cp12, logV, honest.proof(t, 8, 12)); err != nil {
		t.Fatalf("consistent checkpoint refused: %v", err)
	}
	// A rollback, a fork of the same size, and a fork of a larger size
	// with a proof from the forked log are refused.
	_, err = w.Cosign(cp8, logV, nil)
	refused(t, err, "rollback")
	_, err = w.Cosign(fork.checkpoint(t, 12), logV, nil)
	refused(t, err, "fork")
	_, err = w.Cosign(fork.checkpoint(t, 16), logV, fork.proof(t, 12, 16))
	refused(t, err, "fork")
	// The same checkpoint again is fine.
	if _, err := w.Cosign(cp12, logV, nil); err != nil {
		t.Errorf("the checkpoint co-signed last, again: %v", err)
	}
	// A checkpoint the log key did not sign is not witnessed.
	other, _ := keys(t, "tahqiq/test")
	if _, err := w.Cosign((&logOf{m: honest.m, key: other}).checkpoint(t, 12), logV, nil); err == nil {
		t.Errorf("a checkpoint signed by another key was co-signed")
	}
}

// TestWitnessConcurrent: two callers race to have conflicting checkpoints
// co-signed; the witness signs at most one history.
func TestWitnessConcurrent(t *testing.T) {
	logKey, logV := keys(t, "tahqiq/test")
	wKey, _ := keys(t, "witness")
	a, b := newLog(t, logKey, "a", 10), newLog(t, logKey, "b", 10)
	for round := 0; round < 20; round++ {
		w := &witness.Witness{Dir: t.TempDir(), Signer: wKey}
		var wg sync.WaitGroup
		var ok [2]bool
		for i, l := range []*logOf{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := (&witness.Witness{Dir: w.Dir, Signer: wKey}).Cosign(l.checkpoint(t, 10), logV, nil)
				ok[i] = err == nil
			}()
		}
		wg.Wait()
		if ok[0] && ok[1] {
			t.Fatalf("round %d: both forks of size 10 were co-signed", round)
		}
	}
}
