package casework

import (
	"context"
	"fmt"

	"github.com/tahqiq/tahqiq"
)

// DemoInput is what `tahqiq demo` hands over.
type DemoInput struct {
	Actor   tahqiq.User
	RunDirs []string // coord/audit --out directories with manifest.json
	Dataset string   // optional: a dataset name and post UIDs to attach
	PostIDs []string
	OutDir  string // bundle directory (must not exist or be empty)
}

// DemoResult summarises the demo case.
type DemoResult struct {
	CaseID string  `json:"case_id"`
	Items  int     `json:"items"`
	Bundle string  `json:"bundle"`
	Report *Report `json:"verify"`
}

// Demo opens a case, attaches the runs and posts, records a finding citing
// them, exports a bundle and verifies it offline.
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
		ids = append(ids, it.ID)
	}
	for _, uid := range in.PostIDs {
		it, err := s.AttachPost(ctx, in.Actor, c.ID, in.Dataset, uid)
		if err != nil {
			return res, fmt.Errorf("demo: attach post %s: %w", uid, err)
		}
		ids = append(ids, it.ID)
	}
	res.Items = len(ids)
	if len(ids) > 0 {
		if _, err := s.AddFinding(ctx, in.Actor, tahqiq.Finding{CaseID: c.ID, Title: "Demo finding", Text: "rests on the attached analysis runs", ItemIDs: ids}); err != nil {
			return res, err
		}
	}
	if _, err := s.Export(ctx, in.Actor, c.ID, in.OutDir); err != nil {
		return res, err
	}
	res.Bundle = in.OutDir
	res.Report, err = VerifyBundle(in.OutDir, VerifyOptions{})
	return res, err
}
