// Package textnorm normalises the values that posts share, so that copies of
// the same thing compare equal: URLs (canonical form and domain), hashtags,
// mentions and whole texts (including Urdu and other Arabic-script text,
// whose letter variants, tatweel and diacritics differ between copies).
//
// Every function is pure and deterministic; the rules are versioned by
// Version (version.go, which says what each version changed), recorded
// with every import and every coordination run.
package textnorm

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// folders holds case folders for Fold: x/text documents that a Caser may
// keep state between calls and must not be shared between goroutines,
// and Fold is called from importers' and coordination's goroutines at
// once, so each call takes its own.
var folders = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

// Fold returns s in NFKC with case folded and Arabic-script variants
// normalised (see FoldArabic); bytes that are not UTF-8 become U+FFFD.
// It is safe for concurrent use.
func Fold(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = norm.NFKC.String(s)
	f := folders.Get().(*cases.Caser)
	f.Reset()
	s = f.String(s)
	folders.Put(f)
	return FoldArabic(s)
}

// FoldArabic maps the Arabic-script letter variants that differ between
// copies of the same Urdu, Persian or Arabic text to one form, removes
// tatweel, harakat (diacritics) and zero-width joiners, and maps Arabic-Indic
// and Extended Arabic-Indic digits to ASCII digits. It never transliterates.
// The hamza is dropped everywhere and every heh becomes heh goal (see
// Version for the whole rule and its price). s is expected in NFKC, as
// Fold gives it (NFKC composes yeh + U+0654 into ئ, which folds to ی like
// the uncomposed pair).
func FoldArabic(s string) string {
	if !hasArabicOrZW(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == 0x0640, r == 0x200C, r == 0x200D, r == 0x200B, r == 0xFEFF: // tatweel, ZWNJ, ZWJ, ZWSP, BOM
			continue
		case r >= 0x064B && r <= 0x065F, r == 0x0670, r >= 0x06D6 && r <= 0x06DC, r >= 0x06DF && r <= 0x06E4,
			r == 0x06E7, r == 0x06E8, r >= 0x06EA && r <= 0x06ED, r >= 0x0610 && r <= 0x061A: // harakat and Quranic marks
			continue
		case r == 0x064A, r == 0x0649: // Arabic yeh, alef maksura -> Farsi/Urdu yeh
			b.WriteRune(0x06CC)
		case r == 0x0643: // Arabic kaf -> keheh
			b.WriteRune(0x06A9)
		case r == 0x0647, r == 0x06D5, r == 0x06BE: // Arabic heh, ae, heh doachashmee -> heh goal
			b.WriteRune(0x06C1)
		case r == 0x0622, r == 0x0623, r == 0x0625, r == 0x0671: // alef with madda/hamza, wasla -> alef
			b.WriteRune(0x0627)
		case r == 0x0624: // waw with hamza -> waw
			b.WriteRune(0x0648)
		case r == 0x0626: // yeh with hamza -> Farsi/Urdu yeh
			b.WriteRune(0x06CC)
		case r == 0x06D3: // yeh barree with hamza (Urdu's ئے) -> yeh + yeh barree
			b.WriteRune(0x06CC)
			b.WriteRune(0x06D2)
		case r == 0x06C0, r == 0x06C2: // heh with yeh above, heh goal with hamza -> heh goal
			b.WriteRune(0x06C1)
		case r >= 0x0660 && r <= 0x0669:
			b.WriteRune('0' + (r - 0x0660))
		case r >= 0x06F0 && r <= 0x06F9:
			b.WriteRune('0' + (r - 0x06F0))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasArabicOrZW(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if (r >= 0x0600 && r <= 0x06FF) || (r >= 0x200B && r <= 0x200D) || r == 0xFEFF {
					return true
				}
			}
			return false
		}
	}
	return false
}

// Hashtag returns the normalised form of a hashtag: without the leading '#'
// (ASCII or full-width), NFKC, case-folded, Arabic-script variants folded.
// It returns "" for an empty tag.
func Hashtag(tag string) string {
	tag = strings.TrimSpace(tag)
	tag = strings.TrimLeft(tag, "#＃")
	return Fold(tag)
}

// Mention returns the normalised form of a handle: without '@', case-folded.
func Mention(handle string) string {
	handle = strings.TrimSpace(handle)
	handle = strings.TrimLeft(handle, "@＠")
	return Fold(handle)
}

// Text returns the normalised form of a post text used for exact-copy
// detection: NFKC, case-folded, Arabic-script variants folded, URLs and
// @mentions removed (also when glued to punctuation: ".@CNN", "'@user"),
// "RT" prefixes kept as words, whitespace collapsed.
func Text(s string) string {
	s = Fold(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, f := range strings.FieldsFunc(s, unicode.IsSpace) {
		if isURLToken(f) {
			continue
		}
		if f = withoutMentions(f); f == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

// withoutMentions returns the token f (NFKC: a full-width at sign is '@'
// by then) without its mention, or "" when nothing of it should be kept.
// A token that starts with '@' is a mention whole ("@user:", "@user's", as
// the coordination-network-toolkit deletes it). Elsewhere a mention starts
// at an '@' that does not follow a word character (or follows a lone
// "rt": "rt@user:" keeps "rt", as "rt @user:" does) and is followed by
// one; it is cut with the rest of the token, as a token starting with it
// would be ("country~@user:" -> "country~"), and a token left without a
// letter or digit (".@CNN:" -> ".") is dropped whole.
func withoutMentions(f string) string {
	if strings.HasPrefix(f, "@") {
		return ""
	}
	if !strings.Contains(f, "@") {
		return f
	}
	prevWord := false // the rune before i is a word character
	for i := 0; i < len(f); {
		r, n := utf8.DecodeRuneInString(f[i:])
		if r == '@' && (!prevWord || afterRT(f[:i])) && i+n < len(f) && startsWord(f[i+n:]) {
			if !strings.ContainsFunc(f[:i], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
				return ""
			}
			return f[:i]
		}
		prevWord = isWord(r)
		i += n
	}
	return f
}

// afterRT reports whether s (the token before an '@') ends with an "rt"
// that is a word of its own: "rt@user" is a retweet of @user, as
// twitter-text reads it.
func afterRT(s string) bool {
	rest, ok := strings.CutSuffix(s, "rt")
	if !ok {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(rest)
	return rest == "" || !isWord(r)
}

// isWord reports whether r can be part of a handle: a letter, a digit, a
// mark or '_'.
func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

func startsWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWord(r)
}

func isURLToken(f string) bool {
	return strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://") || strings.HasPrefix(f, "www.")
}

// TextHash returns the share object for a normalised text: "nt_" and the
// first 32 hex digits of its SHA-256. It returns "" for an empty text.
func TextHash(normalised string) string {
	if normalised == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(normalised))
	return "nt_" + hex.EncodeToString(sum[:16])
}

// Tokens splits a normalised text into word tokens (letters and digits),
// for near-duplicate detection.
func Tokens(normalised string) []string {
	return strings.FieldsFunc(normalised, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Mc, r) && r != '#'
	})
}
