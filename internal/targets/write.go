package targets

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/narrative"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/textkey"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Manifest is a targeting run's manifest.json.
type Manifest struct {
	rundir.Manifest
	Params    Params              `json:"params"`
	Watchlist rundir.Input        `json:"watchlist"`
	Watched   []Entry             `json:"watched"`
	Run       *rundir.Communities `json:"coord_run,omitempty"`
}

// WriteOptions say what a run directory records besides the result.
type WriteOptions struct {
	Version   string
	Now       time.Time
	Source    rundir.Source
	Watchlist rundir.Input
	Groups    *rundir.Communities // a coordination run's communities, or nil
	// Names gives what the data calls an account (its handle without "@"
	// and its display name, "" unknown), written beside its UID; nil:
	// none known.
	Names func(account string) (handle, name string)
}

// Files a targeting run writes.
const (
	FileEvents   = "events.csv"
	FileBursts   = "bursts.csv"
	FileEdges    = "edges.csv"
	FileEvidence = "evidence.csv"
	FileTargets  = "targets.csv"
	FileManifest = "manifest.json"
)

// WriteDir writes the run directory.
func (r *Result) WriteDir(dir string, o WriteOptions) (*Manifest, error) {
	if err := rundir.Prepare(dir); err != nil {
		return nil, err
	}
	start := time.Now()
	files := []string{FileTargets, FileEvents, FileBursts, FileEdges, FileEvidence}
	names := o.Names
	if names == nil {
		names = func(string) (string, string) { return "", "" }
	}
	steps := []func(string) error{func(p string) error { return r.writeTargets(p, o.Groups) }, func(p string) error { return r.writeEvents(p, o.Groups, names) },
		r.writeBursts, func(p string) error { return r.writeEdges(p, names) }, func(p string) error { return r.writeEvidence(p, names) }}
	for i, f := range files {
		if err := steps[i](filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("targets: write %s: %w", f, err)
		}
	}
	r.Timings["output_s"] = time.Since(start).Seconds()
	m := &Manifest{Manifest: rundir.Manifest{Tool: "tahqiq targets", Version: o.Version, CreatedAt: o.Now.UTC(),
		Versions: map[string]string{"textnorm": textnorm.Version, "textkey": textkey.Version},
		Source:   o.Source, Counts: r.Counts, Timings: r.Timings, Files: append(files, FileManifest)},
		Params: r.Params, Watchlist: o.Watchlist, Watched: r.Watchlist.Entries, Run: o.Groups}
	if m.Rejected == nil {
		m.Rejected = []tahqiq.Reject{}
	}
	if err := rundir.WriteJSON(filepath.Join(dir, FileManifest), m); err != nil {
		return nil, fmt.Errorf("targets: write manifest: %w", err)
	}
	return m, nil
}

func (r *Result) target(t int) (string, string) {
	e := r.Watchlist.Entries[t]
	return e.Account, e.Label
}

func community(g *rundir.Communities, account string) string {
	if g == nil {
		return ""
	}
	if c, ok := g.Of[account]; ok {
		return c
	}
	return "none"
}

