package narrative

import (
	"fmt"

	"github.com/tahqiq/tahqiq"
)

// Methods of grouping.
const (
	MethodTFIDF    = "tfidf"    // families, then incremental TF-IDF narratives (the default; option B)
	MethodFamilies = "families" // families only: every family is a narrative (option A)
)

// Params are the parameters of a grouping run. Zero values are not
// defaults: start from DefaultParams.
type Params struct {
	Method     string  `json:"method"`
	Threshold  float64 `json:"threshold"`       // cosine to join a narrative (start 0.5)
	Merge      float64 `json:"merge_threshold"` // cosine of two centroids to merge narratives (start 0.5; 0 = no merge pass)
	GapDays    float64 `json:"gap_days"`        // a narrative idle this long is closed (start 7; 0 = never)
	Jaccard    float64 `json:"jaccard"`         // shingle Jaccard that joins two families (start 0.6; 0 = exact families only)
	Shingle    int     `json:"shingle"`         // characters per shingle (4)
	Bands      int     `json:"lsh_bands"`       // MinHash LSH bands (24)
	Rows       int     `json:"lsh_rows"`        // MinHash values per band (4)
	MinTokens  int     `json:"min_tokens"`      // fewer content words: a family is its own narrative (start 3)
	MinPosts   int     `json:"min_posts"`       // narratives with fewer posts are not listed (2)
	Probes     int     `json:"probes"`          // a family's heaviest indexable terms whose narratives (the 512 most recent with each) are candidates (6)
	Candidates int     `json:"candidates"`      // narratives whose exact cosine is computed per family (8)
	MaxDF      float64 `json:"max_df"`          // terms in more than this share of families (and 1,000) do not find candidates (0.01)
	Workers    int     `json:"-"`               // parallel text analysis; results do not depend on it
}

// DefaultParams returns the start values of ../shared/docs/narratives.md §3.3.
func DefaultParams() Params {
	return Params{Method: MethodTFIDF, Threshold: 0.5, Merge: 0.5, GapDays: 7, Jaccard: 0.6, Shingle: 4, Bands: 24, Rows: 4,
		MinTokens: 3, MinPosts: 2, Probes: 6, Candidates: 8, MaxDF: 0.01}
}

// Validate checks the parameters.
func (p Params) Validate() error {
	switch {
	case p.Method != MethodTFIDF && p.Method != MethodFamilies:
		return tahqiq.Errorf(tahqiq.EINVALID, "method %q: want tfidf or families", p.Method)
	case p.Threshold <= 0 || p.Threshold > 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "threshold %g: want a cosine in (0, 1]", p.Threshold)
	case p.Merge < 0 || p.Merge > 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "merge threshold %g: want a cosine in [0, 1] (0: no merge pass)", p.Merge)
	case p.GapDays < 0:
		return tahqiq.Errorf(tahqiq.EINVALID, "gap %g days: want 0 (never close) or more", p.GapDays)
	case p.Jaccard < 0 || p.Jaccard > 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "jaccard %g: want [0, 1] (0: exact families only)", p.Jaccard)
	case p.Shingle < 1 || p.Shingle > 16:
		return tahqiq.Errorf(tahqiq.EINVALID, "shingle %d: want 1 to 16 characters", p.Shingle)
	case p.Bands < 1 || p.Rows < 1 || p.Bands*p.Rows > 512:
		return tahqiq.Errorf(tahqiq.EINVALID, "LSH %d bands x %d rows: want at least 1 x 1 and at most 512 values", p.Bands, p.Rows)
	case p.MinTokens < 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "min tokens %d: want 1 or more", p.MinTokens)
	case p.MinPosts < 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "min posts %d: want 1 or more", p.MinPosts)
	case p.Probes < 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "probes %d: want 1 or more", p.Probes)
	case p.Candidates < 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "candidates %d: want 1 or more", p.Candidates)
	case p.MaxDF <= 0 || p.MaxDF > 1:
		return tahqiq.Errorf(tahqiq.EINVALID, "max df %g: want a share in (0, 1]", p.MaxDF)
	}
	return nil
}

// String is a one-line summary for logs.
func (p Params) String() string {
	return fmt.Sprintf("method %s, threshold %g, merge %g, gap %g days, jaccard %g (%d-char shingles, %dx%d LSH), min tokens %d, min posts %d",
		p.Method, p.Threshold, p.Merge, p.GapDays, p.Jaccard, p.Shingle, p.Bands, p.Rows, p.MinTokens, p.MinPosts)
}
