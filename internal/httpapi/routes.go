package httpapi

import "github.com/tahqiq/tahqiq/internal/runs"

// routes is the API. docs/api.md describes it for people, openapi.json
// (generated from this table) for programs.
func (s *Server) routes() []route {
	return []route{
		{method: "GET", path: "/api/v1/openapi.json", level: public, tag: "meta", summary: "This API's OpenAPI 3.1 document", h: s.getOpenAPI},
		{method: "GET", path: "/api/v1/setup", level: public, tag: "auth", summary: "Whether first-run setup is needed", h: s.getSetup},
		{method: "POST", path: "/api/v1/setup", level: public, tag: "auth", summary: "First run: create the first organisation and its admin (refused once any organisation exists)", body: "json", h: s.postSetup},
		{method: "POST", path: "/api/v1/login", level: public, tag: "auth", summary: "Log in; sets the session cookie and returns the CSRF token", body: "json", h: s.postLogin},
		{method: "POST", path: "/api/v1/logout", level: member, tag: "auth", summary: "Log out", h: s.postLogout},
		{method: "GET", path: "/api/v1/me", level: member, tag: "auth", summary: "The logged-in user and the CSRF token", h: s.getMe},
		{method: "POST", path: "/api/v1/me/password", level: member, tag: "auth", summary: "Change your own password (ends your sessions)", body: "json", h: s.postMyPassword},
		{method: "POST", path: "/api/v1/tokens", level: member, tag: "auth", summary: "Create an API token for scripts (shown once; expires in 1-365 days, default 90)", body: "json", h: s.postToken},
		{method: "GET", path: "/api/v1/tokens", level: member, tag: "auth", summary: "Your API tokens (admins: also those of their organisation's users), without their secret", h: s.getTokens},
		{method: "DELETE", path: "/api/v1/tokens/{id}", level: member, tag: "auth", summary: "Revoke an API token (yours, or as an admin one of your organisation's)", h: s.deleteToken},
		{method: "GET", path: "/api/v1/users", level: admin, tag: "auth", summary: "The users of your organisation", h: s.getUsers},
		{method: "POST", path: "/api/v1/users", level: admin, tag: "auth", summary: "Create a user of your organisation with a password and role", body: "json", h: s.postUser},
		{method: "POST", path: "/api/v1/users/{id}/disable", level: admin, tag: "auth", summary: "Disable a user of your organisation: its sessions end and its tokens are revoked at once", h: s.postUserState(true)},
		{method: "POST", path: "/api/v1/users/{id}/enable", level: admin, tag: "auth", summary: "Enable a disabled user again (its old tokens stay revoked)", h: s.postUserState(false)},
		{method: "GET", path: "/api/v1/orgs", level: member, tag: "auth", summary: "Organisations (to share cases with; created by the system administrator on the CLI)", h: s.getOrgs},

		{method: "GET", path: "/api/v1/datasets", level: member, tag: "datasets", summary: "Datasets with their counts", h: s.getDatasets},
		{method: "GET", path: "/api/v1/datasets/{name}", level: member, tag: "datasets", summary: "A dataset's summary: counts, posts over time, top accounts, hashtags, URLs, domains, imports", h: s.getDataset},
		{method: "DELETE", path: "/api/v1/datasets/{name}", level: admin, tag: "datasets", summary: "Delete a dataset (an admin of its organisation; logged)", h: s.deleteDataset},
		{method: "GET", path: "/api/v1/datasets/{name}/rejects", level: member, tag: "datasets", summary: "Rejected records, paged", h: s.getRejects},
		{method: "GET", path: "/api/v1/datasets/{name}/posts/{uid}", level: member, tag: "datasets", summary: "A post with its raw records (an evidence read, logged)", h: s.getPost},
		{method: "GET", path: "/api/v1/datasets/{name}/accounts/{uid}", level: member, tag: "datasets", summary: "An account and its posts", h: s.getAccount},
		{method: "GET", path: "/api/v1/formats", level: member, tag: "imports", summary: "The input formats an import accepts", h: s.getFormats},
		{method: "POST", path: "/api/v1/uploads", level: writer, tag: "imports", summary: "Start a resumable upload (?name=FILE, header Upload-Length; the body may carry the first bytes)", body: "binary", h: s.postUpload},
		{method: "GET", path: "/api/v1/uploads/{id}", level: writer, tag: "imports", summary: "An upload's state (HEAD: header Upload-Offset)", h: s.getUpload},
		{method: "PATCH", path: "/api/v1/uploads/{id}", level: writer, tag: "imports", summary: "Append bytes at header Upload-Offset", body: "binary", h: s.patchUpload},
		{method: "POST", path: "/api/v1/imports", level: writer, tag: "imports", summary: "Import complete uploads into a dataset (a job; all or nothing)", body: "json", h: s.postImport},
		{method: "GET", path: "/api/v1/jobs", level: member, tag: "jobs", summary: "The caller's jobs (admins: ?all=1, those of their organisation's users)", h: s.getJobs},
		{method: "GET", path: "/api/v1/jobs/{id}", level: member, tag: "jobs", summary: "A job's state, progress and result", h: s.getJob},
		{method: "POST", path: "/api/v1/jobs/{id}/cancel", level: member, tag: "jobs", summary: "Cancel a job (nothing of it is committed)", h: s.cancelJob},

		{method: "GET", path: "/api/v1/coord/runs", level: member, tag: "coordination", summary: "Coordination runs, newest first", h: s.getCoordRuns},
		{method: "POST", path: "/api/v1/coord/runs", level: writer, tag: "coordination", summary: "Start a coordination run on a dataset (a job)", body: "json", h: s.postCoordRun},
		{method: "GET", path: "/api/v1/coord/runs/{id}", level: member, tag: "coordination", summary: "A run's manifest (inputs, parameters, counts) and files", h: s.getCoordRun},
		{method: "GET", path: "/api/v1/coord/runs/{id}/graph", level: member, tag: "coordination", summary: "The run's network, filtered (min_weight, flagged, types, from, to, limit)", h: s.getCoordGraph},
		{method: "GET", path: "/api/v1/coord/runs/{id}/evidence", level: member, tag: "coordination", summary: "The co-share pairs behind the edge ?a=&b= (an evidence read, logged)", h: s.getCoordEvidence},
		{method: "GET", path: "/api/v1/coord/runs/{id}/accounts/{uid}", level: member, tag: "coordination", summary: "An account's edges in the run and its posts", h: s.getCoordAccount},
		{method: "GET", path: "/api/v1/coord/runs/{id}/files/{name}", level: member, tag: "coordination", summary: "An output file of the run", raw: true, h: s.serveRunFile(runs.Coord)},

		{method: "GET", path: "/api/v1/alerts", level: member, tag: "coordination", summary: "Alerts of the streaming mode (serve --watch): groups of accounts that started acting together on a live feed, newest first (before, limit), with the watch parameters and per-feed counts", h: s.getAlerts},
		{method: "GET", path: "/api/v1/alerts/events", level: member, tag: "coordination", summary: "New alerts as server-sent events (event alert; resumes after Last-Event-ID or ?after=)", raw: true, h: s.getAlertEvents},
		{method: "POST", path: "/api/v1/datasets/{name}/publish", level: writer, tag: "coordination", summary: "Replay a dataset's shares, in time order, to the live stream tahqiq.live.NAME (a job; serve --watch)", h: s.postPublish},

		{method: "GET", path: "/api/v1/audit/maps", level: member, tag: "audit", summary: "Column maps for result files", h: s.getAuditMaps},
		{method: "GET", path: "/api/v1/audit/runs", level: member, tag: "audit", summary: "Audit runs, newest first", h: s.getAuditRuns},
		{method: "POST", path: "/api/v1/audit/runs", level: writer, tag: "audit", summary: "Run checks and forensics on uploaded result files (a job)", body: "json", h: s.postAuditRun},
		{method: "GET", path: "/api/v1/audit/runs/{id}", level: member, tag: "audit", summary: "An audit run: forensics, counts, files", h: s.getAuditRun},
		{method: "GET", path: "/api/v1/audit/runs/{id}/flags", level: member, tag: "audit", summary: "Flags, filtered (rule, contest, severity) and paged", h: s.getAuditFlags},
		{method: "GET", path: "/api/v1/audit/runs/{id}/contests/{contest}", level: member, tag: "audit", summary: "Every copy of every form of a contest, side by side", h: s.getAuditContest},
		{method: "POST", path: "/api/v1/audit/runs/{id}/claims", level: member, tag: "audit", summary: "Test a claim (contest, candidate, over, at_least) against every evidence set", body: "json", h: s.postAuditClaim},
		{method: "GET", path: "/api/v1/audit/runs/{id}/files/{name}", level: member, tag: "audit", summary: "An output file of the run (report.html, flags.csv, plots)", raw: true, h: s.serveRunFile(runs.Audit)},

		{method: "GET", path: "/api/v1/cases", level: member, tag: "cases", summary: "Cases the caller may read", h: s.getCases},
		{method: "POST", path: "/api/v1/cases", level: writer, tag: "cases", summary: "Open a case", body: "json", h: s.postCase},
		{method: "GET", path: "/api/v1/cases/{id}", level: member, tag: "cases", summary: "A case: items, findings, recommendations, tasks, notes (logged)", h: s.getCase},
		{method: "POST", path: "/api/v1/cases/{id}/items", level: writer, tag: "cases", summary: "Attach files (multipart, field file; access and size checked before the body is read)", body: "multipart", h: s.postItems},
		{method: "POST", path: "/api/v1/cases/{id}/items/post", level: writer, tag: "cases", summary: "Attach a post of a dataset with its raw records", body: "json", h: s.postItemPost},
		{method: "POST", path: "/api/v1/cases/{id}/items/run", level: writer, tag: "cases", summary: "Attach an analysis run (kind coord or audit)", body: "json", h: s.postItemRun},
		{method: "POST", path: "/api/v1/cases/{id}/findings", level: writer, tag: "cases", summary: "Record a finding citing items", body: "json", h: s.postFinding},
		{method: "POST", path: "/api/v1/cases/{id}/recommendations", level: writer, tag: "cases", summary: "Propose an action resting on findings", body: "json", h: s.postRecommendation},
		{method: "POST", path: "/api/v1/recommendations/{id}/decision", level: member, tag: "cases", summary: "Approve or reject a recommendation (a reviewer or admin other than its author)", body: "json", h: s.postDecision},
		{method: "POST", path: "/api/v1/cases/{id}/tasks", level: writer, tag: "cases", summary: "Add a task", body: "json", h: s.postTask},
		{method: "PATCH", path: "/api/v1/tasks/{id}", level: writer, tag: "cases", summary: "Change a task's status (open, in_progress, done) or assignee (logged)", body: "json", h: s.patchTask},
		{method: "POST", path: "/api/v1/cases/{id}/notes", level: writer, tag: "cases", summary: "Add a note", body: "json", h: s.postNote},
		{method: "POST", path: "/api/v1/cases/{id}/shares", level: writer, tag: "cases", summary: "Share the case or one item with another organisation", body: "json", h: s.postShare},
		{method: "GET", path: "/api/v1/cases/{id}/report", level: member, tag: "cases", summary: "The case report (HTML)", raw: true, h: s.getReport},
		{method: "GET", path: "/api/v1/cases/{id}/export", level: member, tag: "cases", summary: "The case as a verifiable zip bundle (logged)", raw: true, h: s.getExport},
		{method: "GET", path: "/api/v1/items/{id}", level: member, tag: "cases", summary: "An item with its custody history and inclusion proof (logged)", h: s.getItem},
		{method: "GET", path: "/api/v1/items/{id}/content", level: member, tag: "cases", summary: "An item's content (?blob=NAME; a logged download)", raw: true, h: s.getItemContent},

		{method: "GET", path: "/api/v1/log", level: admin, tag: "custody", summary: "Custody log entries (from, limit)", h: s.getLog},
		{method: "GET", path: "/api/v1/log/checkpoint", level: member, tag: "custody", summary: "A signed checkpoint of the log (C2SP note)", raw: true, h: s.getCheckpoint},
		{method: "POST", path: "/api/v1/verify", level: member, tag: "custody", summary: "Verify the store: blobs, items, log, checkpoints (a job)", h: s.postVerify},
	}
}
