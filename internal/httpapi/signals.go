package httpapi

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// signalSet is the account signals of a dataset, as cached.
type signalSet struct {
	rows  []*signals.Row // most posts first, then account
	byUID map[string]*signals.Row
}

// signalColumn is a signal's name, kind and definition, for the UI and
// scripts.
type signalColumn struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Definition string `json:"definition"`
}

var signalKinds = map[signals.Kind]string{signals.Number: "number", signals.Bool: "bool", signals.Time: "time", signals.Text: "text"}

func signalColumns() []signalColumn {
	out := make([]signalColumn, len(signals.Columns))
	for i, c := range signals.Columns {
		out[i] = signalColumn{c.Name, signalKinds[c.Kind], c.Doc}
	}
	return out
}

// datasetSignals returns the signals of a dataset's accounts from the
// cache (computed on first use, by runs.ReadDataset and a
// signals.Builder, as tahqiq accounts computes them; refreshed in the
// background when the dataset's files change). The caller checks access.
func (s *Server) datasetSignals(ctx context.Context, name string) (*signalSet, error) {
	ck := name + "|signals"
	compute := func(ctx context.Context) (any, error) {
		var bl signals.Builder
		if _, err := runs.ReadDataset(ctx, s.Store, name, func(p *tahqiq.Post) error {
			bl.Post(p)
			return nil
		}, &bl); err != nil {
			return nil, err
		}
		set := &signalSet{byUID: bl.Rows()}
		for _, r := range set.byUID {
			set.rows = append(set.rows, r)
		}
		slices.SortFunc(set.rows, func(a, b *signals.Row) int {
			if c := cmp.Compare(b.PostsTotal, a.PostsTotal); c != 0 {
				return c
			}
			return strings.Compare(a.Account, b.Account)
		})
		return set, nil
	}
	if v, ok := s.summaries.Load(ck); ok {
		cs := v.(cachedSummary)
		if time.Since(cs.at) >= s.summaryFresh() {
			go s.refresh(name, ck, func(ctx context.Context) error {
				_, err := s.cached(ctx, name, ck, compute)
				return err
			})
		}
		return cs.v.(*signalSet), nil
	}
	cs, err := s.cached(ctx, name, ck, compute)
	if err != nil {
		return nil, err
	}
	return cs.v.(*signalSet), nil
}

// getDatasetSignals lists a dataset's accounts with their signals:
// ?where=COND (repeatable; all must hold), ?sort=SIGNAL (largest first;
// &asc=1 smallest), ?limit, ?offset.
func (s *Server) getDatasetSignals(w http.ResponseWriter, r *http.Request, c *call) error {
	name := r.PathValue("name")
	q := r.URL.Query()
	filters, err := signals.ParseFilters(q["where"])
	if err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "where: %v", err)
	}
	var sortCol *signals.Column
	if v := q.Get("sort"); v != "" {
		col, ok := signals.ColumnByName(v)
		if !ok {
			return tahqiq.Errorf(tahqiq.EINVALID, "sort=%q: no signal of that name", v)
		}
		sortCol = &col
	}
	limit, err := intParam(r, "limit", 100, 10000)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 1<<30)
	if err != nil {
		return err
	}
	if err := s.Cases.DatasetAccess(r.Context(), c.user, name); err != nil {
		return err
	}
	set, err := s.datasetSignals(r.Context(), name)
	if err != nil {
		return err
	}
	matched := make([]*signals.Row, 0, len(set.rows))
	for _, row := range set.rows {
		if filters.Match(row) {
			matched = append(matched, row)
		}
	}
	if sortCol != nil {
		sortSignals(matched, *sortCol, q.Get("asc") == "1" || q.Get("asc") == "true")
	}
	page := matched[min(offset, len(matched)):min(offset+limit, len(matched))]
	return writeJSON(w, http.StatusOK, map[string]any{"dataset": name, "accounts": len(set.rows), "matched": len(matched),
		"where": q["where"], "columns": signalColumns(), "rows": page})
}

// sortSignals sorts by col, largest first unless asc, empty cells last;
// ties keep their order (most posts first).
func sortSignals(rows []*signals.Row, col signals.Column, asc bool) {
	slices.SortStableFunc(rows, func(a, b *signals.Row) int {
		va, vb := col.Value(a), col.Value(b)
		switch {
		case va == "" && vb == "":
			return 0
		case va == "":
			return 1
		case vb == "":
			return -1
		}
		var c int
		if col.Kind == signals.Number {
			x, _ := strconv.ParseFloat(va, 64)
			y, _ := strconv.ParseFloat(vb, 64)
			c = cmp.Compare(x, y)
		} else {
			c = strings.Compare(va, vb)
		}
		if !asc {
			c = -c
		}
		return c
	})
}

// accountSignals returns one account's signals in a dataset, nil when it
// posted nothing there.
func (s *Server) accountSignals(ctx context.Context, dataset, uid string) (*signals.Row, error) {
	set, err := s.datasetSignals(ctx, dataset)
	if err != nil {
		return nil, err
	}
	return set.byUID[uid], nil
}
