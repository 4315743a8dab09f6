package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/report"
)

// TestHTML: users appear by the label the reader may see, or by ID when
// the reader was told nothing of them; titles are escaped.
func TestHTML(t *testing.T) {
	at := time.Date(2024, 2, 8, 10, 0, 0, 0, time.UTC)
	d := report.Data{
		Case:    tahqiq.Case{ID: "c1", Title: "Polling <station> 12", TLP: "amber", CreatedAt: at, CreatedBy: "u1"},
		Items:   []report.Item{{Item: tahqiq.Item{ID: "i1", Title: "Form 45", Kind: "file", AddedAt: at, AddedBy: "u2"}, Entry: 3, Proof: "abc"}},
		LogSize: 4,
		People:  map[string]string{"u1": "Ayesha Khan"},
	}
	var b strings.Builder
	if err := report.HTML(&b, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<h1>Polling &lt;station&gt; 12</h1>",
		"opened 2024-02-08 10:00 UTC by Ayesha Khan",
		"by u2; log entry 3.",
		"Custody log: 4 entries.",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
