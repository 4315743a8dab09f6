package taxonomy_test

import (
	"testing"

	"github.com/tahqiq/tahqiq/internal/taxonomy"
)

func TestKnown(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		want bool
	}{
		{"T0049", true}, {"DISARM:T0086.003", true}, {"TA06", true}, {"tlp:amber+strict", true},
		{`admiralty-scale:source-reliability="b"`, true}, {"T9999", false}, {"tlp:purple", false}, {"", false},
	} {
		if got := taxonomy.Known(tc.tag); got != tc.want {
			t.Errorf("Known(%q) = %v, want %v", tc.tag, got, tc.want)
		}
	}
	if n, _ := taxonomy.DISARM("T0049"); n != "Flood Information Space" {
		t.Errorf("DISARM(T0049) = %q", n)
	}
}
