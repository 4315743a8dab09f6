package narrative

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Top values listed per narrative (hashtags, URLs, domains) and
// representatives.
const (
	topValues = 5
	topReps   = 3
	topTerms  = 10
	labelLen  = 4
)

// build places every post and describes the listed narratives.
func (r *Result) build(order, parent []int32, root func(int32) int32, famOf, family, famFirst []int32, reps []rep, infos []info, c *clusterer) {
	p := r.Params
	nf := len(famFirst)
	// final narratives: union-find roots over the clusters
	rootOf := make([]int32, len(c.cl))
	for k := range c.cl {
		rootOf[k] = c.uf.find(int32(k))
	}
	sums := map[int32]map[uint32]float32{}
	for k, cl := range c.cl {
		rt := rootOf[k]
		if rt == int32(k) {
			continue
		}
		s, ok := sums[rt]
		if !ok {
			s = maps(c.cl[rt].sum)
			sums[rt] = s
		}
		for t, w := range cl.sum {
			s[t] += w
		}
	}
	norm := map[int32]float64{}
	for rt, s := range sums {
		var n2 float64
		for _, w := range s {
			n2 += float64(w) * float64(w)
		}
		norm[rt] = math.Sqrt(n2)
	}
	famSim := make([]float32, nf)
	for f := range famSim {
		rt := rootOf[c.of[f]]
		s, ok := sums[rt]
		n := norm[rt]
		if !ok {
			s, n = c.cl[rt].sum, math.Sqrt(c.cl[rt].norm2)
		}
		if n <= 0 {
			continue
		}
		var dot float64
		for _, x := range c.vecs[f] {
			dot += float64(x.w) * float64(s[x.t])
		}
		famSim[f] = float32(math.Min(1, dot/n))
	}
	// members of each final narrative, in time order
	famSize := make([]int, nf)
	byRoot := map[int32][]int32{}
	var roots []int32
	for _, i := range order {
		src := i
		if parent[i] >= 0 {
			src = root(i)
		}
		m := &r.Members[i]
		m.Narrative, m.Family, m.Lang = -1, -1, infos[src].lang
		m.Inherited = parent[i] >= 0
		k := famOf[src]
		if k < 0 {
			m.Role = RoleEmpty
			if r.Posts[i].Repost {
				m.Role = RoleRepost
			}
			continue
		}
		f := family[k]
		m.Family, m.Similarity = f, famSim[f]
		switch {
		case r.Posts[i].Repost:
			m.Role = RoleRepost
		case reps[famFirst[f]].post == i:
			m.Role = RoleOriginal
		default:
			m.Role = RoleCopy
		}
		if !m.Inherited {
			famSize[f]++
		}
		rt := rootOf[c.of[f]]
		if _, ok := byRoot[rt]; !ok {
			roots = append(roots, rt)
		}
		byRoot[rt] = append(byRoot[rt], i)
	}
	empty, unique := 0, 0
	for i := range r.Members {
		if r.Members[i].Family < 0 {
			empty++
		}
	}
	var listed []Narrative
	var listedRoots []int32
	for _, rt := range roots {
		ms := byRoot[rt]
		if len(ms) < p.MinPosts {
			unique += len(ms)
			continue
		}
		listed = append(listed, r.describe(ms, infos, root, parent))
		listedRoots = append(listedRoots, rt)
	}
	// families of each listed narrative, representatives, labels
	famsOf := make([][]int32, len(listed))
	pos := map[int32]int{}
	for j, rt := range listedRoots {
		pos[rt] = j
	}
	for f := 0; f < nf; f++ {
		if j, ok := pos[rootOf[c.of[f]]]; ok {
			famsOf[j] = append(famsOf[j], int32(f))
		}
	}
	for j := range listed {
		n := &listed[j]
		fs := famsOf[j]
		n.Families = len(fs)
		n.Short = len(fs) == 1 && c.cl[c.of[fs[0]]].short
		best := slices.Clone(fs)
		slices.SortStableFunc(best, func(a, b int32) int { return cmp.Compare(famSim[b], famSim[a]) })
		for _, f := range best[:min(len(best), topReps)] {
			n.Representatives = append(n.Representatives, reps[famFirst[f]].post)
		}
	}
	r.label(listed, famsOf, famFirst, famSize, reps, c)
	slices.SortStableFunc(listed, func(a, b Narrative) int {
		if a.Posts != b.Posts {
			return cmp.Compare(b.Posts, a.Posts)
		}
		return strings.Compare(a.ID, b.ID)
	})
	for j := range listed {
		for _, i := range listed[j].Members {
			r.Members[i].Narrative = int32(j)
		}
	}
	r.Narratives = listed
	r.Counts["narratives"] = int64(len(listed))
	r.Counts["posts_in_narratives"] = int64(len(r.Posts) - empty - unique)
	r.Counts["unique_posts"] = int64(unique)
	r.Counts["empty_posts"] = int64(empty)
	inh := 0
	for _, pp := range parent {
		if pp >= 0 {
			inh++
		}
	}
	r.Counts["inherited_reposts"] = int64(inh)
}

