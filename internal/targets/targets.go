package targets

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/narrative"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Event types, strongest first: a post that replies to a watched account
// and mentions it is one reply event.
const (
	TypeReply   = "reply"
	TypeQuote   = "quote"
	TypeMention = "mention"
	TypeName    = "name" // an alias found in the text: weaker, names collide
)

var typeRank = map[string]int{TypeReply: 0, TypeQuote: 1, TypeMention: 2, TypeName: 3}

// Ref is an account (and post) a post interacts with.
type Ref struct {
	AccountID string // platform id or UID, when the source gives it
	Handle    string
	PostID    string // the replied-to or quoted post's UID
}

// Post is what targeting needs of a post.
type Post struct {
	ID       string
	Account  string // UID
	Handle   string // the author's handle, when known
	Time     int64
	HasTime  bool
	Text     string
	Repost   bool
	ReplyTo  *Ref
	QuoteOf  *Ref
	Mentions []Ref
}

// FromPost takes what targeting needs from a post.
func FromPost(p tahqiq.Post, handle string) Post {
	tp := Post{ID: p.UID, Account: p.AuthorUID, Handle: handle, Text: p.Text, Repost: p.Kind == tahqiq.KindRepost}
	if p.TextFull != "" {
		tp.Text = p.TextFull
	}
	if !p.CreatedAt.IsZero() && p.Precision != tahqiq.PrecisionNone {
		tp.Time, tp.HasTime = p.CreatedAt.Unix(), true
	}
	for _, r := range p.References {
		ref := &Ref{AccountID: r.TargetAccountID, Handle: r.TargetAccount, PostID: r.TargetUID}
		if ref.PostID == "" && r.TargetID != "" {
			ref.PostID = p.Platform + ":" + r.TargetID
		}
		switch r.Type {
		case tahqiq.RefReplyTo:
			tp.ReplyTo = ref
		case tahqiq.RefQuoteOf:
			tp.QuoteOf = ref
		}
	}
	for _, m := range p.Mentions {
		tp.Mentions = append(tp.Mentions, Ref{AccountID: m.ID, Handle: m.Text})
	}
	return tp
}

// Params are the parameters of a targeting run.
type Params struct {
	Window       int64   `json:"window_s"`        // co-reply and co-mention window, seconds (60)
	BurstZ       float64 `json:"burst_z"`         // robust z from which an hour is a burst (3)
	BurstMin     int     `json:"burst_min"`       // and at least this many events in it (10)
	BurstHistory int     `json:"burst_history_h"` // hours of history the median and MAD are taken over (24)
	MinPairs     int     `json:"min_pairs"`       // co-action pairs from which two accounts count as coordinated on the watchlist (2)
	Reposts      bool    `json:"reposts"`         // count reposts (a repost copies the original's mentions) (false)
	MaxEvidence  int     `json:"max_evidence"`    // evidence rows written (100,000); edges count every pair
}

// DefaultParams returns the start values (../shared/docs/narratives.md §3.5).
func DefaultParams() Params {
	return Params{Window: 60, BurstZ: 3, BurstMin: 10, BurstHistory: 24, MinPairs: 2, MaxEvidence: 100000}
}

// Validate checks the parameters.
func (p Params) Validate() error {
	switch {
	case p.Window < 0:
		return tahqiq.Errorf(tahqiq.EINVALID, "window %ds: want 0 or more seconds", p.Window)
	case p.BurstHistory < 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "burst history %d hours: want 1 or more", p.BurstHistory)
	case p.BurstMin < 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "burst minimum %d: want 1 or more", p.BurstMin)
	case p.MinPairs < 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "min pairs %d: want 1 or more", p.MinPairs)
	case p.MaxEvidence < 0:
		return tahqiq.Errorf(tahqiq.EINVALID, "max evidence %d: want 0 or more", p.MaxEvidence)
	}
	return nil
}

// Event is one post interacting with one watched account.
type Event struct {
	Post      int
	Target    int // watchlist entry
	Type      string
	Burst     int // index into Result.Bursts, -1 outside
	Narrative string
	Label     string
}

