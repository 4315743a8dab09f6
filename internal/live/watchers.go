package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/atomicfile"
)

// Watchers watches several feeds at once: one Watcher per subject, each
// made with the parameters of Params, so that the shares of one dataset
// never pair with another's (datasets belong to different organisations).
// Every alert is recorded in Hub (if any), then handed to OnAlert.
type Watchers struct {
	Params  Watcher // Window, Lateness, MinWeight, GroupSize, Horizon, Types
	Hub     *Hub
	OnAlert func(Record, error) // optional: told of each alert and of a failure to record it
	// QuietThrough: shares of stream messages up to this sequence rebuild
	// state without raising alerts (they were raised before a restart).
	QuietThrough uint64

	mu   sync.Mutex
	m    map[string]*Watcher
	last uint64 // the last stream sequence added
}

// Add feeds shares published on subject to that subject's watcher.
func (ws *Watchers) Add(subject string, shares []tahqiq.Share) { ws.AddSeq(subject, 0, shares) }

// AddSeq feeds the shares of stream message seq, published on subject, to
// that subject's watcher.
func (ws *Watchers) AddSeq(subject string, seq uint64, shares []tahqiq.Share) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.m == nil {
		ws.m = map[string]*Watcher{}
	}
	w := ws.m[subject]
	if w == nil {
		p := ws.Params
		w = &Watcher{Window: p.Window, Lateness: p.Lateness, MinWeight: p.MinWeight,
			GroupSize: p.GroupSize, Horizon: p.Horizon, Types: p.Types}
		w.OnAlert = func(a Alert) {
			r, err := Record{Subject: subject, Dataset: DatasetOf(subject), Alert: a}, error(nil)
			if ws.Hub != nil {
				r, err = ws.Hub.Add(subject, a)
			}
			if ws.OnAlert != nil {
				ws.OnAlert(r, err)
			}
		}
		ws.m[subject] = w
	}
	w.Quiet = seq > 0 && seq <= ws.QuietThrough
	for _, s := range shares {
		w.AddSeq(seq, s)
	}
	w.Quiet = false
	ws.last = max(ws.last, seq)
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

// Position is where a watch of the live stream stands: the last message
// it took and the first from which a replay rebuilds its state. It is
// saved as JSON beside the alerts, so that a restarted watch replays
// from Resume (quietly up to Last) and goes on where it stopped, with the
// same edges and groups and without raising the same alerts again.
type Position struct {
	Last   uint64 `json:"last"`
	Resume uint64 `json:"resume"`
	// Params are the watch parameters it was taken with; a restart with
	// other parameters still replays from Resume, under the new ones.
	Params PositionParams `json:"params"`
}

// PositionParams records a watch's parameters in its Position (and the
// API shows them beside the alerts).
type PositionParams struct {
	Window    int64               `json:"window_s"`
	Lateness  int64               `json:"lateness_s"`
	MinWeight int64               `json:"min_weight"`
	GroupSize int                 `json:"group_size"`
	Horizon   int64               `json:"horizon_s"`
	Types     []tahqiq.ObjectType `json:"types,omitempty"`
}

// Position returns where the watch stands (zero before any message).
func (ws *Watchers) Position() Position {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	p := ws.Params
	pos := Position{Last: ws.last, Resume: ws.last + 1, Params: PositionParams{p.Window, p.Lateness, p.MinWeight, p.GroupSize, p.Horizon, p.Types}}
	if ws.last == 0 {
		return Position{Params: pos.Params}
	}
	for _, w := range ws.m {
		if r := w.ResumeSeq(); r > 0 && r < pos.Resume {
			pos.Resume = r
		}
	}
	return pos
}

// SavePosition writes pos to path atomically (a temporary file, synced,
// renamed over it).
func SavePosition(path string, pos Position) error {
	b, err := json.Marshal(pos)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("live: save position: %w", err)
	}
	return nil
}

// LoadPosition reads a position saved by SavePosition; a missing file is
// the zero Position (start afresh), an unreadable one an error naming it.
func LoadPosition(path string) (Position, error) {
	var pos Position
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return pos, nil
	}
	if err != nil {
		return pos, err
	}
	if err := json.Unmarshal(b, &pos); err != nil || pos.Resume > pos.Last+1 {
		if err == nil {
			err = fmt.Errorf("resume %d after last %d", pos.Resume, pos.Last)
		}
		return pos, tahqiq.Errorf(tahqiq.EINVALID, "%s: not a watch position: %w (delete it to start afresh)", path, err)
	}
	return pos, nil
}

// Edges returns the current edges of subject's watcher, heaviest first.
func (ws *Watchers) Edges(subject string) []Edge {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if w := ws.m[subject]; w != nil {
		return w.Edges()
	}
	return nil
}
