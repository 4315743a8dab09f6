// Package report renders a case as an HTML report (tahqiq case report,
// GET /api/v1/cases/{id}/report): every item with its hashes, inclusion
// proof and custody history, findings and recommendations, and the signed
// checkpoint. What goes in, and who may read it, is casework's
// (casework.Service.WriteReport); this package only lays it out.
package report

import (
	"html/template"
	"io"
	"strings"

	"github.com/tahqiq/tahqiq"
)

// An Item is an evidence item with the log entry that attached it, that
// entry's inclusion proof and the item's custody history.
type Item struct {
	tahqiq.Item
	Entry   int64
	Proof   string
	History []tahqiq.LogEntry
}

// Data is what a report shows.
type Data struct {
	Case            tahqiq.Case
	Findings        []tahqiq.Finding
	Recommendations []tahqiq.Recommendation
	Items           []Item
	LogSize         int64
	Checkpoint      string
	PublicKey       string
	// People names the users of the report as its reader may see them
	// (casework.People: their labels); a user not in it is shown by ID.
	People map[string]string
}

// Who names a user as the report's reader may see it.
func (d Data) Who(id string) string {
	if p, ok := d.People[id]; ok {
		return p
	}
	return id
}

var tmpl = template.Must(template.New("r").Funcs(template.FuncMap{"join": strings.Join}).Parse(`<!doctype html>
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

// HTML writes the report of d to w.
func HTML(w io.Writer, d Data) error { return tmpl.Execute(w, d) }
