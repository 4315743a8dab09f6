package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/genericcsv"
	"github.com/tahqiq/tahqiq/internal/natsbus"
)

func newImportCmd(e *env) *cobra.Command {
	var opt ingest.Options
	var asJSON bool
	var mapSpec string
	var options []string
	var publish, creds string
	var replicas int
	var lf limitFlags
	cmd := &cobra.Command{
		Use:   "import [flags] FILE...",
		Short: "Import social-media exports into a dataset",
		Long: `Import social-media exports into a dataset of the embedded store.

The format of each file is detected from its first bytes (--format forces
one); "-" reads standard input; gzip files are read transparently. Every
record is kept byte for byte with its file, line and SHA-256; bad records
are reported and the rest imports. The import is one transaction: an I/O or
store error, or an interrupt, leaves the store as it was. Importing the same
file twice adds nothing, unless its first import kept nothing (every record
rejected, or a CSV header alone): then it is imported again, e.g. with
--format, and replaces that attempt and its rejects.

Once the store has an organisation, --as USER (or TAHQIQ_USER) says who
imports: the dataset belongs to that user's organisation, and only it
imports into the dataset again.

A compressed input is refused, and the import with it, when it expands to
more than --max-ratio times its compressed size (beyond its first 8 MiB)
or to more than --max-decompressed: a small hostile file could otherwise
become millions of records. Raise them for a large, trusted file.

Pictures: a Telegram Desktop export's photos/ and files/ beside its
result.json are read without a flag; --media DIR names the folder where
any format's pictures are looked up (by their path in the export, the last
segment of their URL, or their media key; docs/images.md). Each picture is
hashed (PDQ and dHash, upright by its EXIF orientation) and its posts share
an image object: copies of one picture (resized, recompressed, turned,
mirrored, framed) share one, so re-posts of it coordinate like a link.
Every picture not hashed is counted and listed with the reason (missing,
unreadable, not a picture, left out of the export). --no-media reads none.

With --publish nats://…, the shares the import added are published, once it
is stored and in time order, to the live stream (tahqiq.live.DATASET), where
tahqiq watch and serve --watch see them as a live feed.

Formats:
` + formatList(e),
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e.creates = true // a first import, the demo or the server may make the store
			ctx := cmd.Context()
			if publish != "" && !strings.Contains(publish, "://") {
				return tahqiq.Errorf(tahqiq.EINVALID, "--publish %q: want the nats:// URL of the server tahqiq watch reads", publish)
			}
			fo, err := formatOptions(mapSpec, options)
			if err != nil {
				return err
			}
			if opt.Format, err = mapFormat(mapSpec, opt.Format); err != nil {
				return err
			}
			opt.FormatOptions = fo
			opt.Stdin = e.stdin
			if opt.Media != "" && opt.NoMedia {
				return tahqiq.Errorf(tahqiq.EINVALID, "--media names a folder of pictures to read and --no-media reads none: give one of them")
			}
			if opt.Media != "" {
				if st, err := os.Stat(opt.Media); err != nil || !st.IsDir() {
					return tahqiq.Errorf(tahqiq.EINVALID, "--media %s: not a folder (give the folder the posts' pictures are in)", opt.Media)
				}
			}
			opt.Log = e.log
			stop, err := profile() // TAHQIQ_CPUPROFILE, TAHQIQ_MEMPROFILE, as coord's
			if err != nil {
				return err
			}
			defer stop()
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			var added []tahqiq.Share
			if publish != "" {
				opt.OnShares = func(sh []tahqiq.Share) { added = append(added, sh...) }
			}
			im := e.importer()
			im.Limits = lf.limits()
			// who may import into the dataset, and its owner, are casework's
			// to decide; the import commits with its custody-log entry
			sum, err := e.importAs(ctx, db, im, args, opt)
			if err == nil && publish != "" {
				err = publishAdded(ctx, e, publish, creds, replicas, sum.Dataset, added)
			}
			if asJSON {
				if jerr := writeJSON(e.stdout, sum); jerr != nil {
					return jerr
				}
			} else {
				printSummary(e.stdout, sum)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Format, "format", "", "input format (default: detected per file)")
	f.StringVar(&opt.Dataset, "dataset", "", "dataset name (default: the first file's base name)")
	f.BoolVar(&asJSON, "json", false, "print one JSON summary on stdout")
	f.StringVar(&mapSpec, "map", "", "column map of a CSV (implies --format generic_csv), e.g. account=user,time=created,text=body,id=post_id; only account is required")
	f.StringArrayVar(&options, "option", nil, "format option KEY=VALUE (repeatable), e.g. container=mychannel, object_type=url")
	f.StringVar(&opt.Media, "media", "", "folder of the pictures the posts name (default: a Telegram Desktop export's own photos/ and files/)")
	f.BoolVar(&opt.NoMedia, "no-media", false, "read and hash no pictures, not even beside a Telegram Desktop export")
	f.StringVar(&publish, "publish", "", "nats:// URL: publish the shares the import added to the live stream")
	f.StringVar(&creds, "nats-creds", "", "with --publish: "+credsUsage)
	f.IntVar(&replicas, "replicas", 1, "with --publish: "+liveReplicasUsage)
	lf.add(f, "a .gz input (or gzip on stdin)", false)
	return cmd
}

// publishAdded sends an import's new shares, in time order, to the live
// stream of its dataset. The import is stored whatever happens here; an
// error says how to publish it again.
func publishAdded(ctx context.Context, e *env, url, creds string, replicas int, dataset string, shares []tahqiq.Share) error {
	fail := func(err error) error {
		return fmt.Errorf("the import is stored, but its shares were not published (tahqiq publish --nats %s --dataset %s sends them all): %w", url, dataset, err)
	}
	bus, done, err := e.bus().Connect(ctx, url, creds, replicas)
	if err != nil {
		return fail(err)
	}
	defer done()
	if err := bus.SetupLive(ctx); err != nil {
		return fail(err)
	}
	subject := natsbus.LivePrefix + dataset
	if err := bus.Publish(ctx, subject, shares); err != nil {
		return fail(err)
	}
	fmt.Fprintf(e.stderr, "published %d new shares to %s\n", len(shares), subject)
	return nil
}

func formatList(e *env) string {
	var b strings.Builder
	for _, f := range e.importer().Formats.Formats() {
		fmt.Fprintf(&b, "  %-22s %s\n", f.Name, f.Doc)
	}
	return b.String()
}

// mapFormat returns the format of an import: --map is the column map of
// generic CSV, so it names that format when --format does not, and goes
// with no other.
func mapFormat(mapSpec, format string) (string, error) {
	switch {
	case mapSpec == "":
		return format, nil
	case format == "":
		return genericcsv.Format, nil
	case format != genericcsv.Format:
		return "", tahqiq.Errorf(tahqiq.EINVALID, "--map is the column map of --format %s, not of --format %s", genericcsv.Format, format)
	}
	return format, nil
}

// formatOptions builds the parser options from --map and --option.
func formatOptions(mapSpec string, options []string) (map[string]string, error) {
	m := map[string]string{}
	if mapSpec != "" {
		m["map"] = mapSpec
	}
	for _, o := range options {
		k, v, ok := strings.Cut(o, "=")
		if !ok || k == "" {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "--option %q: want KEY=VALUE", o)
		}
		m[k] = v
	}
	return m, nil
}

