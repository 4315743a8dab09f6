package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// postFlags are the input flags of the text analyses (narratives, claims
// match, targets): a stored dataset or files read through the importers.
type postFlags struct {
	dataset string
	inputs  []string
	format  string
	mapSpec string
	options []string
	limits  limitFlags
}

func (pf *postFlags) add(f *pflag.FlagSet) {
	f.StringVar(&pf.dataset, "dataset", "", "dataset of the store to analyse")
	f.StringArrayVar(&pf.inputs, "input", nil, "file to read straight from disk (repeatable; anything tahqiq import reads)")
	f.StringVar(&pf.format, "format", "", "input format for --input (default: detected)")
	f.StringVar(&pf.mapSpec, "map", "", "column map of --input CSVs, e.g. account=user,id=post_id,time=created,text=body (implies --format generic_csv)")
	f.StringArrayVar(&pf.options, "option", nil, "format option KEY=VALUE for --input")
	pf.limits.add(f, "an --input .gz file", false)
}

func (pf *postFlags) check() error {
	if (pf.dataset == "") == (len(pf.inputs) == 0) {
		return tahqiq.Errorf(tahqiq.EINVALID, "give either --dataset NAME or --input FILE...")
	}
	return nil
}

// postsRead is what readPosts found besides the posts.
type postsRead struct {
	Source rundir.Source
}

// readPosts calls fn for every post of --dataset (once each, as stored) or
// of the --input files (each post once, as an import into one dataset
// would keep it), and names the inputs with their SHA-256. When sink is
// not nil it is told what the data says of the posting accounts, by one
// rule for both: the first record naming an account describes it (for a
// dataset, runs.ReadDataset).
func (e *env) readPosts(ctx context.Context, pf *postFlags, sink runs.AccountSink, fn func(p *tahqiq.Post) error) (postsRead, error) {
	if err := pf.check(); err != nil {
		return postsRead{}, err
	}
	out := postsRead{Source: rundir.Source{Rejected: []tahqiq.Reject{}}}
	if pf.dataset != "" {
		db, err := e.openStore(ctx)
		if err != nil {
			return out, err
		}
		defer db.Close()
		if err := e.readDataset(ctx, db, pf.dataset); err != nil {
			return out, err
		}
		out.Source, err = runs.ReadDataset(ctx, db, pf.dataset, fn, sink)
		return out, err
	}
	fo, err := formatOptions(pf.mapSpec, pf.options)
	if err != nil {
		return out, err
	}
	format, err := mapFormat(pf.mapSpec, pf.format)
	if err != nil {
		return out, err
	}
	im := e.importer()
	im.Limits = pf.limits.limits()
	// the text analyses read no pictures
	sum, err := im.Read(ctx, pf.inputs, ingest.Options{Format: format, FormatOptions: fo, Stdin: e.stdin, NoMedia: true}, func(it *ingest.Item) error {
		if sink != nil {
			for _, a := range it.Parsed.Accounts {
				sink.Account(a)
			}
		}
		for i := range it.Parsed.Posts {
			if !it.New[i] {
				continue
			}
			if sink != nil {
				sink.Author(it.Parsed.Posts[i].AuthorUID)
			}
			if err := fn(&it.Parsed.Posts[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	for _, r := range sum.Rejected {
		if len(out.Source.Rejected) < rundir.MaxRejected {
			out.Source.Rejected = append(out.Source.Rejected, r)
		}
	}
	if n := len(sum.Rejected); n > 0 {
		fmt.Fprintf(e.stderr, "tahqiq: %d records rejected (the first: %s:%d: %s), counted in manifest.json\n", sum.Rejects, sum.Rejected[0].File, sum.Rejected[0].Line, sum.Rejected[0].Reason)
	}
	out.Source.Format, out.Source.Map, out.Source.RejectedCount = format, fo["map"], sum.Rejects
	out.Source.Dropped = map[string]int64{"duplicate_records": sum.Duplicates, "post_id_conflicts": sum.Conflicts}
	for k, v := range fo {
		if k != "map" {
			if out.Source.Options == nil {
				out.Source.Options = map[string]string{}
			}
			out.Source.Options[k] = v
		}
	}
	for _, f := range sum.Sources {
		in := rundir.Input{Name: f.Name, SHA256: f.SHA256, Format: f.Format, Source: "file"}
		if f.Name != "-" {
			if abs, err := filepath.Abs(f.Name); err == nil {
				in.Path = abs
			}
		}
		out.Source.Inputs = append(out.Source.Inputs, in)
	}
	return out, nil
}

// withDataset opens the store, checks that the one who acts (--as) may
// read the dataset, and calls fn with the store; it returns the actor's
// id, for the run.json of a stored run.
func (e *env) withDataset(ctx context.Context, dataset string, fn func(db runs.PostSource) error) (string, error) {
	db, err := e.openStore(ctx)
	if err != nil {
		return "", err
	}
	defer db.Close()
	s := e.rules(db)
	a, err := s.CLIActor(ctx, e.as)
	if err != nil {
		return "", err
	}
	if err := s.DatasetAccess(ctx, a, dataset); err != nil {
		return "", err
	}
	return a.ID, fn(db)
}
