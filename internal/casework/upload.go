package casework

import (
	"context"

	"github.com/tahqiq/tahqiq"
)

// AttachUpload attaches one file received under name (through the web UI
// or the API) from a temporary path; source says where it came from.
func (s *Service) AttachUpload(ctx context.Context, actor tahqiq.User, caseID, name, path, source string) (tahqiq.Item, error) {
	if _, err := s.openCase(ctx, actor, caseID, true); err != nil {
		return tahqiq.Item{}, err
	}
	ref, err := s.putPath(path, name)
	if err != nil {
		return tahqiq.Item{}, err
	}
	return s.addItem(ctx, actor, tahqiq.Item{CaseID: caseID, Kind: tahqiq.ItemFile, Title: name, Source: source, Blobs: []tahqiq.BlobRef{ref}})
}
