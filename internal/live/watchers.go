package live

import (
	"sync"

	"github.com/tahqiq/tahqiq"
)

// Watchers watches several feeds at once: one Watcher per subject, each
// made with the parameters of Params, so that the shares of one dataset
// never pair with another's (datasets belong to different organisations).
// Every alert is recorded in Hub, then handed to OnAlert.
type Watchers struct {
	Params  Watcher // Window, Lateness, MinWeight, GroupSize, Types
	Hub     *Hub
	OnAlert func(Record, error) // optional: told of each alert and of a failure to record it

	mu sync.Mutex
	m  map[string]*Watcher
}

// Add feeds shares published on subject to that subject's watcher.
func (ws *Watchers) Add(subject string, shares []tahqiq.Share) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.m == nil {
		ws.m = map[string]*Watcher{}
	}
	w := ws.m[subject]
	if w == nil {
		w = &Watcher{Window: ws.Params.Window, Lateness: ws.Params.Lateness, MinWeight: ws.Params.MinWeight,
			GroupSize: ws.Params.GroupSize, Types: ws.Params.Types}
		w.OnAlert = func(a Alert) {
			r, err := ws.Hub.Add(subject, a)
			if ws.OnAlert != nil {
				ws.OnAlert(r, err)
			}
		}
		ws.m[subject] = w
	}
	for _, s := range shares {
		w.Add(s)
	}
}

// Stats returns each subject's counts.
func (ws *Watchers) Stats() map[string]WatchStats {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	out := map[string]WatchStats{}
	for k, w := range ws.m {
		out[k] = w.Stats
	}
	return out
}
