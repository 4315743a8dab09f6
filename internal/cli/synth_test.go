package cli_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestSynthSameBytes: tahqiq synth writes, for the same --posts and --seed,
// the bytes it wrote when it held every share in memory (the SHA-256 of
// the events and ground-truth files of commit 4f6f157, before it streamed).
func TestSynthSameBytes(t *testing.T) {
	tests := []struct {
		posts, seed  int
		events, grps string
	}{
		{1000, 1, "1521585adc4a2b54ad91305561e6005962299dc5676f8c05ab13e9f668a61c99", "c125801f9722cb2db8a25f8dd297ffa90243cf965cd5e07f22bd087c3d402c48"},
		{1000, 7, "c545b59f7bd694cdeb97a13b5f3d10ebe0274e033a5b53c903fbc0e3427de728", "e87dc2cf0d705931dbc5130b789b3a06d010c694e8511cafd4a4a622b506b553"},
		{100000, 1, "cad6a84a101991742bac100aa0bd512e6bd5fc64896351d988fa168242d14b12", "80a7417c7fbc4fd888325e2b1deb0c190391426d65b36a3a88d5fc83199e901f"},
		{100000, 7, "14fd21a52166d9770bf08abe36fe2f3ec15eef5aeba62a84b31764acf9a592db", "d9d3fa8cbcd487cb62cfc889a842a1e9caed73eea16c95408ff1983c7a711537"},
		{1000000, 1, "8a346a0104d469eee05f61a8ae3c00406f39af16c57c1ef5f6f63aa6ad1a5b01", "13b1e08fedfe9d093b69111a51e933ee89b23553dd8bb4f085b3cdec5f3a5dc9"},
	}
	for _, tc := range tests {
		if tc.posts > 100000 && testing.Short() {
			continue
		}
		t.Run(fmt.Sprintf("%d-%d", tc.posts, tc.seed), func(t *testing.T) {
			dir := t.TempDir()
			events, groups := filepath.Join(dir, "e.csv"), filepath.Join(dir, "g.csv")
			code, _, stderr := run(t, filepath.Join(dir, "data"), "", "synth", "--posts", fmt.Sprint(tc.posts), "--seed", fmt.Sprint(tc.seed), "--out", events, "--groups", groups)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, f := range []struct{ path, want string }{{events, tc.events}, {groups, tc.grps}} {
				b, err := os.ReadFile(f.path)
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(b)
				if got := hex.EncodeToString(sum[:]); got != f.want {
					t.Errorf("%s: SHA-256 %s, want %s", filepath.Base(f.path), got, f.want)
				}
			}
		})
	}
}
