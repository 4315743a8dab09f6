package jsonlex_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/jsonlex"
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
		l := jsonlex.New(data)
		err := l.Skip()
		if err == nil {
			err = l.End()
		}
		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("lexer error %v, json.Valid %v, on %q", err, valid, data)
		}
		if err != nil || jsonlex.New(data).Peek() != '"' {
			return
		}
		var want string
		if json.Unmarshal(data, &want) != nil {
			return
		}
		got, err := jsonlex.New(data).Str("s")
		if err != nil || got != want {
			t.Fatalf("str(%q) = %q, %v; want %q", data, got, err, want)
		}
	})
}

func TestLexerSeeds(t *testing.T) {
	for _, s := range lexSeeds {
		l := jsonlex.New([]byte(s))
		err := l.Skip()
		if err == nil {
			err = l.End()
		}
		if valid := json.Valid([]byte(s)); valid != (err == nil) {
			t.Errorf("%.40q: lexer error %v, json.Valid %v", s, err, valid)
		}
	}
}

// TestTypedReads checks the typed readers: null is the zero value, a value
// of another type is skipped and reported as a *TypeError naming the
// member, and the lexer can go on after it.
func TestTypedReads(t *testing.T) {
	l := jsonlex.New([]byte(`{"s": "a\u00e9", "n": null, "i": 12, "f": 1.5, "b": true, "id": 42, "x": [1, {"y": "z"}], "bad": "str"}`))
	got := map[string]any{}
	err := l.Object("doc", func(k []byte) error {
		var v any
		var err error
		switch string(k) {
		case "s", "n":
			v, err = l.Str(string(k))
		case "i", "f":
			var n int64
			n, _, err = l.Int(string(k))
			v = n
		case "b":
			v, err = l.Bool("b")
		case "id":
			v, _, err = l.ID("id")
		case "bad":
			v, err = l.Bool("bad")
		default:
			var raw []byte
			raw, err = l.Raw()
			v = string(raw)
		}
		var te *jsonlex.TypeError
		if errors.As(err, &te) {
			v, err = te.Error(), nil
		}
		got[string(k)] = v
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"s": "aé", "n": "", "i": int64(12), "f": "f is the number 1.5, want an integer", "b": true, "id": "42",
		"x": `[1, {"y": "z"}]`, "bad": "bad is a string, want a boolean"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if err := l.End(); err != nil {
		t.Error(err)
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a": [1, 2`, "the record ends early at byte 11 (truncated?)"},
		{`{"a" 1}`, "invalid JSON at byte 5: want ':' after an object key"},
		{`{"a": tru}`, "invalid JSON at byte 9: invalid literal"},
		{`{"a": 1} {}`, "invalid JSON at byte 9: unexpected data after the value"},
	}
	for _, tc := range tests {
		l := jsonlex.New([]byte(tc.in))
		err := l.Skip()
		if err == nil {
			err = l.End()
		}
		var se *jsonlex.SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want a SyntaxError %q", tc.in, err, tc.want)
		}
	}
}
