package textkey

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// glossary is the bridge between languages for words whose spellings do
// not share a skeleton (translations, not transliterations): each row is a
// concept (its name, an English word, is the concept key) and the words
// that say it in English, Roman Urdu, Urdu script and Hindi. It was written
// by the project from the general vocabulary of elections, courts, the
// police and the news, and from the number, time and people words that
// claims about them use; it is not a dictionary, and it names no person,
// party or place (names are transliterated, and the skeleton keys bridge
// them). A word is looked up by its light key (Latin script, so that
// inflections and spelling variants match: vote, votes, voting), its
// folded form (Urdu script, textnorm.Fold) or as written (Devanagari).
// Loanwords whose skeletons already agree (ووٹ and vote, جیل and jail,
// الیکشن and election) need no row but may have one. A digit word's
// concept is the number itself, so that "three" and "3" meet.
//
// The table is versioned with the keys (Version) and listed in
// docs/narratives.md.
var glossary = [][]string{
	// elections
	{"election", "election", "elections", "intikhab", "intikhabat", "intekhabat", "chunav", "chunao", "الیکشن", "انتخاب", "انتخابات", "چناؤ", "चुनाव", "इलेक्शन", "निर्वाचन"},
	{"vote", "vote", "votes", "voting", "voted", "voter", "voters", "voton", "ووٹ", "ووٹوں", "ووٹر", "ووٹنگ", "वोट", "वोटों", "वोटिंग", "मतदान", "मत", "मतदाता"},
	{"ballot", "ballot", "ballots", "parchi", "parchiyan", "بیلٹ", "پرچی", "پرچیاں", "बैलेट", "मतपत्र", "पर्ची"},
	{"box", "box", "boxes", "dabba", "dabbe", "ڈبہ", "ڈبے", "बक्सा", "पेटी"},
	{"rigging", "rigging", "rigged", "rig", "dhandli", "dhaandli", "دھاندلی", "धांधली"},
	{"fraud", "fraud", "fraudulent", "dhoka", "dhokha", "فراڈ", "دھوکہ", "फ्रॉड", "धोखाधड़ी", "धोखा"},
	{"result", "result", "results", "natija", "nateeja", "nataij", "natayej", "نتیجہ", "نتائج", "नतीजा", "नतीजे", "परिणाम"},
	{"count", "count", "counting", "counted", "ginti", "gintee", "گنتی", "गिनती", "मतगणना", "गणना"},
	{"win", "win", "wins", "won", "winning", "winner", "jeet", "jeeta", "jeete", "jeetne", "jeeti", "جیت", "جیتا", "جیتے", "جیتی", "جیتنے", "जीत", "जीता", "जीते", "जीती"},
	{"defeat", "defeat", "defeated", "lose", "loses", "lost", "haar", "hara", "harana", "haare", "ہار", "ہارا", "ہارے", "ہرانا", "हार", "हारा", "हारे", "हराना"},
	{"seat", "seat", "seats", "nashist", "nashisten", "nashistein", "seatein", "سیٹ", "سیٹیں", "نشست", "نشستیں", "सीट", "सीटें"},
	{"candidate", "candidate", "candidates", "umeedwar", "ummidwar", "umedwar", "امیدوار", "उम्मीदवार", "प्रत्याशी"},
	{"constituency", "constituency", "constituencies", "halqa", "halqay", "حلقہ", "حلقے", "निर्वाचनक्षेत्र", "क्षेत्र"},
	{"party", "party", "parties", "jamaat", "jamat", "جماعت", "پارٹی", "पार्टी", "दल"},
	{"commission", "commission", "kamishan", "کمیشن", "आयोग", "ayog"},
	{"mandate", "mandate", "مینڈیٹ", "जनादेश"},
	{"opponent", "opponent", "opponents", "rival", "mukhalif", "مخالف", "विरोधी", "प्रतिद्वंद्वी"},
	{"polling", "polling", "poll", "polls", "پولنگ", "पोलिंग"},
	{"booth", "booth", "booths", "بوتھ", "बूथ"},
	{"machine", "machine", "machines", "masheen", "مشین", "मशीन"},
	{"hack", "hack", "hacked", "hacking", "ہیک", "हैक", "हैकिंग"},
	{"fake", "fake", "bogus", "forged", "jaali", "jali", "farzi", "nakli", "جعلی", "فرضی", "نقلی", "जाली", "फर्जी", "फ़र्ज़ी", "नकली", "बोगस"},
	{"lie", "lies", "lying", "liar", "jhoot", "jhooth", "jhoota", "جھوٹ", "جھوٹا", "झूठ", "झूठा"},
	{"steal", "steal", "stole", "stolen", "theft", "thief", "thieves", "chor", "chori", "چور", "چوری", "चोर", "चोरी"},
	{"cancel", "cancel", "cancelled", "canceled", "mansookh", "منسوخ", "کینسل", "रद्द", "कैंसिल"},
	{"statement", "statement", "bayan", "بیان", "बयान"},
	{"announce", "announce", "announced", "announcement", "elan", "ailan", "اعلان", "ऐलान", "घोषणा"},
	{"government", "government", "hukumat", "sarkar", "حکومت", "سرکار", "सरकार"},
	{"minister", "minister", "ministers", "wazir", "وزیر", "मंत्री"},
	{"court", "court", "courts", "adalat", "عدالت", "کورٹ", "अदालत", "कोर्ट", "न्यायालय"},
	{"judge", "judge", "judges", "jaj", "جج", "जज", "न्यायाधीश"},
	{"police", "police", "policeman", "polees", "پولیس", "पुलिस"},
	{"army", "army", "military", "fauj", "فوج", "सेना", "फौज"},
	{"jail", "jail", "prison", "qaid", "jel", "جیل", "قید", "जेल", "कैद"},
	{"arrest", "arrest", "arrested", "giraftar", "گرفتار", "गिरफ्तार", "गिरफ़्तार"},
	{"catch", "catch", "caught", "pakra", "pakri", "pakre", "pakar", "پکڑا", "پکڑی", "پکڑے", "پکڑ", "पकड़ा", "पकड़ी", "पकड़े", "पकड़"},
	{"staff", "staff", "official", "officials", "officer", "officers", "amla", "afsar", "عملہ", "افسر", "افسران", "कर्मचारी", "अधिकारी"},
	{"news", "news", "khabar", "khabrein", "خبر", "خبریں", "खबर", "ख़बर", "समाचार"},
	{"people", "people", "public", "awam", "log", "logon", "عوام", "لوگ", "لوگوں", "जनता", "लोग", "लोगों"},
	{"woman", "woman", "women", "aurat", "auratein", "khawateen", "khwateen", "عورت", "عورتیں", "خواتین", "महिला", "महिलाएं", "महिलाओं", "औरत", "औरतें", "ख्वातीन"},
	{"man", "man", "men", "mard", "مرد", "आदमी", "पुरुष"},
	{"window", "window", "windows", "khirki", "khidki", "کھڑکی", "کھڑکیوں", "खिड़की", "खिड़कियों"},
	{"forced", "forced", "force", "zabardasti", "زبردستی", "जबरदस्ती", "ज़बरदस्ती"},
	{"india", "india", "indian", "bharat", "hindustan", "بھارت", "ہندوستان", "भारत", "इंडिया", "हिंदुस्तान"},
	// time
	{"morning", "morning", "subah", "subha", "صبح", "सुबह"},
	{"night", "night", "raat", "رات", "रात"},
	{"today", "today", "aaj", "آج", "आज"},
	{"day", "day", "days", "din", "دن", "दिन"},
	{"month", "month", "months", "mahina", "mahine", "maah", "ماہ", "مہینہ", "مہینے", "महीना", "महीने"},
	{"year", "year", "years", "saal", "سال", "साल", "वर्ष"},
	{"hour", "hour", "hours", "ghanta", "ghante", "گھنٹہ", "گھنٹے", "घंटा", "घंटे"},
	{"minute", "minute", "minutes", "minat", "منٹ", "मिनट"},
	// numbers: the concept is the digits
	{"2", "two", "دو", "दो"},
	{"3", "three", "teen", "تین", "तीन"},
	{"4", "four", "char", "chaar", "چار", "चार"},
	{"5", "five", "paanch", "panch", "پانچ", "पांच", "पाँच"},
	{"6", "six", "chay", "چھ", "छह"},
	{"7", "seven", "saat", "سات", "सात"},
	{"8", "eight", "aath", "آٹھ", "आठ"},
	{"9", "nine", "nau", "نو", "नौ"},
	{"10", "ten", "das", "دس", "दस"},
	{"100", "hundred", "sau", "سو", "सौ"},
	{"1000", "thousand", "hazar", "hazaar", "ہزار", "हजार", "हज़ार"},
}

