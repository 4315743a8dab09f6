package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/layout"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

func newCoordCmd(e *env) *cobra.Command {
	p := coord.DefaultParams()
	var dataset, out, window, fastWindow, format, mapSpec string
	var sf streamFlags
	var lf limitFlags
	var media mediaFlags
	var inputs, by, options []string
	layoutEdges := layout.DefaultMaxEdges
	var runName string
	mem := sizeValue(coord.DefaultMem())
	var parts bool
	graphFiles := coord.GraphFilesAuto
	cmd := &cobra.Command{
		Use:   "coord (--dataset NAME [--out DIR] | --input FILE... --out DIR) [flags]",
		Short: "Find accounts that act together (co-retweet, co-link, co-hashtag, same text, same image ...)",
		Long: `Find pairs of accounts whose posts share the same object within a time window,
weight the pairs as the published tools do, and write the network with the
evidence of every link.

Inputs: a dataset of the store (--dataset) or files read straight from disk
(--input: anything "tahqiq import" reads, e.g. an events CSV).

A run of a dataset is kept in the store, as the server keeps the runs it
makes (--data/runs; tahqiq serve lists it to those who may read the
dataset), and its files are also copied to --out DIR when given. A run of
files is written to --out DIR only: its inputs are not in the store.

Outputs: edges.csv, edges_directed.csv (--weight messages), nodes.csv,
communities.csv, evidence.csv.gz (one row per co-share pair), layout.csv (where
each account is drawn: the heaviest --layout-edges links laid out by
ForceAtlas2), graph.gexf and graph.graphml (laid out and coloured by community:
Gephi opens them ready to read) and manifest.json (inputs with SHA-256, every
parameter, counts, timings). "tahqiq coord explain --run DIR A B" prints the posts behind an edge.

Definitions follow ../shared/docs/coordination.md; docs/coord.md documents
every option and output column.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if (dataset == "") == (len(inputs) == 0) {
				return tahqiq.Errorf(tahqiq.EINVALID, "give either --dataset NAME or --input FILE...")
			}
			if out == "" && dataset == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--out DIR is required with --input")
			}
			if dataset != "" && (media.folder != "" || media.none) {
				return tahqiq.Errorf(tahqiq.EINVALID, "--media and --no-media are for --input files: a dataset's pictures were hashed when it was imported (tahqiq import --media)")
			}
			if runName != "" && dataset == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--name names a run kept in the store: give it with --dataset (a run of --input files is not kept)")
			}
			var err error
			if p.Window, err = runs.ParseWindow("window", window); err != nil {
				return err
			}
			if fastWindow != "" {
				if p.FastWindow, err = runs.ParseWindow("fast_window", fastWindow); err != nil {
					return err
				}
			}
			if p.Types, err = runs.ParseTypes("by", by); err != nil {
				return err
			}
			if err := p.Validate(); err != nil {
				return err
			}
			if !cmd.Flags().Changed("mem") {
				// files of a known size: a budget of a few times them; a
				// dataset: of the files imported into it
				if dataset == "" {
					mem = sizeValue(coord.DefaultMemFor(inputBytes(inputs)))
				} else {
					mem = sizeValue(coord.DefaultMemFor(e.datasetBytes(ctx, dataset)))
				}
			}
			// the budget holds from the start: reading the input is part of
			// the run
			defer coord.SetMemoryLimit(coord.SetMemoryLimit(int64(mem)))
			if stop, err := profile(); err != nil {
				return err
			} else {
				defer stop()
			}
			if parts {
				if err := checkParts(sf, p.Graph, dataset); err != nil {
					return err
				}
			}
			var r runs.CoordRun
			if dataset != "" {
				r, err = e.datasetRun(ctx, dataset, p, int64(mem))
				r.Name = runName
			} else {
				start := time.Now()
				fo, ferr := formatOptions(mapSpec, options)
				if ferr != nil {
					return ferr
				}
				if format, ferr = mapFormat(mapSpec, format); ferr != nil {
					return ferr
				}
				if media.folder != "" && media.none {
					return tahqiq.Errorf(tahqiq.EINVALID, "--media names a folder of pictures to read and --no-media reads none: give one of them")
				}
				r.Data, r.Source, err = e.fileData(ctx, inputs, format, fo, media, p, p.Graph, lf.limits(), int64(mem))
				r.Params, r.Read = p, time.Since(start).Seconds()
			}
			if err != nil {
				return err
			}
			if r.GraphFiles, err = coord.ParseGraphFiles(graphFiles); err != nil {
				return err
			}
			if r.LayoutEdges = layoutEdges; layoutEdges <= 0 {
				r.LayoutEdges = -1
			}
			if sf.url == "embedded" {
				sf.workerMem = embeddedWorkerMem(int64(mem), sf.workers)
			}
			eng, stop, err := e.coordEngine(ctx, sf)
			if err != nil {
				return err
			}
			if parts {
				eng.Coord = coord.ReducedParts(eng.Reducer)
			}
			if eng.Coord == nil {
				eng.Coord = coord.InProcess(coord.Budget{Mem: int64(mem)})
			}
			var made *runs.CoordMade
			if dataset != "" {
				if made, err = e.runStore(eng.Coord).MakeCoord(ctx, &r, Version, nil); err == nil && out != "" {
					err = copyFiles(made.Dir, out, made.Manifest.Files)
				}
			} else {
				made, err = runs.MakeCoord(ctx, &r, eng.Coord, Version, out, nil)
			}
			stop()
			if err != nil {
				return err
			}
			m, src := made.Manifest, r.Source
			c := m.Counts
			fmt.Fprintf(e.stdout, "coord: %d shares of %d accounts -> %d co-share pairs -> %d edges between %d accounts (%d flagged)\n",
				c["shares"], c["accounts"], c["pairs"], c["edges"], c["edge_accounts"], c["flagged_edges"])
			if src.RejectedCount > 0 {
				fmt.Fprintf(e.stdout, "  inputs: %d records rejected (%d post ids given to a second account), listed on stderr, counted in manifest.json\n", src.RejectedCount, src.Dropped["post_id_conflicts"])
			}
			fmt.Fprintf(e.stdout, "  %s\n", m.Params.String())
			if n := c["mem_needed_bytes"]; n > 0 {
				fmt.Fprintf(e.stdout, "  the memory budget (--mem %s) is less than this run must hold (the interned input and the smallest buffers: %s): it went over the budget\n", mem.String(), decompress.Bytes(n))
			}
			if n := c["spilled_read_bytes"]; n > 0 {
				fmt.Fprintf(e.stdout, "  over the memory budget (--mem %s): %s of shares spilled to disk while reading, read back once interned\n", mem.String(), decompress.Bytes(n))
			}
			if n := c["spilled_post_bytes"]; n > 0 {
				fmt.Fprintf(e.stdout, "  over the memory budget (--mem %s): %s of posts written to disk while reading (sorted runs, looked up there and merged to rank them)\n", mem.String(), decompress.Bytes(n))
			}
			if n := c["spilled_bytes"]; n > 0 && c["spilled_carried_bytes"] > 0 {
				fmt.Fprintf(e.stdout, "  over the memory budget (--mem %s): %s of pairs spilled to disk (%d sorted runs, merged), each with its two shares, which the run let go once its pairs were made\n", mem.String(), decompress.Bytes(n), c["spilled_runs"])
			} else if n > 0 {
				fmt.Fprintf(e.stdout, "  over the memory budget (--mem %s): %s of pairs spilled to disk (%d sorted runs, merged)\n", mem.String(), decompress.Bytes(n), c["spilled_runs"])
			}
			if n := c["spilled_edge_bytes"]; n > 0 {
				fmt.Fprintf(e.stdout, "  over the memory budget (--mem %s): the edges written to disk (%s) and read back for the outputs\n", mem.String(), decompress.Bytes(n))
			}
			var steps []string
			for _, k := range []string{"read_s", "near_text_s", "intern_s", "pairs_s", "aggregate_s", "weigh_s", "graph_s", "layout_s", "output_s", "evidence_s"} {
				if v, ok := m.Timings[k]; ok {
					steps = append(steps, fmt.Sprintf("%s %.3f", strings.TrimSuffix(k, "_s"), v))
				}
			}
			fmt.Fprintf(e.stdout, "  seconds: %s\n", strings.Join(steps, ", "))
			if why := m.Skipped["graph.gexf"]; why != "" {
				fmt.Fprintf(e.stdout, "  graph.gexf and graph.graphml not written: %s\n", strings.ReplaceAll(why, "graph_files", "--graph-files"))
			}
			if m.PartsGraph != nil {
				printPartsGraph(e.stdout, m)
			}
			e.printKept(made.Info.ID, made.Dir, out, m.Files)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataset, "dataset", "", "dataset of the store to analyse")
	f.StringVar(&runName, "name", "", "what to call a --dataset run kept in the store (shown beside its ID, in the web UI and the custody log)")
	sf.add(f)
	f.BoolVar(&parts, "parts", false, partsUsage)
	f.StringArrayVar(&inputs, "input", nil, "file to read straight from disk (repeatable; anything tahqiq import reads)")
	f.StringVar(&format, "format", "", "input format for --input (default: detected)")
	f.StringVar(&mapSpec, "map", "", "column map of --input CSVs (implies --format generic_csv)")
	f.StringArrayVar(&options, "option", nil, "format option KEY=VALUE for --input")
	media.add(f)
	lf.add(f, "an --input .gz file", false)
	f.StringVar(&out, "out", "", "output directory (required with --input; with --dataset the run is kept in the store and also copied here)")
	f.StringSliceVar(&by, "by", nil, "object types: retweet, url, domain, hashtag, mention, reply, text, near-text (CNT co_similar_tweet, see --jaccard), image (phash), post (CNT co_post); several = multi-modal, types never match each other (default: every type present except near-text and post)")
	f.StringVar(&window, "window", "60s", `time window, e.g. 10s, 60s, 5m; "none" for no window: the same object anywhere in the dataset (every share of an object pairs; posts without a time need it)`)
	f.StringVar(&p.WindowKind, "window-kind", p.WindowKind, "sliding (CooRTweet/CNT: |dt| <= W) | tumbling (CooRnet: W-second bins from the object's first share) | from-first (both within W of the first share) | fast-reshare (Luceri et al.: reshares within W of the original; object = original author)")
	f.StringVar(&p.Weight, "weight", p.Weight, "pairs (CooRTweet: co-share post pairs) | messages (CNT: distinct posts per direction, undirected = max) | objects (distinct objects, CooRnet) | collab (1/(k-1) per object shared by k accounts) | tfidf (Pacheco/Luceri cosine of account x object TF-IDF)")
	f.IntVar(&p.MinParticipation, "min-participation", p.MinParticipation, "CooRTweet's min_participation (two-step OR rule); 1 keeps every pair")
	f.StringVar(&p.ParticipationScope, "participation-scope", p.ParticipationScope, "type (per object type, as CooRTweet's vignette) or all")
	f.Float64Var(&p.MinWeight, "min-weight", p.MinWeight, "drop edges under this weight (CNT min_edge_weight; per direction for messages)")
	f.Float64Var(&p.Percentile, "percentile", p.Percentile, "flag edges with weight > this R type-7 quantile of all weights (CooRTweet edge_weight: 0.5 flags those above the median weight); communities are those of the flagged edges; 0 flags every edge")
	f.StringVar(&fastWindow, "fast-window", "", "also report a faster layer (CooRTweet flag_speed_share), e.g. 10s")
	f.BoolVar(&p.KeepLoops, "keep-loops", false, "keep shares whose post is the object itself (CooRTweet remove_loops=FALSE)")
	f.IntVar(&p.Workers, "workers", 0, "parallel workers (default: all cores); results do not depend on it")
	f.Uint64Var(&p.Seed, "seed", p.Seed, "seed of the community detection")
	f.BoolVar(&p.Graph, "graph", true, "run the graph step (components, communities, degree, strength, k-core, eigenvector centrality) and write nodes, communities, GEXF, GraphML")
	f.StringVar(&p.Communities, "communities", p.Communities, "louvain (Blondel et al.) | leiden (Traag et al. 2019: connected communities) | none; both seeded by --seed")
	f.Float64Var(&p.EigenPrune, "eigen-prune", p.EigenPrune, "Luceri et al.'s node pruning: leave nodes whose eigenvector centrality is under this quantile (e.g. 0.9) out of the communities; 0 = off")
	f.BoolVar(&p.CommunitiesOnAll, "communities-on-all", false, "compute communities on every edge, not only the flagged ones (CooRTweet uses the flagged subgraph)")
	f.IntVar(&p.MinTokens, "min-tokens", p.MinTokens, "near-text: leave out posts with fewer distinct word tokens (after removing @mentions and URLs)")
	f.Float64Var(&p.Jaccard, "jaccard", p.Jaccard, "near-text: minimum Jaccard similarity of two posts' token sets (CNT co_similar_tweet, CLI default 0.8); every pair at or above it within the window is found (exact prefix-filtering join, docs/coord.md)")
	f.BoolVar(&p.Evidence, "evidence", true, "write evidence.csv.gz (one row per co-share pair)")
	f.StringVar(&graphFiles, "graph-files", graphFiles, "when to write graph.gexf and graph.graphml: auto (when the network has at most 1,000,000 edges, the most Gephi says it shows: over that they are gigabytes no desktop tool opens; edges.csv and nodes.csv hold the same network) | always | never")
	f.IntVar(&layoutEdges, "layout-edges", layoutEdges, "lay out the heaviest N links by ForceAtlas2 (seeded by --seed) for layout.csv, the GEXF and GraphML files and the web UI's network view; the other accounts are placed beside their community; 0 = no layout")
	f.Var(&mem, "mem", "memory budget of the run in this process, e.g. 4GB or 600MiB: the Go heap is held under it; past half of it the shares read (--input files, --dataset) go to the temporary directory ($TMPDIR) until interned, and when the kept pairs would not fit beside the edges they make, they are sorted in runs spilled to the temporary directory ($TMPDIR) and merged (and edges that would not fit, beside the graph the graph step makes of them, go to a file there); results do not depend on it")
	f.Lookup("mem").DefValue = fmt.Sprintf("4 times the --input files or the files imported into the --dataset, from 256MiB to half the machine's memory (%s), which standard input and compressed files get", mem.String())
	cmd.AddCommand(newCoordExplainCmd(e))
	cmd.AddCommand(newCoordMergeCmd(e))
	return cmd
}

// datasetRun reads a stored dataset for a coordination run with
// parameters p, as the one who acts (--as) may.
func (e *env) datasetRun(ctx context.Context, name string, p coord.Params, mem int64) (runs.CoordRun, error) {
	db, err := e.openStore(ctx)
	if err != nil {
		return runs.CoordRun{}, err
	}
	defer db.Close()
	s := e.rules(db)
	a, err := s.CLIActor(ctx, e.as)
	if err != nil {
		return runs.CoordRun{}, err
	}
	if err := s.DatasetAccess(ctx, a, name); err != nil {
		return runs.CoordRun{}, err
	}
	r, err := runs.DatasetRunWithin(ctx, db, name, p, coord.Budget{Mem: mem})
	r.Actor = a.ID
	return r, err
}

// datasetBytes returns the bytes of the files imported into dataset name,
// as inputBytes does for --input files: -1 when it cannot tell what they
// held uncompressed (a compressed file, by its name) or the dataset cannot
// be read as the one who acts (the run then says why).
func (e *env) datasetBytes(ctx context.Context, name string) int64 {
	db, err := e.openStore(ctx)
	if err != nil {
		return -1
	}
	defer db.Close()
	s := e.rules(db)
	a, err := s.CLIActor(ctx, e.as)
	if err != nil || s.DatasetAccess(ctx, a, name) != nil {
		return -1
	}
	d, err := db.FindDatasetByName(ctx, name)
	if err != nil {
		return -1
	}
	return importedBytes(d.Sources)
}

// importedBytes returns the bytes of files, or -1 when there are none or
// one of them is compressed (by its name: a dataset keeps no magic bytes).
func importedBytes(files []tahqiq.ImportFile) int64 {
	if len(files) == 0 {
		return -1
	}
	var n int64
	for _, f := range files {
		ext := strings.ToLower(filepath.Ext(f.Name))
		if f.Size < 0 || slices.Contains([]string{".gz", ".tgz", ".zip", ".zst", ".bz2", ".xz"}, ext) {
			return -1
		}
		n += f.Size
	}
	return n
}

// copyFiles copies the named files of directory from into directory to
// (created if needed).
func copyFiles(from, to string, names []string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "cannot create %s: %v", to, err)
	}
	for _, name := range names {
		if err := copyFile(filepath.Join(from, name), filepath.Join(to, name)); err != nil {
			return fmt.Errorf("copy the run's %s to %s: %w", name, to, err)
		}
	}
	return nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// inputBytes returns the bytes of the files, or -1 when it cannot tell
// what they hold uncompressed (standard input, a compressed file, one
// that cannot be read: the read reports it).
func inputBytes(files []string) int64 {
	var n int64
	for _, name := range files {
		if name == "-" {
			return -1
		}
		f, err := os.Open(name)
		if err != nil {
			return -1
		}
		var head [6]byte
		k, _ := io.ReadFull(f, head[:])
		st, err := f.Stat()
		f.Close()
		if err != nil || !st.Mode().IsRegular() || compressed(head[:k]) {
			return -1
		}
		n += st.Size()
	}
	return n
}

// compressed reports whether a file starting with head is gzip, zip,
// zstd, bzip2 or xz.
func compressed(head []byte) bool {
	for _, magic := range []string{"\x1f\x8b", "PK\x03\x04", "\x28\xb5\x2f\xfd", "BZh", "\xfd7zXZ\x00"} {
		if strings.HasPrefix(string(head), magic) {
			return true
		}
	}
	return false
}

// fileData reads files straight from disk through the importers, for a
// coordination run with parameters p (runs.FileData: shares, the
// accounts' names, with graph their signals and reach, with near-text
// among p's types the texts of posts that are not reposts), the pictures
// posts name looked up as media says. The shares are interned as they are
// read (coord.Collector), but for the fast-reshare window kind, which
// needs them as they are. The source it returns names each file as given
// and by its absolute path, with the importers' options, their rejects
// and the records that brought nothing. The read holds its share of the
// memory budget mem (0: none), spilling the shares' rows past it.
func (e *env) fileData(ctx context.Context, files []string, format string, fo map[string]string, media mediaFlags, p coord.Params, graph bool, lim decompress.Limits, mem int64) (coord.Data, coord.Source, error) {
	fd := runs.FileData{Near: slices.Contains(p.Types, coord.ObjNearText), Graph: graph}
	im := e.importer()
	im.Limits = lim
	opt := ingest.Options{Format: format, FormatOptions: fo, Stdin: e.stdin, Media: media.folder, NoMedia: media.none}
	add := func(it *ingest.Item) error {
		fd.Add(it)
		return nil
	}
	var sum ingest.Summary
	var err error
	if p.WindowKind == coord.FastReshare {
		sum, err = im.Read(ctx, files, opt, add)
	} else {
		fd.Collected = coord.NewCollector(p)
		fd.Collected.SetBudget(coord.Budget{Mem: mem})
		sum, err = im.ReadInto(ctx, files, opt, fd.Collected, add)
	}
	if err != nil {
		return coord.Data{}, coord.Source{}, err
	}
	for _, r := range sum.Rejected {
		fmt.Fprintf(e.stderr, "tahqiq: rejected %s:%d: %s\n", r.File, r.Line, r.Reason)
	}
	if n := sum.Rejects - int64(len(sum.Rejected)); n > 0 {
		fmt.Fprintf(e.stderr, "tahqiq: ... and %d more rejects (import the files to list them all: tahqiq datasets rejects)\n", n)
	}
	// post_id_conflicts: posts whose id the files give to a second
	// account, left out (each is among the rejects too)
	src := coord.Source{Format: format, Map: fo["map"], Rejected: sum.Rejected, RejectedCount: sum.Rejects, Media: media.folder, NoMedia: media.none,
		Dropped: map[string]int64{"duplicate_records": sum.Duplicates, "post_id_conflicts": sum.Conflicts}}
	if m := sum.Media; m != nil {
		// pictures that make no image share, by reason (listed on stderr)
		src.Dropped["pictures_missing"], src.Dropped["pictures_unreadable"] = m.Missing, m.Unreadable
		src.Dropped["pictures_not_images"], src.Dropped["pictures_without_file"] = m.NotImage, m.NoFile
		for _, p := range m.Problems {
			fmt.Fprintf(e.stderr, "tahqiq: picture %s (named in %s) not hashed: %s\n", p.Name, p.File, p.Detail)
		}
	}
	for k, v := range fo {
		if k != "map" {
			if src.Options == nil {
				src.Options = map[string]string{}
			}
			src.Options[k] = v
		}
	}
	notPosts := int64(0)
	for k, n := range sum.Kinds {
		if k != tahqiq.RecordPost {
			notPosts += n
		}
	}
	src.Dropped["records_not_posts"] = notPosts
	for _, f := range sum.Sources {
		in := coord.Input{Name: f.Name, SHA256: f.SHA256, Format: f.Format, Source: "file"}
		if f.Name != "-" {
			if abs, err := filepath.Abs(f.Name); err == nil {
				in.Path = abs
			}
		}
		src.Inputs = append(src.Inputs, in)
	}
	return fd.Data(), src, nil
}

func newCoordExplainCmd(e *env) *cobra.Command {
	var run string
	var asJSON bool
	var lf limitFlags
	cmd := &cobra.Command{
		Use:   "explain --run DIR ACCOUNT_A ACCOUNT_B",
		Short: "Print the posts and times behind one edge of a coordination run",
		Long: `Print the co-share pairs (object, posts, times, dt) that tie two accounts in
a run written by "tahqiq coord". An account is given as its UID
(x:1014289465672716288), as the id the input file wrote (1014289465672716288,
without the platform), as its handle (stephy_wr or @stephy_wr) or as its
name; one that names several accounts of the run is refused with the list of
them. The run's evidence.csv.gz is read; when the run was made with
--evidence=false, the run is repeated from its manifest, from any directory:
the same inputs (files by their absolute paths, read with the recorded
--format, --map and --option, checked by SHA-256; a dataset with the same
files), the same parameters; a repeat that does not give the counts the
manifest recorded (another text normalisation, say) is refused.`,
		Example: `  tahqiq coord explain --run out x:1235574652895989760 x:2741420162
  tahqiq coord explain --run out @Zimal23_K iqbalhussainsts
  tahqiq coord explain --run out 0fb4232d1b7b37069c13ee17579bd10e 7d0e462c10d52c4ec1db5af953bf9b26 --json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if run == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--run DIR is required")
			}
			accounts, err := coord.RunAccounts(run)
			if err != nil {
				return err
			}
			var ends [2]tahqiq.Account
			for i, ref := range args {
				if ends[i], err = tahqiq.ResolveAccount(ref, run, accounts); err != nil {
					return err
				}
			}
			if ends[1].UID < ends[0].UID {
				ends[0], ends[1] = ends[1], ends[0]
			}
			a, b := ends[0], ends[1]
			rows, err := explain(ctx, e, run, a.UID, b.UID, lf.limits())
			if err != nil {
				return err
			}
			if asJSON {
				type row struct {
					ObjectType string `json:"object_type"`
					Object     string `json:"object"`
					PostA      string `json:"post_a"`
					PostB      string `json:"post_b"`
					AccountA   string `json:"account_a"`
					AccountB   string `json:"account_b"`
					TimeA      string `json:"time_a"`
					TimeB      string `json:"time_b"`
					Dt         int64  `json:"dt"`
					HandleA    string `json:"handle_a"`
					NameA      string `json:"name_a"`
					HandleB    string `json:"handle_b"`
					NameB      string `json:"name_b"`
				}
				list := make([]row, 0, len(rows))
				for _, r := range rows {
					rec := r.Record()
					list = append(list, row{rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6], rec[7], r.Dt(), a.Handle, a.Name, b.Handle, b.Name})
				}
				return writeJSON(e.stdout, list)
			}
			if len(rows) == 0 {
				return tahqiq.Errorf(tahqiq.ENOTFOUND, "no edge between %s and %s in %s", tahqiq.AccountLabel(a), tahqiq.AccountLabel(b), run)
			}
			fmt.Fprintf(e.stdout, "%d co-share pairs between\n  a: %s\n  b: %s\n", len(rows), tahqiq.AccountLabel(a), tahqiq.AccountLabel(b))
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TYPE\tOBJECT\tPOST_A\tTIME_A\tPOST_B\tTIME_B\tDT_S")
			for _, r := range rows {
				rec := r.Record()
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", rec[0], rec[1], rec[2], rec[6], rec[3], rec[7], r.Dt())
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&run, "run", "", "output directory of a coord run")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	lf.add(cmd.Flags(), "an input .gz file of a run repeated from its manifest", false)
	return cmd
}

