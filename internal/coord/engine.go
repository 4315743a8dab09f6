package coord

import "context"

// An Engine is where a run makes its in-window pairs and folds them into
// edges: in this process (a nil Engine), or elsewhere (Partitioned,
// Reduced). Everything else (interning, the near-text groups, the
// min-participation rule's counts, weights, flags, communities, outputs)
// is the run's own code whatever the engine, so every engine gives the
// same result.
type Engine interface {
	// edges returns the run's edges, sorted by (A, B), and leaves in res
	// what Evidence needs to sweep the kept pairs again and the count of
	// pairs; lap times its steps.
	edges(ctx context.Context, in *interned, q, p *Params, res *Result, lap func(string)) ([]Edge, error)
}

// inProcess makes and folds the pairs here, on Params.Workers goroutines,
// within its budget (spill.go; none: everything in memory).
type inProcess struct{ budget Budget }

func (e inProcess) edges(ctx context.Context, in *interned, q, p *Params, res *Result, lap func(string)) ([]Edge, error) {
	if e.budget.Mem > 0 && in.remote == nil {
		return e.edgesWithin(ctx, in, q, p, res, lap)
	}
	res.pairs = in.pairs(q)
	res.Counts["pairs"] = int64(len(res.pairs))
	lap("pairs_s")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	edges, byType, _, err := in.aggregate(p, res.pairs, nil)
	if err != nil {
		return nil, err
	}
	res.byType = byType
	lap("aggregate_s")
	return edges, ctx.Err()
}

// Partitioned is the engine that has part compute each object's
// in-window pairs (elsewhere: other processes, other machines) and folds
// them into edges here: the run holds every kept pair, as in process.
func Partitioned(part Partitioner) Engine { return partitioned{part} }

type partitioned struct{ part Partitioner }

func (e partitioned) edges(ctx context.Context, in *interned, q, p *Params, res *Result, lap func(string)) ([]Edge, error) {
	if err := in.pairsFrom(ctx, q, e.part); err != nil {
		return nil, err
	}
	lap("partitions_s")
	return inProcess{}.edges(ctx, in, q, p, res, lap)
}

// Reduced is the engine that has red make the pairs and fold them into
// merged partial edges (elsewhere): the run holds the rows and the edges,
// never the pairs, and sweeps the kernel again for the evidence.
func Reduced(red Reducer) Engine { return reduced{red} }

type reduced struct{ red Reducer }

func (e reduced) edges(ctx context.Context, in *interned, q, p *Params, res *Result, lap func(string)) ([]Edge, error) {
	edges, byType, kept, err := in.reduceEdges(ctx, q, p, e.red)
	if err != nil {
		return nil, err
	}
	res.kept, res.byType = kept, byType
	n := int64(0)
	for i := range edges {
		n += edges[i].Pairs
	}
	res.Counts["pairs"] = n
	lap("reduce_s")
	return edges, nil
}
