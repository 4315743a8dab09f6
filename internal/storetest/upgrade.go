package storetest

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"
)

// An Upgrade is what an engine's TestUpgradeFromMain gives RunUpgrade:
// how to make, save and restore a store of its own.
type Upgrade struct {
	// Ext names its fixture files: testdata/PREFIX-store.EXT.gz ("db",
	// "sql").
	Ext string
	// What the fixture is, in messages: "store", "database".
	What string
	// New opens an empty store (Now set to Clock) to Fill, and returns
	// what Save needs of it, after RunUpgrade has closed it.
	New func(t *testing.T) (Store, func(t *testing.T) []byte)
	// Open restores a fixture's bytes and opens the store (Now set to
	// Clock), closed when the test ends.
	Open func(t *testing.T, fixture []byte) Store
	// Check, when set, checks the store further once it read back.
	Check func(t *testing.T, db Store)
}

// RunUpgrade is the body of an engine's TestUpgradeFromMain: each of
// UpgradeFixtures (testdata/PREFIX-store.EXT.gz, the store Fill made
// through main's engine at that commit) is restored, opened, takes the
// migrations since and must read back as that engine read it
// (testdata/PREFIX-dump.json: Dump then).
//
// TAHQIQ_WRITE_UPGRADE_FIXTURE=1 writes testdata/main-store.EXT.gz and
// main-dump.json anew with the engine the test is compiled with, which is
// right only where that engine is the one to upgrade from: it is meant to
// run in a tree of main (internal/storetest/upgrade-fixtures.sh).
func RunUpgrade(t *testing.T, u Upgrade) {
	if os.Getenv("TAHQIQ_WRITE_UPGRADE_FIXTURE") != "" {
		db, save := u.New(t)
		Fill(t, db)
		dump := Dump(t, db)
		if c, ok := db.(io.Closer); ok {
			c.Close()
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(save(t))
		zw.Close()
		if err := os.WriteFile("testdata/main-store."+u.Ext+".gz", z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/main-dump.json", dump, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, fx := range UpgradeFixtures {
		t.Run(fx.Prefix, func(t *testing.T) {
			f, err := os.Open("testdata/" + fx.Prefix + "-store." + u.Ext + ".gz")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			db := u.Open(t, b)
			want, err := os.ReadFile("testdata/" + fx.Prefix + "-dump.json")
			if err != nil {
				t.Fatal(err)
			}
			d, err := DiffDump(want, Dump(t, db), fx.Older)
			if err != nil {
				t.Fatal(err)
			}
			if d != "" {
				t.Errorf("the %s written by the engine of main at %s reads back otherwise -then +now:\n%s", u.What, fx.Commit, d)
			}
			if u.Check != nil {
				u.Check(t, db)
			}
		})
	}
}
