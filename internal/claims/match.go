package claims

import (
	"cmp"
	"context"
	"math"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/textkey"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Post is what matching needs of a post.
type Post struct {
	ID         string // post UID
	Account    string
	Platform   string
	PlatformID string
	URL        string // permalink, when known
	Time       int64
	HasTime    bool
	Text       string
}

// FromPost takes what matching needs from a post (its best full text).
func FromPost(p tahqiq.Post) Post {
	mp := Post{ID: p.UID, Account: p.AuthorUID, Platform: p.Platform, PlatformID: p.PlatformID, URL: p.URL, Text: p.Text}
	if p.TextFull != "" {
		mp.Text = p.TextFull
	}
	if !p.CreatedAt.IsZero() && p.Precision != tahqiq.PrecisionNone {
		mp.Time, mp.HasTime = p.CreatedAt.Unix(), true
	}
	return mp
}

// Language rules: which posts a claim is matched against.
const (
	LangsBridge = "bridge" // the claim's language, English, Urdu script, Roman Urdu and Hindi with each other, and undetermined posts
	LangsSame   = "same"   // the claim's language only
	LangsAny    = "any"    // every post
)

// Params are the parameters of a matching run.
type Params struct {
	Suggest     float64 `json:"suggest"`       // score from which a post is a suggested match (0.60, chosen on the dev half of the labelled set with Seed; Check's lexical suggestion is 0.7)
	Link        float64 `json:"link"`          // score from which it is a link (start 0.875, Check's lexical auto-match)
	MinWords    int     `json:"min_words"`     // a claim or post of fewer words is suggested, never linked (8, Check's text_length_matching_threshold)
	MinShared   int     `json:"min_shared"`    // a pair sharing fewer of the claim's words (or than all of a shorter claim's) has its score scaled by shared/min_shared (4; 0: no scaling)
	WindowDays  float64 `json:"window_days"`   // only posts within this many days of the review's date (0: any time)
	Langs       string  `json:"langs"`         // bridge, same or any
	MaxPerClaim int     `json:"max_per_claim"` // best matches kept per claim (1,000)
	// Seed: a claim's matches of this score or more (at most Seeds of
	// them, the best, of MinPostWords content words or more) are its seeds:
	// a post that repeats a seed matches the claim with the seed's score
	// times the post's score for the seed's words (pseudo-relevance
	// feedback; via "feedback", suggested at most). 0: none.
	Seed  float64 `json:"seed"`
	Seeds int     `json:"seeds"` // seeds per claim (3)
}

// DefaultParams returns the start values (../shared/docs/narratives.md §2,
// §3.4), but for MinShared (chosen on the dev half of the labelled set,
// internal/claims/testdata/eval, docs/narratives.md) and Suggest, Seed and
// Seeds (chosen together on the dev half by TestChooseOnDev's rule:
// precision >= 0.9 there, the most recall).
func DefaultParams() Params {
	return Params{Suggest: 0.60, Link: 0.875, MinWords: 8, MinShared: 4, Langs: LangsBridge, MaxPerClaim: 1000, Seed: 0.8, Seeds: 3}
}

// Validate checks the parameters.
func (p Params) Validate() error {
	switch {
	case p.Suggest <= 0 || p.Suggest > 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "suggest %g: want a score in (0, 1]", p.Suggest)
	case p.Link < p.Suggest || p.Link > 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "link %g: want a score in [suggest %g, 1]", p.Link, p.Suggest)
	case p.MinWords < 0:
		return tahqiq.Errorf(tahqiq.EINVALID, "min words %d: want 0 or more", p.MinWords)
	case p.MinShared < 0:
		return tahqiq.Errorf(tahqiq.EINVALID, "min shared %d: want 0 (no scaling) or more", p.MinShared)
	case p.WindowDays < 0:
		return tahqiq.Errorf(tahqiq.EINVALID, "window %g days: want 0 (any time) or more", p.WindowDays)
	case p.Langs != LangsBridge && p.Langs != LangsSame && p.Langs != LangsAny:
		return tahqiq.Errorf(tahqiq.EINVALID, "langs %q: want bridge, same or any", p.Langs)
	case p.MaxPerClaim < 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "max per claim %d: want 1 or more", p.MaxPerClaim)
	case p.Seed < 0 || p.Seed > 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "seed %g: want 0 (no feedback) or a score in (0, 1]", p.Seed)
	case p.Seed > 0 && p.Seed < p.Suggest:
		return tahqiq.Errorf(tahqiq.EINVALID, "seed %g: want 0 (no feedback) or a score of at least suggest %g (a seed is a match)", p.Seed, p.Suggest)
	case p.Seed > 0 && p.Seeds < 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "seeds %d: want 1 or more seeds per claim with seed %g", p.Seeds, p.Seed)
	}
	return nil
}

