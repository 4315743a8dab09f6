package tahqiq_test

import (
	"testing"

	"github.com/tahqiq/tahqiq"
)

// TestTLPCheckShare: TLP 2.0 through sharing. TLP:RED is never shared; a
// share keeps the material's marking or makes it stricter, never lower.
func TestTLPCheckShare(t *testing.T) {
	all := []tahqiq.TLP{tahqiq.TLPClear, tahqiq.TLPGreen, tahqiq.TLPAmber, tahqiq.TLPAmberStrict, tahqiq.TLPRed}
	for i, material := range all {
		for j, share := range append([]tahqiq.TLP{""}, all...) {
			got, err := material.CheckShare(share)
			want := share
			if share == "" {
				want, j = material, i+1
			}
			allowed := material != tahqiq.TLPRed && want != tahqiq.TLPRed && j-1 >= i
			if (err == nil) != allowed {
				t.Errorf("TLP:%s shared as %q: %v, want allowed %v", material, share, err, allowed)
			}
			if err == nil && got != want {
				t.Errorf("TLP:%s shared as %q carries %q, want %q", material, share, got, want)
			}
			if err != nil && tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
				t.Errorf("TLP:%s shared as %q: code %q, want forbidden", material, share, tahqiq.ErrorCode(err))
			}
		}
	}
	if _, err := tahqiq.TLPAmber.CheckShare("purple"); tahqiq.ErrorCode(err) != tahqiq.EINVALID {
		t.Errorf("an unknown marking: %v", err)
	}
}
