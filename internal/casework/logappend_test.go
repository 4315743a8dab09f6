package casework

import (
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// BenchmarkLogAppend100k appends 100,000 entries (in transactions of
// 1,000, a tenth of them chained to one of 100 cases, each naming a record)
// through the one appender and the embedded store, and signs a checkpoint.
func BenchmarkLogAppend100k(b *testing.B) {
	ctx := context.Background()
	sk, _, _ := ledger.GenerateKey("tahqiq/bench")
	s, _ := note.NewSigner(sk)
	t0 := time.Date(2026, 2, 8, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		db, err := sqlite.OpenDir(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for i := 0; i < 100_000; i += 1000 {
			err := db.InTx(ctx, func(tx tahqiq.CaseTx) error {
				for j := i; j < i+1000; j++ {
					e := tahqiq.LogEntry{Time: t0.Add(time.Duration(j)), Actor: "u1", Action: "item.read", ItemID: fmt.Sprint(j)}
					if j%10 == 0 {
						e.CaseID = fmt.Sprint("c", j%1000)
						e.Records = []tahqiq.RecordRef{{Kind: tahqiq.RecTask, ID: fmt.Sprint("t", j%100), Digest: "task:sha256:00"}}
					}
					if _, err := appendEntry(ctx, tx, e); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		n, _ := db.LogSize(ctx)
		tr, err := ledger.TreeAt(LogHashes(ctx, db), n)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ledger.Sign("tahqiq/bench", tr, s); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
