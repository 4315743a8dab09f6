package coord

import (
	"fmt"
	"math"
)

// A row holds its time in 32 bits: seconds from the run's earliest time
// (interned.t0), so a run's shares may span up to 2^32 - 1 seconds (136
// years). The window rule only ever compares differences of two times,
// which the offsets keep; every time that leaves the kernel (edges'
// first and last, evidence, nodes, partitions) is t0 plus the offset.
// While the input is read the earliest time is not known yet: a row then
// holds the unix time's low 32 bits, and t - t0 is, modulo 2^32, the
// same number, exact once the span is under 2^32 (finishRows).

// timeSpan is the earliest and latest time of the rows made so far.
type timeSpan struct {
	min, max int64
	any      bool
}

// add counts t in s and returns what a row made now holds of it: its low
// 32 bits.
func (s *timeSpan) add(t int64) uint32 {
	if !s.any {
		s.min, s.max, s.any = t, t, true
	} else if t < s.min {
		s.min = t
	} else if t > s.max {
		s.max = t
	}
	return uint32(t)
}

// maxSpan is the widest span of a run's times: the largest offset a row
// holds (a variable: a test makes it small).
var maxSpan int64 = math.MaxUint32

// check returns an error when the times of s span more than a row's
// offset holds. No election's posts span 136 years: such a span is a
// time read wrong (a placeholder date such as year 1 or 9999, seconds
// taken for milliseconds).
func (s timeSpan) check() error {
	if !s.any || s.max-s.min <= maxSpan && s.max-s.min >= 0 {
		return nil
	}
	return fmt.Errorf("coord: the shares' times run from %s (unix %d) to %s (unix %d), more than one run can hold (%d years: from the earliest time, a share's time is held in 32 bits of seconds); "+
		"check the times of the input's posts (a timestamp or created_at field): a placeholder date (year 1, 9999), a date in the wrong format, or milliseconds read as seconds",
		appendTime(nil, s.min), s.min, appendTime(nil, s.max), s.max, (maxSpan+1)/(365*86400+86400/4))
}

// time returns the unix time of a row of in.
func (in *interned) time(r *row) int64 { return in.t0 + int64(r.t) }
