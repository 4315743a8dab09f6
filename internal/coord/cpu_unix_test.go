//go:build unix

package coord_test

import "syscall"

// cpuSeconds is the CPU time (user + system) of this process so far: the
// benchmarks report it beside wall time, which a shared machine inflates.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}
