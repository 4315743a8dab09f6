// Package jsonlex reads one JSON value in a single pass, validating as it
// goes, and lets an importer pick the members it needs: the rest are
// skipped without being decoded. It replaces reflection-based decoding in
// the X importers' hot path, where encoding/json scanned each page three to
// four times (it validates before it decodes, and again for every nested
// Unmarshaler) and ran at a third of this speed.
//
// It accepts exactly the JSON that encoding/json accepts and decodes strings
// as json.Unmarshal does (FuzzLexer checks both against encoding/json), and
// bounds nesting as encoding/json does. It knows nothing of any format.
package jsonlex

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Lexer reads the JSON value in b. Methods that read a value of a given
// type take the name of the member being read (for TypeError messages),
// accept null as the zero value, and skip a value of another type before
// returning a *TypeError, so the caller may go on.
type Lexer struct {
	b     []byte
	i     int
	depth int
}

// New returns a lexer at the start of b. It never modifies b.
func New(b []byte) *Lexer { return &Lexer{b: b} }

// maxDepth bounds nesting, as encoding/json does, so that hostile input
// cannot exhaust the stack.
const maxDepth = 10000

// SyntaxError is invalid JSON at byte Off; EOF says the value ended early.
type SyntaxError struct {
	Off int
	EOF bool
	Msg string
}

func (e *SyntaxError) Error() string {
	if e.EOF {
		return fmt.Sprintf("invalid JSON: the record ends early at byte %d (truncated?)", e.Off)
	}
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Off, e.Msg)
}

// TypeError is valid JSON of the wrong type for a member the caller reads.
type TypeError struct {
	Field string
	Want  string
	Got   string
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("%s is %s, want %s", e.Field, e.Got, e.Want)
}

func (l *Lexer) fail(msg string) error {
	if msg == "" {
		msg = "invalid character"
	}
	if l.i >= len(l.b) {
		return &SyntaxError{Off: len(l.b), EOF: true}
	}
	return &SyntaxError{Off: l.i, Msg: fmt.Sprintf("%s (found %q)", msg, l.b[l.i])}
}

func (l *Lexer) ws() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\r', '\n':
			l.i++
		default:
			return
		}
	}
}

// Peek returns the first byte of the next value (0 at the end).
func (l *Lexer) Peek() byte {
	l.ws()
	if l.i < len(l.b) {
		return l.b[l.i]
	}
	return 0
}

// kind names the JSON type starting with c, for type errors.
func kind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// End checks that nothing but white space follows the value.
func (l *Lexer) End() error {
	l.ws()
	if l.i < len(l.b) {
		return l.fail("unexpected data after the value")
	}
	return nil
}

// Object calls fn for every member of the object at the cursor; fn must
// consume the member's value. A null is an empty object. Keys are only
// valid during the call.
func (l *Lexer) Object(field string, fn func(key []byte) error) error {
	switch c := l.Peek(); c {
	case '{':
	case 'n':
		return l.Null()
	case 0:
		return l.fail("")
	default:
		if err := l.Skip(); err != nil {
			return err
		}
		return &TypeError{Field: field, Want: "an object", Got: kind(c)}
	}
	if l.depth++; l.depth > maxDepth {
		return l.fail("nested too deeply")
	}
	l.i++
	l.ws()
	if l.i < len(l.b) && l.b[l.i] == '}' {
		l.i++
		l.depth--
		return nil
	}
	for {
		l.ws()
		key, err := l.key()
		if err != nil {
			return err
		}
		l.ws()
		if l.i >= len(l.b) || l.b[l.i] != ':' {
			return l.fail("want ':' after an object key")
		}
		l.i++
		if err := fn(key); err != nil {
			return err
		}
		l.ws()
		if l.i >= len(l.b) {
			return l.fail("")
		}
		switch l.b[l.i] {
		case ',':
			l.i++
		case '}':
			l.i++
			l.depth--
			return nil
		default:
			return l.fail("want ',' or '}' in an object")
		}
	}
}

// Array calls fn for every element of the array at the cursor; fn must
// consume the element. A null is an empty array.
func (l *Lexer) Array(field string, fn func() error) error {
	switch c := l.Peek(); c {
	case '[':
	case 'n':
		return l.Null()
	case 0:
		return l.fail("")
	default:
		if err := l.Skip(); err != nil {
			return err
		}
		return &TypeError{Field: field, Want: "an array", Got: kind(c)}
	}
	if l.depth++; l.depth > maxDepth {
		return l.fail("nested too deeply")
	}
	l.i++
	l.ws()
	if l.i < len(l.b) && l.b[l.i] == ']' {
		l.i++
		l.depth--
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		l.ws()
		if l.i >= len(l.b) {
			return l.fail("")
		}
		switch l.b[l.i] {
		case ',':
			l.i++
		case ']':
			l.i++
			l.depth--
			return nil
		default:
			return l.fail("want ',' or ']' in an array")
		}
	}
}

