package narrative

import (
	"cmp"
	"context"
	"hash/fnv"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/textkey"
)

// Roles of a post in its narrative.
const (
	RoleOriginal = "original" // the first post of its family
	RoleCopy     = "copy"     // a later post of a family (an exact or near copy)
	RoleRepost   = "repost"   // a repost or forward: of a post in the data (it inherits its narrative) or not (grouped by its text)
	RoleEmpty    = "empty"    // no words, hashtags or links to group by
)

// Member is the place of one input post.
type Member struct {
	Narrative  int32   // index into Result.Narratives; -1 when its narrative is not listed (fewer than MinPosts posts) or it has none
	Family     int32   // index of its family; -1 for an empty post
	Role       string  // RoleOriginal, RoleCopy, RoleRepost, RoleEmpty
	Lang       string  // textkey language guess
	Similarity float32 // cosine of its family's representative to the narrative's centroid
	Inherited  bool    // a repost that took the narrative of the post it reposts
}

// Count is a value and how many posts carry it.
type Count struct {
	Value string `json:"value"`
	N     int    `json:"n"`
}

// Narrative is one listed narrative.
type Narrative struct {
	ID              string   `json:"id"` // "n:" + the UID of its earliest post
	Posts           int      `json:"posts"`
	Originals       int      `json:"originals"` // posts that are not reposts
	Reposts         int      `json:"reposts"`
	Families        int      `json:"families"`
	Accounts        int      `json:"accounts"`
	Languages       []Count  `json:"languages"`
	First, Last     int64    `json:"-"`
	HasTime         bool     `json:"-"`
	Label           string   `json:"label"`
	Terms           []string `json:"terms"`
	LabelLatin      string   `json:"label_latin,omitempty"`
	LabelArabic     string   `json:"label_arabic,omitempty"`
	Representatives []int32  `json:"-"` // post indices, most central first
	Hashtags        []Count  `json:"hashtags"`
	URLs            []Count  `json:"urls"`
	Domains         []Count  `json:"domains"`
	Short           bool     `json:"short"` // one family of fewer than MinTokens content words: exact copies only
	Members         []int32  `json:"-"`     // post indices in time order
}

// Result is a grouping run.
type Result struct {
	Params     Params
	Posts      []Post
	Members    []Member
	Narratives []Narrative // listed narratives, most posts first
	// FamilyFirst is the first post (index) of every family; a family's
	// id is "f:" + that post's UID.
	FamilyFirst []int32
	Counts      map[string]int64
	Timings     map[string]float64
}

// info is what the first pass keeps of a post.
type info struct {
	key      [16]byte // exact family key; zero: empty post
	lang     string
	hashtags []string
	urls     []string
}

// rep is an exact family's representative, analysed again.
type rep struct {
	post     int32
	content  string   // light keys joined (shingled)
	words    int      // content words
	terms    []string // features: l<light>, s<skeleton>, u<url>; d<Urdu-script word> labels only (until interned)
	ids      []uint32 // terms as ids of the vocabulary (with repeats: term frequency)
	bands    []uint64 // MinHash LSH band hashes
	shingles []uint32 // its content's shingle hashes, sorted (exact Jaccard)
	display  map[string]string
}

