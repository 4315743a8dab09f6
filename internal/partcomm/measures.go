package partcomm

import (
	"context"
	"fmt"
)

// Degrees returns each node's degree (its edges) and strength (their
// weight) over the partitions, a Strengths step: a partitioned run's
// nodes.csv columns, over every kept edge.
func Degrees(ctx context.Context, parts Partitions, n int) ([]int32, []float64, error) {
	deg, str := make([]int32, n), make([]float64, n)
	err := merge(ctx, parts, Strengths, nil, func(r Record) error {
		if r.A < 0 || int(r.A) >= n {
			return fmt.Errorf("partcomm: node %d in a graph of %d nodes", r.A, n)
		}
		deg[r.A], str[r.A] = int32(r.N), r.W
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return deg, str, nil
}

// Inside returns the number of edges inside each community of comm (by
// node, 0.. and -1 for none) over the partitions, a Pairs step:
// communities.csv's edges column, over every kept edge.
func Inside(ctx context.Context, parts Partitions, comm []int32) ([]int, error) {
	nc := int32(0)
	for _, c := range comm {
		nc = max(nc, c+1)
	}
	out := make([]int, nc)
	err := merge(ctx, parts, Pairs, comm, func(r Record) error {
		if r.A == r.B && r.A >= 0 {
			if r.A >= nc {
				return fmt.Errorf("partcomm: community %d of %d", r.A, nc)
			}
			out[r.A] += int(r.N)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
