package textkey

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// A Token is one content word of a text.
type Token struct {
	Text  string // as written, folded (textnorm.Fold): what is shown
	Light string // light key (Light; an Urdu-script word is its folded form)
	Skel  string // skeleton key (Skeleton)
	// Root is the skeleton of the word without its inflection (casting ->
	// cast, ووٹوں -> ووٹ, voton -> vot: see Root); Skel when none is
	// stripped.
	Root string
	// Concept is the word's glossary concept (see Concept): what bridges a
	// word and its translations (three, teen, تین, तीन); "" when none.
	Concept string
	Num     bool // digits only
}

// A Doc is what Analyze finds in a text.
type Doc struct {
	Words    []Token  // content words in text order (function words and prefixes left out)
	Tags     []Token  // the content words of its hashtags (#RiggedElection -> rigged, election)
	Hashtags []string // hashtags, normalised (textnorm.Hashtag), in text order, repeated as written
	Mentions []string // handles, normalised (textnorm.Mention)
	URLs     []string // canonical URLs (textnorm.URL)
	Numbers  []string // digit words (constituency numbers, form numbers, counts)
	// WordCount counts every word as written, function words included,
	// links, mentions and hashtags not (Check's 8-word rule counts these).
	WordCount int
	Lang      string // en, ur, ur-Latn, hi, ar, fa or und (see Lang)
}

var casers = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

// foldCase folds case in NFKC, without textnorm's Arabic-script folding
// (Skeleton needs ھ apart from ہ). A Caser is not safe for concurrent use,
// hence the pool.
func foldCase(s string) string {
	ascii, upper := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		upper = upper || c >= 'A' && c <= 'Z'
	}
	if ascii {
		if !upper {
			return s
		}
		return strings.ToLower(s)
	}
	c := casers.Get().(*cases.Caser)
	out := c.String(s)
	casers.Put(c)
	return out
}

