package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
)

// demoInput is what the demo's case step works on.
type demoInput struct {
	actor   tahqiq.User
	runDirs []string // coord/audit --out directories with manifest.json
	dataset string   // optional: a dataset name and post UIDs to attach
	postIDs []string
	outDir  string // directory the bundle is written to, as case-<id>.zip
}

// demoResult is what the demo's case step made.
type demoResult struct {
	caseID    string
	items     []tahqiq.Item
	findingID string
	bundle    string
	// key is the store's log key, which the demo made: the key a
	// recipient would be given to verify the bundle with.
	key string
}

// openDemoCase opens a case, attaches the runs and posts, records a finding
// citing them and exports a zip bundle, for the caller to verify offline
// (bundle.Verify with res.key): casework's own operations, each logged,
// in the order an investigator would use them.
func openDemoCase(ctx context.Context, s *casework.Service, in demoInput) (demoResult, error) {
	var res demoResult
	c, err := s.NewCase(ctx, in.actor, "Demo: coordinated accounts and result forms", "made by tahqiq demo", tahqiq.TLPGreen)
	if err != nil {
		return res, err
	}
	res.caseID = c.ID
	var ids []string
	for _, d := range in.runDirs {
		it, err := s.AttachRun(ctx, in.actor, c.ID, d)
		if err != nil {
			return res, fmt.Errorf("demo: attach %s: %w", d, err)
		}
		res.items = append(res.items, it)
		ids = append(ids, it.ID)
	}
	for _, uid := range in.postIDs {
		it, err := s.AttachPost(ctx, in.actor, c.ID, in.dataset, uid)
		if err != nil {
			return res, fmt.Errorf("demo: attach post %s: %w", uid, err)
		}
		res.items = append(res.items, it)
		ids = append(ids, it.ID)
	}
	if len(ids) > 0 {
		f, err := s.AddFinding(ctx, in.actor, tahqiq.Finding{CaseID: c.ID, Title: "Demo finding", Text: "rests on the attached analysis runs and post", ItemIDs: ids})
		if err != nil {
			return res, err
		}
		res.findingID = f.ID
	}
	if err := os.MkdirAll(in.outDir, 0o755); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	res.bundle = filepath.Join(in.outDir, "case-"+c.ID+".zip")
	if _, err := s.ExportZipFile(ctx, in.actor, c.ID, res.bundle); err != nil {
		return res, err
	}
	res.key = s.LogKeyName()
	return res, nil
}
