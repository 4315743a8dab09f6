package auth

import (
	"strings"
	"sync"
	"time"
)

// A Limit is one counter a login attempt is charged to.
type Limit struct {
	Key   string
	Max   int  // further attempts are refused once this many failed within the window
	Reset bool // a successful login forgets the key's failures
}

// Login throttling: failures counted in a sliding window of LoginWindow,
// per account from one address, per account from any address (guesses
// spread over many addresses), and per address for any account (guesses
// spread over many accounts). The per-address limit is high because many
// colleagues may reach the server from one address (an office behind NAT):
// one account's failures do not lock out the others.
const (
	LoginWindow    = 15 * time.Minute
	AccountAddrMax = 5
	AccountMax     = 20
	AddressMax     = 50
	limiterMaxKeys = 100000
)

// LoginLimits are the counters a login as name from addr is charged to.
// Unknown names are counted as known ones are, so the answers do not tell
// them apart.
func LoginLimits(name, addr string) []Limit {
	name = strings.ToLower(strings.TrimSpace(name))
	return []Limit{
		{Key: "account+address|" + name + "|" + addr, Max: AccountAddrMax, Reset: true},
		{Key: "account|" + name, Max: AccountMax, Reset: true},
		{Key: "address|" + addr, Max: AddressMax},
	}
}

// A Limiter counts login attempts per key in a sliding window and refuses
// further attempts once a key's limit is reached. Checking the limits and
// charging the attempt are one step, and an attempt counts as a failure
// from its start until it succeeds, so parallel guesses cannot all pass
// the check before any of them has failed.
type Limiter struct {
	Window time.Duration
	Now    func() time.Time

	mu    sync.Mutex
	tries map[string][]time.Time
	// sweepAt is the number of keys at which every key is pruned next:
	// twice what a sweep left, so a spray of names that stay within the
	// window costs a sweep per doubling, not a scan of every key per
	// attempt.
	sweepAt int
	swept   int // keys looked at by sweeps (tests)
}

// NewLimiter returns a limiter with a window of w.
func NewLimiter(w time.Duration) *Limiter {
	return &Limiter{Window: w, Now: time.Now, tries: map[string][]time.Time{}}
}

// An Attempt is a login in progress, charged to its limits.
type Attempt struct {
	l      *Limiter
	at     time.Time
	limits []Limit
}

// Begin checks every limit and, when none is reached, charges the attempt
// to all of them at once. When one is reached it returns nil and how long
// to wait.
func (l *Limiter) Begin(limits []Limit) (*Attempt, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tries == nil {
		l.tries = map[string][]time.Time{}
	}
	now := l.Now()
	var wait time.Duration
	for _, lim := range limits {
		f := l.prune(lim.Key, now)
		if len(f) >= lim.Max {
			wait = max(wait, f[len(f)-lim.Max].Add(l.Window).Sub(now))
		}
	}
	if wait > 0 {
		return nil, wait
	}
	for _, lim := range limits {
		l.tries[lim.Key] = append(l.tries[lim.Key], now)
	}
	if len(l.tries) > max(l.sweepAt, limiterMaxKeys) { // bound memory under a spray of names
		for k := range l.tries {
			l.swept++
			l.prune(k, now)
		}
		l.sweepAt = 2 * len(l.tries)
	}
	return &Attempt{l: l, at: now, limits: limits}, 0
}

// Succeeded takes the attempt back from every counter and forgets the
// failures of the counters that reset on success (the account's).
func (a *Attempt) Succeeded() {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, lim := range a.limits {
		if lim.Reset {
			delete(l.tries, lim.Key)
			continue
		}
		f := l.tries[lim.Key]
		for i := len(f) - 1; i >= 0; i-- {
			if f[i].Equal(a.at) {
				l.tries[lim.Key] = append(f[:i:i], f[i+1:]...)
				break
			}
		}
		if len(l.tries[lim.Key]) == 0 {
			delete(l.tries, lim.Key)
		}
	}
}

// Forget forgets every failure.
func (l *Limiter) Forget() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tries = map[string][]time.Time{}
}

func (l *Limiter) prune(key string, now time.Time) []time.Time {
	f := l.tries[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= l.Window {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.tries, key)
		return nil
	}
	l.tries[key] = f
	return f
}
