package httpapi

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// sparkBins is the number of points of a narrative's sparkline.
const sparkBins = 40

// spark is posts over the run's whole span in equal bins, so that the
// sparklines of a run's narratives compare.
type spark struct {
	Start string `json:"start"`  // RFC 3339, the first bin's start
	Hours int    `json:"hours"`  // hours per bin
	Posts []int  `json:"counts"` // posts per bin
}

// getNarratives lists a narratives run's narratives (narratives.csv as
// objects, most posts first) with a sparkline each, ?q= keeping those
// whose label or terms contain the words, paged.
func (s *Server) getNarratives(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	if _, err := s.run(r.Context(), c, runs.Narratives, id); err != nil {
		return err
	}
	nt, err := s.readTable(runs.Narratives, id, "narratives.csv")
	if err != nil {
		return err
	}
	tl, err := s.readTable(runs.Narratives, id, "timeline.csv")
	if err != nil {
		return err
	}
	rows := nt.rows
	if q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q"))); q != "" {
		li, ti, xi := nt.col("label"), nt.col("terms"), nt.col("representative_text")
		var kept [][]string
		for _, row := range rows {
			if strings.Contains(strings.ToLower(row[li]+" "+row[ti]+" "+row[xi]), q) {
				kept = append(kept, row)
			}
		}
		rows = kept
	}
	objs, err := page(nt, rows, r, 100)
	if err != nil {
		return err
	}
	sparks := sparklines(tl)
	out := make([]map[string]any, len(objs))
	for i, o := range objs {
		m := map[string]any{}
		for k, v := range o {
			m[k] = v
		}
		m["spark"] = sparks[o["narrative_id"]]
		out[i] = m
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": len(rows), "columns": nt.header, "rows": out})
}

// sparklines bins every narrative's posts per hour (timeline.csv, all
// groups) over the run's span.
func sparklines(tl *table) map[string]spark {
	ni, hi, pi := tl.col("narrative_id"), tl.col("hour"), tl.col("posts")
	out := map[string]spark{}
	if ni < 0 || hi < 0 || pi < 0 || len(tl.rows) == 0 {
		return out
	}
	var lo, hiT time.Time
	hours := make([]time.Time, len(tl.rows))
	for i, row := range tl.rows {
		t, err := time.Parse(time.RFC3339, row[hi])
		if err != nil {
			continue
		}
		hours[i] = t
		if lo.IsZero() || t.Before(lo) {
			lo = t
		}
		if t.After(hiT) {
			hiT = t
		}
	}
	span := int(hiT.Sub(lo).Hours()) + 1
	step := max(1, (span+sparkBins-1)/sparkBins)
	bins := (span + step - 1) / step
	for i, row := range tl.rows {
		if hours[i].IsZero() {
			continue
		}
		sp, ok := out[row[ni]]
		if !ok {
			sp = spark{Start: lo.Format(time.RFC3339), Hours: step, Posts: make([]int, bins)}
		}
		sp.Posts[int(hours[i].Sub(lo).Hours())/step] += atoi(row[pi])
		out[row[ni]] = sp
	}
	return out
}

// eachRow streams a run's CSV file (members.csv and matches.csv can be
// large: they are read per request, not kept).
func (s *Server) eachRow(kind, id, name string, fn func(head, row []string)) error {
	p, err := s.Runs.File(kind, id, name)
	if err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("httpapi: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("httpapi: run %s %s: %w", id, name, err)
	}
	head = slices.Clone(head)
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("httpapi: run %s %s: %w", id, name, err)
		}
		fn(head, row)
	}
}

// memberJSON is a post of a narrative, with its text when the dataset
// gives it.
type memberJSON struct {
	PostID     string `json:"post_id"`
	Account    string `json:"account_id"`
	Handle     string `json:"handle,omitempty"`
	Name       string `json:"name,omitempty"`
	Time       string `json:"time"`
	Role       string `json:"role"`
	Lang       string `json:"lang"`
	Similarity string `json:"similarity"`
	Text       string `json:"text,omitempty"`
	URL        string `json:"url,omitempty"`
}

// narrativeAccount is an account that posted in a narrative.
type narrativeAccount struct {
	Account string `json:"account_id"`
	Handle  string `json:"handle,omitempty"`
	Name    string `json:"name,omitempty"`
	Posts   int    `json:"posts"`
	First   string `json:"first"`
	Last    string `json:"last"`
}

// factCheck is a claim of a claims run on the same dataset that posts of
// the narrative match.
type factCheck struct {
	Run       string   `json:"run"`
	ClaimURL  string   `json:"claim_url"`
	Claim     string   `json:"claim_reviewed"`
	Verdict   string   `json:"verdict_norm"`
	Posts     int      `json:"posts"`      // posts of the narrative matching it
	Links     int      `json:"links"`      // of them, linked (the others suggested)
	BestScore string   `json:"best_score"` // the highest score
	PostIDs   []string `json:"post_ids"`   // the first 20
}

// maxFactCheckRuns bounds the claims runs a narrative's page reads.
const maxFactCheckRuns = 10