// Burst is a run of consecutive hours in which a target's events stand
// out: z = (x - median of the previous hours) / (1.4826 MAD + 1).
type Burst struct {
	Target     int
	Start, End int64 // first hour, end of the last hour
	Hours      int
	Events     int
	Actors     int
	Peak       int64 // hour of most events
	PeakEvents int
	MaxZ       float64
	Median     float64 // the baseline of the peak hour
}

// Edge is two accounts that interacted with watched accounts together.
type Edge struct {
	A, B        string // account UIDs, A < B
	Pairs       int    // co-action pairs
	CoReply     int    // of them, replies to the same post
	CoMention   int    // of them, interactions with the same watched account
	Targets     []int
	First, Last int64
	MinDt       int64
	SumDt       int64
}

// Evidence is one co-action pair.
type Evidence struct {
	Kind         string // co_reply or co_mention
	Object       string // the replied-to post, or the watched account
	Target       int
	PostA, PostB int
	Dt           int64
}

// Result is a targeting run.
type Result struct {
	Params    Params
	Watchlist *Watchlist
	Posts     []Post
	Events    []Event
	Bursts    []Burst
	Edges     []Edge
	Evidence  []Evidence
	Counts    map[string]int64
	Timings   map[string]float64
	// Coordinated are the accounts in an edge of at least MinPairs pairs.
	Coordinated map[string]bool
}

// Run finds the events, bursts and coordinated targeting edges.
func Run(ctx context.Context, w *Watchlist, posts []Post, p Params) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &Result{Params: p, Watchlist: w, Posts: posts, Counts: map[string]int64{}, Timings: map[string]float64{}, Coordinated: map[string]bool{}}
	start := time.Now()
	prog := progress.Start(ctx, "finding replies, mentions and quotes", "posts", int64(len(posts)))
	for i := range posts {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			prog.Set(int64(i))
		}
		r.Events = append(r.Events, events(w, &posts[i], i, p)...)
	}
	slices.SortStableFunc(r.Events, func(a, b Event) int {
		pa, pb := &posts[a.Post], &posts[b.Post]
		if pa.HasTime != pb.HasTime {
			if pa.HasTime {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(pa.Time, pb.Time); c != 0 {
			return c
		}
		if c := strings.Compare(pa.ID, pb.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.Target, b.Target)
	})
	r.Timings["events_s"] = time.Since(start).Seconds()
	start = time.Now()
	progress.Start(ctx, "bursts", "", 0)
	r.bursts()
	r.Timings["bursts_s"] = time.Since(start).Seconds()
	start = time.Now()
	progress.Start(ctx, "co-reply and co-mention pairs", "", 0)
	r.pairs()
	r.Timings["pairs_s"] = time.Since(start).Seconds()
	start = time.Now()
	prog = progress.Start(ctx, "the events' narratives", "", 0)
	defer prog.Done()
	if err := r.narratives(ctx); err != nil {
		return nil, err
	}
	r.Timings["narratives_s"] = time.Since(start).Seconds()
	r.Counts["posts"] = int64(len(posts))
	r.Counts["events"] = int64(len(r.Events))
	r.Counts["bursts"] = int64(len(r.Bursts))
	r.Counts["edges"] = int64(len(r.Edges))
	r.Counts["coordinated_accounts"] = int64(len(r.Coordinated))
	for _, e := range r.Events {
		r.Counts["events_"+e.Type]++
	}
	return r, nil
}

// events returns a post's events: one per watched account it replies to,
// quotes, mentions or names, of the strongest type; none for the watched
// account's own posts.
func events(w *Watchlist, p *Post, i int, prm Params) []Event {
	if p.Repost && !prm.Reposts {
		return nil
	}
	self := w.Lookup(p.Account, p.Handle)
	best := map[int]string{}
	note := func(target int, typ string) {
		if target < 0 || target == self {
			return
		}
		if old, ok := best[target]; !ok || typeRank[typ] < typeRank[old] {
			best[target] = typ
		}
	}
	if p.ReplyTo != nil {
		note(w.Lookup(p.ReplyTo.AccountID, p.ReplyTo.Handle), TypeReply)
	}
	if p.QuoteOf != nil {
		note(w.Lookup(p.QuoteOf.AccountID, p.QuoteOf.Handle), TypeQuote)
	}
	for _, m := range p.Mentions {
		note(w.Lookup(m.AccountID, m.Handle), TypeMention)
	}
	if hasAliases(w) {
		folded := textnorm.Fold(p.Text)
		for t, e := range w.Entries {
			if _, ok := best[t]; ok {
				continue
			}
			for _, a := range e.Aliases {
				if containsWord(folded, a) {
					note(t, TypeName)
					break
				}
			}
		}
	}
	out := make([]Event, 0, len(best))
	for t, typ := range best {
		out = append(out, Event{Post: i, Target: t, Type: typ, Burst: -1})
	}
	slices.SortFunc(out, func(a, b Event) int { return cmp.Compare(a.Target, b.Target) })
	return out
}

func hasAliases(w *Watchlist) bool {
	for _, e := range w.Entries {
		if len(e.Aliases) > 0 {
			return true
		}
	}
	return false
}

// containsWord reports whether s holds word with no letter or digit
// touching it on either side.
func containsWord(s, word string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], word)
		if i < 0 {
			return false
		}
		i += off
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(word):])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		off = i + 1
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

