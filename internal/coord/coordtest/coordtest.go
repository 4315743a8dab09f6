// Package coordtest holds what the tests of coordination's paths share:
// a result as comparable records, and a small fast-reshare scenario.
package coordtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
)

// Records lists every edge (all weights and attributes) and every
// evidence row of a result, as CSV lines.
func Records(t testing.TB, res *coord.Result) (edges, evidence []string) {
	t.Helper()
	// every kept edge, whether the run held them or spilled them to a file
	if err := res.EachEdgeRow(func(x coord.EdgeRow) error {
		b := x.AppendCSV(nil)
		edges = append(edges, string(b[:len(b)-1]))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := res.Evidence(func(r coord.EvidenceRow) error {
		evidence = append(evidence, strings.Join(r.Record(), ","))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return edges, evidence
}

// Reshares are originals by four authors and retweets of them, some fast
// (for the fast-reshare window kind).
func Reshares() []tahqiq.Share {
	var out []tahqiq.Share
	for o := range 40 {
		author := fmt.Sprintf("x:author%d", o%4)
		orig := fmt.Sprintf("%d", 1000+o)
		t0 := int64(o * 1000)
		out = append(out, tahqiq.Share{Type: tahqiq.ObjHashtag, Object: "h", AccountID: author, PostID: "x:" + orig, Time: t0})
		for k := range 6 {
			acc := fmt.Sprintf("x:fan%d", (o+k)%9)
			out = append(out, tahqiq.Share{Type: tahqiq.ObjRetweet, Object: orig, AccountID: acc, PostID: fmt.Sprintf("x:%d-%d", o, k), Time: t0 + int64(3*k*(o%3))})
		}
	}
	return out
}

// SameMergedFiles fails the test unless the files a merge of a
// partitioned run wrote in merged (edges.csv, evidence.csv.gz and, under
// the messages weight, edges_directed.csv) are byte for byte those the run
// in one process wrote in one. what names the case in the message.
func SameMergedFiles(tb testing.TB, what string, p coord.Params, one, merged string) {
	tb.Helper()
	files := []string{"edges.csv", "evidence.csv.gz"}
	if p.Weight == coord.WeightMessages {
		files = append(files, "edges_directed.csv")
	}
	for _, f := range files {
		a, err := os.ReadFile(filepath.Join(one, f))
		if err != nil {
			tb.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(merged, f))
		if err != nil {
			tb.Fatal(err)
		}
		if len(a) == 0 {
			tb.Fatalf("%s: the single run's %s is empty: the comparison would prove nothing", what, f)
		}
		if !bytes.Equal(a, b) {
			at := min(len(a), len(b))
			for i := range at {
				if a[i] != b[i] {
					at = i
					break
				}
			}
			tb.Fatalf("%s: merged %s (%d bytes) differs from the single run's (%d bytes) at byte %d", what, f, len(b), len(a), at)
		}
	}
}
