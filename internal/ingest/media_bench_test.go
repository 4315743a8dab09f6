package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/cputime"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// BenchmarkImportMedia: a Telegram Desktop export of 200 posts, each with
// a photo of its own (1280×853 JPEG at quality 85, about 150 KB, as
// Telegram sends them), imported end to end into SQLite: parsing, reading,
// decoding and hashing every photo, grouping, storing. Reports pictures a
// second and the CPU time a picture costs (every thread: the steadier
// figure on a shared machine); hashed+kept also keeps every picture in a
// blob store, as imports through casework do.
func BenchmarkImportMedia(b *testing.B) {
	const n = 200
	dir := b.TempDir()
	var msgs []parsetest.ExportMessage
	for i := range n {
		msgs = append(msgs, parsetest.ExportMessage{From: i % 20, At: i * 10, Text: "photo",
			Photo: fmt.Sprintf("photos/photo_%d.jpg", i), Data: parsetest.JPEG(b, parsetest.LandscapeSized(uint64(i), 1280, 853), 85)})
	}
	result := parsetest.WriteMediaExport(b, dir, 1500000009, parsetest.Start, msgs)
	db := openDB(b)
	im := &ingest.Importer{Formats: ingest.Default()}
	i := 0
	// kept: each picture also written to a new blob store, as casework
	// keeps them (docs/images.md, "Pictures kept"): a file and an fsync
	// a picture
	for _, keep := range []bool{false, true} {
		name := "hashed"
		if keep {
			name = "hashed+kept"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cputime.Seconds()
			for b.Loop() {
				i++
				opt := ingest.Options{Dataset: fmt.Sprint("d", i)}
				if keep {
					bs, err := blob.Open(b.TempDir())
					if err != nil {
						b.Fatal(err)
					}
					opt.KeepPicture = func(sha string, data []byte) error {
						_, _, err := bs.Put(bytes.NewReader(data))
						return err
					}
				}
				sum, err := im.Import(context.Background(), db, []string{result}, opt)
				if err != nil || sum.Media == nil || sum.Media.Hashed != n || keep && sum.Media.Kept != n {
					b.Fatalf("import: %v, %+v", err, sum.Media)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "pictures/s")
			b.ReportMetric((cputime.Seconds()-cpu0)/float64(n*b.N)*1000, "cpu-ms/picture")
		})
	}
}
