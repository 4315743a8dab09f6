package tahqiq_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// TestErrorfWraps: a %w in Errorf's format wraps its operand, as
// fmt.Errorf does, without repeating it in the message.
func TestErrorfWraps(t *testing.T) {
	err := tahqiq.Errorf(tahqiq.ENOTFOUND, "read %s: %w", "x.csv", fs.ErrNotExist)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
	if got, want := err.Error(), "read x.csv: file does not exist"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND || tahqiq.ErrorMessage(err) != "read x.csv: file does not exist" {
		t.Errorf("code %q message %q", tahqiq.ErrorCode(err), tahqiq.ErrorMessage(err))
	}
	plain := tahqiq.Errorf(tahqiq.EINVALID, "bad %d", 1)
	if errors.Unwrap(plain) != nil || plain.Error() != "bad 1" {
		t.Errorf("without %%w: %q unwraps to %v", plain.Error(), errors.Unwrap(plain))
	}
}
