package auth_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/auth"
)

var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}

func TestPassword(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q: want a PHC argon2id string", h)
	}
	h2, _ := auth.HashPassword("correct horse battery", cheap)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse battery", true}, {"correct horse batterY", false}, {"", false}} {
		ok, err := auth.CheckPassword(h, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	if _, err := auth.HashPassword("short", cheap); err == nil {
		t.Error("short password accepted")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AAAA"} {
		if ok, err := auth.CheckPassword(bad, "x"); ok || err == nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

func TestSecret(t *testing.T) {
	a, b := auth.NewSecret("tq_"), auth.NewSecret("tq_")
	if a == b || !strings.HasPrefix(a, "tq_") || len(a) != 3+43 {
		t.Fatalf("secrets %q %q", a, b)
	}
	if len(auth.Digest(a)) != 64 || auth.Digest(a) == auth.Digest(b) {
		t.Fatal("digest")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := auth.NewLimiter(time.Minute)
	l.Now = func() time.Time { return now }
	lim := []auth.Limit{{Key: "acct", Max: 3, Reset: true}, {Key: "addr", Max: 5}}
	for i := range 3 {
		if a, _ := l.Begin(lim); a == nil {
			t.Fatalf("attempt %d refused", i)
		}
		now = now.Add(time.Second) // each attempt fails
	}
	a, wait := l.Begin(lim)
	if a != nil || wait != 57*time.Second {
		t.Fatalf("after 3 failures: attempt %v, wait %v; want refused for 57s", a, wait)
	}
	if a, _ := l.Begin([]auth.Limit{{Key: "other", Max: 3}, {Key: "addr", Max: 5}}); a == nil {
		t.Fatal("another account refused")
	}
	// the address is at 4 of 5: one more failure of any account refuses all
	if a, _ := l.Begin([]auth.Limit{{Key: "third", Max: 3}, {Key: "addr", Max: 5}}); a == nil {
		t.Fatal("the fifth attempt at the address refused")
	}
	if a, _ := l.Begin([]auth.Limit{{Key: "fourth", Max: 3}, {Key: "addr", Max: 5}}); a != nil {
		t.Fatal("the sixth attempt at the address allowed")
	}
	now = now.Add(61 * time.Second)
	a, _ = l.Begin(lim)
	if a == nil {
		t.Fatal("refused after the window")
	}
	// a success takes its own charge back and forgets the account's failures
	a.Succeeded()
	for i := range 3 {
		if a, _ := l.Begin(lim); a == nil {
			t.Fatalf("attempt %d after a success refused", i)
		}
	}
}

// TestLimiterAtomic: attempts in flight count, so of many parallel
// attempts only the limit's worth begin.
func TestLimiterAtomic(t *testing.T) {
	l := auth.NewLimiter(time.Minute)
	var began atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, _ := l.Begin(auth.LoginLimits("Amina", "10.0.0.1")); a != nil {
				began.Add(1)
			}
		}()
	}
	wg.Wait()
	if began.Load() != auth.AccountAddrMax {
		t.Fatalf("%d of 100 parallel attempts began, want %d", began.Load(), auth.AccountAddrMax)
	}
}

func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := auth.HashPassword("correct horse battery", auth.DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}
