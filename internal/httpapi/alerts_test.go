package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/natsbus"
)

type alertsAnswer struct {
	Watching bool
	Params   struct {
		Window    int64 `json:"window_s"`
		MinWeight int64 `json:"min_weight"`
		GroupSize int   `json:"group_size"`
	}
	Feeds  map[string]live.WatchStats
	Alerts []live.Record
}

// event is one server-sent event.
type event struct {
	id, name string
	rec      live.Record
}

// events reads the alert stream of c from path into a channel.
func events(t *testing.T, c *client, path string, hdr map[string]string) (<-chan event, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", c.e.srv.URL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%s: status %d, %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan event, 100)
	go func() {
		defer res.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(nil, 16<<20)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					out <- ev
				}
				ev = event{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(line[6:]), &ev.rec); err != nil {
					t.Errorf("event data %q: %v", line, err)
				}
			}
		}
	}()
	return out, cancel
}

// TestAlerts: the streaming mode in the server, through a real (embedded)
// JetStream server. An import is published to the live stream, the
// watcher raises alerts with their evidence, GET /alerts lists them, the
// event stream delivers them (and resumes after Last-Event-ID), another
// organisation sees none, and a replay of the dataset is a job.
func TestAlerts(t *testing.T) {
	srv, err := natsbus.Embedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	conn, err := natsbus.Dial(srv.ClientURL(), srv.Creds)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	js := conn.JS
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bus := &natsbus.Bus{JS: js}
	if err := bus.SetupLive(ctx); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	hub, err := live.OpenHub(filepath.Join(e.dir, "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	ws := &live.Watchers{Params: live.Watcher{Window: 60, MinWeight: 2, GroupSize: 5}, Hub: hub}
	e.api.Alerts, e.api.Watchers = hub, ws
	var published, received atomic.Int64
	e.api.Publish = func(ctx context.Context, dataset string, shares []tahqiq.Share) error {
		published.Add(int64(len(shares)))
		return bus.Publish(ctx, natsbus.LivePrefix+dataset, shares)
	}
	go bus.Watch(ctx, natsbus.LivePrefix+">", natsbus.WatchFrom{All: true}, func(subject string, seq uint64, shares []tahqiq.Share) {
		ws.AddSeq(subject, seq, shares)
		received.Add(int64(len(shares)))
	}, func(err error) { t.Error(err) })

	a := e.setup()
	evs, stop := events(t, a, "/api/v1/alerts/events", nil)
	defer stop()
	up := a.upload("russian.events.csv.gz", demoEvents(t))
	imp := a.job(a.call("POST", "/api/v1/imports", map[string]any{"dataset": "ru", "uploads": []string{up}}))
	var sum struct{ Shares int64 }
	json.Unmarshal(imp.Result, &sum)

	var got alertsAnswer
	deadline := time.Now().Add(time.Minute)
	for {
		a.want(200, "GET", "/api/v1/alerts?limit=1000", nil, &got)
		if n := published.Load(); n > 0 && received.Load() == n {
			a.want(200, "GET", "/api/v1/alerts?limit=1000", nil, &got)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no alerts a minute after the import: %+v", got.Feeds)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := published.Load(); n < sum.Shares/2 {
		t.Fatalf("the import of %d shares published %d", sum.Shares, n)
	}
	if st := got.Feeds[natsbus.LivePrefix+"ru"]; st.Alerts != len(got.Alerts) || st.Pairs == 0 {
		t.Fatalf("feed stats %+v, %d alerts listed", st, len(got.Alerts))
	}
	if !got.Watching || got.Params.Window != 60 || got.Params.GroupSize != 5 || len(got.Alerts) == 0 {
		t.Fatalf("alerts: %+v", got)
	}
	for i, r := range got.Alerts {
		if i > 0 && r.ID >= got.Alerts[i-1].ID {
			t.Fatalf("alerts not newest first: %d after %d", r.ID, got.Alerts[i-1].ID)
		}
		if r.Dataset != "ru" || len(r.Accounts) < 5 || len(r.Edges) < len(r.Accounts)-1 {
			t.Fatalf("alert %d: dataset %q, %d accounts, %d edges", r.ID, r.Dataset, len(r.Accounts), len(r.Edges))
		}
		for _, ed := range r.Edges {
			if ed.Weight < 2 || len(ed.Evidence) == 0 || !slices.Contains(r.Accounts, ed.A) || !slices.Contains(r.Accounts, ed.B) {
				t.Fatalf("alert %d: edge %s-%s weight %d with %d pairs of evidence", r.ID, ed.A, ed.B, ed.Weight, len(ed.Evidence))
			}
			for _, p := range ed.Evidence {
				if d := p.TimeA - p.TimeB; d > 60 || d < -60 || p.AccountA == p.AccountB {
					t.Fatalf("alert %d: evidence pair %+v is not a co-share within the window", r.ID, p)
				}
			}
		}
	}
	first := got.Alerts[len(got.Alerts)-1]
	select {
	case ev := <-evs:
		if ev.name != "alert" || ev.id != "1" || ev.rec.ID != 1 || !slices.Equal(ev.rec.Accounts, first.Accounts) {
			t.Fatalf("first event %s %s: %+v, want alert 1 %v", ev.name, ev.id, ev.rec.Accounts, first.Accounts)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no alert event")
	}
	if len(got.Alerts) > 1 {
		evs2, stop2 := events(t, a, "/api/v1/alerts/events", map[string]string{"Last-Event-ID": "1"})
		defer stop2()
		if ev := <-evs2; ev.rec.ID != 2 {
			t.Fatalf("resumed after 1: got alert %d", ev.rec.ID)
		}
	}
	// paging
	var page alertsAnswer
	a.want(200, "GET", "/api/v1/alerts?limit=1&before="+strconv.FormatInt(first.ID+1, 10), nil, &page)
	if len(page.Alerts) != 1 || page.Alerts[0].ID != first.ID {
		t.Fatalf("before=%d limit=1: %+v", first.ID+1, page.Alerts)
	}

	// the alerts survive a restart: the file holds them
	reopened, err := live.OpenHub(filepath.Join(e.dir, "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if again := reopened.Latest(0, nil, 0); len(again) != len(got.Alerts) || !slices.Equal(again[0].Accounts, got.Alerts[0].Accounts) {
		t.Fatalf("reopened: %d alerts, want %d", len(again), len(got.Alerts))
	}
	reopened.Close()

	// another organisation sees none of them
	_, b := e.partner("Partner", "pat")
	var theirs alertsAnswer
	b.want(200, "GET", "/api/v1/alerts", nil, &theirs)
	if len(theirs.Alerts) != 0 || len(theirs.Feeds) != 0 {
		t.Fatalf("the partner sees %d alerts, feeds %v", len(theirs.Alerts), theirs.Feeds)
	}
	b.want(404, "POST", "/api/v1/datasets/ru/publish", nil, nil) // another organisation's dataset does not exist for it

	// a replay of the dataset is a job that publishes every share
	j := a.job(a.call("POST", "/api/v1/datasets/ru/publish", nil))
	var pub struct {
		Subject string
		Shares  int64
	}
	json.Unmarshal(j.Result, &pub)
	if j.State != "done" || pub.Subject != "tahqiq.live.ru" || pub.Shares < sum.Shares {
		t.Fatalf("publish job: %s %s", j.State, j.Result)
	}
}
