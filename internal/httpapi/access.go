package httpapi

import (
	"context"

	"github.com/tahqiq/tahqiq"

	"github.com/tahqiq/tahqiq/internal/runs"
)

// Organisation access to datasets, runs and jobs is decided by casework
// (DatasetAccess, RunAccess, JobAccess); these helpers only ask it.

// run finds a run and checks that the caller may read it: another
// organisation's run answers as one that does not exist.
func (s *Server) run(ctx context.Context, c *call, kind, id string) (runs.Info, error) {
	in, err := s.Runs.Get(kind, id)
	if err != nil {
		return in, err
	}
	return in, s.runVisible(ctx, c, in)
}

// visibleRuns keeps the runs the caller may read.
func (s *Server) visibleRuns(ctx context.Context, c *call, list []runs.Info) ([]runs.Info, error) {
	out := []runs.Info{}
	for _, in := range list {
		err := s.runVisible(ctx, c, in)
		if err == nil {
			out = append(out, in)
		} else if tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
			return nil, err
		}
	}
	return out, nil
}