// Analyze splits text into content words with their keys, hashtags,
// mentions, URLs and numbers, and guesses its language.
func Analyze(text string) Doc {
	var d Doc
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = norm.NFKC.String(text)
	var sc scripts
	var roman, english int
	addWord := func(raw string, tag bool) {
		lower := foldCase(raw)
		tok := Token{}
		switch {
		case isLatinWord(lower):
			w := stripAccents(lower)
			if acronymPlural(raw) {
				w = w[:len(w)-1] // EVMs -> evm (version 3)
			}
			if w == "" {
				return
			}
			if !tag {
				d.WordCount++
				if romanSet[w] {
					roman++
				}
				if englishSet[w] {
					english++
				}
			}
			if stopLatin[w] || len(w) == 1 && !isDigits(w) {
				return
			}
			tok = Token{Text: w, Light: Light(w), Skel: Skeleton(w)}
			tok.Root, _ = rootLatin(w)

		case isDigits(lower):
			if !tag {
				d.WordCount++
			}
			tok = Token{Text: lower, Light: lower, Skel: lower, Root: lower, Num: true}
		default:
			f := textnorm.FoldArabic(lower)
			if f == "" {
				return
			}
			if !tag {
				d.WordCount++
			}
			if stopArabic[f] || stopDeva[f] {
				return
			}
			sk, root := f, ""
			switch {
			case hasArabic(lower):
				sk = Skeleton(lower)
				root, _ = rootArabic(lower)
			case hasDeva(lower):
				// version 3: an acronym spelled in letter names takes
				// the Latin acronym's keys; another word a skeleton
				if acr, ok := devaAcronym(lower); ok {
					sk = latinSkeleton(acr)
					if len(sk) < 2 {
						sk = Light(acr)
					}
					root = sk
				} else {
					sk = devaSkeleton(lower)
					root, _ = rootDeva(lower)
				}
			}
			tok = Token{Text: f, Light: f, Skel: sk, Root: root}
		}
		// a skeleton of one letter (evm -> m, ماہ -> m) says too little
		// to match across spellings: the light key stands for it, as for a
		// word of vowels only
		if !tok.Num {
			if len(tok.Skel) < 2 {
				tok.Skel = tok.Light
			}
			if len(tok.Root) < 2 { // no ending stripped, or a root of one letter
				tok.Root = tok.Skel
			}
		}
		tok.Concept = Concept(tok.Light)
		if tag {
			d.Tags = append(d.Tags, tok)
			return
		}
		d.Words = append(d.Words, tok)
		if tok.Num {
			d.Numbers = append(d.Numbers, tok.Text)
		}
	}
	addCode := func(letters, digits string) {
		w := stripAccents(foldCase(letters)) + digits
		d.WordCount++
		sk := Skeleton(w)
		if sk == digits {
			sk = w // a code of vowels and digits keeps its letters
		}
		d.Words = append(d.Words, Token{Text: w, Light: w, Skel: sk, Root: sk})
		d.Numbers = append(d.Numbers, digits)
	}
	i := 0
	prev := ' '
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsSpace(r):
			prev = r
			i += size
			continue
		case !isWordRune(prev) && urlStart(text[i:]):
			end := tokenEnd(text, i)
			u := strings.TrimRight(text[i:end], ".,;:!?)]}'’…\"”")
			if c, ok := textnorm.URL(u); ok {
				d.URLs = append(d.URLs, c)
			}
			i, prev = end, ' '
			continue
		case (r == '#' || r == '＃') && !isWordRune(prev) && prev != '&':
			j := i + size
			for j < len(text) {
				q, s := utf8.DecodeRuneInString(text[j:])
				if !isWordRune(q) {
					break
				}
				j += s
			}
			tag := text[i+size : j]
			if tag != "" && !isDigits(tag) {
				d.Hashtags = append(d.Hashtags, textnorm.Hashtag(tag))
				sc.count(tag)
				for _, part := range splitTag(tag) {
					addWord(part, true)
				}
				i, prev = j, 'x'
				continue
			}
		case (r == '@' || r == '＠') && !isWordRune(prev):
			j := i + size
			for j < len(text) && isHandleByte(text[j]) {
				j++
			}
			if j > i+size {
				d.Mentions = append(d.Mentions, textnorm.Mention(text[i+size:j]))
				i, prev = j, 'x'
				continue
			}
		case isWordRune(r) && r != '_':
			j := i
			for j < len(text) {
				q, s := utf8.DecodeRuneInString(text[j:])
				if !isWordRune(q) || q == '_' {
					break
				}
				j += s
			}
			sc.count(text[i:j])
			// a constituency or form code: NA-56, PP-273, PK-1 (up to
			// three letters, a hyphen, digits) is one word, na56
			if k := codeEnd(text, i, j); k > j {
				addCode(text[i:j], text[j+1:k])
				i, prev = k, 'x'
				continue
			}
			addWord(text[i:j], false)
			i, prev = j, 'x'
			continue
		}
		prev = r
		i += size
	}
	d.Lang = guess(sc, roman, english, text)
	// version 3: a glossary word that is another word in the other
	// Latin-script language (English tin, Roman Urdu teen) keeps its
	// concept only outside texts of that language
	for _, ws := range [2][]Token{d.Words, d.Tags} {
		for i := range ws {
			if not, ok := falseFriends[ws[i].Light]; ok && ws[i].Concept != "" && d.Lang == not {
				ws[i].Concept = ""
			}
		}
	}
	return d
}

// acronymPlural reports whether a word as written is an acronym's plural:
// two or more capital ASCII letters and a final lower-case s (EVMs,
// VVPATs, MLAs). A plural written in one case (evms, EVMS) is not told
// from a word.
func acronymPlural(raw string) bool {
	n := len(raw)
	if n < 3 || raw[n-1] != 's' {
		return false
	}
	for i := 0; i < n-1; i++ {
		if raw[i] < 'A' || raw[i] > 'Z' {
			return false
		}
	}
	return true
}

// scripts counts letters per script.
type scripts struct {
	latin, arabic, deva, other int
	urdu                       bool // a letter only Urdu writes
}

