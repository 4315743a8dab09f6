package runs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/claims"
	"github.com/tahqiq/tahqiq/internal/narrative"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/signals"
	"github.com/tahqiq/tahqiq/internal/targets"
)

// The text analyses (narratives, claims match, targets) are made, like a
// coordination run, by one function each whoever asks: Make* writes a run
// into a directory from what was read (the CLI's --input files), and
// Store.Run* reads a stored dataset and keeps the run under DATA/runs (the
// CLI's --dataset runs and the server's jobs), so that the same data and
// parameters give the same files.

// TextRun is what every text analysis reads: where the posts came from
// (for the manifest), how long reading took, and what the run is called.
type TextRun struct {
	Source  rundir.Source
	Read    float64 // seconds spent reading
	Dataset string  // the stored dataset read ("" for files)
	Actor   string  // who asked (run.json's created_by)
	Name    string  // what its author calls it
	// Names gives what the data calls an account (handle, display name)
	// by the rule of coordination runs (the first record naming it): the
	// run's files write them beside every account UID (issue 16). nil:
	// none known.
	Names func(account string) (handle, name string)
}

// NarrativesRun is a narratives run to make.
type NarrativesRun struct {
	TextRun
	Posts     []narrative.Post
	Followers func(account string) int64 // signals.Builder.Followers: for the reach
	Params    narrative.Params
	Groups    *rundir.Communities // a coordination run's communities to link, or nil
	CoordRun  string              // that run's id when it is a stored run
}

// MakeNarratives groups r's posts and writes the run into dir. It takes
// r's posts (nil afterwards).
func MakeNarratives(ctx context.Context, r *NarrativesRun, version, dir string) (*narrative.Result, *narrative.Manifest, error) {
	posts := r.Posts
	r.Posts = nil
	res, err := narrative.Group(ctx, posts, r.Params)
	if err != nil {
		return nil, nil, err
	}
	res.Timings["read_s"] = r.Read
	ph := progress.Start(ctx, "writing "+dir, "", 0)
	m, err := res.WriteDir(dir, narrative.WriteOptions{Version: version, Now: time.Now(), Source: r.Source, Groups: r.Groups, Followers: r.Followers, Names: r.Names})
	ph.Done()
	return res, m, err
}

// DatasetNarratives reads a stored dataset for a narratives run: every
// post but service messages, and the accounts' followers (the reach).
func DatasetNarratives(ctx context.Context, st PostSource, name string) (NarrativesRun, error) {
	start := time.Now()
	r := NarrativesRun{TextRun: TextRun{Dataset: name}}
	var accounts signals.Builder
	src, err := ReadDataset(ctx, st, name, func(p *tahqiq.Post) error {
		if narrative.Include(*p) {
			r.Posts = append(r.Posts, narrative.FromPost(*p))
		}
		return nil
	}, &accounts)
	r.Source, r.Followers, r.Names, r.Read = src, accounts.Followers, accounts.Name, time.Since(start).Seconds()
	return r, err
}

// StoreNarratives makes the run r into the store: a new run directory,
// listed once whole. The Info's directory is Path(Narratives, in.ID).
func (s *Store) StoreNarratives(ctx context.Context, r *NarrativesRun, version string) (Info, *narrative.Result, *narrative.Manifest, error) {
	run, err := s.create(Narratives)
	if err != nil {
		return Info{}, nil, nil, err
	}
	res, m, err := MakeNarratives(ctx, r, version, run.tmp)
	if err != nil {
		run.abandon()
		return Info{}, nil, nil, err
	}
	in := s.info(r.TextRun, m.Params, m.Counts, m.Inputs)
	in.CoordRun = r.CoordRun
	if in, err = s.finish(ctx, run, in); err != nil {
		return in, nil, nil, err
	}
	return in, res, m, nil
}

// CoordCommunities reads the communities of a coordination run named by
// its directory or, when no such directory exists, by the id of a stored
// run; it returns the stored run's id ("" for a directory).
func (s *Store) CoordCommunities(run string) (*rundir.Communities, string, error) {
	if st, err := os.Stat(run); err == nil && st.IsDir() {
		c, err := rundir.ReadCommunities(run)
		return c, "", err
	}
	dir, err := s.Path(Coord, run)
	if err != nil {
		return nil, "", tahqiq.Errorf(tahqiq.ENOTFOUND, "no coordination run %q (a directory tahqiq coord --out wrote, or the id of a stored run)", run)
	}
	c, err := rundir.ReadCommunities(dir)
	return c, run, err
}

// ClaimsRun is a claims match to make.
type ClaimsRun struct {
	TextRun
	Posts       []claims.Post
	Claims      []claims.Claim
	ClaimInputs []rundir.Input // the claim set or files, for the manifest
	ClaimSet    string         // the stored claim set matched, when one is
	Params      claims.Params
}

// MakeClaims matches r's posts against its claims and writes the run into
// dir. It takes r's posts.
func MakeClaims(ctx context.Context, r *ClaimsRun, version, dir string) (*claims.Result, *claims.Manifest, error) {
	posts := r.Posts
	r.Posts = nil
	res, err := claims.Find(ctx, r.Claims, posts, r.Params)
	if err != nil {
		return nil, nil, err
	}
	res.Timings["read_s"] = r.Read
	ph := progress.Start(ctx, "writing "+dir, "", 0)
	m, err := res.WriteDir(dir, claims.WriteOptions{Version: version, Now: time.Now(), Source: r.Source, Claims: r.ClaimInputs, Names: r.Names})
	ph.Done()
	return res, m, err
}

