package textnorm

// Version identifies the normalisation rules. It is recorded with every
// import and in every coordination run's manifest, since the objects that
// posts share (text hashes, hashtags, mentions) and near-text token sets
// depend on it. Bump it whenever a change makes some input normalise, and
// so hash, differently; a dataset imported under another version must be
// re-derived before its text objects can be compared with new ones.
//
// Version 2 (the current rules):
//
//   - Text: NFKC, case folded, Arabic-script letters folded (FoldArabic),
//     URL tokens removed, mentions removed, whitespace collapsed. A
//     whitespace-separated token that starts with '@' is removed whole (as
//     the coordination-network-toolkit does: "@user:", "@user's"). Inside a
//     token, a mention starts at an '@' that does not follow a letter,
//     digit, mark or '_' (or follows a lone "rt", as twitter-text reads
//     "RT@user") and is followed by one of them; it is cut with the rest of
//     the token, and a token left without a letter or digit goes too: a
//     mention glued to punctuation or to a word (".@CNN:", "'@user",
//     "(@user):", "country~@user") is removed, an e-mail address
//     (tips@dawn.com) is kept.
//   - FoldArabic drops the hamza everywhere: the combining hamza above and
//     below (U+0654, U+0655) are removed with the other harakat, and every
//     letter carrying one folds to the letter without it: أ إ آ ٱ -> ا,
//     ؤ -> و, ئ -> ی, ۂ ۀ -> ہ, and ۓ -> یے (Urdu writes ئے and ۓ for the
//     same ending: گئے and گۓ match). The standalone hamza ء is a letter and
//     is kept.
//   - FoldArabic folds every heh to heh goal ہ (U+06C1): Arabic heh ه
//     (U+0647), ae ە (U+06D5) and heh doachashmee ھ (U+06BE). Persian and
//     Arabic keyboards have one heh for Urdu's two, so بهائی (typed there)
//     matches بھائی; the price is that Urdu words that differ only by ہ and
//     ھ (کہا "said", کھا "eat") become one word.
//   - Bytes that are not UTF-8 become U+FFFD before anything else (so that
//     cutting a mention out never joins two stray bytes into a letter).
//   - Arabic yeh ي and alef maksura ى fold to Farsi yeh ی, Arabic kaf ك to
//     keheh ک; tatweel, harakat, Quranic marks, ZWNJ, ZWJ, ZWSP and BOM are
//     removed; Arabic-Indic and Extended Arabic-Indic digits become ASCII.
//
// Changes from version 1: glued mentions were kept (780 of the 8,521
// original IRA election-week posts carry one: ".@CNN", "'@user"); ئ kept
// its hamza while ی + U+0654 lost it (جائیں did not match جایٔیں), and ۓ
// was kept; ھ was kept while ه folded to ہ (بهائی did not match بھائی);
// bytes that are not UTF-8 were kept as they were.
const Version = "2"
