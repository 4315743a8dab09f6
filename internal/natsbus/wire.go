package natsbus

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

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
	return encodeRecords(partialsMagic, batch, len(ps), limit, func(b []byte, i int) []byte {
		b, _ = ps[i].AppendBinary(b)
		return b
	})
}

// decodeHeader reads the header of a message of encodePartials: its
// batch, chunk and chunks in pm, how many partials follow, and the bytes
// that hold them.
func decodeHeader(data []byte) (pm *partialsMsg, n int, body []byte, err error) {
	h, body, err := decodeRecordsHeader(partialsMagic, data, 12) // a partial takes 12 bytes at least
	if err != nil {
		return nil, 0, nil, err
	}
	return &partialsMsg{Batch: h.batch, Chunk: h.chunk, Chunks: h.chunks}, h.n, body, nil
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

// encodeRecords cuts n records (put by rec) into messages of about limit
// bytes (at least one), each "MAGIC batch chunk chunks count record*"
// with the header's numbers as unsigned varints.
func encodeRecords(magic []byte, batch, n, limit int, rec func(b []byte, i int) []byte) [][]byte {
	var bodies [][]byte
	var counts []int
	var cur []byte
	k := 0
	for i := range n {
		if k > 0 && len(cur) > limit {
			bodies, counts = append(bodies, cur), append(counts, k)
			cur, k = nil, 0
		}
		cur = rec(cur, i)
		k++
	}
	bodies, counts = append(bodies, cur), append(counts, k)
	out := make([][]byte, len(bodies))
	for c, body := range bodies {
		h := slices.Clone(magic)
		h = binary.AppendUvarint(h, uint64(batch))
		h = binary.AppendUvarint(h, uint64(c))
		h = binary.AppendUvarint(h, uint64(len(bodies)))
		h = binary.AppendUvarint(h, uint64(counts[c]))
		out[c] = append(h, body...)
	}
	return out
}

type recordsHeader struct{ batch, chunk, chunks, n int }

// decodeRecordsHeader reads the header of a message of encodeRecords
// whose records take at least minBytes each.
func decodeRecordsHeader(magic, data []byte, minBytes int) (recordsHeader, []byte, error) {
	body, ok := strings.CutPrefix(string(data), string(magic))
	if !ok {
		return recordsHeader{}, nil, fmt.Errorf("not a %s message", magic)
	}
	b := []byte(body)
	var x [4]uint64
	for i := range x {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return recordsHeader{}, nil, fmt.Errorf("%s message: truncated header", magic)
		}
		x[i], b = v, b[k:]
	}
	if x[0] > math.MaxInt32 || x[2] > math.MaxInt32 || x[1] >= x[2] {
		return recordsHeader{}, nil, fmt.Errorf("%s message: chunk %d of %d", magic, x[1], x[2])
	}
	if x[3] > uint64(len(b)/minBytes) {
		return recordsHeader{}, nil, fmt.Errorf("%s message: %d records in %d bytes", magic, x[3], len(b))
	}
	return recordsHeader{int(x[0]), int(x[1]), int(x[2]), int(x[3])}, b, nil
}
