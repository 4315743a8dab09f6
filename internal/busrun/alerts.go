package busrun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/natsbus"
)

// PostAlert POSTs an alert, trying three times.
func PostAlert(ctx context.Context, url string, a any) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	var last error
	for try := range 3 {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode < 300 {
				return nil
			}
			err = fmt.Errorf("status %s", res.Status)
		}
		last = err
		time.Sleep(time.Duration(try+1) * 500 * time.Millisecond)
	}
	return last
}

// A Watching is the streaming mode of a server: the alert hub, the
// watchers of the feeds, and how imports publish to the live stream.
type Watching struct {
	Hub      *live.Hub
	Watchers *live.Watchers
	// Publish sends a dataset's shares to its subject of the live stream.
	Publish func(ctx context.Context, dataset string, shares []tahqiq.Share) error
}

// StartWatch starts the streaming mode on bus with the watchers' params:
// the alert hub (DataDir/alerts.jsonl), a watcher per feed on the live
// stream, resumed from DataDir/watch.json, alerts logged and POSTed to
// webhook when set. fromStart reads the live stream from its beginning (an
// embedded server's stream is new with the process). The returned
// function stops the watch and closes the hub.
func (r *Runtime) StartWatch(ctx context.Context, bus *natsbus.Bus, params live.Watcher, webhook string, fromStart bool) (*Watching, func(), error) {
	if err := bus.SetupLive(ctx); err != nil {
		return nil, nil, err
	}
	hub, err := live.OpenHub(filepath.Join(r.DataDir, "alerts.jsonl"))
	if err != nil {
		return nil, nil, err
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ws := &live.Watchers{Params: params, Hub: hub, OnAlert: func(a live.Record, err error) {
		if err != nil {
			r.Log.Error("alert not recorded", "subject", a.Subject, "err", err)
			return
		}
		r.Log.Warn("ALERT: accounts acting together", "id", a.ID, "dataset", a.Dataset, "accounts", len(a.Accounts), "min_weight", a.MinWeight, "window_s", a.Window)
		if webhook != "" {
			go func() {
				if err := PostAlert(wctx, webhook, a); err != nil {
					r.Log.Error("webhook", "url", webhook, "err", err)
				}
			}()
		}
	}}
	w := &Watching{Hub: hub, Watchers: ws, Publish: func(ctx context.Context, dataset string, shares []tahqiq.Share) error {
		return bus.Publish(ctx, natsbus.LivePrefix+dataset, shares)
	}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := Watch(wctx, bus, ws, natsbus.LivePrefix+">", natsbus.WatchFrom{All: fromStart}, filepath.Join(r.DataDir, "watch.json"), r.Stderr); err != nil {
			r.Log.Error("watch stopped", "err", err)
		}
	}()
	return w, func() { cancel(); <-done; hub.Close() }, nil
}
