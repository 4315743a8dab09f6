package claims

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tahqiq/tahqiq"
)

// csvColumns maps a claim field to the header names that give it
// (compared lower-cased without spaces, '_' or '-'): the project's simple
// CSV, the Hugging Face Data Commons table (reviewer_name, claim_text,
// review_date, review_url, review_rating, claim_author_name, claim_date)
// and common variants.
var csvColumns = map[string][]string{
	"claim":        {"claim", "claimtext", "claimreviewed", "text"},
	"url":          {"url", "reviewurl", "claimreviewurl", "factcheckurl", "reviewlink"},
	"rating":       {"rating", "reviewrating", "textualrating", "verdict", "alternatename", "ratingname"},
	"publisher":    {"publisher", "reviewername", "reviewer", "publishername", "factchecker", "author"},
	"publisherurl": {"publisherurl", "publishersite", "site"},
	"reviewdate":   {"reviewdate", "datepublished", "date", "published", "publishdate"},
	"claimdate":    {"claimdate"},
	"claimant":     {"claimant", "claimauthorname", "claimauthor"},
	"language":     {"language", "lang", "languagecode", "inlanguage"},
	"appearances":  {"appearanceurls", "appearances", "appearance", "appearanceurl"},
	"headline":     {"headline", "title", "reviewtitle"},
	"ratingvalue":  {"ratingvalue"},
	"bestrating":   {"bestrating"},
	"worstrating":  {"worstrating"},
}

func headerKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(h)
}

// ParseCSV reads fact-checks from a CSV with a header naming at least the
// claim and the review URL columns (csvColumns); appearance URLs are
// separated by '|'. A row without a claim or a URL is rejected with its
// line; a file without those columns, or not CSV, is an error.
func ParseCSV(data []byte, src Source) ([]Claim, []tahqiq.Reject, error) {
	src.Format = "csv"
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	head, err := r.Read()
	if err != nil {
		return nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: not a CSV with a header: %v", src.File, err)
	}
	col := map[string]int{}
	for i, h := range head {
		k := headerKey(h)
		for field, names := range csvColumns {
			for _, n := range names {
				if k == n {
					if _, dup := col[field]; !dup {
						col[field] = i
					}
				}
			}
		}
	}
	for _, need := range []string{"claim", "url"} {
		if _, ok := col[need]; !ok {
			return nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: no %s column (header %q; want e.g. claim,url,rating,publisher,review_date,language,appearance_urls)", src.File, need, strings.Join(head, ","))
		}
	}
	get := func(rec []string, field string) string {
		i, ok := col[field]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var out []Claim
	var rejects []tahqiq.Reject
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line := 0
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			rejects = append(rejects, tahqiq.Reject{File: src.File, Line: int64(line), Reason: fmt.Sprintf("not CSV: %v", err)})
			if errors.As(err, &pe) && pe.Err == csv.ErrQuote {
				break // a broken quote swallows the rest
			}
			continue
		}
		line, _ = r.FieldPos(0)
		row := map[string]string{}
		for i, h := range head {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		raw, _ := json.Marshal(row)
		s := src
		s.Line = line
		c := Claim{Type: "CSV", Raw: raw, Source: s, ClaimReviewed: get(rec, "claim"), URL: get(rec, "url"),
			Headline: get(rec, "headline"), DatePublished: get(rec, "reviewdate"), Language: get(rec, "language"),
			Publisher: Org{Name: get(rec, "publisher"), URL: get(rec, "publisherurl")}, Claimant: get(rec, "claimant"),
			ClaimDate: get(rec, "claimdate"),
			Rating:    Rating{AlternateName: get(rec, "rating"), Value: get(rec, "ratingvalue"), Best: get(rec, "bestrating"), Worst: get(rec, "worstrating")}}
		for _, a := range strings.Split(get(rec, "appearances"), "|") {
			if a = strings.TrimSpace(a); a != "" {
				c.Appearances = append(c.Appearances, a)
			}
		}
		switch {
		case c.URL == "":
			rejects = append(rejects, tahqiq.Reject{File: src.File, Line: int64(line), Reason: "no review URL: a fact-check is kept only with its URL"})
		case c.ClaimReviewed == "":
			rejects = append(rejects, tahqiq.Reject{File: src.File, Line: int64(line), Reason: fmt.Sprintf("%s: no claim text", c.URL)})
		default:
			finish(&c)
			out = append(out, c)
		}
	}
	return out, rejects, nil
}

// Parse reads a file of fact-checks, choosing the reader by its first
// bytes: JSON ('{' or '['), HTML ('<') or else CSV.
func Parse(data []byte, src Source) ([]Claim, []tahqiq.Reject, error) {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) == 0 {
		return nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: empty", src.File)
	}
	switch t[0] {
	case '{', '[', '<':
		cs, rs := ParseJSONLD(data, src)
		if len(cs) == 0 && len(rs) > 0 {
			return nil, rs, tahqiq.Errorf(tahqiq.EINVALID, "%s: no fact-check read: %s", src.File, rs[0].Reason)
		}
		return cs, rs, nil
	}
	return ParseCSV(data, src)
}
