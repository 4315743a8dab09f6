package textkey

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Light returns the light key of a word: for a Latin-script word, lower
// case without accents, an English inflection stripped (stem), runs of e
// and i written as i, runs of o and u as u,
// other letter runs collapsed (dhaandli -> dhandli, kitaaab -> kitab),
// a final ai, ay or ae written as e (hai, hay, hae -> he), else a final e
// dropped from a word of four letters or more, and w as v; any
// other word is returned as it is (Urdu-script words are compared after
// textnorm.Fold). The word is expected lower-cased (textnorm.Fold).
func Light(word string) string {
	if !isLatinWord(word) {
		return word
	}
	w := stem(stripAccents(word))
	var b []byte
	for i := 0; i < len(w); {
		c := w[i]
		j := i + 1
		for j < len(w) && w[j] == c {
			j++
		}
		run := j - i
		switch {
		case c == 'e' && run > 1, c == 'i':
			b = append(b, 'i')
		case c == 'o' && run > 1, c == 'u':
			b = append(b, 'u')
		case c == 'w':
			b = append(b, 'v')
		default:
			b = append(b, c)
		}
		i = j
	}
	// ee -> i may have made "ii" from "eei"; collapse again
	b = collapse(b)
	n := len(b)
	if n >= 3 && b[n-2] == 'a' && (b[n-1] == 'i' || b[n-1] == 'y' || b[n-1] == 'e') {
		b = append(b[:n-2], 'e')
	} else if n >= 4 && b[n-1] == 'e' {
		b = b[:n-1] // vote, votes, voted, voting -> vot; dekhe -> dekh
	}
	return string(b)
}

// stem strips an English inflection from a word of five letters or more:
// -ies (-> y), -ing, -ed, -es after s, x, z, ch or sh, and -s (not after s,
// u or i), keeping at least three letters (four before -s). Light then
// drops a final e, so that cast, casts, casting, casted, and vote, voted,
// voting share their key. Roman Urdu words rarely end so; a name such as
// Ahmed loses its -ed on every side alike.
func stem(w string) string {
	n := len(w)
	if n < 5 {
		return w
	}
	for i := 0; i < n; i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return w
		}
	}
	switch {
	case strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "ing") && n-3 >= 3:
		return w[:n-3]
	case strings.HasSuffix(w, "ed") && n-2 >= 3:
		return w[:n-2]
	case strings.HasSuffix(w, "es") && (strings.HasSuffix(w[:n-2], "s") || strings.HasSuffix(w[:n-2], "x") || strings.HasSuffix(w[:n-2], "z") ||
		strings.HasSuffix(w[:n-2], "ch") || strings.HasSuffix(w[:n-2], "sh")):
		return w[:n-2]
	case w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i':
		return w[:n-1]
	}
	return w
}

func collapse(b []byte) []byte {
	out := b[:0]
	for i, c := range b {
		if i > 0 && c == b[i-1] {
			continue
		}
		out = append(out, c)
	}
	return out
}

// isLatinWord reports whether w holds a Latin letter and no letter of
// another script (digits and marks allowed).
func isLatinWord(w string) bool {
	latin := false
	for _, r := range w {
		switch {
		case r < utf8.RuneSelf:
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				latin = true
			}
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.IsLetter(r):
			return false
		}
	}
	return latin
}

