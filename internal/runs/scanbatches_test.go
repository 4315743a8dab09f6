package runs

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// shareList is a ShareStore of n shares that fails with err after them.
type shareList struct {
	n   int
	err error
}

func (l shareList) ScanShares(ctx context.Context, _ tahqiq.ShareFilter, fn func(tahqiq.Share) error) error {
	for i := range l.n {
		if err := fn(tahqiq.Share{PostID: strconv.Itoa(i), Time: int64(i)}); err != nil {
			return err
		}
	}
	return l.err
}

// TestScanBatches: the shares reach fn in the store's order, every one,
// across batches, and the store's error is returned after the shares it
// gave before it.
func TestScanBatches(t *testing.T) {
	broken := errors.New("disk on fire")
	for _, tc := range []struct {
		n   int
		err error
	}{{0, nil}, {1, nil}, {4095, nil}, {4096, nil}, {4097, nil}, {50_000, nil}, {10_000, broken}, {0, broken}} {
		next := 0
		err := scanBatches(context.Background(), shareList{tc.n, tc.err}, tahqiq.ShareFilter{}, func(b []tahqiq.Share) {
			for _, s := range b {
				if s.PostID != strconv.Itoa(next) || s.Time != int64(next) {
					t.Fatalf("n=%d: share %d is %+v", tc.n, next, s)
				}
				next++
			}
		})
		if next != tc.n || !errors.Is(err, tc.err) {
			t.Errorf("n=%d err=%v: %d shares, %v", tc.n, tc.err, next, err)
		}
	}
}
