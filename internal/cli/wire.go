package cli

import (
	"context"
	"io"
	"path/filepath"

	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/casework"
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

// openCasework wires the case service over the embedded store.
func openCasework(ctx context.Context, e *env, needKey bool) (*casework.Service, *sqlite.DB, error) {
	db, err := e.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	bs, err := blob.Open(filepath.Join(e.dataDir, "blobs"))
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	s := &casework.Service{Store: db, Blobs: bs, Posts: db, Now: db.Now}
	signer, v, err := casework.LoadKey(e.dataDir)
	if err != nil && needKey {
		db.Close()
		return nil, nil, err
	}
	if err == nil {
		s.Signer, s.LogKey, s.Origin = signer, v, signer.Name()
	}
	return s, db, nil
}
