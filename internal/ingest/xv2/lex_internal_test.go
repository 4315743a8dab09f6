package xv2

// An internal test: the lexer is unexported, and these check it against
// encoding/json directly.

import (
	"encoding/json"
	"strings"
	"testing"
)

var lexSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0.5e+10`, `"a\u00e9\ud83d\ude00\n"`, `{"a":[1,{"b":null}]}`,
	`{"a":1,}`, `[1 2]`, `01`, `1.`, `"\x"`, `"\ud800"`, `"\ud800\u0041"`, `{"a" 1}`, `{"a":1} x`, `"a` + "\t" + `"`,
	` { "data" : [ { "id" : "1" , "text" : "x" } ] } `, `[` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `]`,
}

// FuzzLexer checks that the lexer accepts exactly what json.Valid accepts,
// and decodes strings exactly as json.Unmarshal does.
func FuzzLexer(f *testing.F) {
	for _, s := range lexSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := &lexer{b: data}
		err := l.skip()
		if err == nil {
			err = l.end()
		}
		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("lexer error %v, json.Valid %v, on %q", err, valid, data)
		}
		if err != nil || !l.peekString() {
			return
		}
		var want string
		if json.Unmarshal(data, &want) != nil {
			return
		}
		l = &lexer{b: data}
		got, err := l.str("s")
		if err != nil || got != want {
			t.Fatalf("str(%q) = %q, %v; want %q", data, got, err, want)
		}
	})
}

func (l *lexer) peekString() bool { return l.peek() == '"' }

func TestLexerSeeds(t *testing.T) {
	for _, s := range lexSeeds {
		l := &lexer{b: []byte(s)}
		err := l.skip()
		if err == nil {
			err = l.end()
		}
		if valid := json.Valid([]byte(s)); valid != (err == nil) {
			t.Errorf("%.40q: lexer error %v, json.Valid %v", s, err, valid)
		}
	}
}
