package narrative_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tahqiq/tahqiq/internal/narrative"
)

// synthPosts returns n posts telling stories stories, copied with the
// edits people make (words dropped, two words swapped, a prefix, hashtags,
// a link, a mention, Roman Urdu spelling variants), and 30% unrelated
// posts. A story's accounts are named "s<story>-<k>", an unrelated post's
// "u<i>-0": the truth is the account's prefix. Stories are active a few
// days each over 60 days; words come from a shared pool of 400 common
// words (Zipf-like) and 5 words of the story's own, so that stories share
// vocabulary as election stories do. Deterministic for a seed.
func synthPosts(n, stories int, seed uint64) []narrative.Post {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	syll := []string{"ka", "ri", "mo", "ta", "ne", "lu", "sa", "bi", "go", "da", "pe", "zu", "ha", "ji", "wo", "fe", "qa", "xi", "yo", "ch"}
	word := func() string {
		var b strings.Builder
		for k := 2 + rng.IntN(3); k > 0; k-- {
			b.WriteString(syll[rng.IntN(len(syll))])
		}
		return b.String()
	}
	pool := make([]string, 400)
	for i := range pool {
		pool[i] = word() + "x" // never a stop word
	}
	common := func() string { // Zipf-like: low indices far more often
		f := rng.Float64()
		return pool[int(f*f*float64(len(pool)))]
	}
	type story struct {
		words []string
		start int64
		span  int64
		tags  []string
	}
	base := int64(1704067200) // 2024-01-01
	st := make([]story, stories)
	for s := range st {
		var ws []string
		for k := 0; k < 5; k++ {
			ws = append(ws, word()+"q")
		}
		for k := 8 + rng.IntN(8); k > 0; k-- {
			ws = append(ws, common())
		}
		rng.Shuffle(len(ws), func(i, j int) { ws[i], ws[j] = ws[j], ws[i] })
		st[s] = story{words: ws, start: base + rng.Int64N(60*86400), span: 3600 + rng.Int64N(4*86400),
			tags: []string{"Tag" + strings.ToUpper(word()[:1]) + word(), "Story" + fmt.Sprint(s)}}
	}
	variants := map[string][]string{"hai": {"hay", "hae", "he"}, "nahi": {"nai", "nahin", "nhi"}, "dhandli": {"dhaandli", "dhandhli"}}
	out := make([]narrative.Post, 0, n)
	for i := 0; i < n; i++ {
		p := narrative.Post{ID: fmt.Sprintf("s:%07d", i), Platform: "x", HasTime: true}
		if rng.Float64() < 0.3 {
			var ws []string
			for k := 6 + rng.IntN(10); k > 0; k-- {
				if rng.IntN(3) == 0 {
					ws = append(ws, word()+"z")
				} else {
					ws = append(ws, common())
				}
			}
			p.Account = fmt.Sprintf("u%d-0", i)
			p.Time = base + rng.Int64N(64*86400)
			p.Text = strings.Join(ws, " ")
			out = append(out, p)
			continue
		}
		f := rng.Float64()
		s := int(f * f * float64(stories))
		sto := &st[s]
		ws := append([]string(nil), sto.words...)
		for k := rng.IntN(3); k > 0 && len(ws) > 6; k-- { // drop words
			j := rng.IntN(len(ws))
			ws = append(ws[:j], ws[j+1:]...)
		}
		if rng.IntN(3) == 0 { // swap two neighbours
			j := rng.IntN(len(ws) - 1)
			ws[j], ws[j+1] = ws[j+1], ws[j]
		}
		if rng.IntN(4) == 0 { // a word swapped for another
			ws[rng.IntN(len(ws))] = common()
		}
		for _, w := range []string{"dhandli", "hai", "nahi"} {
			vs := variants[w]
			if rng.IntN(5) == 0 {
				ws = append(ws, w)
			}
			for j := range ws {
				if ws[j] == w && rng.IntN(2) == 0 {
					ws[j] = vs[rng.IntN(len(vs))]
				}
			}
		}
		text := strings.Join(ws, " ")
		switch rng.IntN(6) {
		case 0:
			text = "BREAKING: " + text
		case 1:
			text = "RT " + text
		}
		if rng.IntN(2) == 0 {
			text += " #" + sto.tags[rng.IntN(2)]
		}
		if rng.IntN(3) == 0 {
			text += fmt.Sprintf(" https://t.co/%x", rng.Uint32())
		}
		if rng.IntN(4) == 0 {
			text = fmt.Sprintf("@user%d ", rng.IntN(1000)) + text
		}
		p.Account = fmt.Sprintf("s%d-%d", s, rng.IntN(500))
		p.Time = sto.start + rng.Int64N(sto.span)
		p.Text = text
		out = append(out, p)
	}
	return out
}
