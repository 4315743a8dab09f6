package coord

import "golang.org/x/sys/unix"

// threadCPU is the CPU time (user and system) of the calling thread so
// far: with the goroutine locked to its thread, that goroutine's.
func threadCPU() float64 {
	var u unix.Rusage
	if unix.Getrusage(unix.RUSAGE_THREAD, &u) != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}
