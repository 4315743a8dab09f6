package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/busrun"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/sqlite"
	"github.com/tahqiq/tahqiq/internal/storecopy"
)

// This file is the only place that names concrete engines: the store
// engines (tahqiq migrate's copy between them too), and where
// coordination runs make their pairs.

// store is what commands need of a store engine; both the embedded SQLite
// store and PostgreSQL provide it.
type store interface {
	tahqiq.ImportStore
	tahqiq.DatasetStore
	tahqiq.ShareStore
	tahqiq.PostStore
	tahqiq.PostScanner
	tahqiq.RederiveStore
	tahqiq.MediaStore
	Close() error
	Path() string // file path or URL without password, for messages
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// openStore opens the store --db names: PostgreSQL for a postgres:// URL,
// else the embedded store in the --data directory.
func (e *env) openStore(ctx context.Context) (fullStore, error) {
	db, _, err := e.openFull(ctx)
	return db, err
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// importer returns the import pipeline with every shipped format.
func (e *env) importer() *ingest.Importer {
	return &ingest.Importer{Formats: ingest.Default()}
}

// fullStore is what tahqiq serve and the case commands need: datasets,
// cases and the custody log, accounts and sessions, dataset summaries.
type fullStore interface {
	store
	casework.Store
	tahqiq.SummaryStore
	tahqiq.AuthStore
	FindUsers(ctx context.Context) ([]tahqiq.User, error)
	FindOrganisations(ctx context.Context) ([]tahqiq.Organisation, error)
}

var (
	_ fullStore = (*sqlite.DB)(nil)
	_ fullStore = (*postgres.DB)(nil)
)

// openFull opens the store --db names with everything a case service
// needs, and its clock.
func (e *env) openFull(ctx context.Context) (fullStore, func() time.Time, error) {
	switch {
	case e.dbURL == "":
		if !e.creates {
			if _, err := os.Stat(filepath.Join(e.dataDir, sqlite.FileName)); err != nil {
				return nil, nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "no tahqiq store in %s: tahqiq import FILE or tahqiq org init makes one there; --data DIR (or TAHQIQ_DATA) names another", e.dataDir)
			}
		}
		db, err := sqlite.OpenDir(ctx, e.dataDir)
		if err != nil {
			return nil, nil, err
		}
		return db, db.Now, nil
	case isPostgresURL(e.dbURL):
		db, err := postgres.Open(ctx, e.dbURL)
		if err != nil {
			return nil, nil, err
		}
		return db, db.Now, nil
	}
	return nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "--db %s: want a postgres:// URL, or nothing for the embedded store in --data", postgres.Redact(e.dbURL))
}

// openCasework wires the case service over the store --db names. Evidence
// files (blobs) and the log's signing key stay in the --data directory.
func openCasework(ctx context.Context, e *env, needKey bool) (*casework.Service, fullStore, error) {
	db, now, err := e.openFull(ctx)
	if err != nil {
		return nil, nil, err
	}
	bs, err := blob.Open(filepath.Join(e.dataDir, "blobs"))
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	s := &casework.Service{Store: db, Blobs: bs, Posts: db, Datasets: db, Now: now, Runs: e.runStore(nil)}
	signer, v, err := keyfile.LoadKey(e.dataDir)
	if err != nil && needKey {
		db.Close()
		return nil, nil, err
	}
	if err == nil {
		s.Signer, s.LogKey, s.Origin = signer, v, signer.Name()
	}
	return s, db, nil
}

// rules is the case service over db for the commands on datasets: its
// access rules and, since those commands log what they change (imports,
// deletes, re-derivations), the store's signing key when it has one, so
// that every change signs its checkpoint. No evidence files.
func (e *env) rules(db fullStore) *casework.Service {
	s := &casework.Service{Store: db, Posts: db, Datasets: db}
	if signer, v, err := keyfile.LoadKey(e.dataDir); err == nil {
		s.Signer, s.LogKey, s.Origin = signer, v, signer.Name()
	}
	return s
}

// runStore is the store's runs (--data/runs), made with engine (nil: in
// this process); each run it stores is logged (runLog) before it is
// listed.
func (e *env) runStore(engine coord.Engine) *runs.Store {
	return &runs.Store{Dir: filepath.Join(e.dataDir, "runs"), Engine: engine, Log: e.runLog}
}

