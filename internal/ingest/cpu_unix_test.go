//go:build unix

package ingest_test

import "syscall"

// cpuSeconds is the CPU time (user and system, every thread) the process
// has used: a steadier figure than the wall time on a shared machine.
func cpuSeconds() float64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}
