//go:build !unix

package layout

func cpuSeconds() float64 { return 0 }
