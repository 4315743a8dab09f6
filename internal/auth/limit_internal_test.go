package auth

import (
	"strconv"
	"testing"
	"time"
)

// TestLimiterSprayAmortised: names sprayed faster than the window lets
// them expire are swept once per doubling of the keys, not once per
// attempt (which made every login scan every key past the bound).
func TestLimiterSprayAmortised(t *testing.T) {
	now := time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(time.Hour)
	l.Now = func() time.Time { return now }
	const n = 3 * limiterMaxKeys / 2
	for i := range n {
		// one address per name: each attempt makes two new keys and
		// charges the shared account key of nobody
		if a, wait := l.Begin([]Limit{{Key: "account|u" + strconv.Itoa(i), Max: 5}, {Key: "address|a" + strconv.Itoa(i), Max: 50}}); a == nil {
			t.Fatalf("attempt %d refused (wait %v)", i, wait)
		}
	}
	// Every key is live: sweeping cannot shrink the map, so the sweeps
	// must be rare. Scanning every key per attempt past the bound would
	// look at about n*(n-bound) keys; per doubling, a few times n.
	if l.swept > 4*2*n {
		t.Errorf("sweeps looked at %d keys for %d attempts; want at most %d", l.swept, n, 4*2*n)
	}
	// Expired keys still go: an hour later a sweep empties the map.
	now = now.Add(2 * time.Hour)
	for i := range l.sweepAt + 1 {
		l.Begin([]Limit{{Key: "late|" + strconv.Itoa(i), Max: 5}})
	}
	if len(l.tries) > l.sweepAt {
		t.Errorf("%d keys kept after the window passed; the next sweep is at %d", len(l.tries), l.sweepAt)
	}
}
