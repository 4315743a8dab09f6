package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasExamples walks every command, subcommands and cobra's
// help and completion included, and checks that its help has an Examples
// section, that each example line is a command line the command it names
// accepts (its flags exist and parse, its arguments are as many as it
// takes), and that a command's examples run it (or, for a command that
// only groups others, one of them).
func TestEveryCommandHasExamples(t *testing.T) {
	root := newRootCmd(&env{})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.IsAdditionalHelpTopicCommand() {
			return
		}
		t.Run(c.CommandPath(), func(t *testing.T) {
			if strings.TrimSpace(c.Example) == "" {
				t.Fatalf("%s has no examples: add them to examples in examples.go", c.CommandPath())
			}
			var help bytes.Buffer
			c.SetOut(&help)
			c.Help()
			if !strings.Contains(help.String(), "\nExamples:\n") {
				t.Errorf("%s --help has no Examples section:\n%s", c.CommandPath(), help.String())
			}
			runsItself := false
			for _, line := range strings.Split(c.Example, "\n") {
				if !strings.HasPrefix(line, "  ") {
					t.Errorf("example %q: indent it by two spaces, as the others", line)
				}
				for _, args := range commandLines(line) {
					cmd, err := checkCommandLine(args)
					if err == nil {
						cmd, _, err = root.Find(args) // the same command, in the tree walked
					}
					if err != nil {
						t.Errorf("example %q: tahqiq %s: %v", line, strings.Join(args, " "), err)
						continue
					}
					if cmd == c || (cmd.HasParent() && cmd.Parent() == c && !c.Runnable()) || c == root {
						runsItself = true
					}
				}
			}
			if !runsItself && c.Name() != "help" && !strings.HasPrefix(c.CommandPath(), "tahqiq completion") {
				t.Errorf("no example of %s runs it", c.CommandPath())
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for path := range examples {
		if cmd, _, err := root.Find(strings.Fields(path)[1:]); err != nil || cmd.CommandPath() != path {
			t.Errorf("examples has %q, which is no command", path)
		}
	}
}

// checkCommandLine parses args as tahqiq does, without running the
// command, and returns the command they name.
func checkCommandLine(args []string) (*cobra.Command, error) {
	root := newRootCmd(&env{}) // parsing sets flags: a fresh tree each time
	cmd, rest, err := root.Find(args)
	if err != nil {
		return nil, err
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return cmd, err
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return cmd, err
	}
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return cmd, err
	}
	return cmd, nil
}

// commandLines returns the arguments of each tahqiq command in a line of
// shell: after "tahqiq" up to the first operator (|, &&, ;, >, <, a
// closing parenthesis) or comment, with quotes removed. Other words
// ($CASE, globs) are kept as they are.
func commandLines(line string) [][]string {
	var out [][]string
	words := shellWords(line)
	for i, w := range words {
		if !w.quoted && strings.HasPrefix(w.text, "#") {
			words = words[:i] // a comment
			break
		}
	}
	for i := 0; i < len(words); i++ {
		if words[i].text != "tahqiq" || words[i].quoted {
			continue
		}
		var args []string
		for j := i + 1; j < len(words); j++ {
			w := words[j]
			if !w.quoted && (w.text == "|" || w.text == "&&" || w.text == ";" || w.text == ")" || w.text == "||" ||
				strings.HasPrefix(w.text, ">") || strings.HasPrefix(w.text, "<") || strings.HasPrefix(w.text, "#")) {
				break
			}
			args = append(args, w.text)
			i = j
		}
		out = append(out, args)
	}
	return out
}

type shellWord struct {
	text   string
	quoted bool
}

// shellWords splits a line into words as a POSIX shell would for these
// examples: single and double quotes, $( and ) as words of their own,
// operators separated by blanks.
func shellWords(line string) []shellWord {
	var out []shellWord
	var cur strings.Builder
	in, quoted, started := rune(0), false, false
	flush := func() {
		if started {
			out = append(out, shellWord{cur.String(), quoted})
		}
		cur.Reset()
		quoted, started = false, false
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case in != 0:
			if r == in {
				in = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			in, quoted, started = r, true, true
		case r == ' ' || r == '\t':
			flush()
		case r == '$' && i+1 < len(rs) && rs[i+1] == '(':
			flush()
			out = append(out, shellWord{text: "$("})
			i++
		case r == '(' || r == ')':
			flush()
			out = append(out, shellWord{text: string(r)})
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	flush()
	return out
}

func TestCommandLines(t *testing.T) {
	for _, tc := range []struct {
		line string
		want string
	}{
		{`  tahqiq --as demo import --dataset ru a.csv`, `[--as demo import --dataset ru a.csv]`},
		{`  CASE=$(tahqiq --as demo case new --title "Fake Form 45 images")`, `[--as demo case new --title Fake Form 45 images]`},
		{`  gzip -c x | tahqiq import -   # stdin`, `[import -]`},
		{`  tahqiq trust add k.pub && tahqiq verify case.zip`, `[trust add k.pub] [verify case.zip]`},
		{`  tahqiq checkpoint > today.checkpoint`, `[checkpoint]`},
		{`  echo 'tahqiq x' | tahqiq org passwd bilal --password-stdin`, `[org passwd bilal --password-stdin]`},
		{`  cd tahqiq-demo`, ``},
		{`  tahqiq demo   # then tahqiq serve`, `[demo]`},
	} {
		var got []string
		for _, args := range commandLines(tc.line) {
			got = append(got, "["+strings.Join(args, " ")+"]")
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("commandLines(%q) = %s, want %s", tc.line, strings.Join(got, " "), tc.want)
		}
	}
	// and a line that names a flag the command lacks is refused
	if _, err := checkCommandLine([]string{"import", "--frobnicate", "x"}); err == nil {
		t.Error("an unknown flag passed the check")
	}
	if _, err := checkCommandLine([]string{"coord", "explain", "--run", "r", "a"}); err == nil {
		t.Error("a missing argument passed the check")
	}
}
