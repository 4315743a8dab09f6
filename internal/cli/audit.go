package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/audit"
	"github.com/tahqiq/tahqiq/internal/chromium"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/stats"
)

func newAuditCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Audit election results: import forms, check them, test claims, run forensics",
		Long: `Audit election results from files of result forms (docs/audit.md).

Every subcommand reads --input FILE (CSV, plain or .gz) through a named column
map --map NAME (` + strings.Join(audit.MapNames(), ", ") + `).
Rows with a missing, negative or non-integer count are reported as rejects
(file, line, reason), never read as zero.`,
	}
	cmd.AddCommand(newAuditImportCmd(e), newAuditCheckCmd(e), newAuditClaimCmd(e), newAuditForensicsCmd(e))
	return cmd
}

type auditInput struct {
	input, mapName string
	lf             limitFlags
}

func (a *auditInput) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.input, "input", "", "input file (CSV or CSV.gz)")
	cmd.Flags().StringVar(&a.mapName, "map", "", "column map: "+strings.Join(audit.MapNames(), ", "))
	a.lf.add(cmd.Flags(), "a .gz input", false)
}

func (a *auditInput) read(cmd *cobra.Command, e *env) (*audit.Import, error) {
	if a.input == "" || a.mapName == "" {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "--input and --map are required")
	}
	start := time.Now()
	imp, err := audit.ReadFileWithin(cmd.Context(), a.input, a.mapName, a.lf.limits())
	if err != nil {
		return nil, err
	}
	if !e.quiet {
		el := time.Since(start).Seconds()
		fmt.Fprintf(e.stderr, "read %s: %d rows, %d form instances, %d rejects in %.2fs (%.0f rows/s)\n",
			a.input, imp.Rows, len(imp.Election.Forms), len(imp.Rejects), el, float64(imp.Rows)/max(el, 1e-9))
	}
	return imp, nil
}

func printRejects(e *env, imp *audit.Import, n int) {
	for i, r := range imp.Rejects {
		if i == n {
			fmt.Fprintf(e.stderr, "... %d more rejects\n", len(imp.Rejects)-n)
			break
		}
		fmt.Fprintf(e.stderr, "reject %s:%d: %s\n", r.File, r.Line, r.Reason)
	}
}

func newAuditImportCmd(e *env) *cobra.Command {
	var in auditInput
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import a results file into the data directory (--data) as normalised JSON Lines",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			imp, err := in.read(cmd, e)
			if err != nil {
				return err
			}
			printRejects(e, imp, 20)
			dir, m, err := audit.Save(e.dataDir, imp, time.Now(), Version)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "imported %s (sha256 %s) with map %s: %d rows, %d form instances, %d contests, %d stations, %d rejects -> %s\n",
				m.File, m.SHA256, m.Map, m.Rows, m.Forms, m.Contests, m.Stations, m.Rejects, dir)
			return nil
		},
	}
	in.flags(cmd)
	return cmd
}

