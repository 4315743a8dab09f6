//go:build !unix && !windows

package progress

// terminal: no terminal is known on this system.
func terminal(uintptr) (int, bool) { return 0, false }
