package coordtest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// TemplateConfig shapes a copy-paste campaign for Templates.
type TemplateConfig struct {
	Posts    int    // posts in all
	Families int    // templates
	Accounts int    // accounts posting them
	Span     int64  // seconds over which a family's posts are spread
	Swaps    int    // each post swaps up to this many of its template's words
	Slots    int    // words a swap draws from, per family (few: posts share them)
	Seed     uint64 // same seed, same posts
}

// Templates returns posts written from a few templates, the way
// copy-paste campaigns look: each post is its family's template (8 to 24
// words) with up to Swaps words swapped for others drawn from a small set
// (names, places, numbers), sometimes one word dropped or one added, by
// many accounts within Span seconds of the family's start. The pairs of a
// family spread around a Jaccard similarity of 0.8, on both sides of it.
// Deterministic for a seed.
func Templates(cfg TemplateConfig) []coord.TextPost {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x74656d706c617465))
	type family struct {
		words []string
		start int64
	}
	fams := make([]family, max(cfg.Families, 1))
	for f := range fams {
		n := 8 + rng.IntN(17)
		for w := range n {
			fams[f].words = append(fams[f].words, fmt.Sprintf("f%dw%d", f, w))
		}
		fams[f].start = 1478000000 + rng.Int64N(max(cfg.Span, 1))
	}
	out := make([]coord.TextPost, 0, cfg.Posts)
	for i := range cfg.Posts {
		f := rng.IntN(len(fams))
		words := append([]string(nil), fams[f].words...)
		for range rng.IntN(cfg.Swaps + 1) {
			words[rng.IntN(len(words))] = fmt.Sprintf("f%ds%d", f, rng.IntN(max(cfg.Slots, 1)))
		}
		switch rng.IntN(8) {
		case 0:
			k := rng.IntN(len(words))
			words = append(words[:k], words[k+1:]...)
		case 1:
			words = append(words, fmt.Sprintf("x%d", rng.IntN(50)))
		}
		out = append(out, coord.TextPost{
			PostID:    fmt.Sprintf("t:%07d", i),
			AccountID: fmt.Sprintf("t:acc%04d", rng.IntN(max(cfg.Accounts, 2))),
			Time:      fams[f].start + rng.Int64N(max(cfg.Span, 1)),
			Text:      strings.Join(words, " "),
		})
	}
	return out
}