func printSummary(w io.Writer, s ingest.Summary) {
	if !s.Committed {
		fmt.Fprintf(w, "dataset %s: nothing committed: %s\n", s.Dataset, s.FailureIn(flagName))
		for i, r := range s.Rejected {
			if i == 20 {
				fmt.Fprintf(w, "  ... %d more rejects found before it stopped (--json lists %d)\n", s.Rejects-20, len(s.Rejected))
				break
			}
			printReject(w, "found before it stopped, not stored: ", r, s.RejectIn(r, flagName))
		}
		return
	}
	fmt.Fprintf(w, "dataset %s: %d files, %d records, %d posts, %d accounts, %d shares, %d duplicates, %d rejected",
		s.Dataset, s.Files, s.Records, s.Posts, s.Accounts, s.Shares, s.Duplicates, s.Rejects)
	if s.Conflicts > 0 {
		fmt.Fprintf(w, " (%d post ids given to a second account)", s.Conflicts)
	}
	fmt.Fprintln(w)
	if len(s.Kinds) > 0 {
		kinds := make([]string, 0, len(s.Kinds))
		for k, n := range s.Kinds {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		fmt.Fprintf(w, "  records by kind: %s\n", strings.Join(kinds, ", "))
	}
	for _, f := range s.Sources {
		fmt.Fprintf(w, "  %s  %s  %s\n", f.SHA256[:12], f.Format, f.Name)
	}
	for _, f := range s.Skipped {
		fmt.Fprintf(w, "  skipped (already imported): %s\n", f)
	}
	for _, r := range s.Retried {
		fmt.Fprintf(w, "  imported again: %s (its import as %s kept nothing; its %d rejects are replaced)\n", r.File, r.FormatBefore, r.RejectsBefore)
	}
	for i, r := range s.Rejected {
		if i == 20 {
			fmt.Fprintf(w, "  ... %d more rejects (tahqiq datasets rejects %s lists them all)\n", s.Rejects-20, s.Dataset)
			break
		}
		printReject(w, "", r, s.RejectIn(r, flagName))
	}
	printMedia(w, s.Media, s.Dataset)
}

// printMedia says what became of the pictures the posts name.
func printMedia(w io.Writer, m *ingest.MediaSummary, dataset string) {
	if m == nil {
		return
	}
	fmt.Fprintf(w, "  pictures: %d in posts, %d files named in %s: %d hashed (%d too plain to compare but by their bytes), %d missing, %d unreadable, %d not pictures; %d named no file (left out of the export); %d new image objects\n",
		m.Pictures, m.Files, strings.Join(m.Folders, ", "), m.Hashed, m.LowQuality, m.Missing, m.Unreadable, m.NotImage, m.NoFile, m.Objects)
	if m.Kept+m.NotKept > 0 {
		fmt.Fprintf(w, "  pictures kept (to show them in the web UI and carry them into cases): %d of the %d hashed; %d larger than the limit, hashed but not kept\n", m.Kept, m.Hashed, m.NotKept)
		for i, p := range m.NotKeptFiles {
			if i == 20 {
				fmt.Fprintf(w, "  ... %d more not kept (--json lists %d)\n", m.NotKept-20, len(m.NotKeptFiles))
				break
			}
			fmt.Fprintf(w, "  picture %s: %s (named in %s)\n", p.Name, p.Detail, p.File)
		}
	}
	for i, p := range m.Problems {
		if i == 20 {
			fmt.Fprintf(w, "  ... %d more pictures not hashed (--json lists %d; tahqiq images --dataset %s --problems lists them all)\n", m.Missing+m.Unreadable+m.NotImage-20, len(m.Problems), dataset)
			break
		}
		fmt.Fprintf(w, "  picture %s: %s (%s, named in %s)\n", p.Name, p.Detail, p.Status, p.File)
	}
}

func printReject(w io.Writer, note string, r tahqiq.Reject, reason string) {
	if r.Line > 0 {
		fmt.Fprintf(w, "  rejected %s%s:%d: %s\n", note, r.File, r.Line, reason)
	} else {
		fmt.Fprintf(w, "  rejected %s%s: %s\n", note, r.File, reason)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// mediaFlags are where the pictures of --input files are read from.
type mediaFlags struct {
	folder string
	none   bool
}

func (m *mediaFlags) add(f *pflag.FlagSet) {
	f.StringVar(&m.folder, "media", "", "folder of the pictures --input files' posts name (default: a Telegram Desktop export's own photos/ and files/)")
	f.BoolVar(&m.none, "no-media", false, "read no pictures of --input files")
}
