package signals

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// MinPosts is the number of timed posts below which the hour entropy and
// the burstiness of an account are left empty: with fewer, the profile
// says more about chance than about a habit (../shared/docs/narratives.md
// §3.6).
const MinPosts = 30

// FastGap is the gap between two posts of an account under which it
// counts in fast_gap_share, in seconds.
const FastGap = 60

// Builder collects the posts and profiles of accounts; Rows computes
// their signals. The zero value is ready to use. A Builder is not safe for
// concurrent use.
type Builder struct {
	m map[string]*account
	// dense is the accounts by the caller's dense index of their UIDs
	// (PostAt), nil where not yet asked: a post's author found without
	// hashing its UID again
	dense []*account
}

// account is what the builder keeps of one account. The fields every
// post touches come first, side by side: the first two cache lines hold
// them up to reach.Posts, then hours (one line a post). On a read of
// millions of posts an author's entry is a cache miss a line its post
// touches (before this order: some six lines).
type account struct {
	platform                                        string
	posts, untimed, reposts, replies, quotes, links int64
	times                                           []int64 // Unix seconds of the timed posts
	clients                                         map[string]int64
	noClient                                        int64
	followersMin, followersMax                      int64 // over the posts' author views; -1 unknown
	reach                                           Reach // its posts and their counts (Accounts, Followers unset)
	hours                                           [24]int64
	handles, names                                  []seen

	named                            bool // its profile is decided (the first record naming it)
	hasProfile                       bool
	created                          time.Time
	handle, name                     string
	followers, following, postsCount int64
}

// seen is one handle or name and when the records give it.
type seen struct {
	key         string // folded handle, or the name as written
	text        string // as written at its first time (the smallest at a tie)
	first, last int64
	dated       bool
	n           int64 // observations
}

func (b *Builder) of(uid string) *account {
	if b.m == nil {
		b.m = map[string]*account{}
	}
	a := b.m[uid]
	if a == nil {
		a = &account{followers: -1, following: -1, postsCount: -1, followersMin: -1, followersMax: -1}
		b.m[strings.Clone(uid)] = a // a copy: the uid may share a record's memory
	}
	return a
}

// Account takes an account as a record describes it: the first record
// naming the account decides its profile (creation date, handle, name,
// followers, following, posts count), as a dataset keeps it.
func (b *Builder) Account(x tahqiq.Account) {
	a := b.of(x.UID)
	if a.named {
		return
	}
	a.named, a.hasProfile = true, true
	a.platform, a.created = x.Platform, x.CreatedAt
	a.handle, a.name = strings.Clone(x.Handle), strings.Clone(x.Name)
	a.followers, a.following, a.postsCount = max(x.Followers, -1), max(x.Following, -1), max(x.PostsCount, -1)
	if x.Handle != "" {
		a.handles = see(a.handles, textnorm.Mention(x.Handle), x.Handle, 0, false)
	}
	if x.Name != "" {
		a.names = see(a.names, x.Name, x.Name, 0, false)
	}
}

// EachName calls fn with every account whose profile (the first record
// naming it) gives a handle or a name.
func (b *Builder) EachName(fn func(uid, handle, name string)) {
	for uid, a := range b.m {
		if a.handle != "" || a.name != "" {
			fn(uid, a.handle, a.name)
		}
	}
}

// Name returns the handle and name of account uid as its profile (the
// first record naming it) gives them, "" unknown.
func (b *Builder) Name(uid string) (handle, name string) {
	if a := b.m[uid]; a != nil {
		return a.handle, a.name
	}
	return "", ""
}

// Author takes an account a record names only as a post's author: if no
// record named it before, its profile is unknown.
func (b *Builder) Author(uid string) { b.of(uid).named = true }

// Post takes a post as first seen (never again): it counts for its
// author, its author view (Post.Author) adds to the author's handles and
// names, and the handles by which it names other accounts with their ids
// (mentions, the accounts it reposts, quotes or answers) add to theirs.
func (b *Builder) Post(p *tahqiq.Post) { b.post(b.of(p.AuthorUID), p) }