// Group groups posts into narratives (see the package documentation).
func Group(ctx context.Context, posts []Post, p Params) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.Workers <= 0 {
		p.Workers = runtime.GOMAXPROCS(0)
	}
	r := &Result{Params: p, Posts: posts, Members: make([]Member, len(posts)), Counts: map[string]int64{}, Timings: map[string]float64{}}
	start := time.Now()
	n := len(posts)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return comparePosts(&posts[a], &posts[b]) })
	byID := make(map[string]int32, n)
	for _, i := range order {
		if _, dup := byID[posts[i].ID]; !dup {
			byID[posts[i].ID] = i
		}
	}
	// reposts of a post in the data inherit its narrative (chains followed)
	parent := make([]int32, n)
	for i := range posts {
		parent[i] = -1
		if posts[i].Repost && posts[i].RepostOf != "" {
			if j, ok := byID[posts[i].RepostOf]; ok && j != int32(i) {
				parent[i] = j
			}
		}
	}
	root := func(i int32) int32 {
		for k := 0; k < 64 && parent[i] >= 0; k++ {
			i = parent[i]
		}
		return i
	}
	infos := make([]info, n)
	prog := progress.Start(ctx, "analysing texts", "posts", int64(n))
	err := parallel(ctx, n, p.Workers, prog, func(i int) {
		if parent[i] >= 0 {
			return
		}
		d := textkey.Analyze(posts[i].Text)
		infos[i] = info{key: familyKey(d), lang: d.Lang, hashtags: dedupe(d.Hashtags), urls: dedupe(d.URLs)}
	})
	if err != nil {
		return nil, err
	}
	r.Timings["analyse_s"] = time.Since(start).Seconds()

	// exact families, in time order; the representative is the first post
	start = time.Now()
	exact := map[[16]byte]int32{}
	var famRep []int32        // exact family -> representative post
	famOf := make([]int32, n) // post -> exact family (-1: none)
	for _, i := range order {
		famOf[i] = -1
		if parent[i] >= 0 || infos[i].key == ([16]byte{}) {
			continue
		}
		f, ok := exact[infos[i].key]
		if !ok {
			f = int32(len(famRep))
			exact[infos[i].key] = f
			famRep = append(famRep, i)
		}
		famOf[i] = f
	}
	exact = nil
	reps := make([]rep, len(famRep))
	voc := newVocabulary()
	prog = progress.Start(ctx, "analysing families", "families", int64(len(reps)))
	const batch = 1 << 14
	for lo := 0; lo < len(reps); lo += batch {
		hi := min(lo+batch, len(reps))
		err = parallel(ctx, hi-lo, p.Workers, prog, func(k int) {
			reps[lo+k] = analyseRep(famRep[lo+k], posts[famRep[lo+k]].Text, p)
		})
		if err != nil {
			return nil, err
		}
		for k := lo; k < hi; k++ {
			voc.intern(&reps[k])
		}
	}
	r.Timings["families_analyse_s"] = time.Since(start).Seconds()

	// near-copy families: MinHash LSH candidates verified by exact Jaccard
	start = time.Now()
	uf := newUnionFind(len(reps))
	checks := int64(0)
	if p.Jaccard > 0 && len(reps) > 1 {
		checks, err = joinNearCopies(ctx, reps, uf, p)
		if err != nil {
			return nil, err
		}
	}
	// families are the union-find sets; ids in order of their first post
	family := make([]int32, len(reps)) // exact family -> family
	var famFirst []int32               // family -> its first exact family (the representative)
	rootFam := map[int32]int32{}
	for k := range reps {
		rt := uf.find(int32(k))
		f, ok := rootFam[rt]
		if !ok {
			f = int32(len(famFirst))
			rootFam[rt] = f
			famFirst = append(famFirst, int32(k))
		}
		family[k] = f
	}
	for k := range reps {
		reps[k].shingles, reps[k].bands = nil, nil
	}
	r.Timings["near_copies_s"] = time.Since(start).Seconds()
	r.FamilyFirst = make([]int32, len(famFirst))
	for f, k := range famFirst {
		r.FamilyFirst[f] = reps[k].post
	}

	// narratives over the families' representatives
	start = time.Now()
	c := newClusterer(reps, famFirst, posts, voc, p)
	prog = progress.Start(ctx, "narratives", "families", int64(len(famFirst)))
	c.prog = prog
	if err := c.run(ctx); err != nil {
		return nil, err
	}
	r.Timings["narratives_s"] = time.Since(start).Seconds()
	r.Timings["merge_s"] = c.mergeSeconds

	start = time.Now()
	prog = progress.Start(ctx, "describing narratives", "", 0)
	defer prog.Done()
	r.build(order, parent, root, famOf, family, famFirst, reps, infos, c)
	r.Timings["describe_s"] = time.Since(start).Seconds()
	r.Counts["posts"] = int64(n)
	r.Counts["exact_families"] = int64(len(reps))
	r.Counts["families"] = int64(len(famFirst))
	r.Counts["jaccard_checks"] = checks
	r.Counts["narratives_all"] = int64(c.count())
	r.Counts["merged"] = int64(c.merged)
	return r, nil
}