func newAuditCheckCmd(e *env) *cobra.Command {
	var in auditInput
	var out string
	var o audit.CheckOptions
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Run the reconciliation checks (P1-P9, A8-A10) and write flags.csv, checks.json, report.html",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			imp, err := in.read(cmd, e)
			if err != nil {
				return err
			}
			printRejects(e, imp, 20)
			ph := progress.Start(cmd.Context(), "checking forms", "", 0)
			res := audit.Check(imp, o)
			if out != "" {
				ph = progress.Start(cmd.Context(), "writing "+out, "", 0)
				if err := audit.WriteChecks(out, imp, res); err != nil {
					return err
				}
			}
			ph.Done()
			fmt.Fprintf(e.stdout, "%d form instances, %d flags\n", res.Forms, len(res.Flags))
			for _, r := range sortedKeys(res.Counts) {
				fmt.Fprintf(e.stdout, "  %-28s %d\n", r, res.Counts[r])
			}
			for _, r := range sortedKeys(res.RecountRules) {
				fmt.Fprintf(e.stdout, "recount rule (P8), %d contests: %s\n", res.RecountRules[r], r)
			}
			for _, p := range res.Provisional {
				fmt.Fprintf(e.stdout, "provisional vs final %s: units %s\n", p.Contest, audit.KV(p.Units))
				keys := map[string]bool{}
				for c := range p.Provisional {
					keys[c] = true
				}
				for c := range p.Final {
					keys[c] = true
				}
				for _, c := range sortedKeys(keys) {
					fmt.Fprintf(e.stdout, "  %-20s provisional %d final(excl. invalidated) %d\n", c, p.Provisional[c], p.FinalValid[c])
				}
			}
			return writtenTo(cmd, e, out, e.stdout)
		},
	}
	in.flags(cmd)
	cmd.Flags().StringVar(&out, "out", "", "output directory (flags.csv, checks.json, the form-delta chart, report.html, and report.pdf where Chromium is installed)")
	cmd.Flags().Float64Var(&o.RecountPct, "recount-pct", 5, "recount threshold: margin below this % of votes polled")
	cmd.Flags().Int64Var(&o.RecountNA, "recount-na", 8000, "recount threshold in votes, National Assembly")
	cmd.Flags().Int64Var(&o.RecountPA, "recount-pa", 4000, "recount threshold in votes, Provincial Assembly")
	return cmd
}

// writtenTo prints report.html to report.pdf in out where Chromium is
// installed (as case reports) and says on w what was written.
func writtenTo(cmd *cobra.Command, e *env, out string, w io.Writer) error {
	if out == "" {
		return nil
	}
	ph := progress.Start(cmd.Context(), "printing report.pdf", "", 0)
	err := audit.WritePDF(cmd.Context(), out)
	ph.Done()
	switch {
	case errors.Is(err, chromium.ErrNotInstalled):
		fmt.Fprintln(e.stderr, "audit: Chromium not installed: no report.pdf written (install chromium for PDF); report.html is complete")
		fmt.Fprintf(w, "written to %s (report.html)\n", out)
	case err != nil:
		return fmt.Errorf("%w (everything else is written to %s)", err, out)
	default:
		fmt.Fprintf(w, "written to %s (report.html, report.pdf)\n", out)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func newAuditClaimCmd(e *env) *cobra.Command {
	var in auditInput
	var cl audit.Claim
	cmd := &cobra.Command{
		Use:   "claim",
		Short: `Test "in contest C, X's margin over Y was inflated by at least N" against every evidence set`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			imp, err := in.read(cmd, e)
			if err != nil {
				return err
			}
			if cl.Contest == "" || cl.X == "" || cl.Y == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--contest, --x and --y are required")
			}
			r, err := audit.TestClaim(imp, cl)
			if err != nil {
				return err
			}
			w := e.stdout
			fmt.Fprintf(w, "claim: in %s, %s's margin over %s was inflated by at least %d\n", r.Claim.Contest, r.X, r.Y, cl.N)
			fmt.Fprintf(w, "reference (official): %s: margin %+d\n", r.Reference, r.RefMargin)
			for _, s := range r.Sets {
				fmt.Fprintf(w, "  %s: margin %+d, swing %+d -> %v\n", s.Name, s.Margin, s.Swing, map[bool]string{true: "supports", false: "does not support"}[s.Supports]+map[bool]string{true: "", false: " (a party's claim: not counted)"}[s.Evidence])
				if s.Note != "" {
					fmt.Fprintf(w, "    %s\n", s.Note)
				}
				for i, st := range s.Stations {
					if i == 20 {
						fmt.Fprintf(w, "    ... %d more stations\n", len(s.Stations)-20)
						break
					}
					fmt.Fprintf(w, "    station %s: official %+d other %+d swing %+d  [%s]\n", st.Station, st.Ref, st.Other, st.Swing, strings.Join(st.Forms, "; "))
				}
			}
			fmt.Fprintf(w, "verdict: %s\n", r.Verdict)
			return nil
		},
	}
	in.flags(cmd)
	cmd.Flags().StringVar(&cl.Contest, "contest", "", "contest id (e.g. NA-56)")
	cmd.Flags().StringVar(&cl.X, "x", "", "candidate or party said to be favoured (unique substring)")
	cmd.Flags().StringVar(&cl.Y, "y", "", "candidate or party said to be harmed")
	cmd.Flags().Int64Var(&cl.N, "n", 0, "claimed inflation of the margin, votes")
	return cmd
}

