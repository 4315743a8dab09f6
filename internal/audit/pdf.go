package audit

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"

	"github.com/tahqiq/tahqiq/internal/chromium"
)

// WritePDF prints dir/report.html, with its plots, to dir/report.pdf
// through headless Chromium (A4, as case reports). Without a browser it
// returns chromium.ErrNotInstalled (errors.Is) and writes nothing: the
// HTML report is then the report.
func WritePDF(ctx context.Context, dir string) error {
	abs, err := filepath.Abs(filepath.Join(dir, "report.html"))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	b, err := chromium.PDF(ctx, (&url.URL{Scheme: "file", Path: abs}).String(), chromium.Options{})
	if err != nil {
		return fmt.Errorf("audit: report.pdf: %w", err)
	}
	return writeFile(filepath.Join(dir, "report.pdf"), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
