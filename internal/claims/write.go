package claims

import (
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/textkey"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Manifest is a matching run's manifest.json.
type Manifest struct {
	rundir.Manifest
	Params Params `json:"params"`
	// Claims names where the claims came from: files by SHA-256, or a
	// claim set with the SHA-256 of its stored claims.
	Claims []rundir.Input `json:"claims"`
}

// WriteOptions say what a run directory records besides the result.
type WriteOptions struct {
	Version string
	Now     time.Time
	Source  rundir.Source  // the posts' inputs
	Claims  []rundir.Input // the claims' inputs
	// Names gives what the data calls an account (its handle without "@"
	// and its display name, "" unknown), written beside its UID; nil:
	// none known.
	Names func(account string) (handle, name string)
}

// Files a matching run writes.
const (
	FileMatches  = "matches.csv"
	FileClaims   = "claims.csv"
	FileManifest = "manifest.json"
)

// WriteDir writes matches.csv, claims.csv and manifest.json.
func (r *Result) WriteDir(dir string, o WriteOptions) (*Manifest, error) {
	if err := rundir.Prepare(dir); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := r.writeMatches(filepath.Join(dir, FileMatches), o.Names); err != nil {
		return nil, fmt.Errorf("claims: write matches: %w", err)
	}
	if err := r.writeClaims(filepath.Join(dir, FileClaims)); err != nil {
		return nil, fmt.Errorf("claims: write claims: %w", err)
	}
	r.Timings["output_s"] = time.Since(start).Seconds()
	m := &Manifest{Manifest: rundir.Manifest{Tool: "tahqiq claims match", Version: o.Version, CreatedAt: o.Now.UTC(),
		Versions: map[string]string{"textnorm": textnorm.Version, "textkey": textkey.Version},
		Source:   o.Source, Counts: r.Counts, Timings: r.Timings, Files: []string{FileMatches, FileClaims, FileManifest}},
		Params: r.Params, Claims: o.Claims}
	if m.Rejected == nil {
		m.Rejected = []tahqiq.Reject{}
	}
	if err := rundir.WriteJSON(filepath.Join(dir, FileManifest), m); err != nil {
		return nil, fmt.Errorf("claims: write manifest: %w", err)
	}
	return m, nil
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}

func (r *Result) writeMatches(path string, names func(string) (string, string)) error {
	if names == nil {
		names = func(string) (string, string) { return "", "" }
	}
	head := []string{"claim_url", "post_id", "score", "status", "matched_terms", "missing_terms", "claim_coverage", "post_coverage", "bm25", "numbers", "short", "via",
		"lang_claim", "lang_post", "account_id", "post_time", "review_date", "time_order", "verdict_norm", "claim_reviewed", "post_text", "handle", "name",
		"seed_post_id", "seed_score", "seed_terms"}
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for _, m := range r.Matches {
			c, p := &r.Claims[m.Claim], &r.Posts[m.Post]
			order := ""
			if t, ok := parseDate(c.DatePublished); ok && p.HasTime {
				order = "after"
				if p.Time < t {
					order = "before"
				}
			}
			rec := []string{c.URL, p.ID, rundir.Float(m.Score), m.Status, strings.Join(m.Matched, ";"), strings.Join(m.Missing, ";"),
				rundir.Float(m.ClaimCoverage), rundir.Float(m.PostCoverage), rundir.Float(m.BM25), m.Numbers, strconv.FormatBool(m.Short), m.Via,
				c.Language, m.LangPost, p.Account, rundir.Time(p.Time, p.HasTime), c.DatePublished, order, c.VerdictNorm,
				c.ClaimReviewed, excerpt(p.Text, 280)}
			handle, name := names(p.Account)
			rec = append(rec, handle, name)
			if m.Via == "feedback" {
				rec = append(rec, r.Posts[m.Seed].ID, rundir.Float(m.SeedScore), strings.Join(m.SeedTerms, ";"))
			} else {
				rec = append(rec, "", "", "")
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func (r *Result) writeClaims(path string) error {
	links, suggests := make([]int, len(r.Claims)), make([]int, len(r.Claims))
	for _, m := range r.Matches {
		if m.Status == StatusLink {
			links[m.Claim]++
		} else {
			suggests[m.Claim]++
		}
	}
	head := []string{"claim_url", "claim_reviewed", "verdict_norm", "rating", "score_norm", "publisher", "language", "language_guessed",
		"review_date", "claimant", "claim_date", "appearances", "links", "suggestions", "source_file", "source_sha256"}
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for i, c := range r.Claims {
			score := ""
			if c.ScoreNorm != nil {
				score = rundir.Float(*c.ScoreNorm)
			}
			rec := []string{c.URL, c.ClaimReviewed, c.VerdictNorm, c.Rating.AlternateName, score, c.Publisher.Name, c.Language,
				strconv.FormatBool(c.LanguageGuessed), c.DatePublished, c.Claimant, c.ClaimDate, strings.Join(c.Appearances, ";"),
				strconv.Itoa(links[i]), strconv.Itoa(suggests[i]), c.Source.File, c.Source.SHA256}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}
