package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWitnessCLI: a witness co-signs the log's checkpoints as it grows
// (with the consistency proofs the store makes), verify requires its
// co-signature, and a checkpoint of a rewritten log is refused.
func TestWitnessCLI(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	must := func(want int, args ...string) string {
		t.Helper()
		out, code := runCase(t, data, args...)
		if code != want {
			t.Fatalf("tahqiq %s = %d, want %d: %s", strings.Join(args, " "), code, want, out)
		}
		return out
	}
	save := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	must(0, "org", "init", "--org", "Team", "--admin", "amina")
	pub := filepath.Join(data, "keys", "log.pub")
	must(0, "checkpoint", "keygen", "--name", "witness.fia.example", "--out", filepath.Join(dir, "keys"))
	wkey := filepath.Join(dir, "keys", "witness.fia.example.key")
	wpub := filepath.Join(dir, "keys", "witness.fia.example.pub")
	state := filepath.Join(dir, "state")
	cp1 := save("1.checkpoint", strings.TrimPrefix(must(0, "checkpoint"), ""))
	must(0, "checkpoint", "cosign", cp1, "--key", wkey, "--log-key", pub, "--state", state)
	must(0, "case", "new", "--title", "T")
	cp2 := save("2.checkpoint", must(0, "checkpoint"))
	// A larger checkpoint needs the proof; with it, it is co-signed.
	must(6, "checkpoint", "cosign", cp2, "--key", wkey, "--log-key", pub, "--state", state)
	proof := save("proof.json", must(0, "checkpoint", "prove", "--from", cp1))
	must(0, "checkpoint", "check", "--old", cp1, "--new", cp2, "--proof", proof, "--log-key", pub)
	cosigned := save("2.cosigned", must(0, "checkpoint", "cosign", cp2, "--key", wkey, "--log-key", pub, "--state", state, "--proof", proof))
	// verify --witness: the store's own checkpoints are not co-signed, the
	// one the witness returned is.
	out := must(6, "verify", "--key", pub, "--witness", wpub)
	if !strings.Contains(out, "not co-signed by witness witness.fia.example") {
		t.Errorf("verify --witness on an unwitnessed store: %s", out)
	}
	if out := must(0, "verify", "--key", pub, "--checkpoint", cosigned); !strings.Contains(out, "OK") {
		t.Errorf("verify with the co-signed checkpoint kept: %s", out)
	}
	// A rolled-back checkpoint is refused.
	out = must(6, "checkpoint", "cosign", cp1, "--key", wkey, "--log-key", pub, "--state", state)
	if !strings.Contains(out, "rolled back") {
		t.Errorf("cosign of an older checkpoint: %s", out)
	}
}
