package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq/internal/progress"
)

// progressEager makes every phase of the work show as it starts (tests:
// work on small inputs ends between two redraws).
var progressEager bool

// daemons run until stopped: their work has no end to estimate, so they
// show no progress line (they log what they do).
var daemons = map[string]bool{"tahqiq serve": true, "tahqiq worker": true, "tahqiq watch": true}

// startProgress gives the command a progress meter when stderr is a
// terminal and --quiet is not given: the command's context carries it to
// the packages doing the work (progress.Start), and stderr (and stdout
// when it is a terminal too) clear its line before anything is written to
// them. Nothing of it ever goes to a pipe or a file. Main closes it
// (clearing the line).
func (e *env) startProgress(cmd *cobra.Command) {
	if e.quiet || daemons[cmd.CommandPath()] {
		return
	}
	width, ok := progress.Terminal(e.stderr)
	if !ok {
		return
	}
	m := progress.New(e.stderr, strings.TrimPrefix(cmd.CommandPath(), "tahqiq "))
	m.Width, m.Eager = width, progressEager
	e.meter = m
	if _, ok := progress.Terminal(e.stdout); ok {
		e.stdout = m.Writer(e.stdout)
	}
	e.stderr = m.Writer(e.stderr)
	cmd.SetContext(progress.NewContext(cmd.Context(), m))
}
