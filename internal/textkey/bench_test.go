package textkey_test

import (
	"testing"

	"github.com/tahqiq/tahqiq/internal/textkey"
)

func BenchmarkAnalyze(b *testing.B) {
	texts := []string{
		"BREAKING: Form 45 of NA-56 was changed by the returning officer, the real result shows PTI won #RiggedElection https://t.co/x1 @ECP_Pakistan",
		"NA-56 ka Form 45 returning officer ne badal diya, asal result mein PTI jeeti hai",
		"این اے 56 کا فارم 45 ریٹرننگ افسر نے بدل دیا، اصل نتیجے میں پی ٹی آئی جیتی",
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		textkey.Analyze(texts[i%len(texts)])
	}
}
