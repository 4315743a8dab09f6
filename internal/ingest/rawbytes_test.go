package ingest_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
)

// captureStore keeps a copy of every raw record an import stores.
type captureStore struct {
	tahqiq.ImportStore
	recs []tahqiq.RawRecord
}

func (c *captureStore) BeginImport(ctx context.Context, dataset string) (tahqiq.ImportTx, error) {
	tx, err := c.ImportStore.BeginImport(ctx, dataset)
	return &captureTx{ImportTx: tx, c: c}, err
}

type captureTx struct {
	tahqiq.ImportTx
	c *captureStore
}

func (t *captureTx) AddRecord(ctx context.Context, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, error) {
	r := *rec
	r.Raw = bytes.Clone(rec.Raw)
	t.c.recs = append(t.c.recs, r)
	return t.ImportTx.AddRecord(ctx, rec, posts, accounts, shares)
}

type rawStore interface {
	tahqiq.ImportStore
	tahqiq.RederiveStore
	FindPost(ctx context.Context, dataset, uid string) (tahqiq.PostRecord, error)
}

// TestRawBytesRoundTrip: every record of every sample in ../shared/data/social
// that an importer reads is stored and read back byte for byte (raw bytes,
// SHA-256, line, offset, locator, kind, collection time), on both engines,
// through the store's two readers of raw records: a file's records in order
// (what re-deriving reads) and a post's records (the API, the UI, bundles).
// Collection times are kept to the second, as they always were.
// -short reads the samples up to 2 MB.
func TestRawBytesRoundTrip(t *testing.T) {
	root := parsetest.DataDir(t, "social")
	var files []string
	reg := ingest.Default()
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil || (testing.Short() && info.Size() > 2<<20) {
			return err
		}
		head := make([]byte, 64<<10)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		n, _ := f.Read(head)
		f.Close()
		if _, err := reg.Detect(path, head[:n]); err == nil {
			files = append(files, path)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatalf("no importable sample under %s", root)
	}
	engines := map[string]func(t *testing.T) rawStore{
		"sqlite": func(t *testing.T) rawStore { return openDB(t) },
		"postgres": func(t *testing.T) rawStore {
			srv := pgtest.Start(t)
			db, err := postgres.Open(context.Background(), srv.NewAppDatabase(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			total := 0
			for _, path := range files {
				rel, _ := filepath.Rel(root, path)
				c := &captureStore{ImportStore: db}
				im := &ingest.Importer{Formats: reg}
				sum, err := im.Import(ctx, c, []string{path}, ingest.Options{Dataset: rel})
				if err != nil {
					t.Errorf("%s: %v", rel, err)
					continue
				}
				got := readAll(t, db, rel)
				if len(got) != len(c.recs) || int64(len(got)) != sum.Records {
					t.Errorf("%s: %d records read back, %d stored, %d counted", rel, len(got), len(c.recs), sum.Records)
					continue
				}
				for i := range got {
					w, g := c.recs[i], got[i]
					if !bytes.Equal(g.Raw, w.Raw) || g.SHA256 != w.SHA256 || g.Line != w.Line || g.Offset != w.Offset ||
						g.Locator != w.Locator || g.Kind != w.Kind || g.CollectedAt.Unix() != w.CollectedAt.Unix() {
						t.Fatalf("%s: record %d (%s) reads back otherwise: raw equal %v, got %x %d %d %s %s %v, want %x %d %d %s %s %v",
							rel, i, w.Locator, bytes.Equal(g.Raw, w.Raw), g.SHA256, g.Line, g.Offset, g.Locator, g.Kind, g.CollectedAt, w.SHA256, w.Line, w.Offset, w.Locator, w.Kind, w.CollectedAt)
					}
				}
				total += len(got)
			}
			t.Logf("%d files, %d records read back byte for byte", len(files), total)
		})
	}
}

// readAll reads every record of a dataset through a re-derivation's
// Records (rolled back), in pages, and checks FindPost on its first post.
func readAll(t *testing.T, db rawStore, dataset string) []tahqiq.RawRecord {
	t.Helper()
	ctx := context.Background()
	rx, err := db.BeginRederive(ctx, dataset)
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Rollback()
	fs, err := rx.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []tahqiq.RawRecord
	var first string
	var firstRec int64
	if err := rx.EachPost(ctx, func(record int64, uid, _ string, _ []byte) error {
		if first == "" {
			first, firstRec = uid, record
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var want tahqiq.RawRecord
	for _, f := range fs {
		after := int64(0)
		for {
			page, err := rx.Records(ctx, f.ID, after, 777)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				if r.ID == firstRec {
					want = r.RawRecord
				}
				out = append(out, r.RawRecord)
				after = r.ID
			}
			if len(page) < 777 {
				break
			}
		}
	}
	rx.Rollback()
	if first != "" {
		pr, err := db.FindPost(ctx, dataset, first)
		if err != nil || len(pr.Records) == 0 || !bytes.Equal(pr.Records[0].Raw, want.Raw) || pr.Records[0].SourceFile != want.SourceFile {
			t.Errorf("%s: FindPost(%s) = %d records, %v; want its first record %s", dataset, first, len(pr.Records), err, want.Locator)
		}
	}
	return out
}
