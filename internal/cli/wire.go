package cli

import (
	"context"
	"io"
	"path/filepath"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// This file is the only place that names concrete engines.

// store is what commands need of a store engine; both the embedded SQLite
// store and PostgreSQL provide it.
type store interface {
	tahqiq.ImportStore
	tahqiq.DatasetStore
	tahqiq.ShareStore
	tahqiq.PostStore
	Close() error
	Path() string // file path or URL without password, for messages
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// openStore opens the store --db names: PostgreSQL for a postgres:// URL,
// else the embedded store in the --data directory.
func (e *env) openStore(ctx context.Context) (store, error) {
	switch {
	case e.dbURL == "":
		return sqlite.OpenDir(ctx, e.dataDir)
	case isPostgresURL(e.dbURL):
		return postgres.Open(ctx, e.dbURL)
	}
	return nil, tahqiq.Errorf(tahqiq.EINVALID, "--db %s: want a postgres:// URL, or nothing for the embedded store in --data", postgres.Redact(e.dbURL))
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
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

// openEmbedded opens the embedded store for what only it implements so
// far: cases, the custody log, accounts and sessions, dataset summaries
// (so tahqiq serve and the case commands). With --db postgres://… it says
// so instead of silently using another store.
func (e *env) openEmbedded(ctx context.Context) (*sqlite.DB, error) {
	if e.dbURL != "" {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "--db %s: cases, the custody log and tahqiq serve run on the embedded store only for now (the PostgreSQL engine covers import, datasets, export and coord); run this command without --db", postgres.Redact(e.dbURL))
	}
	return sqlite.OpenDir(ctx, e.dataDir)
}

// openCasework wires the case service over the embedded store.
func openCasework(ctx context.Context, e *env, needKey bool) (*casework.Service, *sqlite.DB, error) {
	db, err := e.openEmbedded(ctx)
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