// Match statuses.
const (
	StatusLink    = "link"    // score >= Link, long enough, numbers agree
	StatusSuggest = "suggest" // score >= Suggest, or a link held back (short, numbers differ)
)

// A Match is a post that makes a claim: its score and the evidence.
type Match struct {
	Claim         int      // index into the claims
	Post          int      // index into the posts
	Score         float64  // max(ClaimCoverage, PostCoverage for a post of MinPostWords words or more) x min(1, Shared/min(MinShared, the claim's words)); 1 for an appearance
	Shared        int      // the claim's words the post carries (len(Matched))
	ClaimCoverage float64  // idf-weighted share of the claim's words the post carries
	Status        string   // link or suggest
	Matched       []string // the claim's words found (a "~" prefix: found by skeleton key only)
	Missing       []string // the claim's words not found
	PostCoverage  float64  // idf-weighted share of the post's words that are the claim's
	BM25          float64  // Okapi BM25 of the post for the claim's words (k1 1.2, b 0.75), for ranking
	Numbers       string   // agree, differ (the claim's numbers are not the post's), missing (the post has none), none (the claim has none)
	Short         bool     // the claim or the post has fewer than MinWords words
	Via           string   // text, appearance (the post's URL or id is one the review names), or feedback (the post repeats Seed)
	LangPost      string
	// feedback: the seed (index into the posts, a match of the claim), the
	// post's score for the seed's words (Score = the seed's score x
	// SeedScore) and the seed's words the post carries
	Seed      int
	SeedScore float64
	SeedTerms []string
}

// Result is a matching run.
type Result struct {
	Params  Params
	Claims  []Claim
	Posts   []Post
	Matches []Match // by claim (input order), then score, then post id
	Counts  map[string]int64
	Timings map[string]float64
}

type postDoc struct {
	words   []keys // distinct by light key, with their counts
	numbers []string
	count   int32 // WordCount
	length  int32 // content words, for BM25
	lang    string
}

type keys struct {
	light, skel, root, concept string
	tf                         int32
}

func (d *postDoc) tf(light string) int32 {
	for _, k := range d.words {
		if k.light == light {
			return k.tf
		}
	}
	return 0
}

func analysePost(text string) postDoc {
	d := textkey.Analyze(text)
	pd := postDoc{numbers: d.Numbers, count: int32(d.WordCount), lang: d.Lang}
outer:
	for _, w := range append(d.Words, d.Tags...) {
		pd.length++
		for i := range pd.words {
			if pd.words[i].light == w.Light {
				pd.words[i].tf++
				continue outer
			}
		}
		pd.words = append(pd.words, keys{w.Light, w.Skel, w.Root, w.Concept, 1})
	}
	return pd
}

// analyseAll analyses the posts on workers goroutines (the results do not
// depend on their number).
func analyseAll(ctx context.Context, posts []Post, workers int) ([]postDoc, error) {
	docs := make([]postDoc, len(posts))
	prog := progress.Start(ctx, "analysing posts", "posts", int64(len(posts)))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < max(1, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(1024)) - 1024
				if lo >= len(posts) || ctx.Err() != nil {
					return
				}
				hi := min(lo+1024, len(posts))
				for i := lo; i < hi; i++ {
					docs[i] = analysePost(posts[i].Text)
				}
				prog.Add(int64(hi - lo))
			}
		}()
	}
	wg.Wait()
	return docs, ctx.Err()
}