func hourOf(t int64) int64 {
	h := t / 3600 * 3600
	if t < 0 && t%3600 != 0 {
		h -= 3600
	}
	return h
}

// bursts flags, per target, the hours whose event count stands out from
// the previous BurstHistory hours (zeros included): z = (x - median) /
// (1.4826 MAD + 1) >= BurstZ and x >= BurstMin; consecutive flagged hours
// are one burst.
func (r *Result) bursts() {
	p := r.Params
	byTarget := map[int][]int{} // target -> event indices with a time
	for k, e := range r.Events {
		if r.Posts[e.Post].HasTime {
			byTarget[e.Target] = append(byTarget[e.Target], k)
		}
	}
	targets := make([]int, 0, len(byTarget))
	for t := range byTarget {
		targets = append(targets, t)
	}
	slices.Sort(targets)
	for _, t := range targets {
		evs := byTarget[t]
		first := hourOf(r.Posts[r.Events[evs[0]].Post].Time)
		last := hourOf(r.Posts[r.Events[evs[len(evs)-1]].Post].Time)
		nbins := int((last-first)/3600) + 1
		counts := make([]int, nbins)
		for _, k := range evs {
			counts[(hourOf(r.Posts[r.Events[k].Post].Time)-first)/3600]++
		}
		flag := make([]bool, nbins)
		zs := make([]float64, nbins)
		meds := make([]float64, nbins)
		hist := make([]float64, 0, p.BurstHistory)
		for b := 0; b < nbins; b++ {
			hist = hist[:0]
			for h := max(0, b-p.BurstHistory); h < b; h++ {
				hist = append(hist, float64(counts[h]))
			}
			med, mad := medianMAD(hist)
			z := (float64(counts[b]) - med) / (1.4826*mad + 1)
			zs[b], meds[b] = z, med
			flag[b] = z >= p.BurstZ && counts[b] >= p.BurstMin
		}
		for b := 0; b < nbins; {
			if !flag[b] {
				b++
				continue
			}
			e := b
			for e < nbins && flag[e] {
				e++
			}
			bu := Burst{Target: t, Start: first + int64(b)*3600, End: first + int64(e)*3600, Hours: e - b, MaxZ: math.Inf(-1)}
			for h := b; h < e; h++ {
				bu.Events += counts[h]
				if counts[h] > bu.PeakEvents {
					bu.PeakEvents, bu.Peak, bu.Median = counts[h], first+int64(h)*3600, meds[h]
				}
				bu.MaxZ = max(bu.MaxZ, zs[h])
			}
			actors := map[string]bool{}
			id := len(r.Bursts)
			for _, k := range evs {
				tm := r.Posts[r.Events[k].Post].Time
				if tm >= bu.Start && tm < bu.End {
					actors[r.Posts[r.Events[k].Post].Account] = true
					r.Events[k].Burst = id
				}
			}
			bu.Actors = len(actors)
			r.Bursts = append(r.Bursts, bu)
			b = e
		}
	}
}

func medianMAD(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := median(s)
	for i := range s {
		s[i] = math.Abs(s[i] - med)
	}
	slices.Sort(s)
	return med, median(s)
}

