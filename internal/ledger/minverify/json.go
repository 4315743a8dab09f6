package minverify

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is ledger.md's "Canonical JSON": a strict JSON reader that
// keeps keys in their order and each value's byte span, the canonical
// writer, and the tables (schemas) of the objects that must be canonical.

type jsonKind int

const (
	jNull jsonKind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jvalue is a parsed JSON value. For a string, text is the decoded
// string; for a number, its literal; for a bool, "true" or "false".
type jvalue struct {
	kind       jsonKind
	text       string
	elems      []*jvalue // array
	keys       []string  // object, in order
	vals       []*jvalue
	start, end int // the value's bytes in the input
}

func (v *jvalue) get(key string) *jvalue {
	for i, k := range v.keys {
		if k == key {
			return v.vals[i]
		}
	}
	return nil
}

type jparser struct {
	b []byte
	i int
}

var errJSON = errors.New("not JSON")

// parseJSON reads exactly one JSON value (RFC 8259), white space around it
// allowed, from b, which must be UTF-8.
func parseJSON(b []byte) (*jvalue, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("not UTF-8")
	}
	p := &jparser{b: b}
	p.space()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(b) {
		return nil, fmt.Errorf("%w: bytes after the value at %d", errJSON, p.i)
	}
	return v, nil
}

func (p *jparser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *jparser) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", errJSON, what, p.i)
}

func (p *jparser) value() (*jvalue, error) {
	if p.i >= len(p.b) {
		return nil, p.fail("end of input")
	}
	start := p.i
	var v *jvalue
	var err error
	switch c := p.b[p.i]; {
	case c == '{':
		v, err = p.object()
	case c == '[':
		v, err = p.array()
	case c == '"':
		var s string
		s, err = p.str()
		v = &jvalue{kind: jString, text: s}
	case c == '-' || c >= '0' && c <= '9':
		v, err = p.number()
	default:
		for _, lit := range []struct {
			s string
			k jsonKind
		}{{"true", jBool}, {"false", jBool}, {"null", jNull}} {
			if strings.HasPrefix(string(p.b[p.i:]), lit.s) {
				p.i += len(lit.s)
				return &jvalue{kind: lit.k, text: lit.s, start: start, end: p.i}, nil
			}
		}
		return nil, p.fail("unexpected character")
	}
	if err != nil {
		return nil, err
	}
	v.start, v.end = start, p.i
	return v, nil
}

func (p *jparser) object() (*jvalue, error) {
	v := &jvalue{kind: jObject}
	p.i++ // {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return v, nil
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.fail("want a key")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		for _, seen := range v.keys {
			if seen == k {
				return nil, fmt.Errorf("key %q twice", k)
			}
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.fail("want :")
		}
		p.i++
		p.space()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		v.keys, v.vals = append(v.keys, k), append(v.vals, val)
		p.space()
		if p.i >= len(p.b) {
			return nil, p.fail("end of input in an object")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return v, nil
		default:
			return nil, p.fail("want , or }")
		}
	}
}

func (p *jparser) array() (*jvalue, error) {
	v := &jvalue{kind: jArray}
	p.i++ // [
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		p.space()
		e, err := p.value()
		if err != nil {
			return nil, err
		}
		v.elems = append(v.elems, e)
		p.space()
		if p.i >= len(p.b) {
			return nil, p.fail("end of input in an array")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return v, nil
		default:
			return nil, p.fail("want , or ]")
		}
	}
}

var numberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`)

func (p *jparser) number() (*jvalue, error) {
	m := numberRE.Find(p.b[p.i:])
	if m == nil {
		return nil, p.fail("bad number")
	}
	p.i += len(m)
	return &jvalue{kind: jNumber, text: string(m)}, nil
}

func (p *jparser) str() (string, error) {
	p.i++ // "
	var sb strings.Builder
	for {
		if p.i >= len(p.b) {
			return "", p.fail("end of input in a string")
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return sb.String(), nil
		case c < 0x20:
			return "", p.fail("control character in a string")
		case c != '\\':
			r, n := utf8.DecodeRune(p.b[p.i:])
			sb.WriteRune(r)
			p.i += n
			continue
		}
		// An escape.
		if p.i+1 >= len(p.b) {
			return "", p.fail("end of input in an escape")
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			sb.WriteByte(e)
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) {
				if p.i+1 >= len(p.b) || p.b[p.i] != '\\' || p.b[p.i+1] != 'u' {
					return "", p.fail("lone surrogate")
				}
				p.i += 2
				r2, err := p.hex4()
				if err != nil {
					return "", err
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return "", p.fail("bad surrogate pair")
				}
			}
			sb.WriteRune(r)
		default:
			return "", p.fail("bad escape")
		}
	}
}

func (p *jparser) hex4() (rune, error) {
	if p.i+4 > len(p.b) {
		return 0, p.fail("short \\u escape")
	}
	n, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, p.fail("bad \\u escape")
	}
	p.i += 4
	return rune(n), nil
}

// encode writes v in the canonical form: no white space, keys in the
// order read, strings escaped as ledger.md says, numbers as read.
func encode(v *jvalue) string {
	var sb strings.Builder
	encodeTo(&sb, v)
	return sb.String()
}

func encodeTo(sb *strings.Builder, v *jvalue) {
	switch v.kind {
	case jNull, jBool, jNumber:
		sb.WriteString(v.text)
	case jString:
		quote(sb, v.text)
	case jArray:
		sb.WriteByte('[')
		for i, e := range v.elems {
			if i > 0 {
				sb.WriteByte(',')
			}
			encodeTo(sb, e)
		}
		sb.WriteByte(']')
	case jObject:
		sb.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			quote(sb, k)
			sb.WriteByte(':')
			encodeTo(sb, v.vals[i])
		}
		sb.WriteByte('}')
	}
}

func quote(sb *strings.Builder, s string) {
	const hexdigits = "0123456789abcdef"
	sb.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			sb.WriteString(`\"`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\b':
			sb.WriteString(`\b`)
		case r == '\f':
			sb.WriteString(`\f`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == 0x2028 || r == 0x2029:
			sb.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				sb.WriteByte(hexdigits[(r>>shift)&0xf])
			}
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
}

