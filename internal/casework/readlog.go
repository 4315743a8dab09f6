package casework

import (
	"context"
	"crypto/sha256"
	"strings"
	"sync"
	"time"

	"github.com/tahqiq/tahqiq"
)

// ReadWindow is how often one reader's reads of one thing are logged: the
// first read in a window is logged with the time it began; reads of the
// same thing (the same action on the same case, item and hashes) by the
// same reader within ReadWindow after it are covered by that entry. So
// the log grows with readers, objects and time, never with the number of
// requests, and a reader cannot flood it (docs/cases.md).
const ReadWindow = time.Hour

// readCache remembers when each read was last logged by this process, per
// store; a restart or a second server logs a read once more, which is
// harmless.
type readCache struct {
	mu   sync.Mutex
	last map[[32]byte]time.Time
}

// due reports whether a read with key k at now must be logged, and if so
// marks it logged.
func (c *readCache) due(k [32]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		c.last = map[[32]byte]time.Time{}
	}
	if t, ok := c.last[k]; ok && now.Sub(t) < ReadWindow && !now.Before(t) {
		return false
	}
	if len(c.last) > 100000 { // forget windows that ended
		for x, t := range c.last {
			if now.Sub(t) >= ReadWindow {
				delete(c.last, x)
			}
		}
	}
	c.last[k] = now
	return true
}

func (c *readCache) forget(k [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.last, k)
}

// readCaches holds a readCache per store (services are values, built
// per command and per request; the window belongs to the store).
var readCaches sync.Map // Store -> *readCache

func (s *Service) reads() *readCache {
	c, _ := readCaches.LoadOrStore(s.Store, &readCache{})
	return c.(*readCache)
}

// logRead appends a read entry unless the same reader logged the same
// read within ReadWindow.
func (s *Service) logRead(ctx context.Context, e tahqiq.LogEntry) error {
	k := sha256.Sum256([]byte(strings.Join(append([]string{e.Actor, e.Action, e.CaseID, e.ItemID}, e.Hashes...), "\x00")))
	if !s.reads().due(k, s.now()) {
		return nil
	}
	if _, err := s.change(ctx, e, nil); err != nil {
		s.reads().forget(k)
		return err
	}
	return nil
}