// framing words describe the medium or the act of claiming, not the claim:
// "An image shows ...", "A viral video purporting to show ...". They are
// left out of a claim's words (by light key).
var framing = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{"image", "images", "photo", "photos", "photograph", "picture", "pictures", "pic", "video", "videos",
		"clip", "clips", "footage", "screenshot", "screengrab", "collage", "post", "posts", "viral", "claim", "claims", "claimed",
		"claiming", "show", "shows", "showing", "shown", "purport", "purporting", "purportedly", "allegedly", "alleged", "shared",
		"social", "media", "user", "users", "online", "circulating", "depict", "depicts", "depicting", "says", "said",
		// Urdu and Hindi: video, picture, photo, viral, claim, social media
		"ویڈیو", "ویڈیوز", "تصویر", "تصاویر", "فوٹو", "وائرل", "دعوی", "دعویٰ", "سوشل", "میڈیا",
		"वीडियो", "फोटो", "फ़ोटो", "तस्वीर", "वायरल", "दावा", "सोशल", "मीडिया"} {
		for _, t := range textkey.Analyze(w).Words {
			m[t.Light] = true
		}
	}
	return m
}()

// MinPostWords is the number of content words from which a post may be
// scored by the share of its words that are the claim's.
const MinPostWords = 4

// cword is a query word with its idf weight.
type cword struct {
	w      textkey.Token
	weight float64
}

// query is a claim's (or a seed post's) words, framing words left out.
type query struct {
	words []cword
	total float64
	keys  claimKeys
}

// index finds the posts that carry a query's words.
type index struct {
	docs                           []postDoc
	lightIdx, soundIdx, conceptIdx map[string][]int32
	n                              float64
	acc                            []float64
	shared                         []int32 // the query's words each touched post carries
	mark                           []int32
	touched                        []int32
	stamp                          int32
}

func (x *index) idf(df int) float64 { return math.Log((1+x.n)/(1+float64(df))) + 1 }

// newQuery makes a query of tokens: distinct by light key, framing words
// left out, each weighted by its idf over the posts.
func (x *index) newQuery(toks []textkey.Token) *query {
	q := &query{keys: claimKeys{light: map[string]bool{}, sound: map[string]bool{}, concept: map[string]bool{}}}
	seen := map[string]bool{}
	for _, w := range toks {
		if seen[w.Light] || framing[w.Light] {
			continue
		}
		q.keys.light[w.Light], q.keys.sound[w.Skel], q.keys.sound[w.Root] = true, true, true
		if w.Concept != "" {
			q.keys.concept[w.Concept] = true
		}
		seen[w.Light] = true
		wt := x.idf(len(x.lightIdx[w.Light]))
		q.words = append(q.words, cword{w, wt})
		q.total += wt
	}
	return q
}

// search calls visit for every post carrying one of q's words, with the
// idf-weighted share of q's words it carries and their number.
func (x *index) search(q *query, visit func(i int32, cov float64, shared int)) {
	if q.total <= 0 {
		return
	}
	x.touched = x.touched[:0]
	acc, shared, mark := x.acc, x.shared, x.mark
	for _, cw := range q.words {
		x.stamp++
		stamp := x.stamp
		for _, i := range x.lightIdx[cw.w.Light] {
			if acc[i] == 0 {
				x.touched = append(x.touched, i)
			}
			acc[i] += cw.weight
			shared[i]++
			mark[i] = stamp
		}
		lists := [3][]int32{x.soundIdx[cw.w.Skel], nil, nil}
		if cw.w.Root != cw.w.Skel {
			lists[1] = x.soundIdx[cw.w.Root]
		}
		if cw.w.Concept != "" {
			lists[2] = x.conceptIdx[cw.w.Concept]
		}
		for _, list := range lists {
			for _, i := range list {
				if mark[i] == stamp {
					continue
				}
				if acc[i] == 0 {
					x.touched = append(x.touched, i)
				}
				acc[i] += cw.weight
				shared[i]++
				mark[i] = stamp
			}
		}
	}
	for _, i := range x.touched {
		cov, n := acc[i]/q.total, int(shared[i])
		acc[i], shared[i] = 0, 0
		visit(i, cov, n)
	}
}

// score is the score of post i for q: the larger of q's words' share the
// post carries (cov) and, for a post of MinPostWords content words or
// more, the post's words' share that are q's, scaled by n/need when the
// post carries fewer than need of q's words. It returns the post coverage
// too.
func (x *index) score(q *query, i int32, cov float64, n, need int) (score, postCov float64) {
	postCov = postCoverage(&x.docs[i], q.keys, x.lightIdx, x.idf)
	score = cov
	if len(x.docs[i].words) >= MinPostWords && postCov > score {
		score = postCov
	}
	if n < need {
		score *= float64(n) / float64(need) // little shared evidence
	}
	return score, postCov
}

