package coord

import (
	"errors"
	"fmt"
	"os"
)

// runFiles are the sorted runs a spill writes (pairs, partials, posts in
// pairs): files in a temporary directory of their own, made with the
// first run and removed with them.
type runFiles struct {
	dir  string     // "": no run yet
	runs []*os.File // in the order written
}

// create makes the next run file (pattern as os.CreateTemp takes it),
// making the directory first (under tempDir, "" the system's, its name
// starting with prefix). what names the spill in errors.
func (r *runFiles) create(tempDir, prefix, pattern, what string) (*os.File, error) {
	if r.dir == "" {
		d, err := os.MkdirTemp(tempDir, prefix)
		if err != nil {
			return nil, spillError(what, err)
		}
		r.dir = d
	}
	f, err := os.CreateTemp(r.dir, pattern)
	if err != nil {
		return nil, spillError(what, err)
	}
	r.runs = append(r.runs, f)
	return f, nil
}

// remove closes the runs and removes their directory: nothing is left on
// disk, and the first error is returned.
func (r *runFiles) remove() error {
	var err error
	for _, f := range r.runs {
		err = errors.Join(err, f.Close())
	}
	r.runs = nil
	if r.dir != "" {
		err = errors.Join(err, os.RemoveAll(r.dir))
		r.dir = ""
	}
	return err
}

func spillError(what string, err error) error {
	return fmt.Errorf("coord: spilling %s over the memory budget (--mem): %w", what, err)
}
