package audit_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/audit"
	"github.com/tahqiq/tahqiq/internal/decompress"
)

// TestReadFileRefusesGzipBomb: a .gz results file that expands past the
// ratio is refused as bad input naming the file and the flag, instead of
// becoming millions of form rows in memory.
func TestReadFileRefusesGzipBomb(t *testing.T) {
	head := "election,election_date,contest,region,station,form_type,form_id,source,file_sha256,page,issued_at,published_at,status,item,candidate,value\n"
	row := "GE-TEST,2024-02-08,NA-999,Testshire,1,28,f28-1,official,abababababababababababababababababababababababababababababababab,1,,,,registered,,1000\n"
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write([]byte(head + strings.Repeat(row, 200000)))
	zw.Close()
	path := filepath.Join(t.TempDir(), "results.csv.gz")
	os.WriteFile(path, z.Bytes(), 0o644)
	_, err := audit.ReadFileWithin(context.Background(), path, "pk-long", decompress.Limits{Floor: 1 << 20, RatioFlag: "--max-ratio"})
	if tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.Contains(err.Error(), path+": expands beyond") || !strings.Contains(err.Error(), "raise --max-ratio") {
		t.Fatalf("err = %v, want the refusal as bad input", err)
	}
}