// stripAccents lowers and removes combining marks from a Latin word
// (é -> e) and keeps ASCII letters and digits only.
func stripAccents(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf || w[i] >= 'A' && w[i] <= 'Z' {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		r = unicode.ToLower(r)
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Skeleton returns the consonant key of a word, which Roman Urdu and
// Urdu-script spellings of one word share: vowels dropped (y and w/v kept
// only at the start of a word, as Urdu ی and و), aspiration dropped (h after
// a consonant, Urdu ھ), sh and ش as S, ch and چ as c, kh and خ as k, gh and غ
// as g, q and ق as k, c as k, x as ks, -tion/-sion as Sn (election and
// الیکشن both give lkSn), letters of one sound class as one (ت ط ٹ t, ث س ص s,
// ذ ز ض ظ ژ z, ح ہ h, د ڈ d, ر ڑ r), a word-final ہ dropped, and repeated
// consonants written once. Digits are kept; words of other scripts are
// returned folded but unchanged; a word of vowels only gives "". word is the word before textnorm's
// Arabic-script folding (which makes ھ and ہ one letter); Fold-ed words
// work too, with aspiration lost.
func Skeleton(word string) string {
	if isLatinWord(word) {
		return latinSkeleton(stripAccents(word))
	}
	if hasArabic(word) {
		return arabicSkeleton(word)
	}
	if hasDeva(word) {
		return devaSkeleton(word)
	}
	return word
}

func hasArabic(w string) bool {
	for _, r := range w {
		if r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF {
			return true
		}
	}
	return false
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

func latinSkeleton(w string) string {
	for _, s := range [...][2]string{{"ssion", "shan"}, {"tion", "shan"}, {"sion", "shan"}} {
		if strings.Contains(w, s[0]) {
			w = strings.ReplaceAll(w, s[0], s[1])
		}
	}
	out := make([]byte, 0, len(w))
	emit := func(c byte) {
		if n := len(out); n > 0 && out[n-1] == c {
			return
		}
		out = append(out, c)
	}
	prevConsonant := false // the previous letter of the word was a consonant
	for i := 0; i < len(w); i++ {
		c := w[i]
		next := byte(0)
		if i+1 < len(w) {
			next = w[i+1]
		}
		switch {
		case c >= '0' && c <= '9':
			emit(c)
			prevConsonant = false
			continue
		case isVowel(c):
			prevConsonant = false
			continue
		case c == 'h':
			if !prevConsonant {
				emit('h')
				prevConsonant = true
			}
			continue // aspiration: h after a consonant
		case c == 's' && next == 'h':
			emit('S')
			i++
		case c == 'c' && next == 'h':
			emit('c')
			i++
		case c == 'c', c == 'q', c == 'k':
			emit('k')
		case c == 'x':
			emit('k')
			emit('s')
		case c == 'w', c == 'v':
			if i == 0 {
				emit('v')
			} else {
				prevConsonant = false // a vowel inside a word, as Urdu و
				continue
			}
		case c == 'y':
			if i == 0 {
				emit('y')
			} else {
				prevConsonant = false
				continue
			}
		default:
			emit(c)
		}
		prevConsonant = true
	}
	return string(out)
}

// arabicClass maps Arabic-script letters to their skeleton class; 0 drops
// the letter. Letters absent from the map are dropped too.
var arabicClass = map[rune]byte{
	'ب': 'b', 'پ': 'p', 'ت': 't', 'ط': 't', 'ٹ': 't', 'ث': 's', 'س': 's', 'ص': 's',
	'ج': 'j', 'چ': 'c', 'ح': 'h', 'خ': 'k', 'د': 'd', 'ڈ': 'd', 'ذ': 'z', 'ز': 'z',
	'ض': 'z', 'ظ': 'z', 'ژ': 'z', 'ر': 'r', 'ڑ': 'r', 'ش': 'S', 'غ': 'g', 'ف': 'f',
	'ق': 'k', 'ک': 'k', 'ك': 'k', 'گ': 'g', 'ل': 'l', 'م': 'm', 'ن': 'n', 'ں': 'n',
	'ہ': 'h', 'ه': 'h', 'ۃ': 'h', 'ۂ': 'h', 'ۀ': 'h', 'ة': 't',
	// و and ی are handled in arabicSkeleton (consonant at the start only)
}

func arabicSkeleton(w string) string {
	rs := make([]rune, 0, len(w))
	for _, r := range norm.NFKC.String(w) {
		switch {
		case r >= 0x0660 && r <= 0x0669:
			r = '0' + (r - 0x0660)
		case r >= 0x06F0 && r <= 0x06F9:
			r = '0' + (r - 0x06F0)
		case unicode.Is(unicode.Mn, r), r == 0x0640, r == 0x200C, r == 0x200D:
			continue
		}
		rs = append(rs, r)
	}
	out := make([]byte, 0, len(rs))
	emit := func(c byte) {
		if n := len(out); n > 0 && out[n-1] == c {
			return
		}
		out = append(out, c)
	}
	for i, r := range rs {
		switch {
		case r >= '0' && r <= '9':
			emit(byte(r))
		case r == 'و', r == 'ؤ':
			if i == 0 && r == 'و' {
				emit('v')
			}
		case r == 'ی', r == 'ي', r == 'ى', r == 'ے', r == 'ۓ', r == 'ئ':
			if i == 0 && r != 'ئ' && r != 'ے' {
				emit('y')
			}
		case r == 'ھ':
			// aspiration
		case r == 'ہ' || r == 'ه' || r == 'ۃ' || r == 'ۂ' || r == 'ۀ':
			if i == len(rs)-1 && i > 0 {
				continue // a final heh writes a vowel
			}
			emit('h')
		default:
			if c, ok := arabicClass[r]; ok {
				emit(c)
			}
		}
	}
	return string(out)
}
