package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
)

// The exit codes of every command: one table for the whole command line
// (exitCodes), printed by "tahqiq help exit-codes" and kept in docs/cli.md
// (a test compares them). A domain error's code (tahqiq.Error) maps to
// one of them in exitCode, and nowhere else.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitNotFound    = 3
	exitConflict    = 4
	exitForbidden   = 5
	exitProblems    = 6 // an integrity check found problems
	exitUnverified  = 7 // self-consistent, but the signer is not established
	exitInterrupted = 130
)

// exitCodeRow is one line of the table: the code, its name, when a
// command exits with it, and the domain error codes mapped to it.
type exitCodeRow struct {
	Code    int
	Name    string
	Meaning string
	Errors  []string
}

var exitCodes = []exitCodeRow{
	{exitOK, "ok", "the command did what it was asked (an import with some rejected records included: they are counted and listed)", nil},
	{exitFailure, "failure", "an I/O, store or network failure, or a bug; -v logs more", []string{tahqiq.EINTERNAL}},
	{exitUsage, "usage", "the command line or an input is wrong: an unknown command or flag, a missing or extra argument, a malformed value, a file that cannot be read as asked, an import that stored nothing", []string{tahqiq.EINVALID}},
	{exitNotFound, "not found", "something named does not exist: a store (--data), a dataset, case, user, run, input file", []string{tahqiq.ENOTFOUND}},
	{exitConflict, "conflict", "it exists already or changed since: a store initialised twice, a name taken, a run whose inputs changed", []string{tahqiq.ECONFLICT}},
	{exitForbidden, "forbidden", "the acting user may not do this, or no user is given (--as) where the store has organisations, or a password or token is wrong", []string{tahqiq.EFORBIDDEN, tahqiq.EUNAUTHORIZED}},
	{exitProblems, "verification failed", "verify, checkpoint check or cosign, a claim set or the demo found a problem (tampering, a fork, a rolled-back log, a changed file); each is named", []string{tahqiq.EVERIFY}},
	{exitUnverified, "signer not established", "verify: everything is self-consistent, but no key you trust signed it (--key, or tahqiq trust add)", nil},
	{exitInterrupted, "interrupted", "Ctrl-C or SIGTERM stopped the command (an import then stores nothing)", nil},
}

// exitCode maps an error to the process exit code. This is the only place
// where that mapping lives.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	code := tahqiq.ErrorCode(err)
	if code == tahqiq.EINTERNAL && errors.Is(err, fs.ErrNotExist) {
		code = tahqiq.ENOTFOUND // a file named on the command line
	}
	for _, r := range exitCodes {
		for _, c := range r.Errors {
			if c == code {
				return r.Code
			}
		}
	}
	return exitFailure
}

// exitCodeOf returns the outcome of a command that ended with err: its
// exit code and the message for stderr (empty: nothing to say). ran says
// whether the command itself ran (cobra calls the root's persistent
// pre-run only once the command line parsed): an error before is a usage
// error.
func exitCodeOf(ctx context.Context, cmd *cobra.Command, err error, ran bool) (int, string) {
	if err == nil {
		return exitOK, ""
	}
	msg := tahqiq.PhraseError(err, flagName) // a parameter, said as this command's flag
	switch {
	case ctx.Err() != nil:
		return exitInterrupted, "interrupted: " + msg
	case !ran:
		return exitUsage, usageMessage(cmd, msg)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code, ee.msg
	}
	return exitCode(err), msg
}

// usageMessage says what was wrong with the command line and where its
// usage is.
func usageMessage(cmd *cobra.Command, msg string) string {
	if cmd == nil {
		return msg
	}
	// cobra.NoArgs says "unknown command" of any argument, also to a
	// command without subcommands
	if strings.HasPrefix(msg, "unknown command ") && !cmd.HasAvailableSubCommands() {
		arg, _, _ := strings.Cut(strings.TrimPrefix(msg, "unknown command "), " for ")
		msg = fmt.Sprintf("%s takes no arguments (got %s)", strings.TrimPrefix(cmd.CommandPath(), "tahqiq "), arg)
	}
	return fmt.Sprintf("%s; %s --help shows its usage", msg, cmd.CommandPath())
}

// exitCodesText is the table as "tahqiq help exit-codes" prints it.
func exitCodesText() string {
	var b strings.Builder
	b.WriteString(`Every tahqiq command exits with one of these codes; scripts may rely on
them. Errors are printed on stderr as "tahqiq: ...", naming what was wrong.

`)
	for _, r := range exitCodes {
		fmt.Fprintf(&b, "  %3d  %-24s%s\n", r.Code, r.Name, wrap(r.Meaning, 48, 31))
	}
	b.WriteString("\nThe same table is in docs/cli.md.")
	return b.String()
}

// exitCodesMarkdown is the table as docs/cli.md holds it.
func exitCodesMarkdown() string {
	var b strings.Builder
	b.WriteString("| code | name | when | error codes (API) |\n|---|---|---|---|\n")
	for _, r := range exitCodes {
		errs := make([]string, len(r.Errors))
		for i, c := range r.Errors {
			errs[i] = "`" + c + "`"
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", r.Code, r.Name, r.Meaning, strings.Join(errs, ", "))
	}
	return b.String()
}

// wrap breaks s into lines of at most width bytes, indenting every line
// after the first by indent spaces.
func wrap(s string, width, indent int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 && n+1+len(w) > width {
			b.WriteString("\n" + strings.Repeat(" ", indent))
			n = 0
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

func newExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What the exit code of every command means",
		Long:  exitCodesText(),
	}
}
