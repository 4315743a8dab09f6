//go:build unix

// Package cputime gives the CPU time a process has used, which the
// benchmarks report beside wall time: on a shared machine the wall time
// is mostly waiting for a core, the CPU time is the steadier figure.
package cputime

import "syscall"

// Seconds is the CPU time (user and system, every thread) this process
// has used so far, 0 where it cannot be read.
func Seconds() float64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}

// System is the part of Seconds spent in the kernel (system calls).
func System() float64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return float64(u.Stime.Nano()) / 1e9
}
