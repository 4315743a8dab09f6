// Package genericcsv imports any CSV of posts through a column map given as
// the "map" option, e.g. "id=post_id,account=user,time=created,text=body".
// It is never auto-detected: the user chooses it and says which column is
// which. Only the account is required: research CSVs often carry no post
// id (the id is then the file and line) or no time (the post has none).
// It does not derive shares.
package genericcsv

import (
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/csvrow"
	"github.com/tahqiq/tahqiq/internal/ingest/textent"
)

// Format is the raw record format name.
const Format = "generic_csv"

// Sniff never recognises a file: a generic CSV needs a column map, so it is
// chosen explicitly with --format generic_csv.
func Sniff(head []byte) (string, bool) { return "", false }

// Map keys. Every key but time_format and platform names a column.
var (
	columnKeys = []string{"id", "account", "account_name", "time", "text", "url", "urls", "hashtags", "retweet_of", "reply_to", "lang", "platform"}
	required   = []string{"account"}
)

// Mapping is a parsed column map.
type Mapping struct {
	Columns    map[string]string // key -> column name
	TimeFormat string            // Go layout, "unix", "unixms", "rfc3339" or "" (auto)
	Platform   string            // constant platform, when not a column
}

// ParseMap parses "key=column,key=column". Keys: id, account, account_name,
// time, time_format, text, url (permalink), urls (shared links), hashtags,
// retweet_of, reply_to, lang, platform. account is required.
func ParseMap(s string) (Mapping, error) {
	m := Mapping{Columns: map[string]string{}}
	if strings.TrimSpace(s) == "" {
		return m, tahqiq.ParamErrorf("map", "generic CSV needs a column map: {map} account=COL[,id=COL,time=COL,text=COL,...]")
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return m, tahqiq.Errorf(tahqiq.EINVALID, "column map: %q is not key=column", part)
		}
		switch {
		case k == "time_format":
			m.TimeFormat = v
		case k == "url(s)":
			m.Columns["urls"] = v
		case contains(columnKeys, k):
			if _, dup := m.Columns[k]; dup {
				return m, tahqiq.Errorf(tahqiq.EINVALID, "column map: key %q given twice", k)
			}
			m.Columns[k] = v
		default:
			return m, tahqiq.Errorf(tahqiq.EINVALID, "column map: unknown key %q (known: %s, time_format)", k, strings.Join(columnKeys, ", "))
		}
	}
	for _, k := range required {
		if m.Columns[k] == "" {
			return m, tahqiq.Errorf(tahqiq.EINVALID, "column map: %q is required (the column of the posts' accounts; id and time may be left out)", k)
		}
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var platforms = []string{tahqiq.PlatformX, tahqiq.PlatformTelegram, tahqiq.PlatformFacebook, tahqiq.PlatformInstagram, tahqiq.PlatformOther, "youtube", "tiktok", "reddit", "whatsapp"}

// Parse reads a CSV with the column map of Options["map"].
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	m, err := ParseMap(src.Options["map"])
	if err != nil {
		return err
	}
	r, err := csvrow.NewReader(src.R, src.Name)
	if err != nil {
		return err
	}
	idx := map[string]int{}
	keys := make([]string, 0, len(m.Columns))
	for k := range m.Columns {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		col := m.Columns[k]
		i := r.Index(col)
		if i < 0 && k == "platform" && contains(platforms, col) {
			m.Platform = col
			continue
		}
		if i < 0 {
			return tahqiq.Errorf(tahqiq.EINVALID, "%s: missing column %q (mapped to %s)", src.Name, col, k)
		}
		idx[k] = i
	}
	if m.Platform == "" {
		m.Platform = tahqiq.PlatformOther
	}
	// Without an id column, a post's id is its file and line: the base
	// name and the start of the file's SHA-256 (two files of one name
	// differ), then "L" and the line.
	fileID := filepath.Base(src.Name)
	if len(src.SHA256) >= 12 {
		fileID += "@" + src.SHA256[:12]
	}
	return csvrow.Each(ctx, r, Format, src.Name, emit, func(p *tahqiq.Parsed, f []string) string {
		return m.row(p, f, idx, fileID)
	})
}