func (r *Result) writeEvents(path string, g *rundir.Communities, names func(string) (string, string)) error {
	head := []string{"post_id", "time", "actor_id", "actor_handle", "target", "target_label", "type", "burst_id", "narrative_id", "narrative_label", "coordinated", "community", "text", "actor_name"}
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for _, e := range r.Events {
			p := &r.Posts[e.Post]
			t, l := r.target(e.Target)
			burst := ""
			if e.Burst >= 0 {
				burst = strconv.Itoa(e.Burst + 1)
			}
			_, name := names(p.Account)
			if err := w.Write([]string{p.ID, rundir.Time(p.Time, p.HasTime), p.Account, p.Handle, t, l, e.Type, burst, e.Narrative, e.Label,
				strconv.FormatBool(r.Coordinated[p.Account]), community(g, p.Account), narrative.Excerpt(p.Text, 280), name}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (r *Result) writeBursts(path string) error {
	head := []string{"burst_id", "target", "target_label", "start", "end", "hours", "events", "actors", "peak_hour", "peak_events", "baseline_median", "max_z"}
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for i, b := range r.Bursts {
			t, l := r.target(b.Target)
			if err := w.Write([]string{strconv.Itoa(i + 1), t, l, rundir.Time(b.Start, true), rundir.Time(b.End, true), strconv.Itoa(b.Hours),
				strconv.Itoa(b.Events), strconv.Itoa(b.Actors), rundir.Time(b.Peak, true), strconv.Itoa(b.PeakEvents),
				rundir.Float(b.Median), rundir.Float(b.MaxZ)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (r *Result) writeEdges(path string, names func(string) (string, string)) error {
	head := []string{"account_a", "account_b", "pairs", "co_reply", "co_mention", "coordinated", "targets", "first", "last", "min_dt", "avg_dt",
		"handle_a", "name_a", "handle_b", "name_b"}
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for _, e := range r.Edges {
			var ts []string
			for _, t := range e.Targets {
				a, _ := r.target(t)
				ts = append(ts, a)
			}
			ha, na := names(e.A)
			hb, nb := names(e.B)
			if err := w.Write([]string{e.A, e.B, strconv.Itoa(e.Pairs), strconv.Itoa(e.CoReply), strconv.Itoa(e.CoMention),
				strconv.FormatBool(e.Pairs >= r.Params.MinPairs), strings.Join(ts, ";"), rundir.Time(e.First, true), rundir.Time(e.Last, true),
				strconv.FormatInt(e.MinDt, 10), rundir.Float(float64(e.SumDt) / float64(e.Pairs)), ha, na, hb, nb}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (r *Result) writeEvidence(path string, names func(string) (string, string)) error {
	head := []string{"kind", "object", "target", "post_a", "post_b", "account_a", "account_b", "time_a", "time_b", "dt",
		"handle_a", "name_a", "handle_b", "name_b"}
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for _, ev := range r.Evidence {
			a, b := &r.Posts[ev.PostA], &r.Posts[ev.PostB]
			t, _ := r.target(ev.Target)
			ha, na := names(a.Account)
			hb, nb := names(b.Account)
			if err := w.Write([]string{ev.Kind, ev.Object, t, a.ID, b.ID, a.Account, b.Account, rundir.Time(a.Time, a.HasTime),
				rundir.Time(b.Time, b.HasTime), strconv.FormatInt(ev.Dt, 10), ha, na, hb, nb}); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeTargets writes one row per watched account: its events by type,
// distinct actors, bursts, the actors in coordinated edges and the share
// of events they made, and its most frequent narratives.
func (r *Result) writeTargets(path string, g *rundir.Communities) error {
	type agg struct {
		types       map[string]int
		actors      map[string]bool
		coordEvents int
		bursts      int
		narratives  map[string]int
		labels      map[string]string
		groups      map[string]int
	}
	aggs := make([]agg, len(r.Watchlist.Entries))
	for i := range aggs {
		aggs[i] = agg{types: map[string]int{}, actors: map[string]bool{}, narratives: map[string]int{}, labels: map[string]string{}, groups: map[string]int{}}
	}
	for _, e := range r.Events {
		a := &aggs[e.Target]
		p := &r.Posts[e.Post]
		a.types[e.Type]++
		a.actors[p.Account] = true
		if r.Coordinated[p.Account] {
			a.coordEvents++
		}
		if e.Narrative != "" {
			a.narratives[e.Narrative]++
			a.labels[e.Narrative] = e.Label
		}
		if c := community(g, p.Account); c != "" && c != "none" {
			a.groups[c]++
		}
	}
	for _, b := range r.Bursts {
		aggs[b.Target].bursts++
	}
	head := []string{"target", "label", "events", "actors", "replies", "quotes", "mentions", "names", "bursts", "coordinated_actors", "coordinated_share", "narratives", "narrative_labels"}
	if g != nil {
		head = append(head, "communities")
	}
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for t, e := range r.Watchlist.Entries {
			a := aggs[t]
			n := a.types[TypeReply] + a.types[TypeQuote] + a.types[TypeMention] + a.types[TypeName]
			coordActors := 0
			for act := range a.actors {
				if r.Coordinated[act] {
					coordActors++
				}
			}
			share := 0.0
			if n > 0 {
				share = float64(a.coordEvents) / float64(n)
			}
			ids := topKeys(a.narratives, 5)
			var labels []string
			for _, id := range ids {
				labels = append(labels, a.labels[id])
			}
			rec := []string{e.Account, e.Label, strconv.Itoa(n), strconv.Itoa(len(a.actors)), strconv.Itoa(a.types[TypeReply]), strconv.Itoa(a.types[TypeQuote]),
				strconv.Itoa(a.types[TypeMention]), strconv.Itoa(a.types[TypeName]), strconv.Itoa(a.bursts), strconv.Itoa(coordActors), rundir.Float(share),
				strings.Join(ids, ";"), strings.Join(labels, ";")}
			if g != nil {
				rec = append(rec, strings.Join(topKeys(a.groups, 10), ";"))
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func topKeys(m map[string]int, k int) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return cmp.Compare(m[b], m[a])
		}
		return strings.Compare(a, b)
	})
	return keys[:min(len(keys), k)]
}
