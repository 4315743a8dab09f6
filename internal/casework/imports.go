package casework

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

// Imports and re-derivations are changes of the store like any other: the
// CLI and the server run them through these use cases, which check who may
// import into the dataset and log the import in the import's own
// transaction (with the dataset's owner when the import makes it), so an
// import is never visible without its entry, nor an entry without its
// import.

// Import imports files into a dataset as actor with im, logging it as one
// "dataset.import" entry (the SHA-256 of every file it read, its counts)
// committed with the import. A new dataset becomes the actor's
// organisation's in the same transaction.
func (s *Service) Import(ctx context.Context, actor tahqiq.User, im *ingest.Importer, store tahqiq.ImportStore, files []string, opt ingest.Options) (ingest.Summary, error) {
	name := ingest.DatasetName(opt.Dataset, files)
	claim, err := s.mayImport(ctx, actor, name)
	if err != nil {
		return ingest.Summary{Dataset: name, Rejected: []tahqiq.Reject{}, Kinds: map[tahqiq.RecordKind]int64{}, Failure: tahqiq.ErrorMessage(err)}, err
	}
	if opt.KeepPicture == nil && s.Blobs != nil {
		opt.KeepPicture = s.keepPicture
	}
	next := opt.BeforeCommit
	opt.BeforeCommit = func(ctx context.Context, itx tahqiq.ImportTx, sum *ingest.Summary) error {
		if next != nil {
			if err := next(ctx, itx, sum); err != nil {
				return err
			}
		}
		tx := itx.CaseTx()
		e := tahqiq.LogEntry{Actor: actor.ID, Action: "dataset.import",
			Details: fmt.Sprintf("dataset %q: %d files, %d records, %d posts, %d shares, %d rejects", sum.Dataset, sum.Files, sum.Records, sum.Posts, sum.Shares, sum.Rejects)}
		for _, f := range sum.Sources {
			e.Hashes = append(e.Hashes, "sha256:"+f.SHA256)
		}
		if claim {
			if err := tx.PutDatasetOrg(ctx, sum.Dataset, actor.OrgID); err != nil {
				if tahqiq.ErrorCode(err) == tahqiq.EFORBIDDEN { // claimed by another organisation meanwhile
					return tahqiq.Errorf(tahqiq.ECONFLICT, "the dataset name %q is taken: choose another name", sum.Dataset)
				}
				return err
			}
			e.Records = []tahqiq.RecordRef{datasetOwnerRef(sum.Dataset, actor.OrgID)}
			e.Details += fmt.Sprintf("; owned by org %s", actor.OrgID)
		}
		_, err := s.appendIn(ctx, tx, e)
		return err
	}
	return im.Import(ctx, store, files, opt)
}

// Rederive re-derives a dataset (ingest.Importer.Rederive) as actor and
// logs it in the same transaction: the derivation before and after and
// what changed. Who may import into a dataset may re-derive it.
func (s *Service) Rederive(ctx context.Context, actor tahqiq.User, im *ingest.Importer, store tahqiq.RederiveStore, dataset string, opt ingest.RederiveOptions) (ingest.RederiveSummary, error) {
	if err := s.DatasetAccess(ctx, actor, dataset); err != nil {
		return ingest.RederiveSummary{Dataset: dataset}, err
	}
	if _, err := s.mayImport(ctx, actor, dataset); err != nil {
		return ingest.RederiveSummary{Dataset: dataset}, err
	}
	opt.BeforeCommit = func(ctx context.Context, rtx tahqiq.RederiveTx, sum *ingest.RederiveSummary) error {
		_, err := s.appendIn(ctx, rtx.CaseTx(), tahqiq.LogEntry{Actor: actor.ID, Action: "dataset.rederive",
			Details: fmt.Sprintf("dataset %q re-derived from %q to %q: posts +%d -%d (%d changed), shares +%d -%d, rejects +%d -%d",
				dataset, sum.From, sum.To, sum.PostsAdded, sum.PostsRemoved, sum.PostsChanged, sum.SharesAdded, sum.SharesRemoved, sum.RejectsAdded, sum.RejectsRemoved)})
		return err
	}
	return im.Rederive(ctx, store, dataset, opt)
}

// keepPicture keeps the bytes of a picture an import hashed in the blob
// store (docs/images.md, "Pictures kept"), once: a picture already there
// (from this dataset, another, or a case) is not written again. Who may
// read it is decided by the routes, through the datasets whose media
// rows name it and the case items that hold it, never by the blob.
func (s *Service) keepPicture(sha string, data []byte) error {
	if _, err := os.Stat(s.Blobs.Path(sha)); err == nil {
		return nil
	}
	got, _, err := s.Blobs.Put(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if got != sha {
		return fmt.Errorf("casework: picture kept as %s, hashed as %s", got, sha)
	}
	return nil
}