// ---- tables of canonical objects

type ftype int

const (
	tString  ftype = iota
	tInt           // an integer in its shortest decimal form
	tBool          // true or false
	tTime          // ledger.md's time
	tStrings       // a list of strings
	tObject        // an object of sub
	tObjects       // a list of objects of sub
)

type omit int

const (
	always    omit = iota // always written; a list may be [] or null
	omitEmpty             // absent when "", 0, false or an empty list
	omitZero              // a time absent when zero
)

type field struct {
	name string
	typ  ftype
	omit omit
	sub  schema
}

type schema []field

const zeroTime = "0001-01-01T00:00:00Z"

var timeRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{0,8}[1-9])?Z$`)

// checkTime: RFC 3339 in UTC with a fraction of 1 to 9 digits without
// trailing zeros when not whole.
func checkTime(s string) error {
	if !timeRE.MatchString(s) {
		return fmt.Errorf("time %q not in the canonical form", s)
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return fmt.Errorf("time %q: %v", s, err)
	}
	return nil
}

var intRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

func intOf(v *jvalue) (int64, error) {
	if v.kind != jNumber || !intRE.MatchString(v.text) || v.text == "-0" {
		return 0, fmt.Errorf("%s is not an integer in its shortest form", encode(v))
	}
	n, err := strconv.ParseInt(v.text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %v", v.text, err)
	}
	return n, nil
}

func isEmpty(f field, v *jvalue) bool {
	switch v.kind {
	case jNull:
		return true
	case jString:
		return v.text == "" || f.omit == omitZero && v.text == zeroTime
	case jNumber:
		return v.text == "0"
	case jBool:
		return v.text == "false"
	case jArray:
		return len(v.elems) == 0
	}
	return false
}

// check reports whether v is an object of the table: its keys exactly
// those of the table, in order, each present as its omission rule says,
// each value of its type.
func (s schema) check(v *jvalue) error {
	if v.kind != jObject {
		return errors.New("not an object")
	}
	j := 0
	for i, k := range v.keys {
		for j < len(s) && s[j].name != k {
			if s[j].omit == always {
				return fmt.Errorf("key %q missing (before %q)", s[j].name, k)
			}
			j++
		}
		if j == len(s) {
			return fmt.Errorf("key %q unknown or out of order", k)
		}
		f := s[j]
		j++
		val := v.vals[i]
		if f.omit != always && isEmpty(f, val) {
			return fmt.Errorf("key %q written empty: it is omitted when empty", k)
		}
		if err := f.checkValue(val); err != nil {
			return fmt.Errorf("%s: %v", k, err)
		}
	}
	for ; j < len(s); j++ {
		if s[j].omit == always {
			return fmt.Errorf("key %q missing", s[j].name)
		}
	}
	return nil
}

func (f field) checkValue(v *jvalue) error {
	list := f.typ == tStrings || f.typ == tObjects
	if list && v.kind == jNull && f.omit == always {
		return nil
	}
	switch f.typ {
	case tString:
		if v.kind != jString {
			return errors.New("not a string")
		}
	case tInt:
		_, err := intOf(v)
		return err
	case tBool:
		if v.kind != jBool {
			return errors.New("not true or false")
		}
	case tTime:
		if v.kind != jString {
			return errors.New("not a string")
		}
		return checkTime(v.text)
	case tStrings:
		if v.kind != jArray {
			return errors.New("not a list")
		}
		for _, e := range v.elems {
			if e.kind != jString {
				return errors.New("not a list of strings")
			}
		}
	case tObject:
		return f.sub.check(v)
	case tObjects:
		if v.kind != jArray {
			return errors.New("not a list")
		}
		for _, e := range v.elems {
			if err := f.sub.check(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// canonical parses b and checks that it is an object of s in the
// canonical form: the table's keys, and the bytes exactly what the
// canonical writer gives.
func canonical(b []byte, s schema) (*jvalue, error) {
	v, err := parseJSON(b)
	if err != nil {
		return nil, err
	}
	if err := s.check(v); err != nil {
		return nil, err
	}
	if encode(v) != string(b) {
		return nil, errors.New("not in the canonical form (white space or escaping)")
	}
	return v, nil
}
