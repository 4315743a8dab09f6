package tahqiq_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
)

func flag(p string) string { return "--" + strings.ReplaceAll(p, "_", "-") }

// TestParamErrorPhrased: a parameter error says the API's field names by
// itself and the CLI's flags through PhraseError, with the context that
// wraps it kept in both; it is an EINVALID error.
func TestParamErrorPhrased(t *testing.T) {
	pe := tahqiq.ParamErrorf("fast_window", "{fast_window} %q: want a duration such as 60s, shorter than {window}", "5")
	for _, tc := range []struct {
		name      string
		err       error
		api, flag string
	}{
		{"bare", pe, `fast_window "5": want a duration such as 60s, shorter than window`, `--fast-window "5": want a duration such as 60s, shorter than --window`},
		{"wrapped", tahqiq.Errorf(tahqiq.EINVALID, "posts.csv: %w", pe), `posts.csv: fast_window "5": want a duration such as 60s, shorter than window`, `posts.csv: --fast-window "5": want a duration such as 60s, shorter than --window`},
		{"none", errors.New("no parameter {here}"), "no parameter {here}", "no parameter {here}"},
	} {
		if got := tahqiq.ErrorMessage(tc.err); tc.name != "none" && got != tc.api {
			t.Errorf("%s: ErrorMessage = %q, want %q", tc.name, got, tc.api)
		}
		if got := tahqiq.PhraseError(tc.err, flag); got != tc.flag {
			t.Errorf("%s: PhraseError = %q, want %q", tc.name, got, tc.flag)
		}
	}
	if c := tahqiq.ErrorCode(pe); c != tahqiq.EINVALID {
		t.Errorf("ErrorCode = %s, want %s", c, tahqiq.EINVALID)
	}
}
