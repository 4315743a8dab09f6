package cli

import (
	"context"
	"io"

	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// This file is the only place that names concrete engines.

// openStore opens the embedded store in the --data directory.
func (e *env) openStore(ctx context.Context) (*sqlite.DB, error) {
	return sqlite.OpenDir(ctx, e.dataDir)
}

// importer returns the import pipeline with every shipped format.
func (e *env) importer() *ingest.Importer {
	return &ingest.Importer{Formats: ingest.Default()}
}

// progressOut is where progress goes: stderr unless --quiet.
func (e *env) progressOut() io.Writer {
	if e.quiet {
		return nil
	}
	return e.stderr
}