// DatasetClaimPosts reads a stored dataset for a claims match: every post
// but service messages and reposts (a repost carries its original's text).
func DatasetClaimPosts(ctx context.Context, st PostSource, name string) ([]claims.Post, TextRun, error) {
	start := time.Now()
	var posts []claims.Post
	names := rundir.Names{}
	src, err := ReadDataset(ctx, st, name, func(p *tahqiq.Post) error {
		if p.Kind != tahqiq.KindService && p.Kind != tahqiq.KindRepost {
			posts = append(posts, claims.FromPost(*p))
		}
		return nil
	}, names)
	return posts, TextRun{Source: src, Read: time.Since(start).Seconds(), Dataset: name, Names: names.Of}, err
}

// StoreClaims makes the claims match r into the store.
func (s *Store) StoreClaims(ctx context.Context, r *ClaimsRun, version string) (Info, *claims.Manifest, error) {
	run, err := s.create(Claims)
	if err != nil {
		return Info{}, nil, err
	}
	_, m, err := MakeClaims(ctx, r, version, run.tmp)
	if err != nil {
		run.abandon()
		return Info{}, nil, err
	}
	in := s.info(r.TextRun, m.Params, m.Counts, m.Inputs)
	in.ClaimSet = r.ClaimSet
	if in, err = s.finish(ctx, run, in); err != nil {
		return in, nil, err
	}
	return in, m, nil
}

// TargetsRun is a targeting run to make.
type TargetsRun struct {
	TextRun
	Posts     []targets.Post
	Watchlist *targets.Watchlist
	// WatchlistInput names the watchlist for the manifest; WatchlistText,
	// when set (the server's runs, whose watchlist is no file), is kept in
	// the run directory as watchlist.txt.
	WatchlistInput rundir.Input
	WatchlistText  []byte
	Params         targets.Params
	Groups         *rundir.Communities
	CoordRun       string
}

// MakeTargets finds the events, bursts and co-action of r's posts on its
// watchlist and writes the run into dir. It takes r's posts.
func MakeTargets(ctx context.Context, r *TargetsRun, version, dir string) (*targets.Result, *targets.Manifest, error) {
	posts := r.Posts
	r.Posts = nil
	res, err := targets.Run(ctx, r.Watchlist, posts, r.Params)
	if err != nil {
		return nil, nil, err
	}
	res.Timings["read_s"] = r.Read
	ph := progress.Start(ctx, "writing "+dir, "", 0)
	m, err := res.WriteDir(dir, targets.WriteOptions{Version: version, Now: time.Now(), Source: r.Source, Watchlist: r.WatchlistInput, Groups: r.Groups, Names: r.Names})
	ph.Done()
	if err == nil && r.WatchlistText != nil {
		err = os.WriteFile(filepath.Join(dir, WatchlistFile), r.WatchlistText, 0o640)
	}
	return res, m, err
}

// WatchlistFile is the watchlist as given, in a server's targets run.
const WatchlistFile = "watchlist.txt"

// WatchlistInput names a watchlist given as text (not a file) for a
// manifest.
func WatchlistInput(text []byte) rundir.Input {
	sum := sha256.Sum256(text)
	return rundir.Input{Name: WatchlistFile, SHA256: hex.EncodeToString(sum[:]), Source: "watchlist"}
}

// DatasetTargets reads a stored dataset for a targeting run: every post
// but service messages, with its author's handle as the dataset keeps it.
func DatasetTargets(ctx context.Context, st PostSource, name string) ([]targets.Post, TextRun, error) {
	start := time.Now()
	var raw []tahqiq.Post
	names := rundir.Names{}
	src, err := ReadDataset(ctx, st, name, func(p *tahqiq.Post) error {
		if p.Kind != tahqiq.KindService {
			q := *p
			q.Hashtags, q.Links, q.Media, q.Metrics, q.Labels, q.Objects, q.Author = nil, nil, nil, nil, nil, nil, nil
			raw = append(raw, q)
		}
		return nil
	}, names)
	posts := make([]targets.Post, len(raw))
	for i, p := range raw {
		posts[i] = targets.FromPost(p, names[p.AuthorUID].Handle)
	}
	return posts, TextRun{Source: src, Read: time.Since(start).Seconds(), Dataset: name, Names: names.Of}, err
}

var _ AccountSink = rundir.Names{}

// StoreTargets makes the targeting run r into the store.
func (s *Store) StoreTargets(ctx context.Context, r *TargetsRun, version string) (Info, *targets.Manifest, error) {
	run, err := s.create(Targets)
	if err != nil {
		return Info{}, nil, err
	}
	_, m, err := MakeTargets(ctx, r, version, run.tmp)
	if err != nil {
		run.abandon()
		return Info{}, nil, err
	}
	in := s.info(r.TextRun, m.Params, m.Counts, m.Inputs)
	in.CoordRun = r.CoordRun
	if in, err = s.finish(ctx, run, in); err != nil {
		return in, nil, err
	}
	return in, m, nil
}

// info is the run.json of a text analysis.
func (s *Store) info(r TextRun, params any, counts map[string]int64, inputs []rundir.Input) Info {
	raw, _ := json.Marshal(params)
	in := Info{Name: cleanName(r.Name), Dataset: r.Dataset, CreatedBy: r.Actor, Params: raw, Counts: counts}
	if r.Dataset == "" {
		for _, f := range inputs {
			in.Inputs = append(in.Inputs, f.Name)
		}
	}
	return in
}