// keepRun copies the files of a run of a dataset, kept in the run store
// rs (the stored run id of kind), to out when the command was given
// --out, and returns the run's directory in the store.
func keepRun(rs *runs.Store, kind, id, out string, files []string) (string, error) {
	dir, err := rs.Path(kind, id)
	if err != nil || out == "" {
		return dir, err
	}
	return dir, copyFiles(dir, out, files)
}

// printKept says where a run is kept (a stored run: its id and
// directory) and which files it wrote to out (--out).
func (e *env) printKept(id, dir, out string, files []string) {
	if id != "" {
		fmt.Fprintf(e.stdout, "  run %s kept in %s\n", id, dir)
	}
	if out != "" {
		fmt.Fprintf(e.stdout, "  wrote %s: %s\n", out, strings.Join(files, ", "))
	}
}

// runLog logs a run the CLI stores, in the store --db names, signed with
// the store's key when it has one.
func (e *env) runLog(ctx context.Context, rec tahqiq.RunRecord) error {
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return e.rules(db).LogRun(ctx, rec)
}

// importAs runs an import through casework as the CLI's actor (--as; the
// system administrator on a store without organisations): the import and
// its custody-log entry commit together.
func (e *env) importAs(ctx context.Context, db fullStore, im *ingest.Importer, files []string, opt ingest.Options) (ingest.Summary, error) {
	s := e.rules(db)
	a, err := s.CLIActor(ctx, e.as)
	if err == nil && !opt.NoMedia {
		// the pictures it hashes are kept in --data's blob store, as the
		// server's imports keep them (docs/images.md, "Pictures kept")
		s.Blobs, err = blob.Open(filepath.Join(e.dataDir, "blobs"))
	}
	if err != nil {
		return ingest.Summary{Dataset: ingest.DatasetName(opt.Dataset, files), Rejected: []tahqiq.Reject{},
			Kinds: map[tahqiq.RecordKind]int64{}, Failure: tahqiq.ErrorMessage(err)}, err
	}
	return s.Import(ctx, a, im, db, files, opt)
}

// readDataset resolves who acts (--as: needed once the store has an
// organisation) and checks that it may read dataset: another
// organisation's does not exist for it.
func (e *env) readDataset(ctx context.Context, db fullStore, dataset string) error {
	s := e.rules(db)
	a, err := s.CLIActor(ctx, e.as)
	if err != nil {
		return err
	}
	return s.DatasetAccess(ctx, a, dataset)
}

// warnIsolation tells the operator when PostgreSQL will not enforce the
// row-level security policies (a superuser or BYPASSRLS role): casework
// still checks every access, but the database's second line is off.
func (e *env) warnIsolation(ctx context.Context, db fullStore) {
	pg, ok := db.(*postgres.DB)
	if !ok {
		return
	}
	on, err := pg.RLSEnforced(ctx)
	if err != nil || !on {
		fmt.Fprintf(e.stderr, "warning: %s connects as a superuser or BYPASSRLS role, so PostgreSQL skips tahqiq's row-level security; connect as an ordinary role that owns the database\n", pg.Path())
	}
}

// coordEngine returns the engine of the coordination runs of a command
// (tahqiq coord, tahqiq serve): this process without --nats, else the
// workers of the NATS JetStream bus it names (busrun.Runtime.Engine).
func (e *env) coordEngine(ctx context.Context, sf streamFlags) (*busrun.Engine, func(), error) {
	if sf.url == "" {
		return &busrun.Engine{Describe: "in this process"}, func() {}, nil
	}
	return e.bus().Engine(ctx, sf.config())
}

// copyStore copies the embedded store in the directory from into the
// empty PostgreSQL database at the URL to (tahqiq migrate) and returns
// both stores' names for messages and the per-table checks
// (internal/storecopy).
func (e *env) copyStore(ctx context.Context, from, to string) (src, dst string, checks []storecopy.Check, err error) {
	if _, err := os.Stat(filepath.Join(from, sqlite.FileName)); err != nil {
		return "", "", nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "no embedded store in %s (no %s)", from, sqlite.FileName)
	}
	sdb, err := sqlite.OpenDir(ctx, from)
	if err != nil {
		return "", "", nil, err
	}
	defer sdb.Close()
	ddb, err := postgres.Open(ctx, to)
	if err != nil {
		return "", "", nil, err
	}
	defer ddb.Close()
	e.warnIsolation(ctx, ddb)
	checks, err = storecopy.Copy(ctx, sdb.ReadDB(), ddb)
	return sdb.Path(), ddb.Path(), checks, err
}