// key reads an object key: a slice of the input when it has no escapes.
func (l *Lexer) key() ([]byte, error) {
	if l.i >= len(l.b) || l.b[l.i] != '"' {
		return nil, l.fail("want a string key")
	}
	start := l.i + 1
	for j := start; j < len(l.b); j++ {
		switch c := l.b[j]; {
		case c == '"':
			l.i = j + 1
			return l.b[start:j], nil
		case c == '\\':
			s, err := l.strSlow()
			return []byte(s), err
		case c < 0x20:
			l.i = j
			return nil, l.fail("control character in a string")
		}
	}
	l.i = len(l.b)
	return nil, l.fail("")
}

// Str reads a string value; null is "".
func (l *Lexer) Str(field string) (string, error) {
	switch c := l.Peek(); c {
	case '"':
	case 'n':
		return "", l.Null()
	case 0:
		return "", l.fail("")
	default:
		if err := l.Skip(); err != nil {
			return "", err
		}
		return "", &TypeError{Field: field, Want: "a string", Got: kind(c)}
	}
	start := l.i + 1
	for j := start; j < len(l.b); j++ {
		switch c := l.b[j]; {
		case c == '"':
			l.i = j + 1
			return string(l.b[start:j]), nil
		case c == '\\':
			return l.strSlow()
		case c < 0x20:
			l.i = j
			return "", l.fail("control character in a string")
		}
	}
	l.i = len(l.b)
	return "", l.fail("")
}

// strSlow decodes the string at the cursor (which has escapes) the way
// encoding/json does: bad surrogates become U+FFFD.
func (l *Lexer) strSlow() (string, error) {
	j := l.i + 1
	out := make([]byte, 0, 64)
	for j < len(l.b) {
		c := l.b[j]
		switch {
		case c == '"':
			l.i = j + 1
			return string(out), nil
		case c < 0x20:
			l.i = j
			return "", l.fail("control character in a string")
		case c != '\\':
			k := j + 1
			for k < len(l.b) && l.b[k] != '\\' && l.b[k] != '"' && l.b[k] >= 0x20 {
				k++
			}
			out = append(out, l.b[j:k]...)
			j = k
			continue
		}
		if j+1 >= len(l.b) {
			l.i = len(l.b)
			return "", l.fail("")
		}
		switch e := l.b[j+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
			j += 2
		case 'b':
			out, j = append(out, '\b'), j+2
		case 'f':
			out, j = append(out, '\f'), j+2
		case 'n':
			out, j = append(out, '\n'), j+2
		case 'r':
			out, j = append(out, '\r'), j+2
		case 't':
			out, j = append(out, '\t'), j+2
		case 'u':
			r, ok := hex4(l.b, j+2)
			if !ok {
				l.i = min(j+2, len(l.b))
				return "", l.badEscape()
			}
			j += 6
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if j+1 < len(l.b) && l.b[j] == '\\' && l.b[j+1] == 'u' {
					r2, ok2 = hex4(l.b, j+2)
				}
				if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
					r = dec
					j += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			l.i = j + 1
			return "", l.fail("invalid escape in a string")
		}
	}
	l.i = len(l.b)
	return "", l.fail("")
}

func (l *Lexer) badEscape() error {
	for k := l.i; k < l.i+4; k++ {
		if k >= len(l.b) {
			l.i = len(l.b)
			return l.fail("")
		}
		if _, ok := hexVal(l.b[k]); !ok {
			l.i = k
			return l.fail("invalid \\u escape in a string")
		}
	}
	return l.fail("invalid \\u escape in a string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		v, ok := hexVal(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// skipString skips the string at the cursor, validating its escapes.
func (l *Lexer) skipString() error {
	for j := l.i + 1; j < len(l.b); j++ {
		switch c := l.b[j]; {
		case c == '"':
			l.i = j + 1
			return nil
		case c < 0x20:
			l.i = j
			return l.fail("control character in a string")
		case c == '\\':
			if j+1 >= len(l.b) {
				l.i = len(l.b)
				return l.fail("")
			}
			switch l.b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if _, ok := hex4(l.b, j+2); !ok {
					l.i = j + 2
					return l.badEscape()
				}
				j += 5
			default:
				l.i = j + 1
				return l.fail("invalid escape in a string")
			}
		}
	}
	l.i = len(l.b)
	return l.fail("")
}

// Number reads a JSON number and returns its bytes.
func (l *Lexer) Number() ([]byte, error) {
	start := l.i
	b := l.b
	j := l.i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j >= len(b):
		l.i = j
		return nil, l.fail("")
	case b[j] == '0':
		j++
	case b[j] >= '1' && b[j] <= '9':
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
	default:
		l.i = j
		return nil, l.fail("invalid number")
	}
	if j < len(b) && b[j] == '.' {
		j++
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			l.i = j
			return nil, l.fail("invalid number")
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			l.i = j
			return nil, l.fail("invalid number")
		}
	}
	l.i = j
	return b[start:j], nil
}

