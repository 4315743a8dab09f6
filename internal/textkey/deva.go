package textkey

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Devanagari keys (version 3). A Hindi word gets a skeleton in the same
// consonant classes as Roman Urdu and Urdu script (वोट, vote and ووٹ give
// vt; चुनाव and chunav give cn), and a word spelled out of the Hindi names
// of Latin letters (ईवीएम, वीवीपीएटी, बीजेपी) is read as the acronym it
// spells (evm, vvpat, bjp), so that it meets the Latin acronym.

// devaClass maps Devanagari consonants to their skeleton class, as
// arabicClass does Urdu letters: aspiration dropped (ख k, घ g, थ t), the
// retroflexes with the dentals (ट ठ त थ t, ड ढ द ध d), श ष S. य and व are
// consonants at the start of a word only (as ی and و); ह is h.
var devaClass = map[rune]byte{
	'क': 'k', 'ख': 'k', 'ग': 'g', 'घ': 'g', 'ङ': 'n', 'च': 'c', 'छ': 'c', 'ज': 'j', 'झ': 'j', 'ञ': 'n',
	'ट': 't', 'ठ': 't', 'ड': 'd', 'ढ': 'd', 'ण': 'n', 'त': 't', 'थ': 't', 'द': 'd', 'ध': 'd', 'न': 'n',
	'प': 'p', 'फ': 'p', 'ब': 'b', 'भ': 'b', 'म': 'm', 'र': 'r', 'ल': 'l', 'श': 'S', 'ष': 'S', 'स': 's',
	'ह': 'h', 'ळ': 'l',
	'ं': 'n', 'ँ': 'n', // anusvara and chandrabindu: a nasal, as ں
}

// devaNukta are the consonants a nukta (़) changes: क़ ख़ ग़ ज़ ड़ ढ़ फ़.
var devaNukta = map[rune]byte{'क': 'k', 'ख': 'k', 'ग': 'g', 'ज': 'z', 'ड': 'r', 'ढ': 'r', 'फ': 'f', 'य': 'y'}

func isDeva(r rune) bool { return r >= 0x0900 && r <= 0x097F }

func hasDeva(w string) bool {
	for _, r := range w {
		if isDeva(r) {
			return true
		}
	}
	return false
}

// devaSkeleton is the consonant key of a Devanagari word (see devaClass):
// vowels, vowel signs, the virama and the visarga dropped, repeated
// consonants once, Devanagari digits as ASCII digits.
func devaSkeleton(w string) string {
	rs := []rune(norm.NFD.String(w)) // क़ is क + nukta in NFD
	out := make([]byte, 0, len(rs))
	emit := func(c byte) {
		if n := len(out); n > 0 && out[n-1] == c {
			return
		}
		out = append(out, c)
	}
	for i, r := range rs {
		nukta := i+1 < len(rs) && rs[i+1] == '़'
		switch {
		case r >= '०' && r <= '९':
			emit(byte('0' + (r - '०')))
		case r >= '0' && r <= '9':
			emit(byte(r))
		case nukta && devaNukta[r] != 0:
			emit(devaNukta[r])
		case r == 'य', r == 'व':
			if i == 0 {
				emit(map[rune]byte{'य': 'y', 'व': 'v'}[r])
			}
		default:
			if c, ok := devaClass[r]; ok {
				emit(c)
			}
		}
	}
	return string(out)
}

// devaLetters are the Hindi spellings of the names of the Latin letters,
// as acronyms are written in Devanagari (ईवीएम EVM, बीजेपी BJP).
var devaLetters = []struct{ name, letter string }{
	{"ए", "a"}, {"बी", "b"}, {"सी", "c"}, {"डी", "d"}, {"ई", "e"}, {"एफ", "f"}, {"जी", "g"}, {"एच", "h"},
	{"आई", "i"}, {"जे", "j"}, {"के", "k"}, {"एल", "l"}, {"एम", "m"}, {"एन", "n"}, {"ओ", "o"}, {"पी", "p"},
	{"क्यू", "q"}, {"आर", "r"}, {"एस", "s"}, {"टी", "t"}, {"यू", "u"}, {"वी", "v"}, {"डब्ल्यू", "w"},
	{"डबल्यू", "w"}, {"एक्स", "x"}, {"वाई", "y"}, {"जेड", "z"}, {"ज़ेड", "z"},
}

// devaAcronym reads a Devanagari word spelled entirely of two or more
// Latin letter names (ईवीएम -> evm, वीवीपीएटी -> vvpat), longest name
// first; ok is false for any other word. A Hindi word that happens to be
// so spelled (सीटी, whistle, reads ct) is read so too: a documented caveat.
func devaAcronym(w string) (string, bool) {
	w = norm.NFC.String(w)
	var b strings.Builder
	n := 0
	for len(w) > 0 {
		best := ""
		bestLetter := ""
		for _, l := range devaLetters {
			name := norm.NFC.String(l.name)
			if len(name) > len(best) && strings.HasPrefix(w, name) {
				// a name must not be cut from a longer syllable: the
				// next rune may not be a vowel sign, virama or nukta
				rest := w[len(name):]
				if r, _ := utf8.DecodeRuneInString(rest); rest != "" && isDevaSign(r) {
					continue
				}
				best, bestLetter = name, l.letter
			}
		}
		if best == "" {
			return "", false
		}
		b.WriteString(bestLetter)
		w = w[len(best):]
		n++
	}
	return b.String(), n >= 2
}

// isDevaSign: a dependent vowel sign, virama, nukta, anusvara,
// chandrabindu or visarga (a rune that belongs to the syllable before it).
func isDevaSign(r rune) bool {
	return r >= 0x0900 && r <= 0x0903 || r >= 0x093A && r <= 0x094F || r >= 0x0955 && r <= 0x0957 || r == 0x0962 || r == 0x0963
}

// rootDeva is the skeleton of a Hindi word without a plural or oblique
// ending (वोटों -> वोट, सीटें -> सीट, महिलाओं -> महिला), when two
// letters or more remain; ok is false when it has none.
func rootDeva(w string) (string, bool) {
	w = norm.NFC.String(w)
	for _, end := range []string{"ियों", "ियां", "ियाँ", "ओं", "ों", "ें", "ीं"} {
		if strings.HasSuffix(w, end) && utf8.RuneCountInString(w)-utf8.RuneCountInString(end) >= 2 {
			return devaSkeleton(strings.TrimSuffix(w, end)), true
		}
	}
	return "", false
}
