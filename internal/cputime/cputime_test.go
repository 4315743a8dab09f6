package cputime_test

import (
	"runtime"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cputime"
)

// Seconds grows with work done on Unix.
func TestSecondsGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no CPU time on", runtime.GOOS)
	}
	before := cputime.Seconds()
	x := 0
	for i := range 200_000_000 {
		x ^= i
	}
	if after := cputime.Seconds(); after <= before {
		t.Fatalf("CPU time %v after a loop (%d), %v before: want more", after, x, before)
	}
}
