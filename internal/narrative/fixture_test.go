package narrative_test

import (
	"encoding/csv"
	"os"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/narrative"
)

// readFixture reads a small hand-made CSV of posts: id, account, time
// (RFC 3339), text, retweet_of.
func readFixture(t testing.TB, path string) []narrative.Post {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []narrative.Post
	for _, rec := range recs[1:] {
		p := narrative.Post{ID: "x:" + rec[0], Account: "x:" + rec[1], Platform: "x", Text: rec[3]}
		if rec[2] != "" {
			tm, err := time.Parse(time.RFC3339, rec[2])
			if err != nil {
				t.Fatal(err)
			}
			p.Time, p.HasTime = tm.Unix(), true
		}
		if rec[4] != "" {
			p.Repost, p.RepostOf = true, "x:"+rec[4]
		}
		out = append(out, p)
	}
	return out
}
