//go:build !linux

package coord

// threadCPU is 0: a thread's CPU time is read on Linux only.
func threadCPU() float64 { return 0 }
