package coord

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestLiftMemoryLimit: the graph step's lift raises a soft limit that is
// set and puts it back as it was; without one it sets none.
func TestLiftMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	restore := liftMemoryLimit(1 << 20)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("no limit set: lifted to %d", got)
	}
	restore()
	debug.SetMemoryLimit(3 << 30)
	restore = liftMemoryLimit(1 << 20)
	if got := debug.SetMemoryLimit(-1); got != 3<<30+1<<20 {
		t.Fatalf("limit %d, want %d", got, 3<<30+1<<20)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != 3<<30 {
		t.Fatalf("restored limit %d, want %d", got, 3<<30)
	}
}
