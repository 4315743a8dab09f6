package casework

import (
	"context"
	"fmt"

	"github.com/tahqiq/tahqiq"
)

// Datasets and analysis runs belong to the organisation of the user who
// first imported (or ran) them, through the server or the CLI (--as).
// Members of that organisation read them; only it imports into a dataset,
// and only its admins delete one. Other organisations do not see them:
// what they should see is shared through a case (posts and runs attached
// as items).
//
// A dataset imported while the store had no organisation (a single-user
// store) becomes the first organisation's when it is made. One without an
// owner all the same (imported from the CLI by an older version) is read
// by every organisation and changed by none.

func (s *Service) datasets() (tahqiq.DatasetStore, error) {
	if s.Datasets == nil {
		return nil, fmt.Errorf("casework: no dataset store")
	}
	return s.Datasets, nil
}

// ClaimDataset makes sure the actor may import into dataset, before the
// import: its organisation owns it, or it is new and becomes its
// organisation's (logged once, when claimed). A dataset of another
// organisation is refused (its name is taken), and so is an existing one
// without an owner. On a store without organisations the system
// administrator imports into anything. Import claims a new dataset in its
// own transaction instead.
func (s *Service) ClaimDataset(ctx context.Context, actor tahqiq.User, dataset string) error {
	claim, err := s.mayImport(ctx, actor, dataset)
	if err != nil || !claim {
		return err
	}
	return s.claim(ctx, actor, dataset)
}

// MayImport reports whether actor may import into dataset (its
// organisation's, or a new one), without claiming it.
func (s *Service) MayImport(ctx context.Context, actor tahqiq.User, dataset string) error {
	_, err := s.mayImport(ctx, actor, dataset)
	return err
}

// mayImport applies the import rule of ClaimDataset and says whether the
// dataset is new and must be claimed for the actor's organisation.
func (s *Service) mayImport(ctx context.Context, actor tahqiq.User, dataset string) (claim bool, err error) {
	if actor.IsSystem() {
		has, err := s.HasOrganisations(ctx)
		if err != nil || !has {
			return false, err
		}
		return false, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "this store has organisations: say who imports with --as USER (or TAHQIQ_USER)")
	}
	if err := actor.Active(); err != nil {
		return false, err
	}
	if !actor.Role.CanWrite() {
		return false, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not import", actor.Name, actor.Role)
	}
	owners, err := s.Store.FindDatasetOrgs(ctx)
	if err != nil {
		return false, err
	}
	switch o, ok := owners[dataset]; {
	case ok && o == actor.OrgID:
		return false, nil
	case ok:
		return false, tahqiq.Errorf(tahqiq.ECONFLICT, "the dataset name %q is taken: choose another name", dataset)
	}
	ds, err := s.datasets()
	if err != nil {
		return false, err
	}
	switch _, err := ds.FindDatasetByName(ctx, dataset); {
	case err == nil:
		return false, tahqiq.Errorf(tahqiq.ECONFLICT, "dataset %q has no owning organisation (it was imported before organisations existed): nobody imports into it; import under another name", dataset)
	case tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND:
		return false, err
	}
	return true, nil
}

func (s *Service) claim(ctx context.Context, actor tahqiq.User, dataset string) error {
	_, err := s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "dataset.claim", Details: fmt.Sprintf("dataset %q owned by org %s", dataset, actor.OrgID),
		Records: []tahqiq.RecordRef{datasetOwnerRef(dataset, actor.OrgID)}},
		func(tx tahqiq.CaseTx) error { return tx.PutDatasetOrg(ctx, dataset, actor.OrgID) })
	if tahqiq.ErrorCode(err) == tahqiq.EFORBIDDEN { // claimed by another organisation meanwhile
		return tahqiq.Errorf(tahqiq.ECONFLICT, "the dataset name %q is taken: choose another name", dataset)
	}
	return err
}

