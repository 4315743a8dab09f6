package signals

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// NoClient is the value counted in clients for an account's posts that
// name no client, when some of its posts name one ("absent is a value").
const NoClient = "(none)"

// Row is the signals of one account. A nil pointer is a value the data
// does not give (an empty cell, null in JSON). CSV columns and JSON keys
// have the same names (Columns).
type Row struct {
	Account string `json:"account"`
	// Handle and Name are the profile's (the first record naming the
	// account), else the latest a post's record gives; they are not
	// signals (no column).
	Handle          string   `json:"handle"`
	Name            string   `json:"name"`
	CreatedAt       string   `json:"created_at"` // RFC 3339, "" unknown
	AgeFirstDays    *float64 `json:"age_first_days"`
	AgeLastDays     *float64 `json:"age_last_days"`
	PostsTotal      int64    `json:"posts_total"`
	TimedPosts      int64    `json:"timed_posts"`
	ActiveDays      int64    `json:"active_days"`
	PostsPerDay     *float64 `json:"posts_per_day"`
	MaxPosts1h      int64    `json:"max_posts_1h"`
	MaxPosts24h     int64    `json:"max_posts_24h"`
	RepostShare     float64  `json:"repost_share"`
	ReplyShare      float64  `json:"reply_share"`
	QuoteShare      float64  `json:"quote_share"`
	LinkShare       float64  `json:"link_share"`
	HourProfile     []int64  `json:"hour_profile"` // 24 counts, UTC hours 0-23
	HourEntropy     *float64 `json:"hour_entropy"`
	HourEntropyNorm *float64 `json:"hour_entropy_norm"`
	Burstiness      *float64 `json:"burstiness"`
	FastGapShare    *float64 `json:"fast_gap_share"`
	Clients         []Count  `json:"clients"`
	ClientTop       string   `json:"client_top"`
	ClientTopShare  *float64 `json:"client_top_share"`
	DefaultHandle   *bool    `json:"default_handle"`
	HandleDigits    *int64   `json:"handle_digits"`
	NameDigits      *int64   `json:"name_digits"`
	Followers       *int64   `json:"followers"`
	Following       *int64   `json:"following"`
	PostsCount      *int64   `json:"posts_count"`
	FollowRatio     *float64 `json:"follow_ratio"`
	FollowersMin    *int64   `json:"followers_min"`
	FollowersMax    *int64   `json:"followers_max"`
	Handles         []Seen   `json:"handles"`
	Renames         int64    `json:"renames"`
	Names           []Seen   `json:"names"`
	NameChanges     int64    `json:"name_changes"`
}

// Count is a value and how many posts have it.
type Count struct {
	Value string `json:"value"`
	N     int64  `json:"n"`
}

// Seen is a handle or a name of an account, with the first and last
// times a post's record gives it ("" when only a profile does) and the
// number of records that give it. A row read back from a CSV file has
// the values only.
type Seen struct {
	Value   string `json:"value"`
	First   string `json:"first,omitempty"`
	Last    string `json:"last,omitempty"`
	Records int64  `json:"records,omitempty"`
}

// Kind is the type of a column's values, for filters.
type Kind int

// Kinds of columns.
const (
	Number Kind = iota
	Bool
	Time
	Text // compared as text; a list matches when one of its items does
)

// Column is one signal: its name (the CSV column and the JSON key), its
// kind and its definition.
type Column struct {
	Name string
	Kind Kind
	Doc  string
	get  func(*Row) string
	set  func(*Row, string) error
}

