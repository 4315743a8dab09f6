package casework

import (
	"context"
	"html/template"
	"io"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

type reportItem struct {
	tahqiq.Item
	Entry   int64
	Proof   string
	History []tahqiq.LogEntry
}

type reportData struct {
	View
	Items      []reportItem
	LogSize    int64
	Checkpoint string
	PublicKey  string
	people     map[string]Person
}

// Who names a user as the report's reader may see it (People).
func (d reportData) Who(id string) string {
	if p, ok := d.people[id]; ok {
		return p.Label()
	}
	return id
}

var reportTmpl = template.Must(template.New("r").Funcs(template.FuncMap{"join": strings.Join}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Case {{.Case.ID}}: {{.Case.Title}}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}code,pre{font-size:85%;word-break:break-all;white-space:pre-wrap}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;vertical-align:top}</style></head><body>
<h1>{{.Case.Title}}</h1>
<p>Case <code>{{.Case.ID}}</code>, TLP:{{.Case.TLP}}, opened {{.Case.CreatedAt.Format "2006-01-02 15:04 MST"}} by {{$.Who .Case.CreatedBy}}{{if .Case.ClosedBy}}, closed {{.Case.ClosedAt.Format "2006-01-02 15:04 MST"}} by {{$.Who .Case.ClosedBy}}{{end}}.</p>
<p>Custody log: {{.LogSize}} entries. Signed checkpoint:</p><pre>{{.Checkpoint}}</pre><p>Log public key: <code>{{.PublicKey}}</code></p>
<h2>Evidence items</h2>
{{range .Items}}<h3>{{.Title}} <small>({{.Kind}}, <code>{{.ID}}</code>)</small></h3>
<p>Source: {{.Source}}. Added {{.AddedAt.Format "2006-01-02 15:04:05 MST"}} by {{$.Who .AddedBy}}; log entry {{.Entry}}.{{if .DerivedFrom}} Derived from <code>{{.DerivedFrom}}</code>.{{end}}</p>
<table><tr><th>file</th><th>SHA-256</th><th>bytes</th><th>dHash</th></tr>{{range .Blobs}}<tr><td>{{.Name}}</td><td><code>{{.SHA256}}</code></td><td>{{.Size}}</td><td>{{.DHash}}</td></tr>{{end}}</table>
<p>Inclusion proof (entry {{.Entry}}):</p><pre>{{.Proof}}</pre>
<p>Custody history:</p><ul>{{range .History}}<li>{{.Time.Format "2006-01-02 15:04:05Z"}} entry {{.Index}}: {{.Action}} by {{$.Who .Actor}}</li>{{end}}</ul>
{{end}}
<h2>Findings</h2>
{{range .Findings}}<h3>{{.Title}}</h3><p>By {{$.Who .CreatedBy}}, {{.CreatedAt.Format "2006-01-02 15:04 MST"}}.</p><p>{{.Text}}</p><p>Cites: {{range .ItemIDs}}<code>{{.}}</code> {{end}}</p>{{if .Tags}}<p>Tags: {{join .Tags ", "}}</p>{{end}}
<p>Analysis parameters: see the manifest.json of each cited analysis item (input sha256, parameters, seed, version).</p>{{end}}
<h2>Recommendations</h2>
{{range .Recommendations}}<p><b>{{.Action}}</b> ({{.State}}{{if .DecidedBy}} by {{$.Who .DecidedBy}}{{end}}): {{.Grounds}}</p>{{end}}
<p><small>Check this report's claims with <code>tahqiq verify</code> on the exported bundle; see docs/format/.</small></p>
</body></html>
`))

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
	d := reportData{View: v, LogSize: cp.Size, Checkpoint: string(cp.Note), PublicKey: s.vkey()}
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
		ri := reportItem{Item: it, History: byItem[it.ID], Entry: -1}
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
	if d.people, err = s.People(ctx, actor, ids); err != nil {
		return err
	}
	return reportTmpl.Execute(w, d)
}