// PostAt is Post for a post whose author the caller knows by a dense
// index (0, 1, ...: one per account UID, the same for every post of it,
// as a coord.Collector numbers its accounts): the author's entry is then
// found by the index, without hashing its UID, once PostAt has seen it.
func (b *Builder) PostAt(author int, p *tahqiq.Post) {
	if author >= len(b.dense) {
		b.dense = slices.Grow(b.dense, author+1-len(b.dense))
		b.dense = b.dense[:cap(b.dense)]
	}
	a := b.dense[author]
	if a == nil {
		a = b.of(p.AuthorUID)
		b.dense[author] = a
	}
	b.post(a, p)
}

func (b *Builder) post(a *account, p *tahqiq.Post) {
	if a.platform == "" {
		a.platform = p.Platform
	}
	a.posts++
	a.reach.AddPost(CountsOf(p))
	var t int64
	timed := !p.CreatedAt.IsZero() && p.Precision != tahqiq.PrecisionNone
	if timed {
		t = p.CreatedAt.Unix()
		a.times = append(a.times, t)
		a.hours[p.CreatedAt.UTC().Hour()]++
	} else {
		a.untimed++
	}
	switch p.Kind {
	case tahqiq.KindRepost:
		a.reposts++
	case tahqiq.KindReply:
		a.replies++
	case tahqiq.KindQuote:
		a.quotes++
	}
	if len(p.Links) > 0 {
		a.links++
	}
	if p.Client != "" {
		if a.clients == nil {
			a.clients = map[string]int64{}
		}
		if _, ok := a.clients[p.Client]; !ok {
			a.clients[strings.Clone(p.Client)] = 0
		}
		a.clients[p.Client]++
	} else {
		a.noClient++
	}
	if v := p.Author; v != nil {
		if v.Handle != "" {
			a.handles = see(a.handles, textnorm.Mention(v.Handle), v.Handle, t, timed)
		}
		if v.Name != "" {
			a.names = see(a.names, v.Name, v.Name, t, timed)
		}
		if v.Followers >= 0 {
			if a.followersMin < 0 || v.Followers < a.followersMin {
				a.followersMin = v.Followers
			}
			a.followersMax = max(a.followersMax, v.Followers)
		}
	}
	for _, m := range p.Mentions {
		if m.ID != "" && m.Text != "" && p.Platform != "" {
			o := b.of(p.Platform + ":" + m.ID)
			o.handles = see(o.handles, textnorm.Mention(m.Text), m.Text, t, timed)
		}
	}
	for _, r := range p.References {
		if r.TargetAccountID != "" && r.TargetAccount != "" && p.Platform != "" {
			o := b.of(p.Platform + ":" + r.TargetAccountID)
			o.handles = see(o.handles, textnorm.Mention(r.TargetAccount), r.TargetAccount, t, timed)
		}
	}
}

// see adds one observation of key (written text) at t to list.
func see(list []seen, key, text string, t int64, dated bool) []seen {
	if key == "" {
		return list
	}
	for i := range list {
		s := &list[i]
		if s.key != key {
			continue
		}
		s.n++
		switch {
		case !dated:
			if !s.dated && text < s.text {
				s.text = text
			}
		case !s.dated:
			s.text, s.first, s.last, s.dated = strings.Clone(text), t, t, true
		default:
			if t < s.first || (t == s.first && text < s.text) {
				s.text = strings.Clone(text)
			}
			s.first, s.last = min(s.first, t), max(s.last, t)
		}
		return list
	}
	return append(list, seen{key: strings.Clone(key), text: strings.Clone(text), first: t, last: t, dated: dated, n: 1})
}

// Followers returns the followers of an account as the first record
// naming it gives them, -1 when unknown.
func (b *Builder) Followers(uid string) int64 {
	if a := b.m[uid]; a != nil {
		return a.followers
	}
	return -1
}