// carried lists q's words that post d carries ("~" a skeleton or root
// key only, "=" a concept only) and those it does not.
func carried(q *query, d *postDoc) (matched, missing []string, weight float64) {
	inL, inS, inC := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, x := range d.words {
		inL[x.light], inS[x.skel], inS[x.root] = true, true, true
		if x.concept != "" {
			inC[x.concept] = true
		}
	}
	for _, cw := range q.words {
		switch {
		case inL[cw.w.Light]:
			matched = append(matched, cw.w.Text)
		case inS[cw.w.Skel] || inS[cw.w.Root]:
			matched = append(matched, "~"+cw.w.Text)
		case cw.w.Concept != "" && inC[cw.w.Concept]:
			matched = append(matched, "="+cw.w.Text)
		default:
			missing = append(missing, cw.w.Text)
			continue
		}
		weight += cw.weight
	}
	return matched, missing, weight
}

// Find finds the posts that make each claim. A claim's words are its
// claimReviewed's content words (textkey), framing words left out; a post
// carries a word when it has the word's light key, or, across spellings
// and between Urdu script and Roman Urdu, its skeleton key. The score is
// the larger of two idf-weighted shares (idf = ln((1+N)/(1+df)) + 1 over
// the posts): of the claim's words that the post carries (the post repeats
// the claim), and, for a post of at least MinPostWords content words, of
// the post's words that are the claim's (the post repeats part of it).
// Posts whose URL or platform id is one of the review's appearances match
// with score 1. With Params.Seed, the best matches of a claim (its seeds)
// are searched for in turn, and a post that repeats a seed matches the
// claim with the seed's score times its own score for the seed (via
// "feedback", a suggestion at most). See docs/narratives.md.
func Find(ctx context.Context, cls []Claim, posts []Post, p Params) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &Result{Params: p, Claims: cls, Posts: posts, Counts: map[string]int64{}, Timings: map[string]float64{}}
	start := time.Now()
	docs, err := analyseAll(ctx, posts, runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, err
	}
	r.Timings["analyse_s"] = time.Since(start).Seconds()
	start = time.Now()
	progress.Start(ctx, "indexing posts", "", 0)
	// a post by each of its words' keys: light; sound (skeleton and root,
	// one space of consonant keys); concept
	x := &index{docs: docs, lightIdx: map[string][]int32{}, soundIdx: map[string][]int32{}, conceptIdx: map[string][]int32{}, n: float64(len(posts))}
	var totalLen int
	seenS, seenC := map[string]bool{}, map[string]bool{}
	for i, d := range docs {
		clear(seenS)
		clear(seenC)
		for _, k := range d.words {
			x.lightIdx[k.light] = append(x.lightIdx[k.light], int32(i))
			for _, s := range [2]string{k.skel, k.root} {
				if !seenS[s] {
					seenS[s] = true
					x.soundIdx[s] = append(x.soundIdx[s], int32(i))
				}
			}
			if k.concept != "" && !seenC[k.concept] {
				seenC[k.concept] = true
				x.conceptIdx[k.concept] = append(x.conceptIdx[k.concept], int32(i))
			}
		}
		totalLen += int(d.length)
	}
	n := float64(len(posts))
	avgLen := 1.0
	if len(posts) > 0 {
		avgLen = max(1, float64(totalLen)/n)
	}
	bm25idf := func(df int) float64 { return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5)) }
	byURL, byPlatformID := map[string][]int32{}, map[string][]int32{}
	for i, pst := range posts {
		if u, ok := textnorm.URL(pst.URL); ok {
			byURL[u] = append(byURL[u], int32(i))
		}
		if pst.PlatformID != "" {
			byPlatformID[pst.Platform+":"+pst.PlatformID] = append(byPlatformID[pst.Platform+":"+pst.PlatformID], int32(i))
		}
	}
	r.Timings["index_s"] = time.Since(start).Seconds()
	start = time.Now()
	x.acc = make([]float64, len(posts))
	x.shared = make([]int32, len(posts))
	x.mark = make([]int32, len(posts))
	for i := range x.mark {
		x.mark[i] = -1
	}
	prog := progress.Start(ctx, "matching claims", "claims", int64(len(cls)))
	defer prog.Done()
	var feedbackTime time.Duration
	for ci := range cls {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		prog.Set(int64(ci))
		c := &cls[ci]
		cd := textkey.Analyze(c.ClaimReviewed)
		q := x.newQuery(append(cd.Words, cd.Tags...))
		review, hasReview := parseDate(c.DatePublished)
		inWindow := func(i int32) bool {
			if p.WindowDays <= 0 || !hasReview || !posts[i].HasTime {
				return true
			}
			return math.Abs(float64(posts[i].Time-review)) <= p.WindowDays*86400
		}
		claimLang := c.Language
		var found []Match
		// appearances: the review names the post
		appear := map[int32]bool{}
		for _, a := range append(slices.Clone(c.Appearances), c.FirstAppearance) {
			for _, i := range appearancePosts(a, byURL, byPlatformID) {
				if !appear[i] {
					appear[i] = true
					found = append(found, Match{Claim: ci, Post: int(i), Score: 1, Status: StatusLink, Via: "appearance", LangPost: docs[i].lang})
				}
			}
		}
		need := min(p.MinShared, len(q.words))
		x.search(q, func(i int32, claimCov float64, shared int) {
			if appear[i] || !inWindow(i) || !langOK(p.Langs, claimLang, docs[i].lang) {
				return
			}
			score, postCov := x.score(q, i, claimCov, shared, need)
			if score < p.Suggest {
				return
			}
			found = append(found, Match{Claim: ci, Post: int(i), Score: score, ClaimCoverage: claimCov, PostCoverage: postCov, Shared: shared, Via: "text", LangPost: docs[i].lang})
		})
		// feedback: the posts that repeat the claim's best matches
		seedQuery := map[int]*query{}
		if p.Seed > 0 {
			fbStart := time.Now()
			var seeds []Match
			for _, m := range found {
				if m.Score >= p.Seed && len(docs[m.Post].words) >= MinPostWords {
					seeds = append(seeds, m)
				}
			}
			slices.SortFunc(seeds, func(a, b Match) int {
				if a.Score != b.Score {
					return cmp.Compare(b.Score, a.Score)
				}
				return strings.Compare(posts[a.Post].ID, posts[b.Post].ID)
			})
			seeds = seeds[:min(len(seeds), p.Seeds)]
			at := map[int]int{} // post -> its index in found
			for k, m := range found {
				at[m.Post] = k
			}
			for _, s := range seeds {
				sd := textkey.Analyze(posts[s.Post].Text)
				sq := x.newQuery(append(sd.Words, sd.Tags...))
				seedQuery[s.Post] = sq
				sneed := min(p.MinShared, len(sq.words))
				x.search(sq, func(i int32, cov float64, shared int) {
					if int(i) == s.Post || appear[i] || !inWindow(i) || !langOK(p.Langs, claimLang, docs[i].lang) {
						return
					}
					sim, _ := x.score(sq, i, cov, shared, sneed)
					score := s.Score * sim
					if score < p.Suggest {
						return
					}
					k, ok := at[int(i)]
					if ok && found[k].Score >= score {
						return
					}
					m := Match{Claim: ci, Post: int(i), Score: score, Via: "feedback", Seed: s.Post, SeedScore: sim, LangPost: docs[i].lang}
					if ok {
						found[k] = m
					} else {
						at[int(i)] = len(found)
						found = append(found, m)
					}
				})
			}
			feedbackTime += time.Since(fbStart)
		}
		slices.SortFunc(found, func(a, b Match) int {
			if a.Score != b.Score {
				return cmp.Compare(b.Score, a.Score)
			}
			return strings.Compare(posts[a.Post].ID, posts[b.Post].ID)
		})
		if len(found) > p.MaxPerClaim {
			r.Counts["matches_cut"] += int64(len(found) - p.MaxPerClaim)
			found = found[:p.MaxPerClaim]
		}
		// evidence: matched words, coverage, BM25, numbers, status
		for k := range found {
			m := &found[k]
			d := &docs[m.Post]
			var weight float64
			m.Matched, m.Missing, weight = carried(q, d)
			for _, cw := range q.words {
				if tf := float64(d.tf(cw.w.Light)); tf > 0 {
					m.BM25 += bm25idf(len(x.lightIdx[cw.w.Light])) * tf * 2.2 / (tf + 1.2*(0.25+0.75*float64(d.length)/avgLen))
				}
			}
			if m.Via != "text" {
				m.Shared = len(m.Matched)
				if q.total > 0 {
					m.ClaimCoverage = weight / q.total
				}
				m.PostCoverage = postCoverage(d, q.keys, x.lightIdx, x.idf)
			}
			if m.Via == "feedback" {
				m.SeedTerms, _, _ = carried(seedQuery[m.Seed], d)
			}
			m.Numbers = numbers(cd.Numbers, d.numbers)
			m.Short = cd.WordCount < p.MinWords || int(d.count) < p.MinWords
			if m.Via != "appearance" {
				m.Status = StatusSuggest
				if m.Via == "text" && m.Score >= p.Link && !m.Short && m.Numbers != "differ" {
					m.Status = StatusLink
				}
			}
			r.Counts[m.Status]++
			if m.Via == "feedback" {
				r.Counts["feedback"]++
			}
		}
		r.Matches = append(r.Matches, found...)
	}
	r.Timings["match_s"] = time.Since(start).Seconds()
	r.Timings["feedback_s"] = feedbackTime.Seconds()
	r.Counts["claims"] = int64(len(cls))
	r.Counts["posts"] = int64(len(posts))
	r.Counts["matches"] = int64(len(r.Matches))
	return r, nil
}

