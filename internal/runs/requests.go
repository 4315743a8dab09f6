package runs

import (
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/claims"
	"github.com/tahqiq/tahqiq/internal/narrative"
	"github.com/tahqiq/tahqiq/internal/targets"
)

// NarrativesRequest is a narratives run over a stored dataset, as a
// person asks for it (the API's JSON; the CLI's flags). Nil and empty
// values take the defaults.
type NarrativesRequest struct {
	Dataset string `json:"dataset"`
	Name    string `json:"name,omitempty"`
	// CoordRun is a stored coordination run of the same dataset whose
	// communities the narratives are linked to.
	CoordRun  string   `json:"coord_run,omitempty"`
	Method    string   `json:"method,omitempty"`
	Threshold *float64 `json:"threshold,omitempty"`
	Merge     *float64 `json:"merge_threshold,omitempty"`
	GapDays   *float64 `json:"gap_days,omitempty"`
	Jaccard   *float64 `json:"jaccard,omitempty"`
	MinTokens *int     `json:"min_tokens,omitempty"`
	MinPosts  *int     `json:"min_posts,omitempty"`
}

// Params turns the request into validated parameters.
func (r NarrativesRequest) Params() (narrative.Params, error) {
	p := narrative.DefaultParams()
	if r.Dataset == "" {
		return p, tahqiq.Errorf(tahqiq.EINVALID, "dataset is required")
	}
	if r.Method != "" {
		p.Method = r.Method
	}
	setF(&p.Threshold, r.Threshold)
	setF(&p.Merge, r.Merge)
	setF(&p.GapDays, r.GapDays)
	setF(&p.Jaccard, r.Jaccard)
	setI(&p.MinTokens, r.MinTokens)
	setI(&p.MinPosts, r.MinPosts)
	return p, p.Validate()
}

// ClaimsRequest is a claims match of a stored claim set against a stored
// dataset.
type ClaimsRequest struct {
	Dataset     string   `json:"dataset"`
	Set         string   `json:"set"`
	Name        string   `json:"name,omitempty"`
	Suggest     *float64 `json:"suggest,omitempty"`
	Link        *float64 `json:"link,omitempty"`
	MinWords    *int     `json:"min_words,omitempty"`
	MinShared   *int     `json:"min_shared,omitempty"`
	WindowDays  *float64 `json:"window_days,omitempty"`
	Langs       string   `json:"langs,omitempty"`
	MaxPerClaim *int     `json:"max_per_claim,omitempty"`
	Seed        *float64 `json:"seed,omitempty"`
	Seeds       *int     `json:"seeds,omitempty"`
}

// Params turns the request into validated parameters.
func (r ClaimsRequest) Params() (claims.Params, error) {
	p := claims.DefaultParams()
	switch {
	case r.Dataset == "":
		return p, tahqiq.Errorf(tahqiq.EINVALID, "dataset is required")
	case r.Set == "":
		return p, tahqiq.Errorf(tahqiq.EINVALID, "set is required: the claim set to match (tahqiq claims import)")
	}
	setF(&p.Suggest, r.Suggest)
	setF(&p.Link, r.Link)
	setI(&p.MinWords, r.MinWords)
	setI(&p.MinShared, r.MinShared)
	setF(&p.WindowDays, r.WindowDays)
	if r.Langs != "" {
		p.Langs = r.Langs
	}
	setI(&p.MaxPerClaim, r.MaxPerClaim)
	setF(&p.Seed, r.Seed)
	setI(&p.Seeds, r.Seeds)
	return p, p.Validate()
}

// TargetsRequest is a targeting run over a stored dataset with a
// watchlist given as its text (one handle or id per line, or a CSV
// account,label[,aliases]).
type TargetsRequest struct {
	Dataset      string   `json:"dataset"`
	Watchlist    string   `json:"watchlist"`
	Name         string   `json:"name,omitempty"`
	CoordRun     string   `json:"coord_run,omitempty"`
	Window       string   `json:"window,omitempty"` // e.g. 60s
	BurstZ       *float64 `json:"burst_z,omitempty"`
	BurstMin     *int     `json:"burst_min,omitempty"`
	BurstHistory *int     `json:"burst_history,omitempty"`
	MinPairs     *int     `json:"min_pairs,omitempty"`
	Reposts      bool     `json:"reposts,omitempty"`
	MaxEvidence  *int     `json:"max_evidence,omitempty"`
}

// Params turns the request into validated parameters and its watchlist.
func (r TargetsRequest) Params() (targets.Params, *targets.Watchlist, []tahqiq.Reject, error) {
	p := targets.DefaultParams()
	switch {
	case r.Dataset == "":
		return p, nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "dataset is required")
	case r.Watchlist == "":
		return p, nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "watchlist is required: one handle or id per line, or a CSV with account,label[,aliases]")
	}
	if r.Window != "" {
		d, err := time.ParseDuration(r.Window)
		if err != nil || d < 0 || d%time.Second != 0 {
			return p, nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "window %q: want whole seconds such as 60s", r.Window)
		}
		p.Window = int64(d / time.Second)
	}
	setF(&p.BurstZ, r.BurstZ)
	setI(&p.BurstMin, r.BurstMin)
	setI(&p.BurstHistory, r.BurstHistory)
	setI(&p.MinPairs, r.MinPairs)
	setI(&p.MaxEvidence, r.MaxEvidence)
	p.Reposts = r.Reposts
	if err := p.Validate(); err != nil {
		return p, nil, nil, err
	}
	wl, rejects, err := targets.ParseWatchlist([]byte(r.Watchlist), "watchlist")
	return p, wl, rejects, err
}

func setF(dst *float64, v *float64) {
	if v != nil {
		*dst = *v
	}
}

func setI(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}
