package casework

import (
	"context"
	"strings"

	"github.com/tahqiq/tahqiq"
)

// Record logs what happens outside a case: an import, a dataset deleted,
// an analysis run, a read of a dataset's raw records, a password or token
// set. details says what, hashes the bytes involved ("sha256:<hex>").
// Like every change, it is one log entry appended in one transaction; a
// read (an action ending in ".read") is logged once per reader and window
// (logRead).
func (s *Service) Record(ctx context.Context, actor tahqiq.User, action, details string, hashes ...string) error {
	if action == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "casework: record: no action")
	}
	e := tahqiq.LogEntry{Actor: actor.ID, Action: action, Details: details, Hashes: hashes}
	if strings.HasSuffix(action, ".read") {
		return s.logRead(ctx, e)
	}
	_, err := s.change(ctx, e, nil)
	return err
}
