package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
)

// Map is a named column map: how the rows of one kind of file become form
// instances. docs/audit.md documents each.
type Map struct {
	Name        string
	Doc         string
	Required    []string // header columns that must exist
	StationForm string   // form type used by the forensics by default
	BallotCap   int64
	read        func(ctx context.Context, r *rows) error
}

// Maps are the named column maps.
var Maps = map[string]*Map{
	"ru": {Name: "ru", Doc: "Russian CEC precinct (UIK) protocols, one row per station (shared/data/elections/ru)",
		Required: []string{"region", "tik", "uik", "registered", "ballots_issued", "invalid"}, StationForm: tahqiq.FormRUUIK, read: readRU},
	"af2014": {Name: "af2014", Doc: "Afghanistan 2014 run-off, one row per station: preliminary and final tallies, audit status",
		Required:    []string{"ps_code", "province", "post_audit_status", "abdullah_prelim", "ghani_prelim", "abdullah_final", "ghani_final"},
		StationForm: tahqiq.FormAFPrelim, BallotCap: 600, read: readAF2014},
	"af2009": {Name: "af2009", Doc: "Afghanistan 2009, long: one row per polling centre x candidate, preliminary and ECC-final votes",
		Required:    []string{"pc_code", "province", "est_voters", "candidate_code", "votes_prelim", "votes_final"},
		StationForm: tahqiq.FormAFPrelim, read: readAF2009},
	"pk-constituency": {Name: "pk-constituency", Doc: "Pakistan constituency results 1993-2013 (Cookman): one final result (Form 49 level) per contest",
		Required: []string{"election_date", "election_type", "constituency_number", "assembly", "votes_disq", "win_votes", "second_votes"},
		read:     readPKConstituency},
	"pk2024": {Name: "pk2024", Doc: "Pakistan 2024 NA: Form 47 (official) vs PTI-claimed Form 45 totals, top two per seat",
		Required: []string{"constituency", "candidate", "party", "votes_form47", "votes_claimed_form45"},
		read:     readPK2024},
	"pk-long": {Name: "pk-long", Doc: "the long CSV template: one row per form instance and line item (docs/audit.md)",
		Required: []string{"contest", "form_type", "form_id", "source", "item", "value"}, StationForm: tahqiq.Form45, read: readLong},
}