func (m *Mapping) row(p *tahqiq.Parsed, f []string, idx map[string]int, fileID string) string {
	get := func(k string) string {
		i, ok := idx[k]
		if !ok {
			return ""
		}
		return strings.TrimSpace(f[i])
	}
	platform := m.Platform
	if v := get("platform"); v != "" {
		platform = strings.ToLower(v)
	}
	id, acc := get("id"), get("account")
	_, hasID := idx["id"]
	if !hasID {
		id = fileID + ":L" + strconv.FormatInt(p.Record.Line, 10)
	}
	for _, c := range []struct{ key, v string }{{"id", id}, {"account", acc}} {
		if c.v == "" {
			return "empty " + c.key + " (column " + strconv.Quote(m.Columns[c.key]) + ")"
		}
		if tahqiq.FloatMangled(c.v) {
			return c.key + " " + strconv.Quote(c.v) + " looks like a number a spreadsheet wrote: the id lost digits and is never used or rounded"
		}
	}
	var created time.Time
	prec := tahqiq.PrecisionNone // no time column: the post has no time
	rawTime := get("time")
	if _, hasTime := idx["time"]; hasTime {
		if rawTime == "" {
			return "empty time (column " + strconv.Quote(m.Columns["time"]) + ")"
		}
		var ok bool
		created, prec, ok = parseTime(m.TimeFormat, rawTime)
		if !ok {
			f := m.TimeFormat
			if f == "" {
				f = "RFC 3339, YYYY-MM-DD HH:MM[:SS] or unix seconds"
			}
			return "time " + strconv.Quote(rawTime) + " does not match " + f
		}
	}
	post := tahqiq.Post{
		UID: platform + ":" + id, Platform: platform, PlatformID: id, URL: get("url"),
		AuthorUID: platform + ":" + acc, Kind: tahqiq.KindOriginal,
		CreatedAt: created, CreatedAtRaw: rawTime, Precision: prec, Lang: get("lang"),
	}
	if i, ok := idx["text"]; ok {
		post.Text = f[i]
	}
	ents := textent.Scan(post.Text)
	post.Mentions = ents.Mentions
	if _, ok := idx["hashtags"]; ok {
		for _, h := range splitList(get("hashtags")) {
			post.Hashtags = append(post.Hashtags, tahqiq.Entity{Text: strings.TrimPrefix(h, "#"), Start: -1, End: -1})
		}
	} else {
		post.Hashtags = ents.Hashtags
	}
	if _, ok := idx["urls"]; ok {
		for _, u := range splitList(get("urls")) {
			post.Links = append(post.Links, tahqiq.Link{URL: u, Start: -1, End: -1})
		}
	} else {
		post.Links = ents.Links
	}
	if t := get("retweet_of"); t != "" {
		post.Kind = tahqiq.KindRepost
		post.References = append(post.References, tahqiq.Reference{Type: tahqiq.RefRetweetOf, TargetID: t, TargetUID: platform + ":" + t})
	}
	if t := get("reply_to"); t != "" {
		post.References = append(post.References, tahqiq.Reference{Type: tahqiq.RefReplyTo, TargetID: t, TargetUID: platform + ":" + t})
		if post.Kind == tahqiq.KindOriginal {
			post.Kind = tahqiq.KindReply
		}
	}
	p.Record.Kind = tahqiq.RecordPost
	p.Posts = []tahqiq.Post{post}
	p.Accounts = []tahqiq.Account{{
		UID: post.AuthorUID, Platform: platform, PlatformID: acc, Name: get("account_name"),
		Followers: -1, Following: -1, PostsCount: -1,
	}}
	return ""
}

// splitList splits a cell of several values separated by white space, "|"
// or ", ", optionally in brackets with quotes ("[a, b]", `["a","b"]`).
func splitList(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	s = strings.ReplaceAll(s, ", ", " ")
	s = strings.ReplaceAll(s, `","`, " ")
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '|' })
	out := fields[:0]
	for _, x := range fields {
		x = strings.Trim(x, `"'`)
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// parseTime reads a time with a Go layout or "unix", "unixms", "rfc3339";
// with no format it tries RFC 3339, "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD
// HH:MM" and integer unix seconds. Times without a zone are UTC.
func parseTime(format, s string) (time.Time, tahqiq.Precision, bool) {
	switch format {
	case "unix":
		n, err := strconv.ParseInt(s, 10, 64)
		return time.Unix(n, 0).UTC(), tahqiq.PrecisionSecond, err == nil
	case "unixms":
		n, err := strconv.ParseInt(s, 10, 64)
		return time.UnixMilli(n).UTC(), tahqiq.PrecisionMillisecond, err == nil
	case "rfc3339":
		t, err := time.Parse(time.RFC3339Nano, s)
		return t.UTC(), subsecond(t), err == nil
	case "":
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), subsecond(t), true
		}
		for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
			if t, err := time.Parse(l, s); err == nil {
				return t.UTC(), layoutPrecision(l), true
			}
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC(), tahqiq.PrecisionSecond, true
		}
		return time.Time{}, "", false
	}
	t, err := time.Parse(format, s)
	if err != nil {
		return time.Time{}, "", false
	}
	prec := layoutPrecision(format)
	if t.Nanosecond() != 0 {
		prec = subsecond(t)
	}
	return t.UTC(), prec, true
}

func subsecond(t time.Time) tahqiq.Precision {
	switch {
	case t.Nanosecond() == 0:
		return tahqiq.PrecisionSecond
	case t.Nanosecond()%1e6 == 0:
		return tahqiq.PrecisionMillisecond
	}
	return tahqiq.PrecisionNanosecond
}

// layoutPrecision is the finest unit a Go layout carries.
func layoutPrecision(layout string) tahqiq.Precision {
	switch {
	case strings.Contains(layout, "05"):
		return tahqiq.PrecisionSecond
	case strings.Contains(layout, "04"):
		return tahqiq.PrecisionMinute
	}
	return tahqiq.PrecisionDay
}
