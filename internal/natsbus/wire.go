package natsbus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// The partials stream carries binary messages: JSON spent most of the
// reduce path's time on them. A message is
//
//	"TQP1" batch chunk chunks count partial*
//
// with every number of the header an unsigned varint and each partial in
// its binary form (coord.EdgePartial.AppendBinary, read back by
// coord.DecodePartials). decodePartials checks every length against the
// bytes left, so a damaged message is an error, never a panic or a huge
// allocation.

var partialsMagic = []byte("TQP1")

// encodePartials cuts ps into messages of about limit bytes (at least one
// message, empty when ps is), each with the header of chunk c of n.
func encodePartials(batch int, ps []coord.EdgePartial, limit int) [][]byte {
	ptrs := make([]*coord.EdgePartial, len(ps))
	for i := range ps {
		ptrs[i] = &ps[i]
	}
	return encodePartialPtrs(batch, ptrs, limit)
}

func encodePartialPtrs(batch int, ps []*coord.EdgePartial, limit int) [][]byte {
	var bodies [][]byte
	var counts []int
	var cur []byte
	n := 0
	for _, p := range ps {
		if n > 0 && len(cur) > limit {
			bodies, counts = append(bodies, cur), append(counts, n)
			cur, n = nil, 0
		}
		cur, _ = p.AppendBinary(cur)
		n++
	}
	bodies, counts = append(bodies, cur), append(counts, n)
	out := make([][]byte, len(bodies))
	for c, body := range bodies {
		h := append([]byte(nil), partialsMagic...)
		h = binary.AppendUvarint(h, uint64(batch))
		h = binary.AppendUvarint(h, uint64(c))
		h = binary.AppendUvarint(h, uint64(len(bodies)))
		h = binary.AppendUvarint(h, uint64(counts[c]))
		out[c] = append(h, body...)
	}
	return out
}

// decodeHeader reads the header of a message of encodePartials: its
// batch, chunk and chunks in pm, how many partials follow, and the bytes
// that hold them.
func decodeHeader(data []byte) (pm *partialsMsg, n int, body []byte, err error) {
	if len(data) < len(partialsMagic) || string(data[:len(partialsMagic)]) != string(partialsMagic) {
		return nil, 0, nil, errors.New("not a partials message")
	}
	body = data[len(partialsMagic):]
	var h [4]uint64
	for i := range h {
		x, k := binary.Uvarint(body)
		if k <= 0 {
			return nil, 0, nil, errors.New("partials message: truncated header")
		}
		h[i], body = x, body[k:]
	}
	if h[0] > math.MaxInt32 || h[2] > math.MaxInt32 || h[1] >= h[2] {
		return nil, 0, nil, fmt.Errorf("partials message: chunk %d of %d", h[1], h[2])
	}
	if h[3] > uint64(len(body)/12) { // a partial takes 12 bytes at least
		return nil, 0, nil, fmt.Errorf("partials message: length %d with %d bytes left", h[3], len(body))
	}
	pm = &partialsMsg{Batch: int(h[0]), Chunk: int(h[1]), Chunks: int(h[2])}
	return pm, int(h[3]), body, nil
}

// decodePartials reads one message of encodePartials.
func decodePartials(data []byte) (*partialsMsg, error) {
	pm, n, body, err := decodeHeader(data)
	if err != nil {
		return nil, err
	}
	if pm.Partials, err = coord.DecodePartials(body, n); err != nil {
		return nil, fmt.Errorf("partials message: %w", err)
	}
	return pm, nil
}