// Reach returns the reach of one account: itself with its followers
// (the first record naming it), its posts and their own counts; nil
// when the builder knows nothing of it.
func (b *Builder) Reach(uid string) *Reach {
	a := b.m[uid]
	if a == nil || (!a.named && a.posts == 0) {
		return nil
	}
	r := a.reach
	r.AddAccount(a.followers)
	return &r
}

// Len returns the number of accounts with at least one post.
func (b *Builder) Len() int {
	n := 0
	for _, a := range b.m {
		if a.posts > 0 {
			n++
		}
	}
	return n
}

// Rows returns the signals of every account with at least one post, by
// account UID.
func (b *Builder) Rows() map[string]*Row {
	out := make(map[string]*Row, len(b.m))
	for uid, a := range b.m {
		if a.posts > 0 {
			out[uid] = a.row(uid)
		}
	}
	return out
}

// Row returns the signals of one account, or nil when it has no post.
func (b *Builder) Row(uid string) *Row {
	a := b.m[uid]
	if a == nil || a.posts == 0 {
		return nil
	}
	return a.row(uid)
}

func (a *account) row(uid string) *Row {
	r := &Row{Account: uid, PostsTotal: a.posts, TimedPosts: int64(len(a.times)), HourProfile: slices.Clone(a.hours[:])}
	times := slices.Clone(a.times)
	slices.Sort(times)
	if !a.created.IsZero() {
		r.CreatedAt = a.created.UTC().Format(time.RFC3339)
		if len(times) > 0 {
			r.AgeFirstDays = fnum(float64(times[0]-a.created.Unix()) / 86400)
			r.AgeLastDays = fnum(float64(times[len(times)-1]-a.created.Unix()) / 86400)
		}
	}
	if len(times) > 0 {
		days := map[int64]bool{}
		for _, t := range times {
			days[floorDiv(t, 86400)] = true
		}
		r.ActiveDays = int64(len(days))
		r.PostsPerDay = fnum(float64(len(times)) / float64(len(days)))
		r.MaxPosts1h = maxIn(times, 3600)
		r.MaxPosts24h = maxIn(times, 86400)
	}
	n := float64(a.posts)
	r.RepostShare = round(float64(a.reposts) / n)
	r.ReplyShare = round(float64(a.replies) / n)
	r.QuoteShare = round(float64(a.quotes) / n)
	r.LinkShare = round(float64(a.links) / n)
	if len(times) >= MinPosts {
		h := entropy(a.hours[:], len(times))
		r.HourEntropy = fnum(h)
		r.HourEntropyNorm = fnum(h / math.Log2(24))
		r.Burstiness = burstiness(times)
	}
	if len(times) >= 2 {
		fast := 0
		for i := 1; i < len(times); i++ {
			if times[i]-times[i-1] < FastGap {
				fast++
			}
		}
		r.FastGapShare = fnum(float64(fast) / float64(len(times)-1))
	}
	if len(a.clients) > 0 {
		for c, k := range a.clients {
			r.Clients = append(r.Clients, Count{Value: c, N: k})
		}
		if a.noClient > 0 {
			r.Clients = append(r.Clients, Count{Value: NoClient, N: a.noClient})
		}
		slices.SortFunc(r.Clients, func(x, y Count) int {
			if c := cmp.Compare(y.N, x.N); c != 0 {
				return c
			}
			switch {
			case x.Value == NoClient && y.Value != NoClient:
				return 1 // at a tie, named clients first
			case y.Value == NoClient && x.Value != NoClient:
				return -1
			}
			return strings.Compare(x.Value, y.Value)
		})
		for _, c := range r.Clients {
			if c.Value != NoClient {
				r.ClientTop, r.ClientTopShare = c.Value, fnum(float64(c.N)/n)
				break
			}
		}
	}
	handle := a.handle
	r.Handles = seenList(a.handles)
	r.Names = seenList(a.names)
	if handle == "" && len(r.Handles) > 0 {
		handle = r.Handles[len(r.Handles)-1].Value // the latest a post gives
	}
	if handle != "" {
		d := digits(handle)
		r.HandleDigits = &d
		if a.platform == tahqiq.PlatformX {
			b := DefaultHandle(handle)
			r.DefaultHandle = &b
		}
	}
	name := a.name
	if name == "" && len(r.Names) > 0 {
		name = r.Names[len(r.Names)-1].Value
	}
	if name != "" {
		d := digits(name)
		r.NameDigits = &d
	}
	r.Handle, r.Name = handle, name
	r.Renames = int64(max(len(r.Handles)-1, 0))
	r.NameChanges = int64(max(len(r.Names)-1, 0))
	r.Followers, r.Following, r.PostsCount = inum(a.followers), inum(a.following), inum(a.postsCount)
	if a.followers >= 0 && a.following >= 0 {
		r.FollowRatio = fnum(math.Log10(float64(a.followers+1) / float64(a.following+1)))
	}
	lo, hi := a.followersMin, a.followersMax
	if a.followers >= 0 {
		if lo < 0 || a.followers < lo {
			lo = a.followers
		}
		hi = max(hi, a.followers)
	}
	r.FollowersMin, r.FollowersMax = inum(lo), inum(hi)
	return r
}

