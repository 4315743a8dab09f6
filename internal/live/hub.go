package live

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Record is an alert as the server keeps it: numbered in the order it was
// raised, with the subject (feed) whose shares raised it.
type Record struct {
	ID      int64  `json:"id"`
	Subject string `json:"subject"`
	// Dataset is the subject after tahqiq.live. (the dataset a server
	// import published to), which decides who may read the alert.
	Dataset string `json:"dataset"`
	Alert
}

// Hub keeps the alerts raised in a server: an append-only JSON Lines file
// (one Record a line, synced after each write, so alerts survive a
// restart) and the subscribers that are told of each new one (the API's
// event stream).
type Hub struct {
	mu     sync.Mutex
	path   string
	f      *os.File
	all    []Record
	ids    map[string]int64 // alertKey -> id, for the alerts in all
	subs   map[chan Record]struct{}
	closed bool
}

// OpenHub opens (or creates) the alert file at path and reads the alerts
// already in it. A line that is not a Record is an error naming it.
func OpenHub(path string) (*Hub, error) {
	h := &Hub{path: path, subs: map[chan Record]struct{}{}, ids: map[string]int64{}}
	if b, err := os.ReadFile(path); err == nil {
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		sc.Buffer(nil, 64<<20)
		for line := 1; sc.Scan(); line++ {
			if len(sc.Bytes()) == 0 {
				continue
			}
			var r Record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				return nil, fmt.Errorf("%s: line %d is not an alert: %v", path, line, err)
			}
			h.all = append(h.all, r)
			h.ids[alertKey(r.Subject, r.Alert)] = r.ID
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if n := len(h.all); n > keep {
			for _, old := range h.all[:n-keep] {
				if h.ids[alertKey(old.Subject, old.Alert)] == old.ID {
					delete(h.ids, alertKey(old.Subject, old.Alert))
				}
			}
			h.all = slices.Clone(h.all[n-keep:])
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	h.f = f
	return h, nil
}

// keep is how many alerts a Hub holds in memory (the file keeps all).
const keep = 10000

// DatasetOf is the dataset of a live subject: what follows tahqiq.live.
// ("" for other subjects).
func DatasetOf(subject string) string {
	d, _ := strings.CutPrefix(subject, SubjectPrefix)
	if d == subject {
		return ""
	}
	return d
}

// SubjectPrefix starts the subjects of the live stream.
const SubjectPrefix = "tahqiq.live."

// alertKey identifies an alert: its feed, the data time of the share
// that raised it and its accounts (a replay raises the same alert with
// the same key).
func alertKey(subject string, a Alert) string {
	return subject + "\x00" + a.Time.UTC().Format(time.RFC3339Nano) + "\x00" + strings.Join(a.Accounts, "\x00")
}

// Add records an alert raised on subject and tells the subscribers. The
// record is on disk (synced) before anyone is told. An alert already
// recorded (same feed, time and accounts: raised again by a watch that
// restarted before it saved its position) is not recorded twice: Add
// returns the first record and tells no one.
func (h *Hub) Add(subject string, a Alert) (Record, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return Record{}, errors.New("live: alert hub closed")
	}
	key := alertKey(subject, a)
	if id, ok := h.ids[key]; ok {
		i, _ := slices.BinarySearchFunc(h.all, id, func(r Record, id int64) int { return cmp.Compare(r.ID, id) })
		return h.all[i], nil
	}
	r := Record{ID: 1, Subject: subject, Dataset: DatasetOf(subject), Alert: a}
	if n := len(h.all); n > 0 {
		r.ID = h.all[n-1].ID + 1
	}
	b, err := json.Marshal(r)
	if err != nil {
		return Record{}, err
	}
	if _, err := h.f.Write(append(b, '\n')); err != nil {
		return Record{}, fmt.Errorf("live: write %s: %w", h.path, err)
	}
	if err := h.f.Sync(); err != nil {
		return Record{}, fmt.Errorf("live: sync %s: %w", h.path, err)
	}
	h.all = append(h.all, r)
	h.ids[key] = r.ID
	if len(h.all) > keep {
		for _, old := range h.all[:len(h.all)-keep] {
			delete(h.ids, alertKey(old.Subject, old.Alert))
		}
		h.all = slices.Clone(h.all[len(h.all)-keep:])
	}
	for c := range h.subs {
		select {
		case c <- r:
		default:
			// a subscriber that does not keep up is dropped; it comes
			// back with the id it last saw (After)
			delete(h.subs, c)
			close(c)
		}
	}
	return r, nil
}

// After returns the alerts with an id greater than id that ok accepts,
// oldest first, at most limit (0: all held in memory).
func (h *Hub) After(id int64, ok func(Record) bool, limit int) []Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	i, _ := slices.BinarySearchFunc(h.all, id+1, func(r Record, id int64) int { return int(r.ID - id) })
	var out []Record
	for _, r := range h.all[i:] {
		if ok == nil || ok(r) {
			out = append(out, r)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

// Latest returns up to limit alerts that ok accepts, newest first, with
// an id below before (0: from the newest).
func (h *Hub) Latest(before int64, ok func(Record) bool, limit int) []Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Record
	for i := len(h.all) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		r := h.all[i]
		if (before <= 0 || r.ID < before) && (ok == nil || ok(r)) {
			out = append(out, r)
		}
	}
	return out
}

// Subscribe returns a channel that receives each new alert, and the
// function that ends the subscription. The channel is closed when the hub
// closes or the subscriber falls behind by more than 64 alerts.
func (h *Hub) Subscribe() (<-chan Record, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := make(chan Record, 64)
	if h.closed {
		close(c)
		return c, func() {}
	}
	h.subs[c] = struct{}{}
	return c, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[c]; ok {
			delete(h.subs, c)
			close(c)
		}
	}
}

// Close ends every subscription and closes the file.
func (h *Hub) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	for c := range h.subs {
		close(c)
	}
	h.subs = nil
	return h.f.Close()
}
