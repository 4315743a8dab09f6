package parsetest

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// ReadEvents reads a coordination events CSV of shared/data/coord
// (account_id,post_id,timestamp,time_utc,object_type,object_value) into
// shares with "other:" UIDs, as the events importer derives them, or
// skips the test where the data is absent.
func ReadEvents(tb testing.TB, name string) []tahqiq.Share {
	tb.Helper()
	f, err := os.Open(filepath.Join(DataDir(tb, "coord"), name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		tb.Fatal(err)
	}
	var out []tahqiq.Share
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		t, err := strconv.ParseInt(rec[2], 10, 64)
		if err != nil {
			tb.Fatal(err)
		}
		typ := tahqiq.ObjectType(rec[4])
		if typ == "phash" {
			typ = tahqiq.ObjImage
		}
		out = append(out, tahqiq.Share{Type: typ, Object: rec[5], AccountID: "other:" + rec[0], PostID: "other:" + rec[1], Time: t, Precision: tahqiq.PrecisionSecond})
	}
}
