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
		if n := strings.Count(term, "writing edges.csv"); n != 1 {
			t.Errorf("the terminal showed \"writing edges.csv\" %d times, want once (written beside the graph step, waited for after it):\n%q", n, term)
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

// onTerminal runs the CLI with stderr on a pseudo-terminal and returns its
// exit code, stdout and what the terminal received.
func onTerminal(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	pty, tty := openPTY(t)
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(pty)
		got <- string(b)
	}()
	var out bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, tty)
	tty.Close()
	return code, out.String(), <-got
}

// TestProgressOfEachCommand: the long commands show their phases on a
// terminal and clear the line at the end.
func TestProgressOfEachCommand(t *testing.T) {
	progressEager = true
	defer func() { progressEager = false }()
	t.Setenv("TERM", "xterm")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	posts := filepath.Join(dir, "posts.csv")
	var b strings.Builder
	b.WriteString("account,id,time,text\n")
	for i := range 60 {
		b.WriteString("u" + strconv.Itoa(i%7) + "," + strconv.Itoa(i) + "," + strconv.Itoa(1700000000+i*60) + ",BREAKING the count in NA-56 was changed at station " + strconv.Itoa(i%4) + " #rigging https://example.org/" + strconv.Itoa(i%3) + "\n")
	}
	os.WriteFile(posts, []byte(b.String()), 0o644)
	mustMain(t, "--data", data, "org", "init", "--org", "Team", "--admin", "amina")
	as := []string{"--data", data, "--as", "amina"}
	for _, tc := range []struct {
		name   string
		args   []string
		phases []string
	}{
		{"import", []string{"import", "--dataset", "p", "--map", "account=account,id=id,time=time,time_format=unix,text=text", posts},
			[]string{"import 0:00  reading: 0.0/0.0 MB 0%, 0 records", "import 0:00  storing"}},
		{"export", []string{"export", "shares", "--dataset", "p"}, []string{"export shares 0:00  exporting shares: 0/"}},
		{"coord of a dataset", []string{"coord", "--dataset", "p", "--by", "url,hashtag"},
			[]string{"reading shares from the store: 0 shares", "interning shares", "folding pairs into edges"}},
		{"narratives", []string{"narratives", "--dataset", "p", "--out", filepath.Join(dir, "n")},
			[]string{"reading posts from the store: 0/60 posts", "analysing texts: 0/60 posts", "narratives: 0/", "writing "}}, // a stored run is written where it is kept, then copied to --out
		{"datasets rederive", []string{"datasets", "rederive", "p"}, []string{"re-deriving: 0/61 records"}},
		{"verify a store", []string{"verify", "--key", filepath.Join(data, "keys", "log.pub")},
			[]string{"reading the store", "checking the custody log", "checking the items' files", "checking the stored tree hashes"}},
		{"audit check", []string{"audit", "check", "--input", "../audit/testdata/na999-template.csv", "--map", "pk-long"},
			[]string{"reading na999-template.csv: 0.0/0.0 MB 0%", "checking forms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, term := onTerminal(t, append(as, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d; terminal %q", code, term)
			}
			for _, ph := range tc.phases {
				if !strings.Contains(term, ph) {
					t.Errorf("the terminal never showed %q; it got:\n%q", ph, term)
				}
			}
			if l := lastLine(term); l != "" {
				t.Errorf("the progress line stayed: %q", l)
			}
			// messages (audit's rejects) are lines of their own: no
			// line ended while the progress line was on it
			lines := strings.Split(term, "\n")
			for _, l := range lines[:len(lines)-1] {
				if v := lastLine(l); strings.Contains(v, " 0:00  ") {
					t.Errorf("a line ended with progress on it: %q", v)
				}
			}
			if strings.Contains(stdout, "\r") {
				t.Errorf("stdout has a carriage return: %q", stdout)
			}
		})
	}
}
