package coord

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestRowSideBatches: the rows made on the rows' side are those of every
// share added, whatever the batch size, the last batch (not full) too:
// the interned input of a collector fed the synthetic set with batches of
// 1, 3, 1000 and 4096 rows has the same rows, objects and accounts, and as
// many rows as the shares make; and Spilled, asked before interning,
// hands the last batch over first (the rows spill under a small budget).
func TestRowSideBatches(t *testing.T) {
	shares := synth.Generate(synth.Config{Posts: 10007, Seed: 5}).Shares
	p := DefaultParams()
	old := rowBatchLen
	t.Cleanup(func() { rowBatchLen = old })
	var want *interned
	for _, n := range []int{4096, 1, 3, 1000} {
		for _, mem := range []int64{0, 1} {
			t.Run(fmt.Sprintf("batch=%d/mem=%d", n, mem), func(t *testing.T) {
				rowBatchLen = n
				col := NewCollector(p)
				col.SetBudget(Budget{Mem: mem, TempDir: t.TempDir()})
				for i := range shares {
					col.Share(&shares[i])
				}
				if spilled := col.Spilled(); (spilled > 0) != (mem > 0) {
					t.Fatalf("%d bytes of rows spilled under a budget of %d", spilled, mem)
				}
				in, err := col.interned(&p, postsKept, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(in.rows) != len(shares)-int(in.dropped["loops"]) {
					t.Fatalf("%d rows of %d shares (%d loops)", len(in.rows), len(shares), in.dropped["loops"])
				}
				if want == nil {
					want = in
					return
				}
				if !slices.Equal(in.rows, want.rows) || !slices.Equal(in.objects, want.objects) || !slices.Equal(in.objType, want.objType) || !slices.Equal(in.types, want.types) || !slices.Equal(in.accounts, want.accounts) {
					t.Fatal("rows, objects, their types or accounts differ from a batch of 4096 rows'")
				}
			})
		}
	}
}