func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// pairs finds co-action pairs: two accounts' events on the same object
// within Window seconds (|dt| <= Window): replies to the same post
// (co_reply) and interactions with the same watched account (co_mention).
func (r *Result) pairs() {
	type obj struct {
		kind, key string
	}
	objects := map[obj][]int{} // -> event indices in time order
	var keys []obj
	for k, e := range r.Events {
		p := &r.Posts[e.Post]
		if !p.HasTime {
			continue
		}
		o := obj{"co_mention", r.Watchlist.Entries[e.Target].Account}
		if _, ok := objects[o]; !ok {
			keys = append(keys, o)
		}
		objects[o] = append(objects[o], k)
		if e.Type == TypeReply && p.ReplyTo != nil && p.ReplyTo.PostID != "" {
			o := obj{"co_reply", p.ReplyTo.PostID}
			if _, ok := objects[o]; !ok {
				keys = append(keys, o)
			}
			objects[o] = append(objects[o], k)
		}
	}
	type pk struct{ a, b string }
	edges := map[pk]*Edge{}
	for _, o := range keys {
		evs := objects[o]
		for x := 0; x < len(evs); x++ {
			ex := r.Events[evs[x]]
			px := &r.Posts[ex.Post]
			for y := x + 1; y < len(evs); y++ {
				ey := r.Events[evs[y]]
				py := &r.Posts[ey.Post]
				dt := py.Time - px.Time
				if dt > r.Params.Window {
					break
				}
				if px.Account == py.Account {
					continue
				}
				a, b, pa, pb := px.Account, py.Account, ex.Post, ey.Post
				if b < a {
					a, b, pa, pb = b, a, pb, pa
				}
				e := edges[pk{a, b}]
				if e == nil {
					e = &Edge{A: a, B: b, First: px.Time, Last: py.Time, MinDt: dt}
					edges[pk{a, b}] = e
				}
				e.Pairs++
				if o.kind == "co_reply" {
					e.CoReply++
				} else {
					e.CoMention++
				}
				if !slices.Contains(e.Targets, ex.Target) {
					e.Targets = append(e.Targets, ex.Target)
				}
				e.First, e.Last = min(e.First, px.Time), max(e.Last, py.Time)
				e.MinDt, e.SumDt = min(e.MinDt, dt), e.SumDt+dt
				if len(r.Evidence) < r.Params.MaxEvidence {
					r.Evidence = append(r.Evidence, Evidence{Kind: o.kind, Object: o.key, Target: ex.Target, PostA: pa, PostB: pb, Dt: dt})
				} else {
					r.Counts["evidence_cut"]++
				}
			}
		}
	}
	for _, e := range edges {
		slices.Sort(e.Targets)
		r.Edges = append(r.Edges, *e)
		if e.Pairs >= r.Params.MinPairs {
			r.Coordinated[e.A], r.Coordinated[e.B] = true, true
		}
	}
	slices.SortFunc(r.Edges, func(x, y Edge) int {
		if x.Pairs != y.Pairs {
			return cmp.Compare(y.Pairs, x.Pairs)
		}
		if c := strings.Compare(x.A, y.A); c != 0 {
			return c
		}
		return strings.Compare(x.B, y.B)
	})
}

// narratives groups the posts with events into narratives (the narrative
// package's defaults) and labels each event with its post's.
func (r *Result) narratives(ctx context.Context) error {
	idx := map[int]int{}
	var posts []narrative.Post
	for _, e := range r.Events {
		if _, ok := idx[e.Post]; ok {
			continue
		}
		p := &r.Posts[e.Post]
		idx[e.Post] = len(posts)
		posts = append(posts, narrative.Post{ID: p.ID, Account: p.Account, Time: p.Time, HasTime: p.HasTime, Text: p.Text})
	}
	if len(posts) == 0 {
		return nil
	}
	res, err := narrative.Group(ctx, posts, narrative.DefaultParams())
	if err != nil {
		return err
	}
	for k := range r.Events {
		m := res.Members[idx[r.Events[k].Post]]
		if m.Narrative >= 0 {
			r.Events[k].Narrative = res.Narratives[m.Narrative].ID
			r.Events[k].Label = res.Narratives[m.Narrative].Label
		}
	}
	r.Counts["narratives"] = int64(len(res.Narratives))
	return nil
}
