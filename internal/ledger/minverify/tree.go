package minverify

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// The tree: ledger.md, "Tree" (RFC 6962 §2.1, proofs checked as RFC 9162
// §2.1.3.2 and §2.1.4.2 say).

// NodeHash is SHA-256(0x01 || left || right).
func NodeHash(left, right [32]byte) [32]byte {
	b := make([]byte, 0, 65)
	b = append(b, 1)
	b = append(b, left[:]...)
	b = append(b, right[:]...)
	return sha256.Sum256(b)
}

// TreeHash is the RFC 6962 tree hash of leaves (their leaf hashes); the
// empty tree's is 32 zero bytes.
func TreeHash(leaves [][32]byte) [32]byte {
	switch n := len(leaves); n {
	case 0:
		return [32]byte{}
	case 1:
		return leaves[0]
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		return NodeHash(TreeHash(leaves[:k]), TreeHash(leaves[k:]))
	}
}

// Proof is a proof as tahqiq writes it in JSON.
type Proof struct {
	Kind    string   `json:"kind"`
	Index   int64    `json:"index"`
	Size    int64    `json:"size"`
	OldSize int64    `json:"old_size"`
	Hashes  []string `json:"hashes"`
}

// ParseProof reads a proof's JSON.
func ParseProof(b []byte) (Proof, error) {
	var p Proof
	if err := json.Unmarshal(b, &p); err != nil {
		return p, errorf("bad-proof", "%v", err)
	}
	return p, nil
}

func (p Proof) hashes() ([][32]byte, error) {
	out := make([][32]byte, len(p.Hashes))
	for i, s := range p.Hashes {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != 32 {
			return nil, errorf("bad-proof", "hash %d: not base64 of 32 bytes", i)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// VerifyInclusion checks that leaf is entry p.Index of the tree of size
// p.Size whose root is root.
func VerifyInclusion(p Proof, leaf, root [32]byte) error {
	path, err := p.hashes()
	if err != nil {
		return err
	}
	if p.Index < 0 || p.Index >= p.Size {
		return errorf("bad-proof", "index %d not in a tree of size %d", p.Index, p.Size)
	}
	fn, sn := p.Index, p.Size-1
	r := leaf
	for _, h := range path {
		if sn == 0 {
			return errorf("bad-proof", "proof too long")
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(h, r)
			if fn&1 == 0 {
				for fn&1 == 0 && fn != 0 {
					fn, sn = fn>>1, sn>>1
				}
			}
		} else {
			r = NodeHash(r, h)
		}
		fn, sn = fn>>1, sn>>1
	}
	if sn != 0 || r != root {
		return errorf("bad-proof", "entry %d is not proven in the tree of size %d", p.Index, p.Size)
	}
	return nil
}

// VerifyConsistency checks that the tree of size p.OldSize with root
// oldRoot is a prefix of the tree of size p.Size with root root.
func VerifyConsistency(p Proof, oldRoot, root [32]byte) error {
	path, err := p.hashes()
	if err != nil {
		return err
	}
	m, n := p.OldSize, p.Size
	switch {
	case m < 0 || m > n:
		return errorf("bad-proof", "from %d to %d", m, n)
	case m == 0:
		if len(path) != 0 || oldRoot != [32]byte{} || n == 0 && root != [32]byte{} {
			return errorf("bad-proof", "from the empty tree: want no hashes and the empty tree's root")
		}
		return nil
	case m == n:
		if len(path) != 0 || oldRoot != root {
			return errorf("bad-proof", "between two trees of size %d: want no hashes and one root", m)
		}
		return nil
	}
	if len(path) == 0 {
		return errorf("bad-proof", "no hashes")
	}
	if m&(m-1) == 0 { // a power of 2
		path = append([][32]byte{oldRoot}, path...)
	}
	fn, sn := m-1, n-1
	for fn&1 == 1 {
		fn, sn = fn>>1, sn>>1
	}
	fr, sr := path[0], path[0]
	for _, c := range path[1:] {
		if sn == 0 {
			return errorf("bad-proof", "proof too long")
		}
		if fn&1 == 1 || fn == sn {
			fr, sr = NodeHash(c, fr), NodeHash(c, sr)
			if fn&1 == 0 {
				for fn&1 == 0 && fn != 0 {
					fn, sn = fn>>1, sn>>1
				}
			}
		} else {
			sr = NodeHash(sr, c)
		}
		fn, sn = fn>>1, sn>>1
	}
	if fr != oldRoot || sr != root || sn != 0 {
		return errorf("bad-proof", "the tree of size %d is not proven a prefix of the tree of size %d", m, n)
	}
	return nil
}

func hexOf(h [32]byte) string { return fmt.Sprintf("%x", h[:]) }
