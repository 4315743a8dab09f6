package csvrow_test

import (
	"bytes"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/csvrow"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// fullRow is everything Next gives of a row.
type fullRow struct {
	Line, Offset int64
	Fields       []string
	Raw, Reject  string
}

func whole(tb testing.TB, in []byte) ([]fullRow, bool) {
	tb.Helper()
	r, err := csvrow.NewReader(bytes.NewReader(in), "in.csv")
	if err != nil {
		return nil, false
	}
	var out []fullRow
	for {
		x, err := r.Next()
		if err == io.EOF {
			return out, true
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, fullRow{x.Line, x.Offset, append([]string(nil), x.Fields...), string(x.Raw), x.Reject})
	}
}

// split reads in as a reader on several cores would: the rest after the
// header read step bytes at a time, cut at every end of records the
// Splitter finds (at most max bytes a chunk when a record allows), each
// chunk read with Chunk.
func split(tb testing.TB, in []byte, step, max int) ([]fullRow, int) {
	tb.Helper()
	r, err := csvrow.NewReader(bytes.NewReader(in), "in.csv")
	if err != nil {
		tb.Fatal(err)
	}
	rest, off, line := r.Rest()
	var out []fullRow
	var sp csvrow.Splitter
	var buf []byte
	chunks := 0
	emit := func(n int) {
		chunks++
		c := r.Chunk(buf[:n], off, line)
		for {
			x, err := c.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, fullRow{x.Line, x.Offset, append([]string(nil), x.Fields...), string(x.Raw), x.Reject})
		}
		off += int64(n)
		line += int64(bytes.Count(buf[:n], []byte{'\n'}))
		buf = append([]byte(nil), buf[n:]...)
		sp.Cut(n)
	}
	p := make([]byte, step)
	for {
		k, err := rest.Read(p)
		buf = append(buf, p[:k]...)
		if n := sp.Scan(buf); n > 0 && (n >= max || len(buf) >= max) {
			emit(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if n := sp.Scan(buf); n > 0 {
		emit(n)
	}
	if len(buf) > 0 {
		emit(len(buf)) // the last record, without a line end or its quote closed
	}
	return out, chunks
}

func sameSplit(t *testing.T, in []byte, step, max int) int {
	t.Helper()
	want, ok := whole(t, in)
	if !ok {
		return 0
	}
	got, chunks := split(t, in, step, max)
	if len(got) != len(want) {
		t.Fatalf("step %d max %d: %d rows in %d chunks, want %d:\n got %+v\nwant %+v", step, max, len(got), chunks, len(want), got, want)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("step %d max %d: row %d:\n got %+v\nwant %+v", step, max, i, got[i], want[i])
		}
	}
	return chunks
}

// TestSplit: rows read in chunks cut where the Splitter finds records'
// ends are the rows of one reader, lines and offsets included, for
// quoted newlines, escaped quotes, CRLF, blank lines, bare quotes and
// quotes closed by other text (rejects whose records end with the line).
func TestSplit(t *testing.T) {
	in := "\xef\xbb\xbfa,b,c\r\n" +
		"1,\"x\r\ny\",\"q\"\"\"\r\n" + // a quoted newline, an escaped quote
		"\n\r\n" + // blank lines
		"2,\"a,\nb,\n\",3\n" + // a field of three lines, commas inside
		"3,b\"ad,\"4\n" + // a bare quote: the record ends with the line
		"5,\"x\"y,\"6\n7\"\n" + // text after a closing quote: rejected with its line
		"8,\"\"\"\n\"\"\",9\n" + // escaped quotes either side of a newline
		"\"\",\"\n\",\"\"\n" +
		"10,11,12\n" +
		"13,\"unterminated\n14,15,16\n"
	for _, step := range []int{1, 2, 3, 7, 64, 4096} {
		for _, max := range []int{1, 5, 16, 1 << 20} {
			chunks := sameSplit(t, []byte(in), step, max)
			if max == 1 && step == 1 && chunks < 8 {
				t.Errorf("step %d: %d chunks: the test cuts too little", step, chunks)
			}
		}
	}
	rows, _ := whole(t, []byte(in))
	if len(rows) != 9 || rows[2].Reject == "" || rows[3].Reject == "" || rows[8].Reject == "" {
		t.Errorf("the input is not what the test means: %+v", rows)
	}
}

// TestSplitReal: the real events tables, cut into chunks of 4 KiB.
func TestSplitReal(t *testing.T) {
	check := func(t *testing.T, f string) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if sameSplit(t, data, 1<<16, 4<<10) < 2 && len(data) > 8<<10 {
			t.Errorf("%s: one chunk", f)
		}
	}
	for _, f := range parsetest.Fixtures(t, "../events/testdata/*.csv") {
		check(t, f)
	}
	t.Run("real", func(t *testing.T) {
		check(t, parsetest.DataDir(t, "coord", "russian_coord_tweets.events.csv"))
	})
}

func FuzzSplit(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n\"x\ny\",3\n"), uint8(1), uint8(1))
	f.Add([]byte("\xef\xbb\xbfa\r\n\xff\r\n\"\"\"\n\"\n"), uint8(3), uint8(2))
	f.Add([]byte("a,b\n1,b\"\"c\n\"x\"y,\"\n\"\n2,\"\n"), uint8(2), uint8(4))
	f.Add([]byte(strings.Repeat("x,\"y\n\"\"\",z\n", 20)), uint8(5), uint8(9))
	f.Fuzz(func(t *testing.T, in []byte, step, max uint8) {
		sameSplit(t, in, int(step)+1, int(max)+1)
	})
}

// BenchmarkSplitter: finding the records' ends of a real table, as the
// reader of a split parse does, 64 KiB at a time: as it is (no quote, the
// fast path) and with every field quoted (each line walked).
func BenchmarkSplitter(b *testing.B) {
	data, err := os.ReadFile(parsetest.DataDir(b, "coord", "russian_coord_tweets.events.csv"))
	if err != nil {
		b.Fatal(err)
	}
	quoted := []byte(`"` + strings.NewReplacer(",", `","`, "\n", "\"\n\"").Replace(string(data)))
	quoted = quoted[:len(quoted)-1]
	for _, in := range []struct {
		name string
		data []byte
	}{{"plain", data}, {"quoted", quoted}} {
		b.Run(in.name, func(b *testing.B) {
			data := in.data
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var sp csvrow.Splitter
				start := 0
				for end := 64 << 10; ; end += 64 << 10 {
					n := sp.Scan(data[start:min(end, len(data))])
					sp.Cut(n)
					start += n
					if end >= len(data) {
						break
					}
				}
				if start != len(data) {
					b.Fatalf("records end at %d of %d bytes", start, len(data))
				}
			}
		})
	}
}
