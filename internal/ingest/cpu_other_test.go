//go:build !unix

package ingest_test

// cpuSeconds is not measured here.
func cpuSeconds() float64 { return 0 }