// falseFriends are the glossary's Latin words whose light key is another
// word in the other Latin-script language, by light key, with the
// language (textkey.Lang) of the texts in which they lose their concept:
// Roman Urdu teen (three), saat (seven), raat (night), char (four), log
// (people) and din (day) are English tin/teen, sat, rat, char, log and din
// in English texts; English man is Roman Urdu man (heart, mind) in Roman
// Urdu texts. Version 3.
var falseFriends = map[string]string{
	"tin": "en", "sat": "en", "rat": "en", "char": "en", "log": "en", "din": "en",
	"man": "ur-Latn",
}

// concepts maps a word's key (see glossary) to its concept.
var concepts = func() map[string]string {
	m := map[string]string{}
	for _, row := range glossary {
		for _, w := range row[1:] {
			m[glossaryKey(w)] = row[0]
		}
	}
	return m
}()

// glossaryKey is the key a glossary word is looked up by: the light key of
// a Latin word, the folded form of an Arabic-script word, a Devanagari word
// as written (NFKC, case folded).
func glossaryKey(w string) string {
	w = foldCase(norm.NFKC.String(w))
	switch {
	case isLatinWord(w):
		return Light(stripAccents(w))
	case hasArabic(w):
		return textnorm.FoldArabic(w)
	}
	return w
}

