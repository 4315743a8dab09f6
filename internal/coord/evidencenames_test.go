package coord_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
)

// TestEvidenceNames: evidence.csv.gz names both posts' authors after the
// columns of before (handle_a, name_a, handle_b, name_b; issue 16), as
// encoding/csv reads them (an Urdu name, a name with a comma and quotes,
// one with a leading space, an account the data names not at all), and
// ReadEvidence gives them back; a file written before the name columns
// still reads, with empty names; any other header is refused.
func TestEvidenceNames(t *testing.T) {
	names := map[string]coord.AccountName{
		"x:1": {Handle: "Zimal23_K", Name: "زمل خان"},
		"x:2": {Handle: "ali", Name: `Ali "the voter", Lahore`},
		"x:3": {Name: " leading space"},
		// x:4: no name
	}
	var shares []tahqiq.Share
	for i, acc := range []string{"x:1", "x:2", "x:3", "x:4"} {
		for o := range 3 {
			shares = append(shares, tahqiq.Share{Type: tahqiq.ObjHashtag, Object: "h" + string(rune('a'+o)), AccountID: acc,
				PostID: acc + "-" + string(rune('a'+o)), Time: int64(1000*o + i)})
		}
	}
	p := coord.DefaultParams()
	p.Window, p.MinParticipation, p.Graph = 60, 1, false
	res, err := coord.Run(context.Background(), coord.Data{Shares: shares, Names: names}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := res.WriteDir(dir, "test", coord.Source{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "evidence.csv.gz")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"object_type", "object", "post_a", "post_b", "account_a", "account_b", "time_a", "time_b", "dt", "handle_a", "name_a", "handle_b", "name_b"}
	if !slices.Equal(recs[0], want) {
		t.Fatalf("header %q, want %q", recs[0], want)
	}
	if len(recs) != 1+3*6 {
		t.Fatalf("%d rows, want 18 (6 pairs of 4 accounts on 3 hashtags)", len(recs)-1)
	}
	for _, rec := range recs[1:] {
		for i, col := range []int{4, 5} {
			n := names[rec[col]]
			if rec[9+2*i] != n.Handle || rec[10+2*i] != n.Name {
				t.Errorf("row %q: %s named %q %q, want %q %q", rec, want[col], rec[9+2*i], rec[10+2*i], n.Handle, n.Name)
			}
		}
	}
	rows, err := coord.ReadEvidence(path, "x:2", "x:1")
	if err != nil || len(rows) != 3 {
		t.Fatalf("ReadEvidence x:1-x:2: %d rows, %v", len(rows), err)
	}
	if r := rows[0]; r.HandleA != "Zimal23_K" || r.NameA != "زمل خان" || r.HandleB != "ali" || r.NameB != `Ali "the voter", Lahore` {
		t.Fatalf("read back %+v", r)
	}
	if !slices.Equal(rows, res.PairEvidence("x:1", "x:2")) {
		t.Fatalf("read back %+v\nwant %+v", rows, res.PairEvidence("x:1", "x:2"))
	}

	// a file of before the name columns
	old := gz(t, "object_type,object,post_a,post_b,account_a,account_b,time_a,time_b,dt\n"+
		"hashtag,ha,x:1-a,x:2-a,x:1,x:2,1970-01-01T00:00:00Z,1970-01-01T00:00:01Z,1\n")
	rows, err = coord.ReadEvidence(old, "x:1", "x:2")
	if err != nil || len(rows) != 1 || rows[0].HandleA != "" || rows[0].PostB != "x:2-a" || rows[0].TimeB != 1 {
		t.Fatalf("old file: %+v, %v", rows, err)
	}
	bad := gz(t, "object_type,object,post_a,post_b,account_a,account_b,time_a,time_b,dt,handle_a\n")
	if _, err := coord.ReadEvidence(bad, "x:1", "x:2"); err == nil || !strings.Contains(err.Error(), "not a tahqiq evidence file") {
		t.Fatalf("another header: %v", err)
	}
}

func gz(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	path := filepath.Join(t.TempDir(), "evidence.csv.gz")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
