// Package xtext turns X/Twitter tweet text as the API delivers it into the
// text as published. Both API v1.1 and v2 HTML-escape `&`, `<` and `>` in
// tweet text (`&amp;`, `&lt;`, `&gt;`), and both count entity offsets in
// code points of the escaped text (checked on the fixtures, formats.md §0.4):
// Unescape returns the published text with a map that moves those offsets.
//
// It only unescapes and moves offsets; it does not normalise anything (the
// ingest pipeline does that).
package xtext

import (
	"strings"
	"unicode/utf8"
)

// escapes are the entities the X API writes; nothing else is unescaped, so
// a literal "&nbsp;" typed by a user stays as it is.
var escapes = [...]struct{ from, to string }{
	{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&#39;", "'"},
}

// Text is a tweet text with the offset map of its escaped form.
type Text struct {
	Plain string // unescaped, as published
	// pos[i] is the code-point offset in Plain of code point i of the
	// escaped text (len = code points of the escaped text + 1); nil when
	// nothing was unescaped, and offsets are then the same.
	pos   []int
	runes int // code points of the escaped text (only with pos == nil)
}

// Unescape undoes the API's HTML escaping of s.
func Unescape(s string) Text {
	if strings.IndexByte(s, '&') < 0 {
		return Text{Plain: s, runes: utf8.RuneCountInString(s)}
	}
	var b strings.Builder
	b.Grow(len(s))
	pos := make([]int, 0, len(s)+1)
	out := 0
	for i := 0; i < len(s); {
		if s[i] == '&' {
			matched := false
			for _, e := range escapes {
				if strings.HasPrefix(s[i:], e.from) {
					for range e.from {
						pos = append(pos, out)
					}
					b.WriteString(e.to)
					out++
					i += len(e.from)
					matched = true
					break
				}
			}
			if matched {
				continue
			}
		}
		size := 1
		if s[i] >= utf8.RuneSelf {
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		pos = append(pos, out)
		b.WriteString(s[i : i+size])
		out++
		i += size
	}
	pos = append(pos, out)
	return Text{Plain: b.String(), pos: pos}
}

// Len returns the number of code points of Plain.
func (t *Text) Len() int {
	if t.pos == nil {
		return t.runes
	}
	return t.pos[len(t.pos)-1]
}

// Span maps the entity offsets [start, end) of the escaped text to offsets
// in Plain. It returns (-1, -1) when they are out of range or reversed, and,
// when signs are given, when the code point at start of Plain is none of
// them: a truncated retweet text ("RT @x: … #Vot…") keeps entities whose
// offsets point past what is left, or into the wrong place.
func (t *Text) Span(start, end int, signs ...rune) (int, int) {
	n := t.runes
	if t.pos != nil {
		n = len(t.pos) - 1
	}
	if start < 0 || end <= start || end > n {
		return -1, -1
	}
	if t.pos != nil {
		start, end = t.pos[start], t.pos[end]
	}
	if len(signs) == 0 {
		return start, end
	}
	r := t.runeAt(start)
	for _, s := range signs {
		if r == s {
			return start, end
		}
	}
	return -1, -1
}

// Slice returns Plain[start:end] in code points ("" when out of range).
func (t *Text) Slice(start, end int) string {
	if start < 0 || end < start {
		return ""
	}
	i, a, b := 0, -1, -1
	for k := range t.Plain {
		if i == start {
			a = k
		}
		if i == end {
			b = k
			break
		}
		i++
	}
	if a < 0 && start == i {
		a = len(t.Plain)
	}
	if b < 0 && end == i {
		b = len(t.Plain)
	}
	if a < 0 || b < 0 {
		return ""
	}
	return t.Plain[a:b]
}

// runeAt returns the code point at code-point offset i of Plain.
func (t *Text) runeAt(i int) rune {
	s := t.Plain
	if i < len(s) && isASCIIPrefix(s, i) {
		return rune(s[i])
	}
	for _, r := range s {
		if i == 0 {
			return r
		}
		i--
	}
	return utf8.RuneError
}

// isASCIIPrefix reports whether s[:i+1] is ASCII, so that byte i is code
// point i.
func isASCIIPrefix(s string, i int) bool {
	for k := 0; k <= i; k++ {
		if s[k] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
