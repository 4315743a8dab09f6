package cli

import (
	"bufio"
	"encoding/csv"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/progress"
)

func newExportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export data for other tools",
	}
	cmd.AddCommand(newExportSharesCmd(e))
	return cmd
}

func newExportSharesCmd(e *env) *cobra.Command {
	var dataset, format, out string
	var types []string
	cmd := &cobra.Command{
		Use:   "shares --dataset NAME [--format coortweet|events] [--out FILE]",
		Short: "Export the derived shares of a dataset",
		Long: `Export the derived shares (one row per post and shared object) of a dataset.

--format coortweet writes CooRTweet's columns object_id,account_id,content_id,
timestamp_share (ids without tahqiq's "platform:" prefix), for cross-checking
with CooRTweet; --format events writes tahqiq's events CSV
(account_id,post_id,timestamp,time_utc,object_type,object_value), which
"tahqiq import" and "tahqiq coord --input" read back.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if dataset == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--dataset is required")
			}
			var header []string
			var row func(s tahqiq.Share) []string
			switch format {
			case "coortweet":
				header = []string{"object_id", "account_id", "content_id", "timestamp_share"}
				row = func(s tahqiq.Share) []string {
					return []string{s.Object, stripPlatform(s.AccountID), stripPlatform(s.PostID), strconv.FormatInt(s.Time, 10)}
				}
			case "events":
				header = []string{"account_id", "post_id", "timestamp", "time_utc", "object_type", "object_value"}
				row = func(s tahqiq.Share) []string {
					return []string{stripPlatform(s.AccountID), stripPlatform(s.PostID), strconv.FormatInt(s.Time, 10),
						time.Unix(s.Time, 0).UTC().Format(time.RFC3339), string(s.Type), s.Object}
				}
			default:
				return tahqiq.Errorf(tahqiq.EINVALID, "--format %q: want coortweet or events", format)
			}
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := e.readDataset(ctx, db, dataset); err != nil {
				return err
			}
			d, err := db.FindDatasetByName(ctx, dataset)
			if err != nil {
				return err
			}
			if err := ingest.CheckDerivation(d); err != nil {
				return err
			}
			var w io.Writer = e.stdout
			var f *os.File
			if out != "" && out != "-" {
				if f, err = os.Create(out); err != nil {
					return tahqiq.Errorf(tahqiq.EINVALID, "cannot create %s: %w", out, err)
				}
				defer f.Close()
				w = f
			}
			bw := bufio.NewWriterSize(w, 1<<20)
			cw := csv.NewWriter(bw)
			if err := cw.Write(header); err != nil {
				return err
			}
			filter := tahqiq.ShareFilter{Dataset: dataset}
			for _, t := range types {
				filter.Types = append(filter.Types, tahqiq.ObjectType(t))
			}
			total := d.Counts.Shares
			if filter.Types != nil {
				total = 0 // of the types asked: not known before
			}
			prog := progress.Start(ctx, "exporting shares", "shares", total)
			defer prog.Done()
			n := 0
			if err := db.ScanShares(ctx, filter, func(s tahqiq.Share) error {
				if n++; n&4095 == 0 {
					prog.Add(4096)
				}
				return cw.Write(row(s))
			}); err != nil {
				return err
			}
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			if f != nil {
				return f.Close()
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataset, "dataset", "", "dataset to export (required)")
	f.StringVar(&format, "format", "coortweet", "coortweet or events")
	f.StringVar(&out, "out", "", "output file (default stdout)")
	f.StringSliceVar(&types, "type", nil, "only these object types (retweet, url, domain, hashtag, mention, reply, text, image)")
	return cmd
}

// stripPlatform returns the platform id part of a UID "platform:id".
func stripPlatform(uid string) string {
	if _, id, ok := strings.Cut(uid, ":"); ok {
		return id
	}
	return uid
}
