// Command tahqiq is the investigation workbench: it imports social-media
// exports and election results, detects coordinated behaviour, audits result
// forms, and keeps cases with a verifiable custody log.
//
// Run "tahqiq help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tahqiq/tahqiq/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
