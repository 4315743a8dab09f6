package audit

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

//go:embed sample/na999-template.csv
var sampleTemplate []byte

// Demo runs the audit on the bundled sample (sample/README.md): it writes
// the sample to outDir/inputs, runs every check into outDir/audit-check,
// tests a claim, and prints a summary to w.
func Demo(ctx context.Context, w io.Writer, outDir string) error {
	in := filepath.Join(outDir, "inputs", "na999-template.csv")
	if err := os.MkdirAll(filepath.Dir(in), 0o755); err != nil {
		return fmt.Errorf("audit: demo: %w", err)
	}
	if err := os.WriteFile(in, sampleTemplate, 0o644); err != nil {
		return fmt.Errorf("audit: demo: %w", err)
	}
	imp, err := ReadFile(ctx, in, "pk-long")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "== Election-results audit (hand-made sample contest NA-999, long CSV template)\n")
	fmt.Fprintf(w, "read %s: %d rows, %d form instances, %d rejects\n", in, imp.Rows, len(imp.Election.Forms), len(imp.Rejects))
	for _, r := range imp.Rejects {
		fmt.Fprintf(w, "  reject line %d: %s\n", r.Line, r.Reason)
	}
	res := Check(imp, CheckOptions{})
	dir := filepath.Join(outDir, "audit-check")
	if err := WriteChecks(dir, imp, res); err != nil {
		return err
	}
	var rules []string
	for r := range res.Counts {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	fmt.Fprintf(w, "%d flags:\n", len(res.Flags))
	for _, r := range rules {
		fmt.Fprintf(w, "  %-28s %d\n", r, res.Counts[r])
	}
	cl, err := TestClaim(imp, Claim{Contest: "NA-999", X: "A", Y: "B", N: 100})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "claim \"A's margin over B was inflated by at least 100\": official %s margin %+d; %s\n", cl.Reference, cl.RefMargin, cl.Verdict)
	fmt.Fprintf(w, "report: %s\n", filepath.Join(dir, "report.html"))
	return nil
}
