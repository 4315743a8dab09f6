package coord

import (
	"encoding/binary"
	"math"
	"strconv"
)

// The edge files' lines where the accounts' cells are held (quoteCells):
// each line is written into room made for it once (lineRoom), the cells
// copied as two 8-byte words when they are short (cellPad bytes of room
// follow every write), the small integers from a table of digits, the
// times from the day's date and a table of minutes and seconds. The same
// bytes as appendEdge's and appendDirected's general path
// (TestEdgeFilesAsBefore, FuzzEdgeLine).

// cellPad is the bytes past a cell that a copy may write (and, in
// l.cells, read): two words.
const cellPad = 16

// measureRoom bounds the bytes of one measure and its comma: an integer
// (20 digits and a sign), a float (strconv's 'g' with 10 digits), a time
// (time's RFC 3339 of any int64 second).
const measureRoom = 40

// digitPairs is "00" to "99".
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// putCell writes cell k (an account's cell: int(a)*cellsPer + c) at
// buf[n:] and returns the end; buf has cellPad bytes of room past it.
func (l *edgeLines) putCell(buf []byte, n int, k int) int {
	at, end := l.cellAt[k], l.cellAt[k+1]
	if end-at <= cellPad {
		src := l.cells[at : at+cellPad]
		dst := buf[n : n+cellPad]
		binary.LittleEndian.PutUint64(dst, binary.LittleEndian.Uint64(src))
		binary.LittleEndian.PutUint64(dst[8:], binary.LittleEndian.Uint64(src[8:]))
		return n + int(end-at)
	}
	return n + copy(buf[n:], l.cells[at:end])
}

// cellLen is the bytes of cell k.
func (l *edgeLines) cellLen(k int) int { return int(l.cellAt[k+1] - l.cellAt[k]) }

// putInt writes strconv.AppendInt(nil, v, 10) at buf[n:], which has
// room for it, and returns the end.
func putInt(buf []byte, n int, v int64) int {
	if uint64(v) < 100 {
		if v < 10 {
			buf[n] = byte('0' + v)
			return n + 1
		}
		buf[n], buf[n+1] = digitPairs[2*v], digitPairs[2*v+1]
		return n + 2
	}
	return len(strconv.AppendInt(buf[:n], v, 10))
}

// putFloat writes appendFloat(nil, x) at buf[n:].
func putFloat(buf []byte, n int, x float64) int {
	if x >= 0 && x < 1e10 {
		if i := int64(x); float64(i) == x && (i != 0 || !math.Signbit(x)) {
			return putInt(buf, n, i)
		}
	}
	return len(strconv.AppendFloat(buf[:n], x, 'g', 10, 64))
}

// putTime writes appendTime(nil, t) at buf[n:], the date from c.
func (c *dateCache) putTime(buf []byte, n int, t int64) int {
	if t < 0 || t >= maxRFC3339 {
		return len(appendTime(buf[:n], t))
	}
	day, secs := t/86400, t%86400
	d := buf[n : n+20]
	copy(d, c.dayDate(day)[:])
	h, ms := secs/3600, secs%3600
	m, s := ms/60, ms%60
	d[11], d[12], d[13] = digitPairs[2*h], digitPairs[2*h+1], ':'
	d[14], d[15], d[16] = digitPairs[2*m], digitPairs[2*m+1], ':'
	d[17], d[18], d[19] = digitPairs[2*s], digitPairs[2*s+1], 'Z'
	return n + 20
}

// lineRoom grows b to hold a line of the cells a and b and nmeasures
// measures, with cellPad to spare, and returns it at its full capacity.
func lineRoom(b []byte, cells, nmeasures int) []byte {
	need := cells + nmeasures*measureRoom + cellPad + 8
	if cap(b)-len(b) < need {
		nb := make([]byte, len(b), 2*cap(b)+need)
		copy(nb, b)
		b = nb
	}
	return b[:cap(b)]
}

// appendEdgeCells is appendEdge where the cells are held.
func (l *lineFormat) appendEdgeCells(b []byte, e *Edge, bt []int32) []byte {
	ka, kb := int(e.A)*cellsPer, int(e.B)*cellsPer
	n := len(b)
	cells := l.cellLen(ka+cellUID) + l.cellLen(kb+cellUID) + l.cellLen(ka+cellNames) + l.cellLen(kb+cellNames)
	buf := lineRoom(b, cells, 13+len(bt))
	n = l.putCell(buf, n, ka+cellUID)
	buf[n] = ','
	n = l.putCell(buf, n+1, kb+cellUID)
	buf[n] = ','
	n = putFloat(buf, n+1, e.Weight)
	if e.Flagged {
		copy(buf[n:], ",true,")
		n += 6
	} else {
		copy(buf[n:], ",false,")
		n += 7
	}
	n = putInt(buf, n, e.Pairs)
	buf[n] = ','
	n = putInt(buf, n+1, int64(e.Objects))
	for _, x := range bt {
		buf[n] = ','
		n = putInt(buf, n+1, int64(x))
	}
	buf[n] = ','
	n = putFloat(buf, n+1, float64(e.SumDt)/float64(e.Pairs))
	buf[n] = ','
	n = putInt(buf, n+1, e.MinDt)
	buf[n] = ','
	n = l.dates.putTime(buf, n+1, e.First)
	buf[n] = ','
	n = l.dates.putTime(buf, n+1, e.Last)
	buf[n] = ','
	n = putInt(buf, n+1, int64(e.PostsA))
	buf[n] = ','
	n = putInt(buf, n+1, int64(e.PostsB))
	buf[n] = ','
	n = putFloat(buf, n+1, e.Symmetry())
	if l.fast {
		buf[n] = ','
		n = putInt(buf, n+1, e.Fast)
	}
	if l.names == nil {
		// no account is named: ",," each (as appendCell writes them)
		copy(buf[n:], ",,,,\n")
		return buf[:n+5]
	}
	n = l.putCell(buf, n, ka+cellNames)
	n = l.putCell(buf, n, kb+cellNames)
	buf[n] = '\n'
	return buf[:n+1]
}

// appendDirectedCells is appendDirected where the cells are held.
func (l *lineFormat) appendDirectedCells(b []byte, e *Edge) []byte {
	ka, kb := int(e.A)*cellsPer, int(e.B)*cellsPer
	cells := l.cellLen(ka+cellUIDCSV) + l.cellLen(kb+cellUIDCSV) + l.cellLen(ka+cellNamesCSV) + l.cellLen(kb+cellNamesCSV)
	buf := lineRoom(b, 2*cells+1, 4)
	n := len(b)
	for _, d := range [2]struct {
		s, t int
		w    int32
	}{{ka, kb, e.PostsA}, {kb, ka, e.PostsB}} {
		if float64(d.w) < l.minWeight || d.w == 0 {
			continue
		}
		n = l.putCell(buf, n, d.s+cellUIDCSV)
		buf[n] = ','
		n = l.putCell(buf, n+1, d.t+cellUIDCSV)
		buf[n] = ','
		n = putInt(buf, n+1, int64(d.w))
		if l.names == nil {
			copy(buf[n:], ",,,,\n")
			n += 5
			continue
		}
		n = l.putCell(buf, n, d.s+cellNamesCSV)
		n = l.putCell(buf, n, d.t+cellNamesCSV)
		buf[n] = '\n'
		n++
	}
	return buf[:n]
}
