package tahqiq_test

import (
	"testing"

	"github.com/tahqiq/tahqiq"
)

func TestFloatMangled(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"7.9e+17", true},
		{"9.06E+17", true},
		{"1E+18", true},
		{"9,06E+17", true}, // a comma-decimal locale
		{"1.5e5", true},
		{"123.0", true},
		{"-1.2E-05", true},
		{"1159074990534230018", false},
		{"x1159074990534230018", false},
		{"12e45", false}, // hex hash: no sign, no point
		{"85d2d12251a735ce05255061f7f231e2", false},
		{"fb_12670", false},
		{"1.", false},
		{"e+5", false},
		{"1e+", false},
		{"", false},
		{"ira000123", false},
		{"1.2.3", false},
	}
	for _, tc := range tests {
		if got := tahqiq.FloatMangled(tc.s); got != tc.want {
			t.Errorf("FloatMangled(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
