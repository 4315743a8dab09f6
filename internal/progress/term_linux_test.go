package progress_test

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tahqiq/tahqiq/internal/progress"
)

// openPTY opens a pseudo-terminal of cols columns and returns its two ends:
// what is written to tty is read from pty.
func openPTY(t *testing.T, cols uint16) (pty, tty *os.File) {
	t.Helper()
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { pty.Close() })
	fd := int(pty.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pseudo-terminal number: %v", err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: cols}); err != nil {
		t.Fatal(err)
	}
	return pty, tty
}

func TestTerminal(t *testing.T) {
	_, tty := openPTY(t, 132)
	t.Setenv("TERM", "xterm")
	if w, ok := progress.Terminal(tty); !ok || w != 132 {
		t.Errorf("Terminal(a pseudo-terminal of 132 columns) = %d, %v", w, ok)
	}
	t.Setenv("TERM", "dumb")
	if _, ok := progress.Terminal(tty); ok {
		t.Error("a TERM=dumb terminal is taken for one that can redraw a line")
	}
}
