package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tahqiq/tahqiq/internal/decompress"
)

// limitFlags are the decompression limits of a command that reads
// compressed input (internal/decompress).
type limitFlags struct {
	ratio   int64
	size    sizeValue
	entries int
	cmd     string // prefixed to the flags a refusal names, e.g. "tahqiq serve "
}

// add registers --max-ratio and --max-decompressed for what (a .gz input
// of some kind) or, with zip, for a zip bundle's members, with
// --max-entries.
func (l *limitFlags) add(f *pflag.FlagSet, what string, zip bool) {
	l.ratio, l.size = decompress.DefaultRatio, decompress.DefaultSize
	floor := decompress.Bytes(decompress.DefaultFloor)
	ratio := fmt.Sprintf("refuse %s that expands to more than this many times its compressed size, beyond its first %s (a decompression bomb); raise it for a large, trusted file", what, floor)
	size := fmt.Sprintf("refuse %s that expands to more than this size, e.g. 64GiB", what)
	if zip {
		ratio = fmt.Sprintf("refuse a zip bundle with a member that declares more than this many times its compressed size, beyond %s (a zip bomb)", floor)
		size = "refuse a zip bundle whose members declare more than this size together, e.g. 64GiB"
	}
	f.Int64Var(&l.ratio, "max-ratio", l.ratio, ratio)
	f.Var(&l.size, "max-decompressed", size)
	if zip {
		l.entries = decompress.DefaultEntries
		f.IntVar(&l.entries, "max-entries", l.entries, "refuse a zip bundle of more members")
	}
}

func (l *limitFlags) limits() decompress.Limits {
	out := decompress.Limits{Ratio: l.ratio, Size: int64(l.size), Entries: l.entries,
		RatioFlag: l.cmd + "--max-ratio", SizeFlag: l.cmd + "--max-decompressed"}
	if l.entries > 0 {
		out.EntriesFlag = l.cmd + "--max-entries"
	}
	return out
}

// sizeValue is a flag of bytes: a number with an optional unit, KiB, MiB,
// GiB, TiB (or K, M, G, T), or KB, MB, GB, TB (powers of 1000).
type sizeValue int64

func (s *sizeValue) String() string { return decompress.Bytes(int64(*s)) }

func (s *sizeValue) Type() string { return "size" }

func (s *sizeValue) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeValue(n)
	return nil
}

func parseSize(v string) (int64, error) {
	t := strings.TrimSpace(v)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	mult := map[string]float64{"": 1, "B": 1,
		"K": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MIB": 1 << 20, "G": 1 << 30, "GIB": 1 << 30, "T": 1 << 40, "TIB": 1 << 40,
		"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}[strings.ToUpper(unit)]
	f, err := strconv.ParseFloat(num, 64)
	if mult == 0 || err != nil || f <= 0 || f*mult >= 1<<63 {
		return 0, fmt.Errorf("%q: want a positive size such as 500MiB, 16GiB or 2000000000", v)
	}
	return int64(f * mult), nil
}
