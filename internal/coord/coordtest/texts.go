package coordtest

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// IRATexts reads the originals and quotes of the IRA election-week posts
// file in ../shared/data/coord (retweets are copies and carry no text of
// their own, as in the events derivation of its README), skipping the
// test with a clear message where the data is absent.
func IRATexts(tb testing.TB) []coord.TextPost {
	tb.Helper()
	f, err := os.Open(filepath.Join(parsetest.DataDir(tb, "coord"), "ira_2016_election_week.posts.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		tb.Fatal(err)
	}
	var out []coord.TextPost
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		if rec[4] == "retweet" {
			continue
		}
		t, err := strconv.ParseInt(rec[2], 10, 64)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, coord.TextPost{PostID: "other:" + rec[1], AccountID: "other:" + rec[0], Time: t, Text: rec[6]})
	}
}
