package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq/internal/audit"
	"github.com/tahqiq/tahqiq/internal/stats"
)

var ruYears = []string{"2004", "2007", "2008", "2011", "2012", "2016", "2018", "2020", "2021", "2024"}

// BenchmarkRussiaAll: all ten Russian elections (~960,000 protocols) read,
// checked and through every forensic test (docs/benchmarks-audit.md).
func BenchmarkRussiaAll(b *testing.B) {
	dir := dataDir(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var n int64
		for _, y := range ruYears {
			imp, err := audit.ReadFile(context.Background(), filepath.Join(dir, "ru", "ru_"+y+".csv.gz"), "ru")
			if err != nil {
				b.Fatal(err)
			}
			n += imp.Rows
			audit.Check(imp, audit.CheckOptions{})
			if _, err := audit.RunForensics(imp, audit.ForensicsOptions{Rule: stats.Exact}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "protocols")
	}
}

// BenchmarkStages times the stages on one election (2012).
func BenchmarkStages(b *testing.B) {
	dir := dataDir(b)
	path := filepath.Join(dir, "ru", "ru_2012.csv.gz")
	imp, err := audit.ReadFile(context.Background(), path, "ru")
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []string{"read", "check", "forensics"} {
		b.Run(fmt.Sprint(s), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				switch s {
				case "read":
					audit.ReadFile(context.Background(), path, "ru")
				case "check":
					audit.Check(imp, audit.CheckOptions{})
				case "forensics":
					if _, err := audit.RunForensics(imp, audit.ForensicsOptions{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
