// Package demo holds the real sample data bundled for `tahqiq demo` (see
// data/README.md for origin and licence) and writes it out for import. It
// knows nothing of what the demo does with the files.
package demo

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed data
var files embed.FS

// Social lists the bundled social-media samples, in import order.
var Social = []string{"russian_coord_tweets.events.csv.gz", "brexit.jsonl.gz"}

// WriteFiles writes the bundled samples (and their README) into dir and
// returns the paths of the social-media samples.
func WriteFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	err := fs.WalkDir(files, "data", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644)
	})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	out := make([]string, len(Social))
	for i, name := range Social {
		out[i] = filepath.Join(dir, name)
	}
	return out, nil
}
