package textkey

import (
	"golang.org/x/text/unicode/norm"

	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Function words are left out of the content words. Latin ones are compared
// as written (lower case, without accents; the list holds the spelling
// variants, since light keys would make English "day" the Roman Urdu "de"),
// Arabic-script ones after textnorm.Fold. English, Roman Urdu and Urdu function words, negations
// included (their loss is a documented caveat: "not rigged" and "rigged"
// share their content words).
var latinStop = []string{
	// English
	"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "about", "as",
	"is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "do", "does", "did",
	"and", "or", "but", "if", "so", "than", "then", "that", "this", "these", "those", "it", "its",
	"he", "she", "they", "we", "you", "i", "me", "my", "our", "your", "his", "her", "their", "them", "us",
	"him", "who", "whom", "which", "what", "when", "where", "why", "how", "will", "would", "can", "could",
	"shall", "should", "may", "might", "must", "not", "no", "nor", "all", "any", "some", "such", "just",
	"also", "very", "too", "there", "here", "out", "up", "over", "after", "before", "again", "more", "most",
	"s", "t", "im", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "cant", "wont",
	// Roman Urdu (hai, hay, hae share a light key; so do nahi/nahin/nai variants listed)
	"ka", "ki", "ke", "ko", "se", "ne", "hai", "hain", "hein", "hy", "hn", "tha", "thi", "the", "thay",
	"hay", "hae", "hei", "thy", "thai", "nahee", "nae", "mien", "myn",
	"mein", "main", "me", "mai", "mn", "aur", "or", "bhi", "b", "bi", "to", "tu", "ya", "nahi", "nahin",
	"nai", "nhi", "na", "ye", "yeh", "yah", "wo", "woh", "vo", "voh", "wah", "jo", "kya", "kia", "pe", "par",
	"per", "hi", "ho", "hota", "hoti", "hote", "hua", "hoa", "huwa", "hui", "hue", "kar", "kr", "kara",
	"karo", "karen", "karein", "raha", "rahi", "rahe", "rha", "rhi", "rhe", "gaya", "gya", "gayi", "gai",
	"gae", "gaye", "diya", "dia", "di", "de", "liye", "lye", "lie", "lia", "liya", "wala", "wale", "wali",
	"ab", "jab", "tab", "kuch", "kch", "koi", "sab", "sb", "ap", "aap", "apne", "apni", "apna", "hum",
	"ham", "tum", "un", "in", "is", "us", "unho", "unhon", "inhon", "ek", "aik", "k", "ky", "ki", "tak",
	"bhai", "g", "ji", "jee", "han", "haan", "sy", "ny", "ma", "mein", "mujhe", "mujhy", "hamen", "hamein",
	// prefixes and markers copies add or drop
	"rt", "via", "amp", "breaking", "breakingnews", "urgent", "alert", "update", "fwd", "forwarded",
	"just_in", "justin", "watch", "viral",
}

var arabicStop = []string{
	"کا", "کی", "کے", "کو", "سے", "نے", "ہے", "ہیں", "تھا", "تھی", "تھے", "میں", "اور", "بھی", "تو", "یا",
	"نہیں", "نہ", "یہ", "وہ", "جو", "کیا", "پر", "ہی", "اس", "ان", "ایک", "کر", "کرکے", "رہا", "رہی", "رہے",
	"گیا", "گئی", "گئے", "دیا", "دی", "ہوا", "ہوئی", "ہوئے", "ہو", "لیے", "لئے", "والا", "والے", "والی",
	"اب", "جب", "کچھ", "کوئی", "سب", "آپ", "ہم", "تم", "کہ", "تک", "بھائی", "جی", "ہوں", "مجھے", "ہمیں",
	"بریکنگ", "فوری", "اپنا", "اپنی", "اپنے", "بھی", "ہیں", "گا", "گی", "گے", "چکا", "چکی", "چکے", "جا", "جاتا", "جاتی",
	"جاتے", "دیں", "کریں", "کرے", "کرتا", "کرتی", "کرتے", "ہوتا", "ہوتی", "ہوتے", "سکتا", "سکتی", "سکتے", "ہوگا", "ہوگی",
	// Arabic and Persian function words, as copies in those languages carry them
	"في", "من", "على", "إلى", "عن", "هذا", "هذه", "ان", "أن", "و", "که", "را", "با", "از", "برای", "است",
}

// Hindi (Devanagari) function words, compared as written (NFKC).
var devaStop = []string{
	"का", "की", "के", "को", "से", "ने", "है", "हैं", "था", "थी", "थे", "में", "और", "भी", "तो", "या", "नहीं", "न",
	"यह", "ये", "वह", "वो", "जो", "क्या", "पर", "पे", "ही", "इस", "उस", "इन", "उन", "एक", "कर", "करके", "रहा", "रही",
	"रहे", "गया", "गई", "गए", "गये", "दिया", "दी", "हुआ", "हुई", "हुए", "हो", "लिए", "वाला", "वाले", "वाली", "अब",
	"जब", "कुछ", "कोई", "सब", "आप", "हम", "तुम", "कि", "तक", "जी", "हूं", "हूँ", "मैं", "मुझे", "हमें", "अपना", "अपनी",
	"अपने", "जा", "जाता", "जाती", "जाते", "रहा", "सकता", "सकती", "सकते", "गा", "गी", "गे", "ऐसे", "आदि", "बहुत",
	"ब्रेकिंग",
}

var (
	stopLatin  = map[string]bool{}
	stopArabic = map[string]bool{}
	stopDeva   = map[string]bool{}
)

func init() {
	for _, w := range latinStop {
		stopLatin[w] = true
	}
	for _, w := range arabicStop {
		stopArabic[textnorm.Fold(w)] = true
	}
	for _, w := range devaStop {
		stopDeva[norm.NFKC.String(w)] = true
	}
}

// Roman Urdu and English marker words for the language guess (words that are frequent in one and rare in the other; words that are
// both, such as "is", "in", "to", "me", are in neither).
var romanMarkers = []string{
	"hai", "hain", "hay", "hae", "hy", "hn", "ka", "ki", "ke", "ko", "se", "ne", "tha", "thi", "nahi", "nahin", "nai",
	"nhi", "aur", "bhi", "mein", "kya", "kia", "ye", "yeh", "wo", "woh", "kar", "kr", "raha", "rahe",
	"gaya", "gya", "diya", "dia", "liye", "wala", "wale", "kuch", "koi", "sab", "aap", "hum", "tum",
	"karo", "karen", "hota", "hoti", "hua", "ho", "jo", "pe", "ab", "ny", "sy", "ky", "mujhe", "apne",
}

var englishMarkers = []string{
	"the", "are", "was", "were", "and", "of", "for", "that", "with", "this", "it", "on", "be", "has",
	"have", "not", "by", "from", "will", "at", "they", "what", "who", "been", "their", "his", "you",
	"your", "we", "our", "shows", "an", "which", "would", "should", "there", "about",
}

var (
	romanSet   = map[string]bool{}
	englishSet = map[string]bool{}
)

func init() {
	for _, w := range romanMarkers {
		romanSet[w] = true
	}
	for _, w := range englishMarkers {
		englishSet[w] = true
	}
}
