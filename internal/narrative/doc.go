// Package narrative groups posts that tell the same story despite the
// edits people make when they copy it (words dropped or swapped, prefixes,
// hashtags, links, mentions, Arabic-script letter variants, Roman Urdu
// spelling variants), in English, Urdu script and Roman Urdu.
//
// Group works in three steps (docs/narratives.md gives every definition
// and caveat):
//
//  1. Reposts whose original is in the data inherit its narrative.
//  2. Families: posts with the same content words (textkey light keys) are
//     one exact family; exact families whose character 4-gram shingle sets
//     have a Jaccard similarity of at least Params.Jaccard (found by MinHash
//     LSH and verified exactly) are joined by union-find.
//  3. Narratives: family representatives are taken in time order, each
//     joining the most similar active narrative (TF-IDF cosine on light and
//     skeleton keys of at least Params.Threshold, the narrative seen within
//     Params.GapDays) or opening a new one; a merge pass then joins
//     narratives whose centroids are that similar.
//
// Link ties narratives to the communities of a coordination run (which
// group pushed which narrative, and when) and counts posts per hour by
// group. Results are deterministic: no random source, no dependence on the
// number of workers or on map order. It reads no files but what it is
// given and writes only the run directory it is asked to.
package narrative
