package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
	"unicode/utf8"

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

// appendForm appends one form instance as a compact JSON line:
// {"id","type","source","contest","station","region","sha256" (only when it
// differs from the import's),"page","line","issued_at","status",
// "items":[[key,candidate,value,line],...]}; empty fields are left out.
func appendForm(b []byte, f *tahqiq.FormInstance, importSHA string) []byte {
	b = append(b, '{')
	first := true
	str := func(k, v string) {
		if v == "" {
			return
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(append(append(append(b, '"'), k...), '"', ':'), v)
	}
	num := func(k string, v int64) {
		if v == 0 {
			return
		}
		b = strconv.AppendInt(append(append(append(b, ',', '"'), k...), '"', ':'), v, 10)
	}
	str("id", f.ID)
	str("type", f.Type)
	str("source", f.Source)
	str("contest", f.Contest)
	str("station", f.Station)
	str("region", f.Region)
	if f.SHA256 != importSHA {
		str("sha256", f.SHA256)
	}
	num("page", int64(f.Page))
	num("line", f.Line)
	str("issued_at", f.IssuedAt)
	str("status", f.Status)
	b = append(b, `,"items":[`...)
	for i, it := range f.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendJSONString(b, it.Key)
		b = append(b, ',')
		b = appendJSONString(b, it.Candidate)
		b = append(b, ',')
		b = strconv.AppendInt(b, it.Value, 10)
		if it.Line != 0 {
			b = append(b, ',')
			b = strconv.AppendInt(b, it.Line, 10)
		}
		b = append(b, ']')
	}
	return append(b, "]}\n"...)
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\\ufffd"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
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
	if err := writeFile(filepath.Join(tmp, "forms.jsonl"), func(w io.Writer) error {
		var buf []byte
		for _, f := range imp.Election.Forms {
			buf = appendForm(buf[:0], f, imp.SHA256)
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
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
