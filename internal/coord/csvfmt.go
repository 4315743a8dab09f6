package coord

import (
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// The cells of the edge files, appended to a byte buffer without an
// allocation each: fields quoted as the files always quoted them, floats
// and times to the byte as strconv and time format them (the edge files
// of a 1M-post run are 480 MB of them; csvfmt_test.go holds the proofs).

// appendField appends s as a field of edges.csv: quoted when it holds a
// comma, a quote, CR or LF, or starts or ends with a space (each quote
// doubled). This is edges.csv's rule since its first run, not quite
// encoding/csv's (appendCSVField), which also quotes a field that starts
// with other white space or is \. and leaves a trailing space alone:
// both read back the same.
func appendField(b []byte, s string) []byte {
	if s == "" || (!needsQuote(s) && s[0] != ' ' && s[len(s)-1] != ' ') {
		return append(b, s...)
	}
	return appendQuoted(b, s)
}

// appendCSVField appends s as encoding/csv's Writer (comma, LF) writes a
// field: quoted when it holds a comma, a quote, CR or LF, starts with a
// space (unicode.IsSpace), or is \. (each quote doubled).
func appendCSVField(b []byte, s string) []byte {
	if s == "" {
		return b
	}
	quote := s == `\.` || needsQuote(s)
	if !quote {
		if c := s[0]; c < utf8.RuneSelf {
			quote = c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
		} else {
			r, _ := utf8.DecodeRuneInString(s)
			quote = unicode.IsSpace(r)
		}
	}
	if !quote {
		return append(b, s...)
	}
	return appendQuoted(b, s)
}

// needsQuote reports whether s holds a comma, a quote, CR or LF. Eight
// bytes at a time are first tested for a byte under ',' (every one of
// the four is; most names, UIDs and post ids have none).
func needsQuote(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if (x-ones*(','+1))&^x&highs != 0 {
			break // a byte under ',' + 1 among these eight: test them one by one
		}
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}

// appendQuoted appends s in quotes, each quote doubled.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for {
		i := indexQuote(s)
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

func indexQuote(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			return i
		}
	}
	return -1
}

// appendFloat appends strconv.FormatFloat(x, 'g', 10, 64), the edge
// files' floats: an integer below 1e10 (most weights and mean gaps) is
// those digits, formatted as an integer.
func appendFloat(b []byte, x float64) []byte {
	if x >= 0 && x < 1e10 {
		if i := int64(x); float64(i) == x && (i != 0 || !math.Signbit(x)) {
			return strconv.AppendInt(b, i, 10)
		}
	}
	return strconv.AppendFloat(b, x, 'g', 10, 64)
}

// maxRFC3339 is 10000-01-01T00:00:00Z: from there time writes more than
// four digits of year.
const maxRFC3339 = 253402300800

// appendTime appends the Unix time t in RFC 3339 (UTC, seconds), as
// time.Unix(t, 0).UTC().AppendFormat(b, time.RFC3339) does: the date
// from the day number (the proleptic Gregorian calendar, Hinnant's
// civil_from_days) for the years 1970-9999, time's for the others.
func appendTime(b []byte, t int64) []byte {
	if t < 0 || t >= maxRFC3339 {
		return time.Unix(t, 0).UTC().AppendFormat(b, time.RFC3339)
	}
	days, secs := t/86400, t%86400
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365], from 1 March
	mp := (5*doy + 2) / 153                                // [0, 11], March = 0
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	y := yoe + era*400
	if m > 12 {
		m -= 12
		y++
	}
	h, mi, s := secs/3600, secs/60%60, secs%60
	return append(b,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':',
		byte('0'+s/10), byte('0'+s%10), 'Z')
}

// dateCache remembers the dates of the days appendTime formatted last
// (64 of them, by day number): a run's times fall on a few days.
type dateCache struct {
	day  [64]int64 // day number + 1 (0: none)
	date [64][11]byte
}

// dayDate returns the date ("2006-01-02T") of day number day (of a time
// appendTime can format), from the cache.
func (c *dateCache) dayDate(day int64) *[11]byte {
	k := day & 63
	if c.day[k] != day+1 {
		var buf [20]byte
		copy(c.date[k][:], appendTime(buf[:0], day*86400))
		c.day[k] = day + 1
	}
	return &c.date[k]
}

// appendTime is appendTime (the package's), the date from the cache.
func (c *dateCache) appendTime(b []byte, t int64) []byte {
	if t < 0 || t >= maxRFC3339 {
		return appendTime(b, t)
	}
	day, secs := t/86400, t%86400
	h, m, s := secs/3600, secs/60%60, secs%60
	return append(append(b, c.dayDate(day)[:]...),
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+s/10), byte('0'+s%10), 'Z')
}
