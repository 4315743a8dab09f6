// Package imagehash hashes pictures so that copies of one picture can be
// found again: PDQ (Meta's 256-bit perceptual hash, written here from its
// published description) with its quality and its eight dihedral hashes,
// the 64-bit dHash, the EXIF orientation of JPEG, PNG and WebP files,
// and a multi-index to find hashes within a distance among many.
//
// It decodes JPEG, PNG, GIF and WebP; it reads nothing but the bytes it
// is given, and decides nothing about what a match means: the tiers and
// the grouping rule are docs/images.md's, applied by internal/ingest and
// the images command.
package imagehash

// Version names the hashing rules (decoding, orientation, transparency
// over white, PDQ, the frame trimming, dHash), recorded with every hash
// stored; raise it with any change that changes a hash.
const Version = "imagehash-1"
