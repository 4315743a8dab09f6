//go:build !unix

// Package cputime gives the CPU time a process has used, which the
// benchmarks report beside wall time: on a shared machine the wall time
// is mostly waiting for a core, the CPU time is the steadier figure.
package cputime

// Seconds is 0: the CPU time is not read on this platform.
func Seconds() float64 { return 0 }

// System is 0: the CPU time is not read on this platform.
func System() float64 { return 0 }
