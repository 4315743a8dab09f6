package casework

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// LogRun records a stored analysis run in the custody log: one entry,
// "<kind>.run" (coord, audit, narratives, claims, targets), naming the run as a record (tahqiq.RecRun)
// whose digest covers the SHA-256 of every file of its directory. The run
// store calls it before the run is listed (runs.Store.Log), so a run is
// never listed unlogged; verifying the store then finds a run deleted,
// added or edited under the data directory.
func (s *Service) LogRun(ctx context.Context, rec tahqiq.RunRecord) error {
	if runWhat[rec.Kind] == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "casework: no run kind %q", rec.Kind)
	}
	actor := rec.CreatedBy
	if actor == "" {
		actor = tahqiq.SystemID
	}
	e := tahqiq.LogEntry{Actor: actor, Action: rec.Kind + ".run", Details: runLabel(rec),
		Records: []tahqiq.RecordRef{runRef(rec)}}
	for _, name := range slices.Sorted(maps.Keys(rec.Files)) {
		e.Hashes = append(e.Hashes, "sha256:"+rec.Files[name])
	}
	_, err := s.change(ctx, e, nil)
	return err
}

// runRef names a run as a record of the log.
func runRef(rec tahqiq.RunRecord) tahqiq.RecordRef {
	return ref(tahqiq.RecRun, rec.Kind+"/"+rec.ID, rec)
}

// runWhat names each kind of run (runs.Kinds) to a person.
var runWhat = map[string]string{"coord": "coordination run", "audit": "audit run", "narratives": "narratives run",
	"claims": "claims match run", "targets": "targeting run"}

// runLabel names a run to a person.
func runLabel(rec tahqiq.RunRecord) string {
	what := runWhat[rec.Kind]
	if what == "" {
		what = rec.Kind + " run"
	}
	l := fmt.Sprintf("%s %s", what, rec.ID)
	if rec.Name != "" {
		l += fmt.Sprintf(" %q", rec.Name)
	}
	if rec.Dataset != "" {
		l += fmt.Sprintf(" of dataset %q", rec.Dataset)
	}
	return l + fmt.Sprintf(" (%d files)", len(rec.Files))
}

// presentRuns lists the stored runs as records for the fold to compare,
// with the runs themselves by record ID (for naming them to a reader).
func (s *Service) presentRuns() ([]ledger.Present, map[string]tahqiq.RunRecord, error) {
	if s.Runs == nil {
		return nil, nil, nil
	}
	recs, err := s.Runs.Records()
	if err != nil {
		return nil, nil, err
	}
	out := make([]ledger.Present, 0, len(recs))
	byID := make(map[string]tahqiq.RunRecord, len(recs))
	for _, rec := range recs {
		r := runRef(rec)
		byID[r.ID] = rec
		out = append(out, ledger.Present{Key: ledger.RecordKey{Kind: r.Kind, ID: r.ID}, Digest: r.Digest, Label: runLabel(rec)})
	}
	return out, byID, nil
}
