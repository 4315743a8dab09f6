package progress

import (
	"io"
	"os"
)

// Terminal reports whether w is a terminal that progress may be drawn on
// (not a file or a pipe, nor a terminal that says it cannot move the
// cursor back, TERM=dumb), and its width in columns (0: not known).
func Terminal(w io.Writer) (width int, ok bool) {
	f, isFile := w.(interface{ Fd() uintptr })
	if !isFile || os.Getenv("TERM") == "dumb" {
		return 0, false
	}
	return terminal(f.Fd())
}
