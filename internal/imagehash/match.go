package imagehash

import (
	"fmt"
	"strings"
)

// The tiers of docs/images.md, in PDQ bits.
const (
	// SameImage is the largest distance at which two pictures are taken
	// for the same picture (resized, recompressed, turned, mirrored):
	// they make one image object of coordination.
	SameImage = 10
	// Variant is the largest distance at which two pictures are listed
	// as variants (PDQ's own match threshold): a crop, an overlay, a
	// heavy edit; also distinct forms of one template.
	Variant = 31
	// MinQuality is the quality under which a PDQ hash is noise (PDQ's
	// documentation drops those of 49 and under): such a picture matches
	// only the same bytes.
	MinQuality = 50
)

// Hashes are the PDQ hashes a picture is compared by.
type Hashes struct {
	Dihedral   [8]Hash // by Transform; Dihedral[Original] is the picture's own hash
	Trimmed    Hash    // inside a uniform frame, when HasTrimmed
	HasTrimmed bool
}

// Hashes returns the hashes of r.
func (r Result) Hashes() Hashes {
	return Hashes{Dihedral: r.Dihedral, Trimmed: r.Trimmed, HasTrimmed: r.HasTrimmed}
}

// Probes are the hashes a picture looks for others with: its eight
// dihedral hashes, then its framed-picture hash.
func (h Hashes) Probes() []Hash {
	p := append(make([]Hash, 0, 9), h.Dihedral[:]...)
	if h.HasTrimmed {
		p = append(p, h.Trimmed)
	}
	return p
}

// Entries are the hashes a picture is found by: its own, and its
// framed-picture hash.
func (h Hashes) Entries() []Hash {
	if h.HasTrimmed {
		return []Hash{h.Dihedral[Original], h.Trimmed}
	}
	return []Hash{h.Dihedral[Original]}
}

// Match is how alike two pictures are.
type Match struct {
	Distance  int       // PDQ bits, 0 to 256
	Transform Transform // how the first was turned or mirrored to match
	Trimmed   bool      // a frame was cut off one of them to match
}

// Compare returns the closest match of a's probes with b's entries, and
// of b's probes with a's entries: every turn and mirror, with and
// without a frame.
func Compare(a, b Hashes) Match {
	best := Match{Distance: 257}
	try := func(x, y Hashes, flip bool) {
		for pi, p := range x.Probes() {
			for ei, e := range y.Entries() {
				d := Distance(p, e)
				if d >= best.Distance {
					continue
				}
				best = Match{Distance: d, Trimmed: pi == 8 || ei == 1}
				if pi < 8 {
					best.Transform = Transform(pi)
					if flip {
						best.Transform = best.Transform.Inverse()
					}
				}
			}
		}
	}
	try(a, b, false)
	try(b, a, true)
	return best
}

// Inverse is the transform that undoes t.
func (t Transform) Inverse() Transform {
	switch t {
	case Rotate90:
		return Rotate270
	case Rotate270:
		return Rotate90
	}
	return t
}

// DihedralText is the seven turned and mirrored hashes (Rotate90 to
// Transverse) as 448 hex digits, the form the stores keep.
func (h Hashes) DihedralText() string {
	var b strings.Builder
	for _, x := range h.Dihedral[1:] {
		b.WriteString(x.String())
	}
	return b.String()
}

// ParseHashes reads a picture's hashes from their stored text: its own
// hash, the seven others (DihedralText) and its framed-picture hash (""
// for none).
func ParseHashes(pdq, dihedral, trimmed string) (Hashes, error) {
	var h Hashes
	var err error
	if h.Dihedral[Original], err = ParseHash(pdq); err != nil {
		return h, err
	}
	if len(dihedral) != 7*64 {
		return h, fmt.Errorf("imagehash: dihedral hashes are 448 hex digits, not %d characters", len(dihedral))
	}
	for i := range 7 {
		if h.Dihedral[i+1], err = ParseHash(dihedral[64*i : 64*i+64]); err != nil {
			return h, err
		}
	}
	if trimmed != "" {
		if h.Trimmed, err = ParseHash(trimmed); err != nil {
			return h, err
		}
		h.HasTrimmed = true
	}
	return h, nil
}
