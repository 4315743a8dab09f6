// Package textkey turns a post's text into the keys that texts are matched
// by when they are copied with edits, in English, Urdu script and Roman
// Urdu: content words (function words, "BREAKING"-style prefixes, links,
// mentions and hashtag signs left out), each with a light key (Roman Urdu
// spelling variants such as hai/hay/hae, dhaandli/dhandli folded) and a
// skeleton key (an UrduPhone-like consonant key that Urdu-script and Roman
// Urdu spellings of one word share: dhandli and دھاندلی both give dndl);
// hashtags, mentions, canonical URLs and numbers kept apart; and a guess of
// the language (en, ur, ur-Latn, hi, ar, fa, und).
//
// Keys are for matching only: texts are never replaced, and a key is lossy
// (different words can share a skeleton). The rules are versioned by
// Version and documented in docs/narratives.md. Every function is pure and
// deterministic. It may not read files, the store or the network.
package textkey

// Version identifies the tokenisation, key and language rules; it is
// recorded in every narratives, claims and targets run. Bump it whenever a
// change makes some input give other keys.
//
// Version 1: see docs/narratives.md, "Keys".
// Version 2: roots (inflections stripped before the skeleton), the glossary
// of concepts, Hindi and more Urdu function words, one-letter skeletons
// replaced by the light key.
// Version 3: Devanagari skeletons and roots, Devanagari acronyms spelled
// in letter names read as the Latin acronym (ईवीएम -> evm), acronym
// plurals (EVMs -> evm), glossary false friends (English tin is not Roman
// Urdu teen).
const Version = "3"
