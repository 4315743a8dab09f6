package ledger_test

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq/internal/ledger"
)

// TestNoteCaps: a signed note is refused before it is parsed when it is
// larger than ledger.MaxNoteSize or carries more than ledger.MaxNoteSigs
// signature lines, even when the log key's signature on it is good (a
// hostile bundle's checkpoint could otherwise make the verifier parse
// megabytes of signatures it does not know).
func TestNoteCaps(t *testing.T) {
	s, v := keys(t, "log")
	tr := tlog.Tree{N: 1}
	cp, err := ledger.Sign(origin, tr, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := ledger.OpenCheckpoint(cp.Note, v); err != nil {
		t.Fatalf("ordinary checkpoint: %v", err)
	}
	many := append([]byte(nil), cp.Note...)
	for i := range ledger.MaxNoteSigs { // well-formed signatures of unknown keys
		sig := make([]byte, 68)
		binary.BigEndian.PutUint32(sig, uint32(i))
		many = fmt.Appendf(many, "— stranger%d %s\n", i, base64.StdEncoding.EncodeToString(sig))
	}
	if _, _, _, err := ledger.OpenCheckpoint(many, v); err == nil || !strings.Contains(err.Error(), "signature lines, more than 100") {
		t.Errorf("a checkpoint with %d signatures: err = %v", ledger.MaxNoteSigs+1, err)
	}
	if _, err := ledger.Cosign(many, v, s); err == nil || !strings.Contains(err.Error(), "signature lines, more than 100") {
		t.Errorf("cosigning a checkpoint with %d signatures: err = %v", ledger.MaxNoteSigs+1, err)
	}
	big, err := ledger.Sign(strings.Repeat("o", ledger.MaxNoteSize), tr, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := ledger.OpenCheckpoint(big.Note, v); err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Errorf("a checkpoint of %d bytes: err = %v", len(big.Note), err)
	}
}
