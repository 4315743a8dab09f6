// Package textent finds hashtags, mentions and URLs in plain post text, with
// code-point offsets, for the importers whose source gives no entities (538,
// CrowdTangle, generic CSV). It only locates them as written: it does not
// fold, canonicalise or resolve anything (the ingest pipeline does that).
package textent

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
)

// Entities are what Scan found, in text order within each list.
type Entities struct {
	Hashtags []tahqiq.Entity
	Mentions []tahqiq.Entity
	Links    []tahqiq.Link
}

// Scan returns the hashtags (`#` after a non-word character, followed by
// letters, marks, digits or `_`, not digits only), mentions (`@` followed by
// ASCII letters, digits or `_`) and http(s) URLs (up to white space, without
// trailing punctuation) of text. Offsets count code points; Text excludes the
// `#` or `@`.
func Scan(text string) Entities {
	var e Entities
	cp := 0 // code-point index of byte i
	prev := rune(' ')
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case (r == 'h' || r == 'H') && !isWord(prev) && hasURLPrefix(text[i:]):
			end := urlEnd(text, i)
			n := utf8.RuneCountInString(text[i:end])
			e.Links = append(e.Links, tahqiq.Link{URL: text[i:end], Start: cp, End: cp + n})
			cp += n
			prev = ' '
			i = end
			continue
		case (r == '#' || r == '＃') && !isWord(prev) && prev != '&':
			j := i + size
			digitsOnly := true
			for j < len(text) {
				q, s := utf8.DecodeRuneInString(text[j:])
				if !isWord(q) {
					break
				}
				if !unicode.IsDigit(q) {
					digitsOnly = false
				}
				j += s
			}
			if j > i+size && !digitsOnly {
				n := utf8.RuneCountInString(text[i:j])
				e.Hashtags = append(e.Hashtags, tahqiq.Entity{Text: text[i+size : j], Start: cp, End: cp + n})
				cp += n
				prev = 'x'
				i = j
				continue
			}
		case (r == '@' || r == '＠') && !isWord(prev):
			j := i + size
			for j < len(text) && isHandleByte(text[j]) {
				j++
			}
			if j > i+size {
				n := 1 + (j - i - size)
				e.Mentions = append(e.Mentions, tahqiq.Entity{Text: text[i+size : j], Start: cp, End: cp + n})
				cp += n
				prev = 'x'
				i = j
				continue
			}
		}
		cp++
		prev = r
		i += size
	}
	return e
}

func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == '\u200c' || r == '\u200d'
}

func isHandleByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func hasURLPrefix(s string) bool {
	for _, p := range []string{"http://", "https://"} {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// urlEnd returns the end of the URL starting at byte i: the first white
// space, then without trailing punctuation, quotes or an ellipsis.
func urlEnd(text string, i int) int {
	j := i
	for j < len(text) {
		r, s := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) || r == '"' || r == '<' || r == '>' || r == '“' || r == '”' {
			break
		}
		j += s
	}
	for j > i {
		r, s := utf8.DecodeLastRuneInString(text[i:j])
		if !strings.ContainsRune(".,;:!?)]}'’…", r) {
			break
		}
		if r == ')' && strings.Count(text[i:j], "(") >= strings.Count(text[i:j], ")") {
			break
		}
		j -= s
	}
	return j
}
