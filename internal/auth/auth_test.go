package auth_test

import (
	"strings"
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
	l := auth.NewLimiter(3, time.Minute)
	l.Now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("u|ip"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
		l.Fail("u|ip")
	}
	ok, wait := l.Allow("u|ip")
	if ok || wait != time.Minute {
		t.Fatalf("after 3 failures: allow %v wait %v; want refused for 1m", ok, wait)
	}
	if ok, _ := l.Allow("other|ip"); !ok {
		t.Fatal("another key refused")
	}
	now = now.Add(61 * time.Second)
	if ok, _ := l.Allow("u|ip"); !ok {
		t.Fatal("refused after the window")
	}
	l.Fail("u|ip")
	l.Reset("u|ip")
	if ok, _ := l.Allow("u|ip"); !ok {
		t.Fatal("refused after reset")
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
