package coord

import (
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// intern is internShares for tests whose shares' times fit a run.
func intern(shares []tahqiq.Share, types []tahqiq.ObjectType, keepLoops bool, m *progress.Meter) *interned {
	in, err := internShares(shares, types, keepLoops, m)
	if err != nil {
		panic(err)
	}
	return in
}

// TestRowSize: a share's row is 16 bytes (it was 24 with an int64 time):
// what the run holds of its input, sorts and sweeps.
func TestRowSize(t *testing.T) {
	if rowBytes != 16 {
		t.Fatalf("a row is %d bytes", rowBytes)
	}
}