// Concept returns the glossary concept of a word (as Analyze gives it:
// a Latin word's light key, an Arabic-script word folded, a Devanagari
// word as written), or "" when the glossary has none. A number is its own
// concept.
func Concept(key string) string {
	if isDigits(key) {
		return key
	}
	if c, ok := concepts[key]; ok {
		return c
	}
	return ""
}

// GlossaryRows returns the glossary, one row per concept (the concept,
// then its words), for documentation and tests.
func GlossaryRows() [][]string {
	out := make([][]string, len(glossary))
	for i, r := range glossary {
		out[i] = append([]string(nil), r...)
	}
	return out
}

// rootLatin is the skeleton of a Latin word after its inflection is
// stripped: the English one Light strips (casting, casted -> cast), and a
// Roman Urdu plural or oblique ending of a word of five letters or more
// (-on, -ein, -yon: voton -> vot, seatein -> seat), but not -ion. ok is
// false when the word has no such ending (its root is its skeleton).
func rootLatin(w string) (root string, ok bool) {
	s := stem(w)
	if s == w && len(w) >= 5 && !strings.HasSuffix(w, "ion") {
		switch {
		case strings.HasSuffix(w, "iyon"), strings.HasSuffix(w, "yon"):
			s = strings.TrimSuffix(strings.TrimSuffix(w, "yon"), "i")
		case strings.HasSuffix(w, "ein"):
			s = w[:len(w)-3]
		case strings.HasSuffix(w, "on"):
			s = w[:len(w)-2]
		}
	}
	if s == w {
		return "", false
	}
	return latinSkeleton(s), true
}

// rootArabic is the skeleton of an Urdu-script word after a plural or
// oblique ending is stripped (ووٹوں -> ووٹ, سیٹیں -> سیٹ), when three
// letters or more remain; ok is false when the word has no such ending.
func rootArabic(w string) (root string, ok bool) {
	if !strings.HasSuffix(w, "وں") && !strings.HasSuffix(w, "یں") {
		return "", false
	}
	rs := []rune(w)
	if len(rs) < 5 {
		return "", false
	}
	return arabicSkeleton(string(rs[:len(rs)-2])), true
}