// Int reads an integer; null is 0 with ok false. A number that is not an
// integer fitting in an int64 is a *TypeError.
func (l *Lexer) Int(field string) (v int64, ok bool, err error) {
	switch c := l.Peek(); {
	case c == '-' || c >= '0' && c <= '9':
	case c == 'n':
		return 0, false, l.Null()
	case c == 0:
		return 0, false, l.fail("")
	default:
		if err := l.Skip(); err != nil {
			return 0, false, err
		}
		return 0, false, &TypeError{Field: field, Want: "an integer", Got: kind(c)}
	}
	num, err := l.Number()
	if err != nil {
		return 0, false, err
	}
	v, ok = parseInt(num)
	if !ok {
		return 0, false, &TypeError{Field: field, Want: "an integer", Got: fmt.Sprintf("the number %s", num)}
	}
	return v, true, nil
}

// parseInt parses an integer literal that fits in an int64.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if v > 1<<63-1 {
		return 0, false
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

// Bool reads true or false; null is false.
func (l *Lexer) Bool(field string) (bool, error) {
	switch c := l.Peek(); c {
	case 't':
		return true, l.lit("true")
	case 'f':
		return false, l.lit("false")
	case 'n':
		return false, l.Null()
	case 0:
		return false, l.fail("")
	default:
		if err := l.Skip(); err != nil {
			return false, err
		}
		return false, &TypeError{Field: field, Want: "a boolean", Got: kind(c)}
	}
}

// Null reads the literal null.
func (l *Lexer) Null() error { return l.lit("null") }

func (l *Lexer) lit(s string) error {
	for k := 0; k < len(s); k++ {
		if l.i >= len(l.b) {
			return l.fail("")
		}
		if l.b[l.i] != s[k] {
			return l.fail("invalid literal")
		}
		l.i++
	}
	return nil
}

// Raw skips the value at the cursor and returns its bytes (a slice of the
// input).
func (l *Lexer) Raw() ([]byte, error) {
	l.ws()
	start := l.i
	err := l.Skip()
	return l.b[start:l.i], err
}

// Skip validates and skips the value at the cursor.
func (l *Lexer) Skip() error {
	switch c := l.Peek(); {
	case c == '"':
		return l.skipString()
	case c == '{':
		if l.depth++; l.depth > maxDepth {
			return l.fail("nested too deeply")
		}
		l.i++
		l.ws()
		if l.i < len(l.b) && l.b[l.i] == '}' {
			l.i++
			l.depth--
			return nil
		}
		for {
			l.ws()
			if l.i >= len(l.b) || l.b[l.i] != '"' {
				return l.fail("want a string key")
			}
			if err := l.skipString(); err != nil {
				return err
			}
			l.ws()
			if l.i >= len(l.b) || l.b[l.i] != ':' {
				return l.fail("want ':' after an object key")
			}
			l.i++
			if err := l.Skip(); err != nil {
				return err
			}
			l.ws()
			if l.i >= len(l.b) {
				return l.fail("")
			}
			switch l.b[l.i] {
			case ',':
				l.i++
			case '}':
				l.i++
				l.depth--
				return nil
			default:
				return l.fail("want ',' or '}' in an object")
			}
		}
	case c == '[':
		if l.depth++; l.depth > maxDepth {
			return l.fail("nested too deeply")
		}
		l.i++
		l.ws()
		if l.i < len(l.b) && l.b[l.i] == ']' {
			l.i++
			l.depth--
			return nil
		}
		for {
			if err := l.Skip(); err != nil {
				return err
			}
			l.ws()
			if l.i >= len(l.b) {
				return l.fail("")
			}
			switch l.b[l.i] {
			case ',':
				l.i++
			case ']':
				l.i++
				l.depth--
				return nil
			default:
				return l.fail("want ',' or ']' in an array")
			}
		}
	case c == 't':
		return l.lit("true")
	case c == 'f':
		return l.lit("false")
	case c == 'n':
		return l.Null()
	case c == '-' || c >= '0' && c <= '9':
		_, err := l.Number()
		return err
	case c == 0:
		return l.fail("")
	}
	return l.fail("invalid character")
}

// ID reads an id: a JSON string, or a number literal (kept as written, so
// that a float-mangled id is caught by checkID rather than rounded).
func (l *Lexer) ID(field string) (string, bool, error) {
	switch c := l.Peek(); {
	case c == '"':
		s, err := l.Str(field)
		return s, true, err
	case c == '-' || c >= '0' && c <= '9':
		num, err := l.Number()
		return string(num), true, err
	case c == 'n':
		return "", false, l.Null()
	case c == 0:
		return "", false, l.fail("")
	default:
		if err := l.Skip(); err != nil {
			return "", false, err
		}
		return "", false, &TypeError{Field: field, Want: "a string", Got: kind(c)}
	}
}
