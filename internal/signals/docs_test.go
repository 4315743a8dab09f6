package signals_test

import (
	"os"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/signals"
)

// Every signal is named and defined in docs/signals.md.
func TestDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/signals.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range signals.Columns {
		if !strings.Contains(string(doc), "`"+c.Name+"`") {
			t.Errorf("signal %s is not in docs/signals.md", c.Name)
		}
		if c.Doc == "" {
			t.Errorf("signal %s has no definition", c.Name)
		}
	}
}
