package casework

import (
	"context"
	"fmt"

	"github.com/tahqiq/tahqiq"
)

// Datasets and analysis runs belong to the organisation whose member first
// imported (or ran) them through the server; members of that organisation
// read them, other organisations do not. A dataset imported from the CLI,
// or a run made from files by the CLI, has no owner: whoever runs the CLI
// has the whole store in hand anyway, so every organisation reads those.
// What another organisation should see of a dataset is shared with it
// through a case (posts and runs attached as items).

// ClaimDataset makes actor's organisation the owner of dataset, before an
// import into it; a dataset owned by another organisation is refused. The
// claim is logged once, when it is made.
func (s *Service) ClaimDataset(ctx context.Context, actor tahqiq.User, dataset string) error {
	if !actor.Role.CanWrite() {
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not import", actor.Name, actor.Role)
	}
	owners, err := s.Store.FindDatasetOrgs(ctx)
	if err != nil {
		return err
	}
	switch o, ok := owners[dataset]; {
	case ok && o == actor.OrgID:
		return nil
	case ok:
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "dataset %q belongs to another organisation: choose another name", dataset)
	}
	_, err = s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "dataset.claim", Details: fmt.Sprintf("dataset %q owned by org %s", dataset, actor.OrgID),
		Records: []tahqiq.RecordRef{datasetOwnerRef(dataset, actor.OrgID)}},
		func(tx tahqiq.CaseTx) error { return tx.PutDatasetOrg(ctx, dataset, actor.OrgID) })
	return err
}

// DatasetAccess reports whether actor may read dataset.
func (s *Service) DatasetAccess(ctx context.Context, actor tahqiq.User, dataset string) error {
	owners, err := s.Store.FindDatasetOrgs(ctx)
	if err != nil {
		return err
	}
	if o, ok := owners[dataset]; ok && o != actor.OrgID {
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s has no access to dataset %q (another organisation's)", actor.Name, dataset)
	}
	return nil
}

// VisibleDatasets returns the subset of names actor may read, in order.
func (s *Service) VisibleDatasets(ctx context.Context, actor tahqiq.User, names []string) ([]string, error) {
	owners, err := s.Store.FindDatasetOrgs(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if o, ok := owners[n]; !ok || o == actor.OrgID {
			out = append(out, n)
		}
	}
	return out, nil
}

// RunAccess reports whether actor may read an analysis run made by the
// user createdBy ("" for runs made by the CLI) on dataset ("" for runs
// made from files): the run's dataset decides, else its maker's
// organisation.
func (s *Service) RunAccess(ctx context.Context, actor tahqiq.User, createdBy, dataset string) error {
	if dataset != "" {
		return s.DatasetAccess(ctx, actor, dataset)
	}
	if createdBy == "" || createdBy == actor.ID {
		return nil
	}
	maker, err := s.Store.FindUserByID(ctx, createdBy)
	if err != nil {
		return err
	}
	if maker.OrgID != actor.OrgID {
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s has no access to this run (another organisation's)", actor.Name)
	}
	return nil
}

// DatasetOwner is the record of a dataset's owning organisation.
type DatasetOwner struct {
	Dataset string `json:"dataset"`
	OrgID   string `json:"org_id"`
}

func datasetOwnerRef(dataset, orgID string) tahqiq.RecordRef {
	return ref(tahqiq.RecDatasetOwner, dataset, DatasetOwner{Dataset: dataset, OrgID: orgID})
}