// numbers compares the claim's numbers with the post's: agree (the post
// has every number of the claim), differ (it lacks one and has a number
// the claim has not: NA-57 for NA-56), missing (it lacks one and has no
// other), none (the claim has no number).
func numbers(claim, post []string) string {
	if len(claim) == 0 {
		return "none"
	}
	lacks := false
	for _, a := range claim {
		if !slices.Contains(post, a) {
			lacks = true
		}
	}
	if !lacks {
		return "agree"
	}
	for _, b := range post {
		if !slices.Contains(claim, b) {
			return "differ"
		}
	}
	return "missing"
}

// southAsian are the languages the bridge rule compares with each other:
// English, Urdu script, Roman Urdu and Hindi meet through transliterated
// names, loanwords (skeleton keys) and the glossary's translations.
var southAsian = map[string]bool{"en": true, "ur": true, "ur-Latn": true, "hi": true}

// langOK applies the language rule.
func langOK(rule, claim, post string) bool {
	switch rule {
	case LangsAny:
		return true
	case LangsSame:
		return claim == post
	}
	if claim == post || post == "und" || claim == "und" || claim == "" {
		return true
	}
	if southAsian[claim] && southAsian[post] {
		return true
	}
	// an inLanguage with a region or script ("en-US", "ur-PK")
	if i := strings.IndexByte(claim, '-'); i > 0 && claim != "ur-latn" {
		return langOK(rule, claim[:i], post)
	}
	return claim == "ur-latn" && southAsian[post]
}