// getNarrative returns one narrative of a run: its row, its timeline by
// hour and group, its groups (with a linked coordination run), its posts
// (the first ?limit in time order, texts from the dataset for the first
// 100), its accounts (most posts first, the first 200), and the claims of
// the caller's claims runs on the same dataset that its posts match.
func (s *Server) getNarrative(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, nid := r.PathValue("id"), r.PathValue("nid")
	in, err := s.run(ctx, c, runs.Narratives, id)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 200, 5000)
	if err != nil {
		return err
	}
	nt, err := s.readTable(runs.Narratives, id, "narratives.csv")
	if err != nil {
		return err
	}
	var row map[string]string
	for _, x := range nt.rows {
		if x[0] == nid {
			row = nt.object(x)
		}
	}
	if row == nil {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "no narrative %q in run %s", nid, id)
	}
	out := map[string]any{"run": in, "narrative": row}
	tl, err := s.readTable(runs.Narratives, id, "timeline.csv")
	if err != nil {
		return err
	}
	timeline := []map[string]string{}
	for _, x := range tl.rows {
		if x[0] == nid {
			timeline = append(timeline, tl.object(x))
		}
	}
	out["timeline"] = timeline
	groups := []map[string]string{}
	if gt, err := s.readTable(runs.Narratives, id, "narrative_groups.csv"); err == nil {
		for _, x := range gt.rows {
			if x[0] == nid {
				groups = append(groups, gt.object(x))
			}
		}
	} else if tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		return err
	}
	out["groups"] = groups

	members := []memberJSON{}
	inNarrative := map[string]bool{}
	accounts := map[string]*narrativeAccount{}
	total := 0
	err = s.eachRow(runs.Narratives, id, "members.csv", func(head, x []string) {
		if x[1] != nid {
			return
		}
		total++
		inNarrative[x[0]] = true
		a := accounts[x[3]]
		if a == nil {
			a = &narrativeAccount{Account: x[3], First: x[4], Last: x[4]}
			accounts[x[3]] = a
		}
		a.Posts++
		if x[4] != "" && (a.First == "" || x[4] < a.First) {
			a.First = x[4]
		}
		a.Last = max(a.Last, x[4])
		if len(members) < limit {
			members = append(members, memberJSON{PostID: x[0], Account: x[3], Time: x[4], Role: x[5], Lang: x[7], Similarity: x[8]})
		}
	})
	if err != nil {
		return err
	}
	accts := make([]narrativeAccount, 0, len(accounts))
	for _, a := range accounts {
		accts = append(accts, *a)
	}
	slices.SortFunc(accts, func(a, b narrativeAccount) int {
		if c := cmp.Compare(b.Posts, a.Posts); c != 0 {
			return c
		}
		return strings.Compare(a.Account, b.Account)
	})
	accts = accts[:min(len(accts), 200)]
	if in.Dataset != "" {
		uids := make([]string, 0, len(accts)+len(members))
		for _, a := range accts {
			uids = append(uids, a.Account)
		}
		for _, m := range members {
			uids = append(uids, m.Account)
		}
		if found, err := s.Store.FindAccounts(ctx, in.Dataset, uids); err == nil {
			for i := range accts {
				a := found[accts[i].Account]
				accts[i].Handle, accts[i].Name = a.Handle, a.Name
			}
			for i := range members {
				a := found[members[i].Account]
				members[i].Handle, members[i].Name = a.Handle, a.Name
			}
		}
		for i := range members[:min(len(members), 100)] {
			pr, err := s.Store.FindPost(ctx, in.Dataset, members[i].PostID)
			if err != nil {
				continue // a post no longer in the dataset: its id stays
			}
			members[i].Text, members[i].URL = pr.Post.Text, pr.Post.URL
			if pr.Post.TextFull != "" {
				members[i].Text = pr.Post.TextFull
			}
		}
	}
	out["posts"], out["posts_total"], out["accounts"], out["accounts_total"] = members, total, accts, len(accounts)
	checks, err := s.narrativeFactChecks(r, c, in.Dataset, inNarrative)
	if err != nil {
		return err
	}
	out["fact_checks"] = checks
	return writeJSON(w, http.StatusOK, out)
}

// narrativeFactChecks reads the matches of the caller's latest claims
// runs on the dataset and keeps the claims the posts match.
func (s *Server) narrativeFactChecks(r *http.Request, c *call, dataset string, posts map[string]bool) ([]factCheck, error) {
	out := []factCheck{}
	if dataset == "" {
		return out, nil
	}
	list, err := s.Runs.List(runs.Claims)
	if err != nil {
		return nil, err
	}
	if list, err = s.visibleRuns(r.Context(), c, list); err != nil {
		return nil, err
	}
	n := 0
	for _, in := range list {
		if in.Dataset != dataset {
			continue
		}
		if n++; n > maxFactCheckRuns {
			break
		}
		by := map[string]*factCheck{}
		var order []string
		err := s.eachRow(runs.Claims, in.ID, "matches.csv", func(head, x []string) {
			col := func(name string) string {
				if i := slices.Index(head, name); i >= 0 && i < len(x) {
					return x[i]
				}
				return ""
			}
			if !posts[col("post_id")] {
				return
			}
			u := col("claim_url")
			f := by[u]
			if f == nil {
				f = &factCheck{Run: in.ID, ClaimURL: u, Claim: col("claim_reviewed"), Verdict: col("verdict_norm"), PostIDs: []string{}}
				by[u] = f
				order = append(order, u)
			}
			f.Posts++
			if col("status") == "link" {
				f.Links++
			}
			if sc := col("score"); sc > f.BestScore {
				f.BestScore = sc
			}
			if len(f.PostIDs) < 20 {
				f.PostIDs = append(f.PostIDs, col("post_id"))
			}
		})
		if err != nil && tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
			return nil, err
		}
		for _, u := range order {
			out = append(out, *by[u])
		}
	}
	return out, nil
}