// MapNames lists the map names, sorted.
func MapNames() []string {
	var out []string
	for k := range Maps {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ---- ru

func readRU(ctx context.Context, r *rows) error {
	var cands []string
	for _, h := range r.header {
		if len(h) >= 2 && h[0] == 'c' && h[1] >= '0' && h[1] <= '9' {
			cands = append(cands, h)
		}
	}
	if len(cands) == 0 {
		return tahqiq.Errorf(tahqiq.EINVALID, "%s: no candidate columns c01..", r.file)
	}
	contest := r.imp.Election.ID
	names := ruCandidateNames(r.file, contest)
	type opt struct{ col, key string }
	opts := []opt{{"ballots_received", tahqiq.KeyBallotsReceived}, {"ballots_in_boxes", tahqiq.KeyBallotsInBoxes},
		{"valid", tahqiq.KeyValid}, {"ballots_cancelled", tahqiq.KeyUnused}, {"ballots_lost", tahqiq.KeyLost},
		{"ballots_unaccounted", tahqiq.KeyUnaccounted},
		// kept apart from ballots_issued and ballots_in_boxes (their sums)
		// for the check "mobile box > issued outside"
		{"issued_outside", tahqiq.KeyIssuedOutside}, {"ballots_mobile", tahqiq.KeyBallotsMobile}}
	for {
		ok, err := r.next(ctx)
		if err != nil || !ok {
			return err
		}
		region, oik, tik, uik := r.str("region"), r.str("oik"), r.str("tik"), r.str("uik")
		items := make([]tahqiq.LineItem, 0, 11+len(cands))
		reg, _ := r.count("registered", true)
		iss, _ := r.count("ballots_issued", true)
		inv, _ := r.count("invalid", true)
		items = append(items, tahqiq.LineItem{Key: tahqiq.KeyRegistered, Value: reg}, tahqiq.LineItem{Key: tahqiq.KeyBallotsIssued, Value: iss},
			tahqiq.LineItem{Key: tahqiq.KeyRejected, Value: inv})
		for _, o := range opts {
			if v, ok := r.count(o.col, false); ok {
				items = append(items, tahqiq.LineItem{Key: o.key, Value: v})
			}
		}
		for _, c := range cands {
			v, _ := r.count(c, true)
			name := c
			if n := names[c]; n != "" {
				name = n
			}
			items = append(items, tahqiq.LineItem{Key: tahqiq.KeyVotes, Candidate: name, Value: v})
		}
		if r.bad != "" {
			r.reject(r.bad)
			continue
		}
		// a UIK number is unique only within region and TIK, and within
		// the OIK (single-member district) where the file gives one: the
		// 2021 online-voting pseudo-stations of one region share the TIK
		// "Дистанционное электронное голосование" and differ only by OIK
		st := region + "/" + tik + "/" + uik
		if oik != "" {
			st = region + "/" + oik + "/" + tik + "/" + uik
		}
		f := r.form(st, tahqiq.FormRUUIK, tahqiq.SourceOfficial, contest, st, region)
		f.Items = items
		r.imp.Election.Forms = append(r.imp.Election.Forms, f)
	}
}

// ruCandidateNames reads ru_candidates.csv next to the input, when there,
// and maps the columns of the input's year (ru_YYYY) to "cNN name".
func ruCandidateNames(path, id string) map[string]string {
	year := strings.TrimPrefix(id, "ru_")
	b, err := os.ReadFile(filepath.Join(filepath.Dir(path), "ru_candidates.csv"))
	if err != nil {
		return nil
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) == 0 {
		return nil
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	y, c, n := col["year"], col["column"], col["name_translit"]
	out := map[string]string{}
	for _, r := range recs[1:] {
		if len(r) > n && len(r) > y && len(r) > c && r[y] == year {
			out[r[c]] = r[c] + " " + r[n]
		}
	}
	return out
}

// sideTable reads a small CSV next to the input, when there, as a map
// from column key to column val.
func sideTable(path, name, key, val string) map[string]string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(path), name))
	if err != nil {
		return nil
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) == 0 {
		return nil
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	k, ok1 := col[key]
	v, ok2 := col[val]
	if !ok1 || !ok2 {
		return nil
	}
	out := map[string]string{}
	for _, r := range recs[1:] {
		if len(r) > k && len(r) > v {
			out[r[k]] = r[v]
		}
	}
	return out
}

// ---- af2014

func readAF2014(ctx context.Context, r *rows) error {
	const contest = "af2014-runoff"
	r.imp.Election.ID = "af2014-runoff"
	for {
		ok, err := r.next(ctx)
		if err != nil || !ok {
			return err
		}
		ps, prov, status := r.str("ps_code"), r.str("province"), r.str("post_audit_status")
		// A tally with both counts empty means the station is not in that
		// file (50 invalidated stations have no preliminary tally): the form
		// is absent, not zero. One count empty is a reject.
		hasPre := r.str("abdullah_prelim") != "" || r.str("ghani_prelim") != ""
		hasFin := r.str("abdullah_final") != "" || r.str("ghani_final") != ""
		var ap, gp, af, gf int64
		if hasPre {
			ap, _ = r.count("abdullah_prelim", true)
			gp, _ = r.count("ghani_prelim", true)
		}
		if hasFin {
			af, _ = r.count("abdullah_final", true)
			gf, _ = r.count("ghani_final", true)
		}
		if !hasPre && !hasFin && r.bad == "" {
			r.bad = "no preliminary and no final counts"
		}
		if ps == "" && r.bad == "" {
			r.bad = "missing ps_code"
		}
		if r.bad != "" {
			r.reject(r.bad)
			continue
		}
		if hasPre {
			p := r.form(ps+"#prelim", tahqiq.FormAFPrelim, tahqiq.SourceOfficial, contest, ps, prov)
			p.Status = status
			p.Items = []tahqiq.LineItem{{Key: tahqiq.KeyVotes, Candidate: "Abdullah", Value: ap}, {Key: tahqiq.KeyVotes, Candidate: "Ghani", Value: gp}}
			r.imp.Election.Forms = append(r.imp.Election.Forms, p)
		}
		if hasFin {
			f := r.form(ps+"#final", tahqiq.FormAFFinal, tahqiq.SourceOfficial, contest, ps, prov)
			f.Status = status
			f.Items = []tahqiq.LineItem{{Key: tahqiq.KeyVotes, Candidate: "Abdullah", Value: af}, {Key: tahqiq.KeyVotes, Candidate: "Ghani", Value: gf}}
			r.imp.Election.Forms = append(r.imp.Election.Forms, f)
		}
	}
}

// ---- af2009

func readAF2009(ctx context.Context, r *rows) error {
	const contest = "af2009-presidential"
	r.imp.Election.ID = contest
	prelim := map[string]*tahqiq.FormInstance{}
	final := map[string]*tahqiq.FormInstance{}
	names := sideTable(r.file, "af_2009_candidates.csv", "candidate_code", "name")
	for {
		ok, err := r.next(ctx)
		if err != nil || !ok {
			return err
		}
		pc, prov, cand := r.str("pc_code"), r.str("province"), r.str("candidate_code")
		if n := names[cand]; n != "" {
			cand += " " + n
		}
		est, hasEst := r.count("est_voters", false)
		// An empty votes_final means the centre is not in the final file
		// (README); an empty votes_prelim marks final-only lines (MERGED4)
		// and centres absent from the preliminary file. Both are data, not
		// missing counts; a line with neither is a reject.
		vp, hasPrelim := r.count("votes_prelim", false)
		vf, hasFinal := r.count("votes_final", false)
		if (pc == "" || cand == "") && r.bad == "" {
			r.bad = "missing pc_code or candidate_code"
		}
		if !hasPrelim && !hasFinal && r.bad == "" {
			r.bad = "no preliminary and no final votes"
		}
		if r.bad != "" {
			r.reject(r.bad)
			continue
		}
		if hasPrelim {
			p := prelim[pc]
			if p == nil {
				p = r.form(pc+"#prelim", tahqiq.FormAFPrelim, tahqiq.SourceOfficial, contest, pc, prov)
				if hasEst {
					p.Items = append(p.Items, tahqiq.LineItem{Key: tahqiq.KeyRegistered, Value: est, Line: r.line})
				}
				prelim[pc] = p
				r.imp.Election.Forms = append(r.imp.Election.Forms, p)
			}
			p.Items = append(p.Items, tahqiq.LineItem{Key: tahqiq.KeyVotes, Candidate: cand, Value: vp, Line: r.line})
		}
		if hasFinal {
			f := final[pc]
			if f == nil {
				f = r.form(pc+"#final", tahqiq.FormAFFinal, tahqiq.SourceOfficial, contest, pc, prov)
				if hasEst {
					f.Items = append(f.Items, tahqiq.LineItem{Key: tahqiq.KeyRegistered, Value: est, Line: r.line})
				}
				final[pc] = f
				r.imp.Election.Forms = append(r.imp.Election.Forms, f)
			}
			f.Items = append(f.Items, tahqiq.LineItem{Key: tahqiq.KeyVotes, Candidate: cand, Value: vf, Line: r.line})
		}
	}
}

// ---- pk-constituency

func readPKConstituency(ctx context.Context, r *rows) error {
	r.imp.Election.ID = "pk-constituency"
	n := map[string]int{}
	type seen struct {
		line int64
		row  string
	}
	first := map[string]seen{}
	for {
		ok, err := r.next(ctx)
		if err != nil || !ok {
			return err
		}
		date, typ, num := r.str("election_date"), r.str("election_type"), r.str("constituency_number")
		contest := date + " " + num
		if typ != "General Election" {
			contest = date + " " + typ + " " + num
		}
		// a row that repeats an earlier one exactly is the same result
		// twice (2008 NA-230, PS-10): a reject, never a second contest; a
		// different result for the same contest is kept as contest#2
		row := strings.Join(r.rec, "\x00")
		if f, ok := first[contest]; ok && f.row == row {
			r.reject(fmt.Sprintf("the same result as line %d again (%s, an identical row): not counted twice", f.line, contest))
			continue
		} else if !ok {
			first[contest] = seen{r.line, row}
		}
		n[contest]++
		if n[contest] > 1 {
			contest += "#" + strconv.Itoa(n[contest])
		}
		r.contestDate(contest, date)
		var items []tahqiq.LineItem
		add := func(col, key, cand string, required bool) {
			if v, ok := r.count(col, required); ok {
				items = append(items, tahqiq.LineItem{Key: key, Candidate: cand, Value: v, Line: r.line})
			}
		}
		add("voter_reg", tahqiq.KeyRegistered, "", false)
		add("votes_cast", tahqiq.KeyTotalPolled, "", false)
		add("votes_disq", tahqiq.KeyRejected, "", true)
		add("validated_votes", tahqiq.KeyValid, "", false)
		name := func(n, p string) string {
			s := strings.TrimSpace(r.str(n))
			if p := strings.TrimSpace(r.str(p)); p != "" {
				s += " (" + p + ")"
			}
			return s
		}
		add("win_votes", tahqiq.KeyVotes, name("win_name", "win_party"), true)
		add("second_votes", tahqiq.KeyVotes, name("second_name", "second_party"), true)
		add("third_votes", tahqiq.KeyVotes, "third: "+r.str("third_party"), false)
		// the remainder is the votes of every other candidate together: a
		// line of the result, never a candidate (it cannot win or be runner-up)
		add("remainder_votes", tahqiq.KeyOtherVotes, "", false)
		if r.bad != "" {
			r.reject(r.bad)
			continue
		}
		f := r.form(contest+"#49", tahqiq.Form49, tahqiq.SourceOfficial, contest, "", r.str("province"))
		f.Status = r.str("assembly")
		f.Items = items
		r.imp.Election.Forms = append(r.imp.Election.Forms, f)
	}
}

// ---- pk2024

func readPK2024(ctx context.Context, r *rows) error {
	r.imp.Election.ID = "pk2024-na"
	f47 := map[string]*tahqiq.FormInstance{}
	f45 := map[string]*tahqiq.FormInstance{}
	for {
		ok, err := r.next(ctx)
		if err != nil || !ok {
			return err
		}
		c := r.str("constituency")
		cand := r.str("candidate") + " (" + r.str("party") + ")"
		v47, _ := r.count("votes_form47", true)
		v45, _ := r.count("votes_claimed_form45", true)
		tot, hasTot := r.count("total_votes_form47", false)
		if c == "" && r.bad == "" {
			r.bad = "missing constituency"
		}
		if r.bad != "" {
			r.reject(r.bad)
			continue
		}
		a := f47[c]
		if a == nil {
			r.contestDate(c, "2024-02-08") // general election of 8 February 2024
			a = r.form(c+"#47", tahqiq.Form47, tahqiq.SourceOfficial, c, "", r.str("province"))
			a.Status = "National"
			if hasTot {
				a.Items = append(a.Items, tahqiq.LineItem{Key: tahqiq.KeyTotalPolled, Value: tot, Line: r.line})
			}
			b := r.form(c+"#45-claimed", tahqiq.Form45, tahqiq.SourcePartyClaim, c, "", r.str("province"))
			b.Status = "National"
			f47[c], f45[c] = a, b
			r.imp.Election.Forms = append(r.imp.Election.Forms, a, b)
		}
		a.Items = append(a.Items, tahqiq.LineItem{Key: tahqiq.KeyVotes, Candidate: cand, Value: v47, Line: r.line})
		b := f45[c]
		b.Items = append(b.Items, tahqiq.LineItem{Key: tahqiq.KeyVotes, Candidate: cand, Value: v45, Line: r.line})
	}
}

// ---- pk-long: the template

// LongColumns are the columns of the long CSV template, in order.
var LongColumns = []string{"election", "election_date", "contest", "region", "station", "form_type", "form_id", "source",
	"file_sha256", "page", "issued_at", "published_at", "status", "item", "candidate", "value"}

// LongFormTypes, LongSources and LongItems are the values the long
// template accepts in form_type, source and item (docs/audit.md).
var (
	LongFormTypes = []string{tahqiq.Form28, tahqiq.Form45, tahqiq.Form46, tahqiq.Form47, tahqiq.Form48, tahqiq.Form49}
	LongSources   = []string{tahqiq.SourceOfficial, tahqiq.SourceAgent, tahqiq.SourcePartyClaim, tahqiq.SourceObserver, tahqiq.SourceSnapshot}
	LongItems     = []string{tahqiq.KeyVotes, tahqiq.KeyOtherVotes, tahqiq.KeyRegistered, tahqiq.KeyRegisteredMale, tahqiq.KeyRegisteredFemale,
		tahqiq.KeyRejected, tahqiq.KeyValid, tahqiq.KeyTotalPolled, tahqiq.KeyMalePolled, tahqiq.KeyFemalePolled, tahqiq.KeyBallotsReceived,
		tahqiq.KeyBallotsIssued, tahqiq.KeyBallotsInBoxes, tahqiq.KeyUnused, tahqiq.KeySpoilt, tahqiq.KeyTendered, tahqiq.KeyChallenged,
		tahqiq.KeyLost, tahqiq.KeyUnaccounted, tahqiq.KeyPostal, tahqiq.KeyStationsReported, tahqiq.KeyStationsTotal}
)

// longFormColumns are the columns that describe a form instance rather
// than one of its lines: every row of one form_id must agree on them.
var longFormColumns = []string{"form_type", "source", "contest", "station", "region", "file_sha256", "page", "issued_at", "published_at", "status", "election_date"}

// validateLong returns why the current row of the long template is bad,
// naming the column, the value and what was expected, or "".
func validateLong(r *rows) string {
	id, typ, src, contest := r.str("form_id"), r.str("form_type"), r.str("source"), r.str("contest")
	item, cand, station := r.str("item"), r.str("candidate"), r.str("station")
	var missing []string
	for _, c := range []struct{ col, v string }{{"form_id", id}, {"form_type", typ}, {"source", src}, {"contest", contest}, {"item", item}} {
		if c.v == "" {
			missing = append(missing, c.col)
		}
	}
	if len(missing) > 0 {
		return "missing " + strings.Join(missing, ", ")
	}
	switch {
	case !slices.Contains(LongFormTypes, typ):
		return fmt.Sprintf("column form_type: unknown form type %q (known: %s)", typ, strings.Join(LongFormTypes, ", "))
	case !slices.Contains(LongSources, src):
		return fmt.Sprintf("column source: unknown source %q (known: %s)", src, strings.Join(LongSources, ", "))
	case !slices.Contains(LongItems, item):
		return fmt.Sprintf("column item: unknown line item %q (known: %s)", item, strings.Join(LongItems, ", "))
	}
	switch typ {
	case tahqiq.Form47, tahqiq.Form49:
		if station != "" {
			return fmt.Sprintf("form %s is a constituency-level form: column station must be empty, not %q", typ, station)
		}
	default:
		// a party's claimed constituency totals "from its Form 45s" have no
		// station (pk2024 reads PTI's claims so): source party_claim only
		if station == "" && !(typ == tahqiq.Form45 && src == tahqiq.SourcePartyClaim) {
			return fmt.Sprintf("form %s is a polling-station form: column station is empty (only a party's claimed totals, source party_claim, may be a Form 45 without a station)", typ)
		}
	}
	withCand := item == tahqiq.KeyVotes || item == tahqiq.KeyPostal
	switch {
	case withCand && cand == "":
		return fmt.Sprintf("item %s without a candidate", item)
	case !withCand && cand != "":
		return fmt.Sprintf("item %s takes no candidate (column candidate: %q)", item, cand)
	}
	if d := r.str("election_date"); d != "" {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return fmt.Sprintf("column election_date: %q is not a date YYYY-MM-DD", d)
		}
	}
	for _, c := range []string{"issued_at", "published_at"} {
		if v := r.str(c); v != "" {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				return fmt.Sprintf("column %s: %q is not an RFC 3339 time (e.g. 2024-02-09T01:30:00+05:00)", c, v)
			}
		}
	}
	if h := r.str("file_sha256"); h != "" {
		if _, err := hex.DecodeString(h); err != nil || len(h) != 64 {
			return fmt.Sprintf("column file_sha256: %q is not a SHA-256 (64 hexadecimal digits)", h)
		}
	}
	if p := r.str("page"); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 {
			return fmt.Sprintf("column page: %q is not a page number (1, 2, ...)", p)
		}
	}
	return ""
}