func (c *scripts) count(w string) {
	for _, q := range w {
		switch {
		case q < utf8.RuneSelf:
			if q >= 'a' && q <= 'z' || q >= 'A' && q <= 'Z' {
				c.latin++
			}
		case unicode.Is(unicode.Latin, q):
			c.latin++
		case q >= 0x0600 && q <= 0x06FF, q >= 0x0750 && q <= 0x077F, q >= 0xFB50 && q <= 0xFEFF:
			c.arabic++
			switch q {
			case 'ٹ', 'ڈ', 'ڑ', 'ں', 'ے', 'ھ', 'ہ', 'ۓ':
				c.urdu = true
			}
		case q >= 0x0900 && q <= 0x097F:
			c.deva++
		case unicode.IsLetter(q):
			c.other++
		}
	}
}

// guess decides the language from letter counts per script and marker
// words (see Lang).
func guess(c scripts, roman, english int, text string) string {
	latin, arabic, deva, other := c.latin, c.arabic, c.deva, c.other
	switch {
	case latin+arabic+deva+other == 0:
		return "und"
	case arabic >= latin && arabic >= deva && arabic >= other:
		if c.urdu {
			return "ur"
		}
		if strings.ContainsAny(text, "پچژگیک") {
			return "fa"
		}
		return "ar"
	case deva >= latin && deva >= other:
		return "hi"
	case other > latin:
		return "und"
	case roman >= 2 && roman > english, roman >= 1 && english == 0:
		return "ur-Latn"
	case english >= 1:
		return "en"
	}
	return "und"
}

// Lang guesses the language of text: "ur" (Arabic script with a letter
// only Urdu writes: ٹ ڈ ڑ ں ے ھ ہ ۓ), "fa" (Persian letters but none of
// those), "ar" (other Arabic script), "hi" (Devanagari), "ur-Latn" (Latin
// script with at least two Roman Urdu function words and more of them than
// English ones, or one and no English one), "en" (Latin script with an
// English function word), "und" otherwise. Roman Urdu and romanised Hindi
// are not told apart (Nielsen, Kirov, Roark 2023: they are hard to
// separate); both are ur-Latn.
func Lang(text string) string { return Analyze(text).Lang }

// codeEnd returns the end of a code such as NA-56 whose letters are
// text[i:j] (the hyphen at j), or j when there is none.
func codeEnd(text string, i, j int) int {
	if j-i > 3 || j+1 >= len(text) || text[j] != '-' {
		return j
	}
	for k := i; k < j; k++ {
		if c := text[k]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return j
		}
	}
	k := j + 1
	for k < len(text) && text[k] >= '0' && text[k] <= '9' {
		k++
	}
	if k == j+1 || k < len(text) && isWordRune(rune(text[k])) && text[k] < utf8.RuneSelf {
		return j
	}
	return k
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == 0x200C || r == 0x200D
}

func isHandleByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func urlStart(s string) bool {
	for _, p := range []string{"http://", "https://", "www."} {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

func tokenEnd(text string, i int) int {
	for i < len(text) {
		r, s := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			break
		}
		i += s
	}
	return i
}

// splitTag splits a hashtag into words at underscores, letter-case changes
// (RiggedElection -> Rigged, Election; PTIRally -> PTI, Rally) and between
// letters and digits (NA56 -> NA, 56). A tag written in one case stays one
// word (electionrigging).
func splitTag(tag string) []string {
	var parts []string
	rs := []rune(tag)
	start := 0
	cut := func(i int) {
		if i > start {
			parts = append(parts, string(rs[start:i]))
		}
		start = i
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '_' {
			cut(i)
			start = i + 1
			continue
		}
		if i == start {
			continue
		}
		p := rs[i-1]
		switch {
		case unicode.IsDigit(r) != unicode.IsDigit(p) && !unicode.IsMark(r):
			cut(i)
		case unicode.IsUpper(r) && unicode.IsLower(p):
			cut(i)
		case unicode.IsUpper(p) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			cut(i)
		}
	}
	cut(len(rs))
	return parts
}
