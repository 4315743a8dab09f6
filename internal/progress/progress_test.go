package progress_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/progress"
)

func TestCounterPrintsPerInterval(t *testing.T) {
	var out strings.Builder
	now := time.Unix(0, 0)
	c := progress.New(&out, "import", "records")
	c.Now = func() time.Time { return now }
	c.Add(10, 0) // starts the clock
	now = now.Add(500 * time.Millisecond)
	c.Add(10, 0) // within the interval: silent
	if out.Len() != 0 {
		t.Fatalf("printed within the first interval: %q", out.String())
	}
	now = now.Add(600 * time.Millisecond)
	c.Add(2000, 0)
	want := "import: 2020 records (1836/s)\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	now = now.Add(900 * time.Millisecond)
	c.Done()
	if !strings.HasSuffix(out.String(), "import: 2020 records (1010/s), done\n") {
		t.Fatalf("final line: %q", out.String())
	}
	if c.Count() != 2020 {
		t.Fatalf("Count() = %d", c.Count())
	}
}

func TestNilCounter(t *testing.T) {
	var c *progress.Counter
	c.Add(1, 1)
	c.Done()
	if c.Count() != 0 {
		t.Fatal("nil counter counted")
	}
}