// seenList orders handles or names by the first time a record gives
// them (undated ones, from a profile alone, last), then by text.
func seenList(list []seen) []Seen {
	if len(list) == 0 {
		return nil
	}
	s := slices.Clone(list)
	slices.SortFunc(s, func(x, y seen) int {
		switch {
		case x.dated != y.dated:
			if x.dated {
				return -1
			}
			return 1
		case x.dated && x.first != y.first:
			return cmp.Compare(x.first, y.first)
		}
		return strings.Compare(x.key, y.key)
	})
	out := make([]Seen, len(s))
	for i, x := range s {
		out[i] = Seen{Value: x.text, Records: x.n}
		if x.dated {
			out[i].First, out[i].Last = stamp(x.first), stamp(x.last)
		}
	}
	return out
}

// DefaultHandle reports whether an X handle has the form X gives new
// accounts by default since 2017: up to seven letters or underscores of
// the name followed by eight digits (Kazemi 2020).
func DefaultHandle(h string) bool {
	h = strings.TrimPrefix(h, "@")
	if len(h) < 9 || len(h) > 15 {
		return false
	}
	head, tail := h[:len(h)-8], h[len(h)-8:]
	for i := 0; i < len(tail); i++ {
		if tail[i] < '0' || tail[i] > '9' {
			return false
		}
	}
	for i := 0; i < len(head); i++ {
		c := head[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

func digits(s string) int64 {
	n := int64(0)
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// maxIn returns the most posts within any span of w seconds (sorted
// times; a post at t and one at t+w-1 are within one).
func maxIn(times []int64, w int64) int64 {
	best, j := 0, 0
	for i := range times {
		for times[i]-times[j] >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return int64(best)
}

// entropy is the Shannon entropy, in bits, of the hour-of-day counts.
func entropy(hours []int64, n int) float64 {
	h := 0.0
	for _, c := range hours {
		if c > 0 {
			p := float64(c) / float64(n)
			h -= p * math.Log2(p)
		}
	}
	return h
}

// burstiness is (σ − μ)/(σ + μ) of the gaps between consecutive posts
// (Goh and Barabási 2008): −1 regular, 0 as random (Poisson), towards 1
// bursty. nil when every gap is zero.
func burstiness(times []int64) *float64 {
	n := float64(len(times) - 1)
	mean := float64(times[len(times)-1]-times[0]) / n
	ss := 0.0
	for i := 1; i < len(times); i++ {
		d := float64(times[i]-times[i-1]) - mean
		ss += d * d
	}
	sd := math.Sqrt(ss / n)
	if sd+mean == 0 {
		return nil
	}
	return fnum((sd - mean) / (sd + mean))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// round keeps four decimals, so that outputs do not carry the noise of
// the last bits.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func fnum(x float64) *float64 {
	x = round(x)
	return &x
}

func inum(x int64) *int64 {
	if x < 0 {
		return nil
	}
	return &x
}

func stamp(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }
