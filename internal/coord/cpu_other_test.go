//go:build !unix

package coord_test

func cpuSeconds() float64 { return 0 }
