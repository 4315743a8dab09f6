package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tahqiq/tahqiq"
)

// Manifest describes one durable import (docs/audit.md, "Import store").
type Manifest struct {
	Format     string    `json:"format"` // "tahqiq-audit-import/1"
	File       string    `json:"file"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	Map        string    `json:"map"`
	Rows       int64     `json:"rows"`
	Forms      int       `json:"forms"`
	Rejects    int       `json:"rejects"`
	Election   string    `json:"election"`
	Contests   int       `json:"contests"`
	Stations   int       `json:"stations"`
	ImportedAt time.Time `json:"imported_at"`
	Version    string    `json:"version"`
}

// Save writes imp durably under dataDir/audit/<sha256>-<map>/ as
// manifest.json, forms.jsonl (one form instance per line) and
// rejects.jsonl. The directory appears all at once (files are written
// and fsynced in a temporary directory that is then renamed); an import
// of the same file through the same map that exists already is reported
// as ECONFLICT and left alone.
func Save(dataDir string, imp *Import, now time.Time, version string) (string, *Manifest, error) {
	base := filepath.Join(dataDir, "audit")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", nil, fmt.Errorf("audit: save: %w", err)
	}
	final := filepath.Join(base, imp.SHA256+"-"+imp.Map)
	if _, err := os.Stat(final); err == nil {
		return final, nil, tahqiq.Errorf(tahqiq.ECONFLICT, "%s was imported already with map %s (%s)", imp.File, imp.Map, final)
	}
	tmp, err := os.MkdirTemp(base, ".tmp-import-")
	if err != nil {
		return "", nil, fmt.Errorf("audit: save: %w", err)
	}
	defer os.RemoveAll(tmp)
	m := &Manifest{Format: "tahqiq-audit-import/1", File: imp.File, SHA256: imp.SHA256, Size: imp.Size, Map: imp.Map, Rows: imp.Rows,
		Forms: len(imp.Election.Forms), Rejects: len(imp.Rejects), Election: imp.Election.ID, Contests: len(imp.Election.Contests),
		Stations: len(imp.Election.Stations), ImportedAt: now.UTC(), Version: version}
	lines := func(name string, n int, at func(i int) any) error {
		return writeFile(filepath.Join(tmp, name), func(w io.Writer) error {
			enc := json.NewEncoder(w)
			for i := 0; i < n; i++ {
				if err := enc.Encode(at(i)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := lines("forms.jsonl", len(imp.Election.Forms), func(i int) any { return imp.Election.Forms[i] }); err != nil {
		return "", nil, err
	}
	if err := lines("rejects.jsonl", len(imp.Rejects), func(i int) any { return imp.Rejects[i] }); err != nil {
		return "", nil, err
	}
	if err := writeJSON(filepath.Join(tmp, "manifest.json"), m); err != nil {
		return "", nil, err
	}
	if d, err := os.Open(tmp); err == nil {
		d.Sync()
		d.Close()
	}
	if err := os.Rename(tmp, final); err != nil {
		if errors.Is(err, os.ErrExist) {
			return final, nil, tahqiq.Errorf(tahqiq.ECONFLICT, "%s was imported already with map %s", imp.File, imp.Map)
		}
		return "", nil, fmt.Errorf("audit: save: %w", err)
	}
	if d, err := os.Open(base); err == nil {
		d.Sync()
		d.Close()
	}
	return final, m, nil
}