func maps(m map[uint32]float32) map[uint32]float32 {
	out := make(map[uint32]float32, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// describe counts a narrative's posts, accounts, languages, times,
// hashtags, URLs and domains.
func (r *Result) describe(ms []int32, infos []info, root func(int32) int32, parent []int32) Narrative {
	n := Narrative{ID: "n:" + r.Posts[ms[0]].ID, Posts: len(ms), Members: ms}
	accounts := map[string]bool{}
	langs := map[string]int{}
	tags, urls, domains := map[string]int{}, map[string]int{}, map[string]int{}
	for _, i := range ms {
		pst := &r.Posts[i]
		if pst.Repost {
			n.Reposts++
		} else {
			n.Originals++
		}
		accounts[pst.Account] = true
		src := i
		if parent[i] >= 0 {
			src = root(i)
		}
		langs[infos[src].lang]++
		for _, t := range infos[src].hashtags {
			tags[t]++
		}
		seen := map[string]bool{}
		for _, u := range infos[src].urls {
			urls[u]++
			if d := textnorm.Domain(u); d != "" && !seen[d] {
				seen[d] = true
				domains[d]++
			}
		}
		if pst.HasTime {
			if !n.HasTime {
				n.First, n.Last, n.HasTime = pst.Time, pst.Time, true
			}
			n.First, n.Last = min(n.First, pst.Time), max(n.Last, pst.Time)
		}
	}
	n.Accounts = len(accounts)
	n.Languages = top(langs, len(langs))
	n.Hashtags, n.URLs, n.Domains = top(tags, topValues), top(urls, topValues), top(domains, topValues)
	return n
}

// top returns the k most frequent values, ties by value.
func top(m map[string]int, k int) []Count {
	out := make([]Count, 0, len(m))
	for v, n := range m {
		out = append(out, Count{v, n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return cmp.Compare(b.N, a.N)
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out[:min(len(out), k)]
}

// label gives each listed narrative its most telling terms by class-based
// TF-IDF (as BERTopic's c-TF-IDF): tf(t, n) x log(1 + A / f(t)), where
// tf(t, n) counts term t in the narrative's families (each family counted
// as many times as it has posts, reposts aside), f(t) counts it in all
// listed narratives, and A is the mean number of terms per narrative.
// Terms are light keys (Urdu-script words folded) shown as first written;
// skeletons and links are not labels.
func (r *Result) label(listed []Narrative, famsOf [][]int32, famFirst []int32, famSize []int, reps []rep, c *clusterer) {
	if len(listed) == 0 {
		return
	}
	tf := make([]map[string]float64, len(listed))
	f := map[string]float64{}
	display := map[string]string{}
	var total float64
	for j, fs := range famsOf {
		tf[j] = map[string]float64{}
		for _, fam := range fs {
			rp := &reps[famFirst[fam]]
			w := float64(max(famSize[fam], 1))
			for _, id := range rp.ids {
				t := c.names[id]
				if t[0] != 'l' && t[0] != 'd' {
					continue
				}
				tf[j][t] += w
				f[t] += w
				total += w
				display[t] = c.display[id]
			}
		}
	}
	a := total / float64(len(listed))
	type sc struct {
		t string
		s float64
	}
	for j := range listed {
		var ss []sc
		for t, n := range tf[j] {
			ss = append(ss, sc{t, n * math.Log(1+a/f[t])})
		}
		slices.SortFunc(ss, func(x, y sc) int {
			if x.s != y.s {
				return cmp.Compare(y.s, x.s)
			}
			return strings.Compare(x.t, y.t)
		})
		var latin, arabic []string
		for _, s := range ss {
			d := display[s.t]
			if len(listed[j].Terms) < topTerms {
				listed[j].Terms = append(listed[j].Terms, d)
			}
			switch script(d) {
			case 'L':
				if len(latin) < labelLen {
					latin = append(latin, d)
				}
			case 'A':
				if len(arabic) < labelLen {
					arabic = append(arabic, d)
				}
			}
		}
		listed[j].Label = strings.Join(listed[j].Terms[:min(len(listed[j].Terms), labelLen)], " ")
		listed[j].LabelLatin, listed[j].LabelArabic = strings.Join(latin, " "), strings.Join(arabic, " ")
	}
}

// script says whether a word is Latin ('L'), Arabic-script ('A') or other.
func script(w string) byte {
	for _, r := range w {
		switch {
		case r < utf8.RuneSelf && unicode.IsLetter(r), unicode.Is(unicode.Latin, r):
			return 'L'
		case r >= 0x0600 && r <= 0x06FF, r >= 0x0750 && r <= 0x077F:
			return 'A'
		case unicode.IsLetter(r):
			return 'O'
		}
	}
	return 'O'
}