// Columns lists every signal in the order of the CSV columns.
var Columns = []Column{
	{"created_at", Time, "account creation time, UTC (the profile of the first record naming the account)",
		func(r *Row) string { return r.CreatedAt }, func(r *Row, s string) error { r.CreatedAt = s; return nil }},
	{"age_first_days", Number, "days from created_at to the account's first post in the data", fget(func(r *Row) **float64 { return &r.AgeFirstDays }), fset(func(r *Row) **float64 { return &r.AgeFirstDays })},
	{"age_last_days", Number, "days from created_at to its last post in the data", fget(func(r *Row) **float64 { return &r.AgeLastDays }), fset(func(r *Row) **float64 { return &r.AgeLastDays })},
	{"posts_total", Number, "posts of the account in the data (each post once)", iget(func(r *Row) *int64 { return &r.PostsTotal }), iset(func(r *Row) *int64 { return &r.PostsTotal })},
	{"timed_posts", Number, "those of them with a time", iget(func(r *Row) *int64 { return &r.TimedPosts }), iset(func(r *Row) *int64 { return &r.TimedPosts })},
	{"active_days", Number, "distinct UTC days with a timed post", iget(func(r *Row) *int64 { return &r.ActiveDays }), iset(func(r *Row) *int64 { return &r.ActiveDays })},
	{"posts_per_day", Number, "timed_posts / active_days", fget(func(r *Row) **float64 { return &r.PostsPerDay }), fset(func(r *Row) **float64 { return &r.PostsPerDay })},
	{"max_posts_1h", Number, "the most timed posts within any 3,600 seconds", iget(func(r *Row) *int64 { return &r.MaxPosts1h }), iset(func(r *Row) *int64 { return &r.MaxPosts1h })},
	{"max_posts_24h", Number, "the most timed posts within any 86,400 seconds", iget(func(r *Row) *int64 { return &r.MaxPosts24h }), iset(func(r *Row) *int64 { return &r.MaxPosts24h })},
	{"repost_share", Number, "reposts (retweets, shares, forwards) / posts_total", pget(func(r *Row) *float64 { return &r.RepostShare }), pset(func(r *Row) *float64 { return &r.RepostShare })},
	{"reply_share", Number, "replies / posts_total", pget(func(r *Row) *float64 { return &r.ReplyShare }), pset(func(r *Row) *float64 { return &r.ReplyShare })},
	{"quote_share", Number, "quotes / posts_total", pget(func(r *Row) *float64 { return &r.QuoteShare }), pset(func(r *Row) *float64 { return &r.QuoteShare })},
	{"link_share", Number, "posts with at least one link / posts_total", pget(func(r *Row) *float64 { return &r.LinkShare }), pset(func(r *Row) *float64 { return &r.LinkShare })},
	{"hour_profile", Text, "timed posts per UTC hour of day, 24 counts from hour 0, ;-separated",
		func(r *Row) string { return joinInts(r.HourProfile) }, func(r *Row, s string) (err error) { r.HourProfile, err = splitInts(s); return err }},
	{"hour_entropy", Number, "Shannon entropy of hour_profile in bits (0: one hour, 4.585: even); empty under 30 timed posts", fget(func(r *Row) **float64 { return &r.HourEntropy }), fset(func(r *Row) **float64 { return &r.HourEntropy })},
	{"hour_entropy_norm", Number, "hour_entropy / log2(24), 0 to 1", fget(func(r *Row) **float64 { return &r.HourEntropyNorm }), fset(func(r *Row) **float64 { return &r.HourEntropyNorm })},
	{"burstiness", Number, "(σ − μ)/(σ + μ) of the gaps between consecutive timed posts (−1 regular, 0 random, 1 bursty); empty under 30 timed posts", fget(func(r *Row) **float64 { return &r.Burstiness }), fset(func(r *Row) **float64 { return &r.Burstiness })},
	{"fast_gap_share", Number, "share of those gaps under 60 seconds", fget(func(r *Row) **float64 { return &r.FastGapShare }), fset(func(r *Row) **float64 { return &r.FastGapShare })},
	{"clients", Text, "client:posts, most first, ;-separated (posts naming none as (none)); empty when the data names no client",
		func(r *Row) string { return joinCounts(r.Clients) }, func(r *Row, s string) (err error) { r.Clients, err = splitCounts(s); return err }},
	{"client_top", Text, "the named client of most posts", func(r *Row) string { return r.ClientTop }, func(r *Row, s string) error { r.ClientTop = s; return nil }},
	{"client_top_share", Number, "its posts / posts_total", fget(func(r *Row) **float64 { return &r.ClientTopShare }), fset(func(r *Row) **float64 { return &r.ClientTopShare })},
	{"default_handle", Bool, "the X handle is up to 7 letters or _ then 8 digits, the form X gives new accounts by default; empty off X or without a handle",
		func(r *Row) string {
			if r.DefaultHandle == nil {
				return ""
			}
			return strconv.FormatBool(*r.DefaultHandle)
		}, func(r *Row, s string) error {
			if s == "" {
				return nil
			}
			b, err := strconv.ParseBool(s)
			r.DefaultHandle = &b
			return err
		}},
	{"handle_digits", Number, "digits in the handle", nget(func(r *Row) **int64 { return &r.HandleDigits }), nset(func(r *Row) **int64 { return &r.HandleDigits })},
	{"name_digits", Number, "digits in the display name", nget(func(r *Row) **int64 { return &r.NameDigits }), nset(func(r *Row) **int64 { return &r.NameDigits })},
	{"followers", Number, "followers in the profile of the first record naming the account", nget(func(r *Row) **int64 { return &r.Followers }), nset(func(r *Row) **int64 { return &r.Followers })},
	{"following", Number, "accounts it follows, same record", nget(func(r *Row) **int64 { return &r.Following }), nset(func(r *Row) **int64 { return &r.Following })},
	{"posts_count", Number, "the platform's count of its posts, same record", nget(func(r *Row) **int64 { return &r.PostsCount }), nset(func(r *Row) **int64 { return &r.PostsCount })},
	{"follow_ratio", Number, "log10((followers + 1) / (following + 1))", fget(func(r *Row) **float64 { return &r.FollowRatio }), fset(func(r *Row) **float64 { return &r.FollowRatio })},
	{"followers_min", Number, "fewest followers any record gives (the profile, the author views of its posts)", nget(func(r *Row) **int64 { return &r.FollowersMin }), nset(func(r *Row) **int64 { return &r.FollowersMin })},
	{"followers_max", Number, "most followers any record gives", nget(func(r *Row) **int64 { return &r.FollowersMax }), nset(func(r *Row) **int64 { return &r.FollowersMax })},
	{"handles", Text, "distinct handles the records give the account id (profile, author views, mentions and references by id), first seen first, ;-separated",
		func(r *Row) string { return joinSeen(r.Handles) }, func(r *Row, s string) error { r.Handles = splitSeen(s); return nil }},
	{"renames", Number, "distinct handles − 1", iget(func(r *Row) *int64 { return &r.Renames }), iset(func(r *Row) *int64 { return &r.Renames })},
	{"names", Text, "distinct display names the records give, first seen first, ;-separated",
		func(r *Row) string { return joinSeen(r.Names) }, func(r *Row, s string) error { r.Names = splitSeen(s); return nil }},
	{"name_changes", Number, "distinct names − 1", iget(func(r *Row) *int64 { return &r.NameChanges }), iset(func(r *Row) *int64 { return &r.NameChanges })},
}

