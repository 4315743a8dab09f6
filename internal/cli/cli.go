// Package cli is the command-line interface: one file per command, and the
// only package that chooses concrete engines (see wire.go). It holds no
// business rules; commands parse flags, call the packages that do the work
// and print their results.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq/internal/progress"
)

// Version is the tahqiq version, recorded in every manifest.
var Version = "0.1.0-dev"

// env is what every command shares: the streams and the global options.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger

	dataDir string          // --data, embedded store directory
	dbURL   string          // --db, PostgreSQL URL; empty: the embedded store (wire.go)
	quiet   bool            // --quiet: no progress line
	meter   *progress.Meter // the progress line on a terminal, or nil (progress.go)
	as      string          // --as, the user acting; empty: the system administrator (actor.go)
	// creates is set by the commands that may make a new embedded store
	// (import, org, demo, serve); every other command refuses a --data
	// directory without one instead of leaving an empty store behind.
	creates bool
	ran     bool // the command line parsed and the command ran
}

// Main runs the command line args and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	e.meter.Close() // the progress line goes before anything more is said
	code, msg := exitCodeOf(ctx, cmd, err, e.ran)
	if msg != "" {
		fmt.Fprintln(stderr, "tahqiq:", msg)
	}
	return code
}

// flagName is the flag of a run's parameter: window_kind is --window-kind.
func flagName(param string) string { return "--" + strings.ReplaceAll(param, "_", "-") }

func newRootCmd(e *env) *cobra.Command {
	var verbose bool
	root := &cobra.Command{
		Use:   "tahqiq",
		Short: "tahqiq: establish facts about an election from data, and keep the proof",
		Long: `tahqiq imports social-media exports and election results, finds accounts
that act together, audits result forms, and keeps cases with a custody log
that anyone can verify offline.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			e.ran = true // the command line parsed (exitCodeOf)
			e.startProgress(cmd)
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelDebug
			}
			e.log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
			slog.SetDefault(e.log)
			return nil
		},
	}
	def := os.Getenv("TAHQIQ_DATA")
	if def == "" {
		def = "./tahqiq-data"
	}
	root.PersistentFlags().StringVar(&e.dataDir, "data", def, "directory of the embedded store (env TAHQIQ_DATA)")
	root.PersistentFlags().StringVar(&e.dbURL, "db", os.Getenv("TAHQIQ_DB"), "database URL, postgres://...; empty: the embedded store in --data (env TAHQIQ_DB)")
	root.PersistentFlags().StringVar(&e.as, "as", os.Getenv("TAHQIQ_USER"), "act as this user (env TAHQIQ_USER); once the store has an organisation, commands that read or change evidence need it")
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log debug messages to stderr")
	root.PersistentFlags().BoolVarP(&e.quiet, "quiet", "q", false, "no progress line on stderr (it is shown only on a terminal)")

	root.AddCommand(
		newImportCmd(e),
		newDatasetsCmd(e),
		newExportCmd(e),
		newCoordCmd(e),
		newNarrativesCmd(e),
		newClaimsCmd(e),
		newTargetsCmd(e),
		newImagesCmd(e),
		newAccountsCmd(e),
		newSynthCmd(e),
		newDemoCmd(e),
		newAuditCmd(e),
		newOrgCmd(e),
		newCaseCmd(e),
		newVerifyCmd(e),
		newCaptureCmd(e),
		newCheckpointCmd(e),
		newTrustCmd(e),
		newServeCmd(e),
		newMigrateCmd(e),
		newWorkerCmd(e),
		newWatchCmd(e),
		newPublishCmd(e),
		newExitCodesTopic(),
	)
	addExamples(root)
	return root
}

// exitError carries an explicit exit code, for commands whose outcome is not
// an error in the domain sense (verify found a problem, nothing imported).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