func newAuditForensicsCmd(e *env) *cobra.Command {
	var in auditInput
	var out, rule string
	var asJSON bool
	var o audit.ForensicsOptions
	cmd := &cobra.Command{
		Use:   "forensics",
		Short: "Station-level forensics (A1 integer percentages, A2 fingerprint, A4/A5 digits, A7 shape, outliers)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && out == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--json needs --out")
			}
			switch rule {
			case "exact":
				o.Rule = stats.Exact
			case "float":
				o.Rule = stats.Float
			default:
				return tahqiq.Errorf(tahqiq.EINVALID, "--rule must be exact or float, not %q", rule)
			}
			if o.MinRegistered < 1 {
				return tahqiq.Errorf(tahqiq.EINVALID, "--min-registered must be 1 or more (1 keeps every station with registered voters), not %d", o.MinRegistered)
			}
			if o.Weight != "stations" && o.Weight != "voters" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--weight must be stations or voters")
			}
			if o.Turnout != audit.TurnoutIssued && o.Turnout != audit.TurnoutBoxes {
				return tahqiq.Errorf(tahqiq.EINVALID, "--turnout must be issued or boxes")
			}
			imp, err := in.read(cmd, e)
			if err != nil {
				return err
			}
			printRejects(e, imp, 5)
			ph := progress.Start(cmd.Context(), "forensic tests", "", 0)
			f, err := audit.RunForensics(imp, o)
			if err != nil {
				return err
			}
			if out != "" {
				ph = progress.Start(cmd.Context(), "writing "+out, "", 0)
				if err := audit.WriteForensics(out, imp, f); err != nil {
					return err
				}
			}
			ph.Done()
			if asJSON {
				if err := writtenTo(cmd, e, out, e.stderr); err != nil {
					return err
				}
				b, err := os.ReadFile(out + "/forensics.json")
				if err != nil {
					return err
				}
				_, err = e.stdout.Write(b)
				return err
			}
			w := e.stdout
			in := f.Integer
			copies := ""
			if f.Copies > 0 {
				copies = fmt.Sprintf(" (%d further copies of station forms not analysed)", f.Copies)
			}
			fmt.Fprintf(w, "%d stations%s, leader %s; integer test (%s rule, by %s, multiples of %d): %d included\n", f.Stations, copies, f.Leader, in.Rule, in.Weight, in.Multiple, in.Included)
			pr := func(name string, c *audit.Component) {
				if c != nil {
					fmt.Fprintf(w, "  %-8s observed %.0f expected %.3f sd %.3f excess %.3f z %.2f\n", name, c.Observed, c.Expected, c.SD, c.Excess, c.Z)
				}
			}
			if in.Included == 0 {
				fmt.Fprintln(w, "  n/a: no station meets the inclusion rule (received > 0, registered >= 100, turnout and share <= 99 %)")
			} else {
				pr("either", &in.Either)
				pr("turnout", in.TurnoutC)
				pr("share", &in.Share)
			}
			if f.Fingerprint.N > 1 {
				fp := f.Fingerprint
				n := audit.Num
				fmt.Fprintf(w, "fingerprint: %d stations with >= %d registered voters (%d smaller left out), corner 100/100 %d; KDE modes turnout %s share %s; Kobak sigma_tau %s sigma_nu %s theta %s\n",
					fp.N, fp.MinRegistered, fp.Excluded, fp.Corner100, n(fp.ModeTurnout, 3), n(fp.ModeShare, 3), n(fp.Honest.SigmaTau, 5), n(fp.Honest.SigmaNu, 5), n(fp.Honest.Theta, 5))
				if fp.HeuristicFailed {
					fmt.Fprintln(w, "  the KDE mode heuristic failed (a mode at 0.301): the honest mode and its widths mean nothing")
				}
				if k := f.Klimek; k != nil && k.NotFitted != "" {
					fmt.Fprintf(w, "Klimek fit: not fitted: %s\n", k.NotFitted)
				} else if k != nil {
					at := ""
					if len(k.AtBound) > 0 {
						at = "; at the edge of the search range: " + strings.Join(k.AtBound, ", ")
					}
					fmt.Fprintf(w, "Klimek fit: f_i %.4f f_e %.4f alpha %.3f (distance %.0f, honest model %.0f%s)\n", k.Fi, k.Fe, k.Alpha, k.Distance, k.Null, at)
				}
				fmt.Fprintf(w, "shape: r %.3f, Sobyanin-Sukhovolsky slope %.3f; dip turnout %.5f (p %.2f), share %.5f (p %.2f)\n", f.Shape.Regression.R, f.Shape.SobyaninSlope,
					f.Shape.DipTurnout.Dip, f.Shape.DipTurnout.P, f.Shape.DipShare.Dip, f.Shape.DipShare.P)
			} else {
				fmt.Fprintln(w, "fingerprint and shape: n/a (no registered voters or ballots given)")
			}
			if f.Benford2.N == 0 {
				fmt.Fprintln(w, "digits: n/a (no leader count of 10 or more)")
			} else {
				fmt.Fprintf(w, "digits (descriptive only): 2BL chi2 %.1f p %.3g; last digit chi2 %.1f p %.3g\n", f.Benford2.Stat, f.Benford2.P, f.LastDigit.Stat, f.LastDigit.P)
			}
			fmt.Fprintf(w, "outliers: %s\n", audit.KV(f.Outliers.Counts))
			return writtenTo(cmd, e, out, e.stdout)
		},
	}
	in.flags(cmd)
	cmd.Flags().StringVar(&out, "out", "", "output directory (forensics.json, flags.csv, plots, report.html, and report.pdf where Chromium is installed)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print forensics.json on stdout")
	cmd.Flags().StringVar(&rule, "rule", "exact", "integer rule: exact (integer arithmetic) or float (the authors' float64 rule)")
	cmd.Flags().StringVar(&o.Weight, "weight", "stations", "integer test counts stations or voters")
	cmd.Flags().Int64Var(&o.Multiple, "multiple", 1, "integer percentages that are multiples of 1, 5 or 10")
	cmd.Flags().BoolVar(&o.KlimekFit, "klimek-fit", false, "also fit Klimek et al.'s fraud model (f_i, f_e, alpha) to the fingerprint, seeded by --seed (seconds per 100,000 stations)")
	cmd.Flags().StringVar(&o.Turnout, "turnout", audit.TurnoutIssued, "turnout numerator: issued (ballots issued) or boxes (ballots in boxes)")
	cmd.Flags().StringVar(&o.Leader, "leader", "", "leader: a column code (c05), the full label or a unique part of a name, any case (default: the overall winner)")
	cmd.Flags().StringVar(&o.FormType, "form", "", "station form type to analyse (default: the map's; af maps: af-prelim or af-final)")
	cmd.Flags().IntVar(&o.MCRuns, "mc", 0, "Monte Carlo runs of the integer-test null (0: exact null only)")
	cmd.Flags().Uint64Var(&o.Seed, "seed", 42, "Monte Carlo seed")
	cmd.Flags().IntVar(&o.Bins, "bins", 100, "fingerprint bins per axis")
	cmd.Flags().Int64Var(&o.MinRegistered, "min-registered", audit.DefaultMinRegistered, "fingerprint, shape and Klimek fit: leave out stations with fewer registered voters (Klimek et al.: 100; 1 keeps all)")
	return cmd
}
