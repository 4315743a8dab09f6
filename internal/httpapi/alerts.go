package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/live"
)

// Streaming mode: with serve --watch, watchers on the live stream raise
// alerts into s.Alerts; these routes list them and stream new ones as
// server-sent events. A caller sees the alerts of the datasets (feeds)
// it may read.

type alertsJSON struct {
	Watching bool                       `json:"watching"`
	Params   *live.PositionParams       `json:"params,omitempty"`
	Feeds    map[string]live.WatchStats `json:"feeds,omitempty"` // per subject
	Alerts   []alertJSON                `json:"alerts"`
}

// alertJSON is an alert with what its dataset calls its accounts.
type alertJSON struct {
	live.Record
	Names map[string]accountName `json:"names,omitempty"` // by UID; only accounts with a handle or name
}

type accountName struct {
	Handle string `json:"handle,omitempty"`
	Name   string `json:"name,omitempty"`
}

// named returns rec with the handles and names its dataset gives its
// accounts (none when the dataset is gone or names no one).
func (s *Server) named(ctx context.Context, rec live.Record) alertJSON {
	out := alertJSON{Record: rec}
	if rec.Dataset == "" || len(rec.Accounts) == 0 {
		return out
	}
	as, err := s.Store.FindAccounts(ctx, rec.Dataset, rec.Accounts)
	if err != nil {
		return out
	}
	for uid, a := range as {
		if a.Handle == "" && a.Name == "" {
			continue
		}
		if out.Names == nil {
			out.Names = map[string]accountName{}
		}
		out.Names[uid] = accountName{Handle: a.Handle, Name: a.Name}
	}
	return out
}

// alertFilter returns the test of which alerts the caller may read; it
// asks casework once per dataset.
func (s *Server) alertFilter(ctx context.Context, c *call) func(live.Record) bool {
	seen := map[string]bool{}
	return func(r live.Record) bool {
		ok, done := seen[r.Dataset]
		if !done {
			ok = s.Cases.DatasetAccess(ctx, c.user, r.Dataset) == nil
			seen[r.Dataset] = ok
		}
		return ok
	}
}

func (s *Server) getAlerts(w http.ResponseWriter, r *http.Request, c *call) error {
	before, err := intParam(r, "before", 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 50, 1000)
	if err != nil {
		return err
	}
	out := alertsJSON{Alerts: []alertJSON{}}
	if s.Alerts != nil {
		ok := s.alertFilter(r.Context(), c)
		out.Watching = true
		if ws := s.Watchers; ws != nil {
			params := ws.Position().Params
			out.Params = &params
			out.Feeds = map[string]live.WatchStats{}
			for subject, st := range ws.Stats() {
				if ok(live.Record{Subject: subject, Dataset: live.DatasetOf(subject)}) {
					out.Feeds[subject] = st
				}
			}
		}
		for _, rec := range s.Alerts.Latest(int64(before), ok, limit) {
			out.Alerts = append(out.Alerts, s.named(r.Context(), rec))
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// getAlertEvents streams alerts as server-sent events (event "alert", id
// the alert's id, data its JSON), from the one after Last-Event-ID (or
// ?after=) when given, else only new ones; a comment line every 15 s
// keeps proxies from closing the connection. The stream ends when the
// server shuts down; EventSource then reconnects with the last id.
func (s *Server) getAlertEvents(w http.ResponseWriter, r *http.Request, c *call) error {
	if s.Alerts == nil {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "this server does not watch a live stream (start it with tahqiq serve --watch)")
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("httpapi: the response writer cannot stream")
	}
	after := int64(-1)
	for _, v := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("after")} {
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return tahqiq.Errorf(tahqiq.EINVALID, "event id %q: want a non-negative integer", v)
		}
		after = n
		break
	}
	// subscribe before reading the backlog, so that nothing falls between
	sub, cancel := s.Alerts.Subscribe()
	defer cancel()
	ok2 := s.alertFilter(r.Context(), c)
	last := after
	if after < 0 {
		if l := s.Alerts.Latest(0, nil, 1); len(l) > 0 {
			last = l[0].ID
		} else {
			last = 0
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(rec live.Record) error {
		if rec.ID <= last {
			return nil
		}
		last = rec.ID
		if !ok2(rec) {
			return nil
		}
		b, err := json.Marshal(s.named(r.Context(), rec))
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "id: %d\nevent: alert\ndata: %s\n\n", rec.ID, b); err != nil {
			return err
		}
		fl.Flush()
		return nil
	}
	fmt.Fprint(w, ": tahqiq alerts\n\n")
	fl.Flush()
	if after >= 0 {
		for _, rec := range s.Alerts.After(after, nil, 0) {
			if err := send(rec); err != nil {
				return nil
			}
		}
	}
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case rec, open := <-sub:
			if !open {
				return nil // shutting down, or this client fell behind: it reconnects
			}
			if err := send(rec); err != nil {
				return nil
			}
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return nil
			}
			fl.Flush()
		}
	}
}
