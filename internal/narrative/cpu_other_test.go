//go:build !unix

package narrative_test

func cpuSeconds() float64 { return -1 }