// Header returns the names of the columns, in order.
func Header() []string {
	h := make([]string, len(Columns))
	for i, c := range Columns {
		h[i] = c.Name
	}
	return h
}

// ColumnByName returns the column named name.
func ColumnByName(name string) (Column, bool) {
	for _, c := range Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Value returns the column's cell of r ("" for a nil r).
func (c Column) Value(r *Row) string {
	if r == nil {
		return ""
	}
	return c.get(r)
}

// AppendRecord appends the cells of r, one per column, to rec; a nil r
// (an account the run has no signals of) gives empty cells.
func (r *Row) AppendRecord(rec []string) []string {
	for _, c := range Columns {
		rec = append(rec, c.Value(r))
	}
	return rec
}

// ParseRecord reads the cells AppendRecord wrote; the error names the
// column. Handles and names keep their values only. Empty cells only (a
// nil Row's) give nil.
func ParseRecord(account string, cells []string) (*Row, error) {
	if len(cells) != len(Columns) {
		return nil, fmt.Errorf("%d signal columns, want %d", len(cells), len(Columns))
	}
	if !slices.ContainsFunc(cells, func(c string) bool { return c != "" }) {
		return nil, nil
	}
	r := &Row{Account: account}
	for i, c := range Columns {
		if err := c.set(r, cells[i]); err != nil {
			return nil, fmt.Errorf("column %s: %q: %v", c.Name, cells[i], err)
		}
	}
	return r, nil
}

func fmtF(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func fget(f func(*Row) **float64) func(*Row) string {
	return func(r *Row) string {
		if p := *f(r); p != nil {
			return fmtF(*p)
		}
		return ""
	}
}

func fset(f func(*Row) **float64) func(*Row, string) error {
	return func(r *Row, s string) error {
		if s == "" {
			return nil
		}
		x, err := strconv.ParseFloat(s, 64)
		*f(r) = &x
		return err
	}
}

func pget(f func(*Row) *float64) func(*Row) string {
	return func(r *Row) string { return fmtF(*f(r)) }
}

func pset(f func(*Row) *float64) func(*Row, string) error {
	return func(r *Row, s string) (err error) {
		*f(r), err = strconv.ParseFloat(s, 64)
		return err
	}
}

func iget(f func(*Row) *int64) func(*Row) string {
	return func(r *Row) string { return strconv.FormatInt(*f(r), 10) }
}

func iset(f func(*Row) *int64) func(*Row, string) error {
	return func(r *Row, s string) (err error) {
		*f(r), err = strconv.ParseInt(s, 10, 64)
		return err
	}
}

func nget(f func(*Row) **int64) func(*Row) string {
	return func(r *Row) string {
		if p := *f(r); p != nil {
			return strconv.FormatInt(*p, 10)
		}
		return ""
	}
}

func nset(f func(*Row) **int64) func(*Row, string) error {
	return func(r *Row, s string) error {
		if s == "" {
			return nil
		}
		x, err := strconv.ParseInt(s, 10, 64)
		*f(r) = &x
		return err
	}
}

func joinInts(xs []int64) string {
	if len(xs) == 0 {
		return ""
	}
	b := make([]byte, 0, 3*len(xs))
	for i, x := range xs {
		if i > 0 {
			b = append(b, ';')
		}
		b = strconv.AppendInt(b, x, 10)
	}
	return string(b)
}

func splitInts(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ";")
	out := make([]int64, len(parts))
	for i, p := range parts {
		x, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// cell makes a value safe inside a ;-separated cell.
func cell(s string) string { return strings.ReplaceAll(s, ";", ",") }

func joinCounts(cs []Count) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = cell(c.Value) + ":" + strconv.FormatInt(c.N, 10)
	}
	return strings.Join(parts, ";")
}

func splitCounts(s string) ([]Count, error) {
	if s == "" {
		return nil, nil
	}
	var out []Count
	for _, p := range strings.Split(s, ";") {
		i := strings.LastIndexByte(p, ':')
		if i < 0 {
			return nil, fmt.Errorf("%q is not client:posts", p)
		}
		n, err := strconv.ParseInt(p[i+1:], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not client:posts", p)
		}
		out = append(out, Count{Value: p[:i], N: n})
	}
	return out, nil
}

func joinSeen(ss []Seen) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = cell(s.Value)
	}
	return strings.Join(parts, ";")
}

func splitSeen(s string) []Seen {
	if s == "" {
		return nil
	}
	var out []Seen
	for _, p := range strings.Split(s, ";") {
		out = append(out, Seen{Value: p})
	}
	return out
}
