package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/capture"
	"github.com/tahqiq/tahqiq/internal/casework"
)

func newCaptureCmd(e *env) *cobra.Command {
	f := &caseFlags{}
	var caseID string
	cmd := &cobra.Command{
		Use:   "capture URL --case CASE",
		Short: "archive a web page (WARC with SHA-256 digests, rendered HTML, screenshot) as evidence",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseID == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "capture: --case is required")
			}
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				if err := s.CheckAttach(ctx, a, caseID); err != nil { // before anything is fetched
					return nil, err
				}
				r, err := capture.Capture(ctx, args[0], capture.Options{})
				if err != nil {
					return nil, tahqiq.Errorf(tahqiq.EINVALID, "%w", err)
				}
				for _, n := range r.Notes {
					fmt.Fprintln(e.stderr, "capture:", n)
				}
				it := tahqiq.Item{CaseID: caseID, Kind: tahqiq.ItemCapture, Title: "capture of " + args[0], Source: args[0]}
				parts := []struct {
					name, typ string
					b         []byte
				}{{"page.warc", "application/warc", r.WARC}, {"page.html", "text/html", r.HTML}, {"screenshot.png", "image/png", r.Screenshot}}
				for _, p := range parts {
					if p.b == nil {
						continue
					}
					ref, err := s.PutBlob(p.name, p.b)
					if err != nil {
						return nil, err
					}
					ref.Type = p.typ
					it.Blobs = append(it.Blobs, ref)
				}
				return s.AttachBlobs(ctx, a, it)
			})
		},
	}
	f.bind(cmd)
	cmd.Flags().StringVar(&caseID, "case", "", "case to attach the capture to")
	return cmd
}
