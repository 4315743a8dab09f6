package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal: what is written to tty is read from pty.
func openPTY(t *testing.T) (pty, tty *os.File) {
	t.Helper()
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { pty.Close() })
	if err := unix.IoctlSetPointerInt(int(pty.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(pty.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pseudo-terminal number: %v", err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 120})
	// raw output: the terminal passes \r and \n as written
	if tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS); err == nil {
		tio.Oflag &^= unix.OPOST
		unix.IoctlSetTermios(int(tty.Fd()), unix.TCSETS, tio)
	}
	return pty, tty
}

// lastLine is what a terminal shows on the line the cursor ends on,
// trailing blanks cut.
func lastLine(out string) string {
	var line []rune
	col := 0
	for _, r := range out {
		switch r {
		case '\r':
			col = 0
		case '\n':
			line, col = nil, 0
		default:
			if col < len(line) {
				line[col] = r
			} else {
				line = append(line, r)
			}
			col++
		}
	}
	return strings.TrimRight(string(line), " ")
}

// TestProgressOnATerminal runs a coordination run with stderr on a
// pseudo-terminal: every phase of the work shows on one line, redrawn in
// place, and the line is blank when the command ends; stdout gets none of
// it. With --quiet, or with stderr on a pipe, nothing is drawn.
func TestProgressOnATerminal(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.csv")
	var b strings.Builder
	b.WriteString("account_id,post_id,timestamp,time_utc,object_type,object_value\n")
	for i := range 200 {
		t := 1000 + i*7
		b.WriteString("a" + strconv.Itoa(i%13) + "," + strconv.Itoa(i) + "," + strconv.Itoa(t) + ",," + "url,https://example.org/" + strconv.Itoa(i/5) + "\n")
	}
	os.WriteFile(events, []byte(b.String()), 0o644)
	progressEager = true
	defer func() { progressEager = false }()
	t.Setenv("TERM", "xterm")

	run := func(t *testing.T, quiet bool) (stdout, terminal string) {
		pty, tty := openPTY(t)
		got := make(chan string)
		go func() {
			b, _ := io.ReadAll(pty) // until the tty end is closed
			got <- string(b)
		}()
		args := []string{"coord", "--input", events, "--out", t.TempDir(), "--min-participation", "1"}
		if quiet {
			args = append([]string{"--quiet"}, args...)
		}
		var out bytes.Buffer
		code := Main(context.Background(), args, strings.NewReader(""), &out, tty)
		tty.Close()
		term := <-got
		if code != 0 {
			t.Fatalf("coord: exit %d: %s", code, term)
		}
		return out.String(), term
	}

	t.Run("terminal", func(t *testing.T) {
		stdout, term := run(t, false)
		for _, phase := range []string{"coord 0:00  reading: ", " records", "coord 0:00  interning shares: 0/200 shares 0%",
			"sorting shares", "pairing shares in the window: 0/40 objects 0%", "folding pairs into edges: 0/", " pairs",
			"weighing edges", "graph: eigenvector centrality", "graph: communities (louvain)",
			"writing edges.csv", "writing graph.gexf", "writing evidence.csv.gz: 0/"} {
			if !strings.Contains(term, phase) {
				t.Errorf("the terminal never showed %q; it got:\n%q", phase, term)
			}
		}
		if strings.Contains(term, "\n") {
			t.Errorf("the progress line ended a line on the terminal: %q", term)
		}
		if l := lastLine(term); l != "" {
			t.Errorf("the terminal's line after the command: %q, want it blank", l)
		}
		if strings.Contains(stdout, "\r") || strings.Contains(stdout, "interning") || !strings.HasPrefix(stdout, "coord: 200 shares") {
			t.Errorf("stdout: %q", stdout)
		}
	})
	t.Run("quiet", func(t *testing.T) {
		if _, term := run(t, true); term != "" {
			t.Errorf("--quiet drew %q", term)
		}
	})
	t.Run("pipe", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan string)
		go func() {
			b, _ := io.ReadAll(r)
			got <- string(b)
		}()
		var out bytes.Buffer
		code := Main(context.Background(), []string{"coord", "--input", events, "--out", t.TempDir()}, strings.NewReader(""), &out, w)
		w.Close()
		if errs := <-got; code != 0 || errs != "" {
			t.Errorf("coord with stderr on a pipe: exit %d, stderr %q; want nothing on it", code, errs)
		}
	})
}
