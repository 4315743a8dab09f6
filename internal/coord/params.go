package coord

import (
	"fmt"
	"time"

	"github.com/tahqiq/tahqiq"
)

// Window kinds.
const (
	Sliding     = "sliding"      // |t(p) - t(q)| <= W, inclusive (CooRTweet, CNT)
	Tumbling    = "tumbling"     // same bin of W seconds anchored at the object's first share (CooRnet)
	FromFirst   = "from-first"   // both within W of the object's first share
	FastReshare = "fast-reshare" // reshares within W of the original; object = original author (Luceri et al.)
)

// Weights.
const (
	WeightPairs    = "pairs"    // co-share post pairs (CooRTweet)
	WeightMessages = "messages" // CNT: w(A->B) = distinct A posts with a partner post of B; undirected = max
	WeightObjects  = "objects"  // distinct objects co-shared (CooRnet's projection)
	WeightCollab   = "collab"   // each object shared by a group of k accounts adds 1/(k-1) (Newman)
	WeightTFIDF    = "tfidf"    // cosine of account x object TF-IDF vectors (Pacheco et al., Luceri et al.)
)

// ObjPost is the pseudo object type of CNT's co_post: every post is an
// action, whatever it shares.
const ObjPost tahqiq.ObjectType = "post"

// NoWindow is the window of a run without one: every share of an object
// pairs with every other (Pacheco et al.'s TF-IDF runs).
const NoWindow = int64(1) << 50

// Params are the parameters of a run. Every one is recorded in the
// manifest, so that a run can be repeated exactly.
type Params struct {
	Types              []tahqiq.ObjectType `json:"types"`       // object types compared (never with each other)
	Window             int64               `json:"window_s"`    // seconds
	WindowKind         string              `json:"window_kind"` // Sliding, Tumbling, FromFirst, FastReshare
	Weight             string              `json:"weight"`
	MinParticipation   int                 `json:"min_participation"`   // CooRTweet's two-step rule; <= 1 keeps everything
	ParticipationScope string              `json:"participation_scope"` // "type" (default) or "all"
	MinWeight          float64             `json:"min_weight"`          // CNT, per direction for messages
	Percentile         float64             `json:"percentile"`          // flag weight > quantile(p), type 7 (default 0.5, CooRTweet's edge_weight); 0 = every edge flagged
	FastWindow         int64               `json:"fast_window_s"`       // 0 = no fast layer
	KeepLoops          bool                `json:"keep_loops"`          // keep rows whose post is the object
	Workers            int                 `json:"workers"`
	Seed               uint64              `json:"seed"`
	Graph              bool                `json:"graph"`
	Communities        string              `json:"communities"`        // "louvain", "leiden" or "none"
	EigenPrune         float64             `json:"eigen_prune"`        // Luceri et al.: 0 = off; else leave nodes with eigenvector centrality under this quantile out of the communities
	CommunitiesOnAll   bool                `json:"communities_on_all"` // default: on the flagged subgraph
	Evidence           bool                `json:"evidence"`
	MinTokens          int                 `json:"min_tokens"` // near-text: posts with fewer distinct tokens are left out
	Jaccard            float64             `json:"jaccard"`    // near-text: minimum Jaccard similarity of token sets (CNT co_similar_tweet)
}

// DefaultParams are CooRTweet's defaults with a 60 s window, and the
// defaults of every run that does not say otherwise (tahqiq coord's
// flags, the server's requests, so the web UI's form): min_participation
// 2, and edge_weight 0.5, CooRTweet's generate_coordinated_network
// default: edges heavier than the median weight are flagged, and the
// communities are those of the flagged subgraph (subgraph = 1: an account
// without a flagged edge is in none); seed 1 for the community detection.
func DefaultParams() Params {
	return Params{
		Window: 60, WindowKind: Sliding, Weight: WeightPairs, MinParticipation: 2, Percentile: 0.5,
		ParticipationScope: "type", Workers: 0, Seed: 1, Graph: true, Communities: "louvain", Evidence: true,
		MinTokens: 5, Jaccard: 0.8,
	}
}

// Validate checks p; an error is a *tahqiq.ParamError.
func (p *Params) Validate() error {
	switch p.WindowKind {
	case Sliding, Tumbling, FromFirst, FastReshare:
	default:
		return tahqiq.ParamErrorf("window_kind", "{window_kind} %q: want sliding, tumbling, from-first or fast-reshare", p.WindowKind)
	}
	switch p.Weight {
	case WeightPairs, WeightMessages, WeightObjects, WeightCollab, WeightTFIDF:
	default:
		return tahqiq.ParamErrorf("weight", "{weight} %q: want pairs, messages, objects, collab or tfidf", p.Weight)
	}
	if p.Window < 0 {
		return tahqiq.ParamErrorf("window", "{window} %d s: a window must not be negative", p.Window)
	}
	if p.FastWindow < 0 {
		return tahqiq.ParamErrorf("fast_window", "{fast_window} %d s: a window must not be negative", p.FastWindow)
	}
	if p.Window == 0 && p.WindowKind == Tumbling {
		return tahqiq.ParamErrorf("window", "{window} 0: a tumbling window needs a width above 0")
	}
	if p.Percentile < 0 || p.Percentile >= 1 {
		return tahqiq.ParamErrorf("percentile", "{percentile} %v: want a fraction in [0, 1), e.g. 0.5", p.Percentile)
	}
	if p.Jaccard < 0 || p.Jaccard > 1 {
		return tahqiq.ParamErrorf("jaccard", "{jaccard} %v: want a similarity in [0, 1], e.g. 0.8", p.Jaccard)
	}
	switch p.ParticipationScope {
	case "type", "all":
	default:
		return tahqiq.ParamErrorf("participation_scope", "{participation_scope} %q: want type or all", p.ParticipationScope)
	}
	switch p.Communities {
	case "louvain", "leiden", "none":
	default:
		return tahqiq.ParamErrorf("communities", "{communities} %q: want louvain, leiden or none", p.Communities)
	}
	if p.EigenPrune < 0 || p.EigenPrune >= 1 {
		return tahqiq.ParamErrorf("eigen_prune", "{eigen_prune} %v: want a fraction in [0, 1), e.g. 0.5", p.EigenPrune)
	}
	return nil
}

func (p *Params) String() string {
	return fmt.Sprintf("types=%v window=%s kind=%s weight=%s min-participation=%d", p.Types, time.Duration(p.Window)*time.Second, p.WindowKind, p.Weight, p.MinParticipation)
}
