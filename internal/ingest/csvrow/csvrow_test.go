package csvrow_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/csvrow"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

type row struct {
	Line, Offset int64
	Raw, Reject  string
}

func readAll(tb testing.TB, in string) (*csvrow.Reader, []row) {
	tb.Helper()
	r, err := csvrow.NewReader(strings.NewReader(in), "in.csv")
	if err != nil {
		tb.Fatal(err)
	}
	var out []row
	for {
		x, err := r.Next()
		if err == io.EOF {
			return r, out
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, row{x.Line, x.Offset, string(x.Raw), x.Reject})
	}
}

func TestReader(t *testing.T) {
	in := "\xef\xbb\xbfa,b,a,\r\n" + // BOM, CRLF, duplicate and empty names
		"1,\"x\r\ny\",\"q\"\"\",\\\r\n" + // quoted multi-line field, escaped quote, backslash
		"\n" + // blank line skipped
		"2,\t,3,\x01\n" + // control characters escaped
		"4,5\n" + // short row
		"6,\xff,7,8\n" + // invalid UTF-8
		"9,\"unterminated\n"
	r, rows := readAll(t, in)
	if got := string(r.HeaderLine()); got != "a,b,a," {
		t.Errorf("HeaderLine = %q", got)
	}
	if !r.HasBOM() || r.Index("b") != 1 || r.Index("zz") != -1 {
		t.Errorf("HasBOM %v Index(b) %d", r.HasBOM(), r.Index("b"))
	}
	want := []row{
		{2, 11, `{"a":"1","b":"x\ny","a#2":"q\"","column_4":"\\"}`, ""},
		{5, 30, `{"a":"2","b":"\t","a#2":"3","column_4":"\u0001"}`, ""},
		{6, 38, "4,5", "line 6: 2 fields, header has 4"},
		{7, 42, "6,\xff,7,8", `line 7: invalid UTF-8 in column "b"`},
		{8, 50, "9,\"unterminated", `line 8: extraneous or missing " in quoted-field`},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
		if rows[i].Reject == "" && !json.Valid([]byte(rows[i].Raw)) {
			t.Errorf("row %d: invalid JSON %s", i, rows[i].Raw)
		}
	}
	// encoding/csv turns \r\n inside quoted fields into \n: the JSON keeps
	// what the CSV means; offsets point at the original bytes.
	if in[11:13] != "1," || in[38:41] != "4,5" {
		t.Errorf("offsets do not point at the rows")
	}
	if _, err := r.Require("a", "nope"); tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.Contains(err.Error(), `missing column "nope"`) || !strings.Contains(err.Error(), "in.csv") {
		t.Errorf("Require err = %v", err)
	}
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{"", "\xef\xbb\xbf"} {
		_, err := csvrow.NewReader(strings.NewReader(in), "e.csv")
		if tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.Contains(err.Error(), "empty input") {
			t.Errorf("NewReader(%q) err = %v", in, err)
		}
	}
}

func TestHeaderFields(t *testing.T) {
	if h := csvrow.HeaderFields([]byte("\xef\xbb\xbf\"a b\",c\r\n1,2")); len(h) != 2 || h[0] != "a b" || h[1] != "c" {
		t.Errorf("HeaderFields = %q", h)
	}
	if h := csvrow.HeaderFields([]byte("a,b")); h != nil {
		t.Errorf("HeaderFields without a line end = %q", h)
	}
	if !csvrow.HasColumns([]string{"x", "y"}, "y") || csvrow.HasColumns([]string{"x"}, "y") {
		t.Error("HasColumns")
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n\"x\ny\",3\n"))
	f.Add([]byte("\xef\xbb\xbfa\r\n\xff\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := csvrow.NewReader(bytes.NewReader(in), "f")
		if err != nil {
			return
		}
		last := int64(-1)
		for {
			x, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if x.Offset <= last || x.Offset >= int64(len(in)) {
				t.Fatalf("offset %d after %d, input %d bytes", x.Offset, last, len(in))
			}
			last = x.Offset
			if x.Reject == "" && !json.Valid(x.Raw) {
				t.Fatalf("invalid JSON %q", x.Raw)
			}
			if x.Reject != "" && !bytes.Contains(in, x.Raw) {
				t.Fatalf("reject raw %q not in input", x.Raw)
			}
		}
	})
}

func BenchmarkReader(b *testing.B) {
	for _, name := range []string{"russian_coord_tweets.events.csv", "ira_2016_election_week.posts.csv"} {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile(parsetest.DataDir(b, "coord", name))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			rows := 0
			for b.Loop() {
				rows = 0
				r, err := csvrow.NewReader(bytes.NewReader(data), name)
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					rows++
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
