package casework

import (
	"context"
	"io"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/report"
)

// WriteReport writes an HTML report of a case: every item with its
// hashes, inclusion proof and custody history (the entries the reader may
// read, as on the log page), every finding and recommendation, users
// named as the reader may see them (People). It logs the read as a
// "case.report" entry first, so the report's checkpoint covers it.
func (s *Service) WriteReport(ctx context.Context, actor tahqiq.User, caseID string, w io.Writer) error {
	v, err := s.view(ctx, actor, caseID)
	if err != nil {
		return err
	}
	if err := s.logView(ctx, actor, "case.report", v); err != nil {
		return err
	}
	cp, err := s.Checkpoint(ctx)
	if err != nil {
		return err
	}
	entries, err := s.Store.LogEntries(ctx, 0, cp.Size)
	if err != nil {
		return err
	}
	d := report.Data{Case: v.Case, Findings: v.Findings, Recommendations: v.Recommendations, LogSize: cp.Size, Checkpoint: string(cp.Note), PublicKey: s.LogKeyName()}
	byItem := map[string][]tahqiq.LogEntry{}
	rd := s.newReader(actor)
	for _, b := range entries {
		e, err := ledger.DecodeEntry(b)
		if err != nil || e.ItemID == "" {
			continue
		}
		ok, err := rd.visible(ctx, e)
		if err != nil {
			return err
		}
		if ok {
			byItem[e.ItemID] = append(byItem[e.ItemID], e)
		}
	}
	hr := s.logHashes(ctx)
	for _, it := range v.Items {
		ri := report.Item{Item: it, History: byItem[it.ID], Entry: -1}
		for _, e := range ri.History {
			if e.Action == "item.attach" {
				ri.Entry = e.Index
				if p, err := ledger.ProveInclusion(hr, e.Index, cp.Size); err == nil {
					ri.Proof = strings.Join(p.Hashes, "\n")
				}
			}
		}
		d.Items = append(d.Items, ri)
	}
	ids := ViewUsers(v)
	for _, ri := range d.Items {
		ids = append(ids, EntryUsers(ri.History)...)
	}
	people, err := s.People(ctx, actor, ids)
	if err != nil {
		return err
	}
	d.People = make(map[string]string, len(people))
	for id, p := range people {
		d.People[id] = p.Label()
	}
	return report.HTML(w, d)
}