// claimUnowned gives every dataset without an owner to the organisation
// of admin, the first organisation's admin: they were imported while the
// store had a single user.
func (s *Service) claimUnowned(ctx context.Context, admin tahqiq.User) error {
	if s.Datasets == nil {
		return nil
	}
	all, err := s.Datasets.FindDatasets(ctx)
	if err != nil {
		return err
	}
	owners, err := s.Store.FindDatasetOrgs(ctx)
	if err != nil {
		return err
	}
	for _, d := range all {
		if _, ok := owners[d.Name]; !ok {
			if err := s.claim(ctx, admin, d.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// DatasetAccess reports whether actor may read dataset: another
// organisation's does not exist for it.
func (s *Service) DatasetAccess(ctx context.Context, actor tahqiq.User, dataset string) error {
	if actor.IsSystem() {
		return nil
	}
	owners, err := s.Store.FindDatasetOrgs(ctx)
	if err != nil {
		return err
	}
	if o, ok := owners[dataset]; ok && o != actor.OrgID {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "no dataset named %q", dataset)
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
		if o, ok := owners[n]; !ok || o == actor.OrgID || actor.IsSystem() {
			out = append(out, n)
		}
	}
	return out, nil
}

// DeleteDataset removes a dataset and everything imported into it, and
// logs it: an admin of its organisation does, or the system administrator
// on a store without organisations. A dataset without an owner is deleted
// by nobody once organisations exist.
func (s *Service) DeleteDataset(ctx context.Context, actor tahqiq.User, dataset string) (tahqiq.DatasetCounts, error) {
	ds, err := s.datasets()
	if err != nil {
		return tahqiq.DatasetCounts{}, err
	}
	if err := s.DatasetAccess(ctx, actor, dataset); err != nil {
		return tahqiq.DatasetCounts{}, err
	}
	if actor.IsSystem() {
		if has, err := s.HasOrganisations(ctx); err != nil || has {
			return tahqiq.DatasetCounts{}, cmpErr(err, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "this store has organisations: say who deletes with --as USER (or TAHQIQ_USER)"))
		}
	} else {
		if err := actor.Active(); err != nil {
			return tahqiq.DatasetCounts{}, err
		}
		owners, err := s.Store.FindDatasetOrgs(ctx)
		if err != nil {
			return tahqiq.DatasetCounts{}, err
		}
		switch o, ok := owners[dataset]; {
		case !ok:
			if _, err := ds.FindDatasetByName(ctx, dataset); err != nil {
				return tahqiq.DatasetCounts{}, err
			}
			return tahqiq.DatasetCounts{}, tahqiq.Errorf(tahqiq.EFORBIDDEN, "dataset %q has no owning organisation (it was imported before organisations existed): nobody deletes it", dataset)
		case o != actor.OrgID || actor.Role != tahqiq.RoleAdmin:
			return tahqiq.DatasetCounts{}, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not delete dataset %q: an admin of its organisation does", actor.Name, actor.Role, dataset)
		}
	}
	owners, err := s.Store.FindDatasetOrgs(ctx)
	if err != nil {
		return tahqiq.DatasetCounts{}, err
	}
	var n tahqiq.DatasetCounts
	_, err = s.changeThen(ctx, func(tx tahqiq.CaseTx) (tahqiq.LogEntry, error) {
		e := tahqiq.LogEntry{Actor: actor.ID, Action: "dataset.delete"}
		if _, owned := owners[dataset]; owned {
			e.Records = []tahqiq.RecordRef{{Kind: tahqiq.RecDatasetOwner, ID: dataset}} // removed
		}
		var err error
		if n, err = tx.DeleteDataset(ctx, dataset); err != nil {
			return e, err
		}
		e.Details = fmt.Sprintf("dataset %q: %d records, %d posts, %d shares, %d rejects removed", dataset, n.Records, n.Posts, n.Shares, n.Rejects)
		return e, nil
	})
	return n, err
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// RunAccess reports whether actor may read the kind run id made by the
// user createdBy ("" for runs made by the CLI) on dataset ("" for runs
// made from files): the run's dataset decides, else its maker's
// organisation. Another organisation's run does not exist for it.
func (s *Service) RunAccess(ctx context.Context, actor tahqiq.User, kind, id, createdBy, dataset string) error {
	invisible := tahqiq.Errorf(tahqiq.ENOTFOUND, "no %s run %q", kind, id)
	if dataset != "" {
		if err := s.DatasetAccess(ctx, actor, dataset); err != nil {
			if tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND {
				return invisible
			}
			return err
		}
		return nil
	}
	if createdBy == "" || createdBy == actor.ID || actor.IsSystem() {
		return nil
	}
	maker, err := s.Store.FindUserByID(ctx, createdBy)
	if err != nil {
		return err
	}
	if maker.OrgID != actor.OrgID {
		return invisible
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

// JobAccess reports whether actor may see (and cancel) a job of the user
// owner: its own, or, for an admin, one of its organisation's users.
func (s *Service) JobAccess(ctx context.Context, actor tahqiq.User, owner, id string) error {
	if owner == actor.ID {
		return nil
	}
	if actor.Role == tahqiq.RoleAdmin {
		if u, err := s.Store.FindUserByID(ctx, owner); err == nil && u.OrgID == actor.OrgID {
			return nil
		}
	}
	return tahqiq.Errorf(tahqiq.ENOTFOUND, "no job %q", id)
}