// explain returns the co-share pairs between accounts a and b in a run:
// from its evidence file, or by repeating the run from its manifest. The
// repeat reads the same inputs (a file by the absolute path it had, with
// the format, column map and options it was read with, and the same
// SHA-256; a dataset with the same files) and must give the counts the
// manifest recorded, else it is refused rather than explain another run.
func explain(ctx context.Context, e *env, run, a, b string, lim decompress.Limits) ([]coord.EvidenceRow, error) {
	evPath := filepath.Join(run, "evidence.csv.gz")
	if _, err := os.Stat(evPath); err == nil {
		return coord.ReadEvidence(evPath, a, b)
	}
	raw, err := os.ReadFile(filepath.Join(run, "manifest.json"))
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s is not a coord run: %w", run, err)
	}
	var m coord.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s/manifest.json: %w", run, err)
	}
	var data coord.Data
	var src coord.Source
	if len(m.Inputs) > 0 && m.Inputs[0].Source == "dataset" {
		var r runs.CoordRun
		r, err = e.datasetRun(ctx, m.Inputs[0].Name, m.Params, 0)
		data, src = r.Data, r.Source
		if err == nil && !sameFiles(src.Inputs[1:], m.Inputs[1:]) {
			return nil, tahqiq.Errorf(tahqiq.ECONFLICT, "dataset %s changed since the run (its files differ): the run cannot be repeated", m.Inputs[0].Name)
		}
	} else {
		var files []string
		for _, in := range m.Inputs {
			if in.Name == "-" {
				return nil, tahqiq.Errorf(tahqiq.EINVALID, "the run read standard input, which cannot be read again: repeat it with --evidence")
			}
			f := in.Path
			if _, err := os.Stat(f); f == "" || err != nil {
				f = in.Name // a manifest from before paths were recorded, or the file moved here
			}
			files = append(files, f)
		}
		fo := map[string]string{}
		for k, v := range m.Options {
			fo[k] = v
		}
		if m.Map != "" {
			fo["map"] = m.Map
		}
		data, src, err = e.fileData(ctx, files, m.Format, fo, mediaFlags{folder: m.Media, none: m.NoMedia}, m.Params, false, lim, 0)
		if err == nil && !sameFiles(src.Inputs, m.Inputs) {
			for i, in := range m.Inputs {
				if i >= len(src.Inputs) || src.Inputs[i].SHA256 != in.SHA256 {
					return nil, tahqiq.Errorf(tahqiq.ECONFLICT, "input %s changed since the run (SHA-256 differs, or it cannot be read)", files[i])
				}
			}
			return nil, tahqiq.Errorf(tahqiq.ECONFLICT, "the run's inputs changed (%d files now, %d then)", len(src.Inputs), len(m.Inputs))
		}
	}
	if err != nil {
		return nil, err
	}
	p := m.Params
	p.Graph, p.Evidence = false, true
	res, err := coord.Run(ctx, data, p, nil) // a repeat in this process, for the evidence only
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"input_shares", "shares", "accounts", "posts", "objects", "pairs", "edges", "near_text_posts"} {
		want, ok := m.Counts[k]
		if got := res.Counts[k]; ok && got != want {
			tn := m.Textnorm
			if tn == "" {
				tn = "1 (not recorded)"
			}
			return nil, tahqiq.Errorf(tahqiq.ECONFLICT, "repeating the run gives %d %s, the run had %d (text normalisation version %s then, %s now; tahqiq %s then, %s now): explain would not show that run's evidence",
				got, strings.ReplaceAll(k, "_", " "), want, tn, textnorm.Version, m.Version, Version)
		}
	}
	return res.PairEvidence(a, b), nil
}

// sameFiles reports whether two lists of inputs name the same contents
// (SHA-256) in the same order.
func sameFiles(a, b []coord.Input) bool {
	return slices.EqualFunc(a, b, func(x, y coord.Input) bool { return x.SHA256 == y.SHA256 })
}

// profile starts the profiles the environment asks for (for measuring a
// run, docs/benchmarks.md): TAHQIQ_CPUPROFILE=FILE, a CPU profile of the
// run; TAHQIQ_MEMPROFILE=FILE, a heap profile written at its end; "%p" in
// FILE is replaced by the process id (so that a run and its workers,
// started with the same environment, write apart). stop writes and
// closes them.
func profile() (stop func(), err error) {
	var cpu *os.File
	pid := strconv.Itoa(os.Getpid())
	if name := strings.ReplaceAll(os.Getenv("TAHQIQ_CPUPROFILE"), "%p", pid); name != "" {
		if cpu, err = os.Create(name); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, err
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if name := strings.ReplaceAll(os.Getenv("TAHQIQ_MEMPROFILE"), "%p", pid); name != "" {
			if f, err := os.Create(name); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}
	}, nil
}