// comparePosts orders posts by time (posts without one last), then id.
func comparePosts(a, b *Post) int {
	if a.HasTime != b.HasTime {
		if a.HasTime {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.Time, b.Time); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// familyKey is the exact family key of a text: its content words' light
// keys, or, for a text without any, its hashtags and links.
func familyKey(d textkey.Doc) [16]byte {
	h := fnv.New128a()
	if len(d.Words) > 0 {
		for _, w := range d.Words {
			h.Write([]byte(w.Light))
			h.Write([]byte{0})
		}
	} else if len(d.Hashtags)+len(d.URLs) > 0 {
		h.Write([]byte{1})
		for _, t := range d.Hashtags {
			h.Write([]byte(t))
			h.Write([]byte{0})
		}
		for _, u := range d.URLs {
			h.Write([]byte(u))
			h.Write([]byte{0})
		}
	} else {
		return [16]byte{}
	}
	var k [16]byte
	h.Sum(k[:0])
	if k == ([16]byte{}) {
		k[0] = 1
	}
	return k
}

func dedupe(xs []string) []string {
	if len(xs) < 2 {
		return xs
	}
	out := xs[:0:0]
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// analyseRep computes a representative's features and MinHash bands.
func analyseRep(post int32, text string, p Params) rep {
	d := textkey.Analyze(text)
	rp := rep{post: post, words: len(d.Words), display: map[string]string{}}
	var b strings.Builder
	add := func(w textkey.Token) {
		// An Urdu-script word is compared by its skeleton only, so that a
		// Roman Urdu copy can reach it (a Latin word has its light key as
		// well); its folded form ("d") only labels.
		l := "l" + w.Light
		if script(w.Text) == 'A' {
			l = "d" + w.Light
		}
		rp.terms = append(rp.terms, l)
		if _, ok := rp.display[l]; !ok {
			rp.display[l] = w.Text
		}
		// the root (the skeleton without an inflection) reaches other
		// spellings and scripts; the concept, translations (textkey's
		// glossary)
		if w.Root != w.Light {
			rp.terms = append(rp.terms, "s"+w.Root)
		}
		if w.Concept != "" {
			rp.terms = append(rp.terms, "c"+w.Concept)
		}
	}
	for _, w := range d.Words {
		add(w)
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.Light)
	}
	for _, w := range d.Tags {
		add(w)
	}
	for _, u := range d.URLs {
		rp.terms = append(rp.terms, "u"+u)
	}
	if b.Len() == 0 {
		b.WriteString(strings.Join(d.Hashtags, " "))
		for _, u := range d.URLs {
			b.WriteByte(' ')
			b.WriteString(u)
		}
	}
	rp.content = b.String()
	if p.Jaccard > 0 {
		rp.shingles = shingles(rp.content, p.Shingle)
		rp.bands = minhashBands(rp.shingles, p.Bands, p.Rows)
	}
	return rp
}

// parallel runs fn(0..n-1) on workers goroutines, in chunks, each counted
// to prog when done.
func parallel(ctx context.Context, n, workers int, prog *progress.Phase, fn func(i int)) error {
	const chunk = 1024
	if workers < 1 {
		workers = 1
	}
	var next int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	var cerr error
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if cerr == nil {
					cerr = ctx.Err()
				}
				lo := int(next)
				next += chunk
				stop := cerr != nil
				mu.Unlock()
				if stop || lo >= n {
					return
				}
				hi := min(lo+chunk, n)
				for i := lo; i < hi; i++ {
					fn(i)
				}
				prog.Add(int64(hi - lo))
			}
		}()
	}
	wg.Wait()
	return cerr
}

type unionFind struct{ parent []int32 }

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
	}
	return u
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

// union joins the sets of a and b; the smaller root (the earlier) wins,
// so that roots do not depend on the order of unions.
func (u *unionFind) union(a, b int32) bool {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return false
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	return true
}

// vocabulary interns features as ids, with the surface form a label shows
// (the first seen).
type vocabulary struct {
	ids     map[string]uint32
	names   []string
	display []string
}

func newVocabulary() *vocabulary { return &vocabulary{ids: map[string]uint32{}} }

// intern turns a representative's features into ids and drops the strings.
func (v *vocabulary) intern(rp *rep) {
	rp.ids = make([]uint32, len(rp.terms))
	for i, t := range rp.terms {
		id, ok := v.ids[t]
		if !ok {
			id = uint32(len(v.names))
			v.ids[t] = id
			v.names = append(v.names, t)
			v.display = append(v.display, rp.display[t])
		}
		rp.ids[i] = id
	}
	rp.terms, rp.display = nil, nil
}
