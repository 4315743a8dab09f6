package casework

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tahqiq/tahqiq"
)

// DemoInput is what `tahqiq demo` hands over.
type DemoInput struct {
	Actor   tahqiq.User
	RunDirs []string // coord/audit --out directories with manifest.json
	Dataset string   // optional: a dataset name and post UIDs to attach
	PostIDs []string
	OutDir  string // directory the bundle is written to, as case-<id>.zip
}

// DemoResult summarises the demo case.
type DemoResult struct {
	CaseID    string        `json:"case_id"`
	Items     []tahqiq.Item `json:"items"`
	FindingID string        `json:"finding_id"`
	Bundle    string        `json:"bundle"`
	Report    *Report       `json:"verify"` // set by the caller (bundle.Verify against Key)
	// Key is the store's log key, which the demo made: the key a
	// recipient would be given to verify the bundle with.
	Key string `json:"-"`
}

// Demo opens a case, attaches the runs and posts, records a finding citing
// them and exports a zip bundle, for the caller to verify offline
// (bundle.Verify with res.Key).
func (s *Service) Demo(ctx context.Context, in DemoInput) (DemoResult, error) {
	var res DemoResult
	c, err := s.NewCase(ctx, in.Actor, "Demo: coordinated accounts and result forms", "made by tahqiq demo", tahqiq.TLPGreen)
	if err != nil {
		return res, err
	}
	res.CaseID = c.ID
	var ids []string
	for _, d := range in.RunDirs {
		it, err := s.AttachRun(ctx, in.Actor, c.ID, d)
		if err != nil {
			return res, fmt.Errorf("demo: attach %s: %w", d, err)
		}
		res.Items = append(res.Items, it)
		ids = append(ids, it.ID)
	}
	for _, uid := range in.PostIDs {
		it, err := s.AttachPost(ctx, in.Actor, c.ID, in.Dataset, uid)
		if err != nil {
			return res, fmt.Errorf("demo: attach post %s: %w", uid, err)
		}
		res.Items = append(res.Items, it)
		ids = append(ids, it.ID)
	}
	if len(ids) > 0 {
		f, err := s.AddFinding(ctx, in.Actor, tahqiq.Finding{CaseID: c.ID, Title: "Demo finding", Text: "rests on the attached analysis runs and post", ItemIDs: ids})
		if err != nil {
			return res, err
		}
		res.FindingID = f.ID
	}
	if err := os.MkdirAll(in.OutDir, 0o755); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	res.Bundle = filepath.Join(in.OutDir, "case-"+c.ID+".zip")
	if _, err := s.ExportZipFile(ctx, in.Actor, c.ID, res.Bundle); err != nil {
		return res, err
	}
	res.Key = s.vkey()
	return res, nil
}