func readLong(ctx context.Context, r *rows) error {
	forms := map[string]*tahqiq.FormInstance{}
	formCols := map[string][]string{} // form id -> its first row's longFormColumns
	for {
		ok, err := r.next(ctx)
		if err != nil || !ok {
			return err
		}
		if why := validateLong(r); why != "" {
			r.reject(why)
			continue
		}
		id, typ, src, contest := r.str("form_id"), r.str("form_type"), r.str("source"), r.str("contest")
		item, cand := r.str("item"), r.str("candidate")
		v, _ := r.count("value", true)
		if r.bad != "" {
			r.reject(r.bad)
			continue
		}
		cols := make([]string, len(longFormColumns))
		for i, c := range longFormColumns {
			cols[i] = r.str(c)
		}
		f := forms[id]
		if f != nil {
			first := formCols[id]
			for i, c := range longFormColumns {
				if cols[i] != first[i] {
					r.reject(fmt.Sprintf("form %s: column %s is %q here but %q on its first line %d (every row of a form_id describes the same form)", id, c, cols[i], first[i], f.Line))
					goto next
				}
			}
		} else {
			f = r.form(id, typ, src, contest, r.str("station"), r.str("region"))
			if h := r.str("file_sha256"); h != "" {
				f.SHA256 = strings.ToLower(h)
				f.File = "scan"
			}
			if p := r.str("page"); p != "" {
				f.Page, _ = strconv.Atoi(p)
			}
			f.IssuedAt, f.Status = r.str("issued_at"), r.str("status")
			forms[id], formCols[id] = f, cols
			r.imp.Election.Forms = append(r.imp.Election.Forms, f)
			if e := r.str("election"); e != "" && r.imp.Election.Name == "" {
				r.imp.Election.ID, r.imp.Election.Name = e, e
			}
			if d := r.str("election_date"); d != "" {
				r.imp.ElectionDate = d
				r.contestDate(contest, d)
			}
			if p := r.str("published_at"); p != "" {
				if r.imp.PublishedAt == nil {
					r.imp.PublishedAt = map[string]string{}
				}
				r.imp.PublishedAt[id] = p
			}
		}
		for _, it := range f.Items {
			if it.Key == item && it.Candidate == cand {
				r.reject(fmt.Sprintf("form %s: item %s %s given twice (first at line %d)", id, item, cand, it.Line))
				goto next
			}
		}
		f.Items = append(f.Items, tahqiq.LineItem{Key: item, Candidate: cand, Value: v, Line: r.line})
	next:
	}
}
