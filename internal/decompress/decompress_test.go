package decompress_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/decompress"
)

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		l          decompress.Limits
		compressed int64
		want       int64
	}{
		{decompress.Limits{}, 0, decompress.DefaultFloor},
		{decompress.Limits{}, 1 << 20, 100 << 20},
		{decompress.Limits{}, 1 << 30, decompress.DefaultSize},
		{decompress.Limits{Ratio: 10}, 512 << 10, decompress.DefaultFloor},
		{decompress.Limits{Ratio: 10}, 10 << 20, 100 << 20},
		{decompress.Limits{Size: 1 << 20}, 1 << 20, 1 << 20},
		{decompress.Limits{Ratio: math.MaxInt64}, 1 << 40, decompress.DefaultSize}, // no overflow
		{decompress.Limits{Size: math.MaxInt64}, math.MaxInt64 / 2, math.MaxInt64},
	}
	for _, tc := range tests {
		if got := tc.l.Allowed(tc.compressed); got != tc.want {
			t.Errorf("%+v.Allowed(%d) = %d, want %d", tc.l, tc.compressed, got, tc.want)
		}
	}
}

// TestGzipBomb: a stream that expands past the ratio is cut off at the
// limit, with an error naming the file, the ratio, the sizes and the flag
// that raises it; it reads no more than the limit, and the error sticks.
func TestGzipBomb(t *testing.T) {
	plain := bytes.Repeat([]byte("1,1,1700000000,2023-11-14 22:13:20,url,https://example.org/a\n"), 1<<20) // 61 MiB
	z := gz(t, plain)
	l := decompress.Limits{RatioFlag: "--max-ratio", SizeFlag: "--max-decompressed"}
	r, err := decompress.Gzip("events.csv.gz", bytes.NewReader(z), int64(len(z)), l)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	want := l.Allowed(int64(len(z)))
	if n != want || !decompress.IsLimit(err) {
		t.Fatalf("read %d bytes, err %v; want %d bytes and a limit error", n, err, want)
	}
	for _, s := range []string{"events.csv.gz", "expands beyond", "more than 100 times its compressed size", "decompression bomb", "raise --max-ratio"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if _, again := r.Read(make([]byte, 10)); !errors.Is(again, err) {
		t.Errorf("second read: %v, want the same refusal", again)
	}
	t.Logf("%d compressed bytes (ratio %d:1): %v", len(z), len(plain)/len(z), err)

	// the total applies whatever the ratio
	l = decompress.Limits{Ratio: 1 << 20, Size: 10 << 20, SizeFlag: "--max-decompressed"}
	r, _ = decompress.Gzip("big.gz", bytes.NewReader(z), int64(len(z)), l)
	n, err = io.Copy(io.Discard, r)
	if n != 10<<20 || !strings.Contains(errString(err), "big.gz: expands beyond 10 MiB") || !strings.Contains(errString(err), "raise --max-decompressed") {
		t.Fatalf("total: read %d, err %v", n, err)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestReaderAtTheLimit: exactly the allowed bytes pass; one more fails.
func TestReaderAtTheLimit(t *testing.T) {
	l := decompress.Limits{Size: 1000}
	for _, tc := range []struct {
		n    int
		fail bool
	}{{999, false}, {1000, false}, {1001, true}} {
		r := decompress.NewReader("x", bytes.NewReader(make([]byte, tc.n)), 1, l)
		got, err := io.ReadAll(r)
		if tc.fail != (err != nil) || (!tc.fail && len(got) != tc.n) || (tc.fail && len(got) != 1000) {
			t.Errorf("%d bytes: read %d, err %v", tc.n, len(got), err)
		}
	}
}

// TestRealDataPasses: every .gz file of the project's real data reads
// whole under the default limits (the worst ratio among them is 12.7:1).
func TestRealDataPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 40 MB of real data")
	}
	files, _ := filepath.Glob("../../../shared/data/*/*.gz")
	more, _ := filepath.Glob("../../../shared/data/*/*/*.gz")
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("no real data at ../shared/data")
	}
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		r, err := decompress.Gzip(p, f, st.Size(), decompress.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		n, err := io.Copy(io.Discard, r)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
		t.Logf("%s: %d -> %d bytes (%.1f:1)", filepath.Base(p), st.Size(), n, float64(n)/float64(st.Size()))
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 355178: "347 KiB", 35517800: "33.9 MiB", 16 << 30: "16 GiB", 1536: "1.5 KiB"} {
		if got := decompress.Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