var statusRE = regexp.MustCompile(`/status(?:es)?/(\d+)`)

// appearancePosts returns the posts an appearance URL names: by canonical
// URL, or an X status id in it.
func appearancePosts(a string, byURL, byPlatformID map[string][]int32) []int32 {
	if a == "" {
		return nil
	}
	var out []int32
	if u, ok := textnorm.URL(a); ok {
		out = append(out, byURL[u]...)
		if pu, err := url.Parse(u); err == nil {
			host := strings.TrimPrefix(pu.Hostname(), "www.")
			if host == "x.com" || host == "twitter.com" || host == "mobile.twitter.com" {
				if m := statusRE.FindStringSubmatch(pu.Path); m != nil {
					for _, i := range byPlatformID[tahqiq.PlatformX+":"+m[1]] {
						if !slices.Contains(out, i) {
							out = append(out, i)
						}
					}
				}
			}
		}
	}
	return out
}

// parseDate reads a review date: RFC 3339, a date, a date and time, a
// month (2024-02: its first day) or a year.
func parseDate(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02", "January 2, 2006", "2 January 2006", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}

// claimKeys are a claim's words' keys.
type claimKeys struct{ light, sound, concept map[string]bool }

// postCoverage is the idf-weighted share of a post's distinct words that
// are words of the claim (by light key, skeleton or root key, or concept).
func postCoverage(d *postDoc, ck claimKeys, lightIdx map[string][]int32, idf func(int) float64) float64 {
	var own, shared float64
	for _, x := range d.words {
		w := idf(len(lightIdx[x.light]))
		own += w
		if ck.light[x.light] || ck.sound[x.skel] || ck.sound[x.root] || x.concept != "" && ck.concept[x.concept] {
			shared += w
		}
	}
	if own == 0 {
		return 0
	}
	return shared / own
}
