//go:build unix

package progress

import "golang.org/x/sys/unix"

// terminal asks the terminal for its size: only a terminal answers.
func terminal(fd uintptr) (int, bool) {
	ws, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ)
	if err != nil {
		return 0, false
	}
	return int(ws.Col), true
}
