package signals

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Filter is one condition on a column: COLUMN OP VALUE, with OP one of
// = != < <= > >= (numbers, times, text) or ~ (text contains, case
// ignored; a list matches when one of its items does). A cell the data
// leaves empty matches only COLUMN= (nothing after the operator).
type Filter struct {
	Column Column
	Op     string
	Value  string
	num    float64
	when   time.Time
}

var ops = []string{">=", "<=", "!=", "=", "<", ">", "~"}

// ParseFilter reads a condition such as "posts_per_day>=20",
// "default_handle=true", "created_at>=2024-01-01" or "clients~android".
// The error names what is wrong in the user's terms.
func ParseFilter(s string) (Filter, error) {
	at, op := -1, ""
	for i := 0; i < len(s) && at < 0; i++ {
		for _, o := range ops {
			if strings.HasPrefix(s[i:], o) {
				at, op = i, o
				break
			}
		}
	}
	if at < 0 {
		return Filter{}, fmt.Errorf("filter %q: want COLUMN OP VALUE with OP one of = != < <= > >= ~, e.g. posts_per_day>=20", s)
	}
	name, val := strings.TrimSpace(s[:at]), strings.TrimSpace(s[at+len(op):])
	c, ok := ColumnByName(name)
	if !ok {
		return Filter{}, fmt.Errorf("filter %q: no signal %q (the signals: %s)", s, name, strings.Join(Header(), ", "))
	}
	f := Filter{Column: c, Op: op, Value: val}
	if val == "" {
		if op != "=" && op != "!=" {
			return f, fmt.Errorf("filter %q: no value after %s", s, op)
		}
		return f, nil
	}
	switch c.Kind {
	case Number:
		if op == "~" {
			return f, fmt.Errorf("filter %q: %s is a number: use = != < <= > >=", s, name)
		}
		x, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return f, fmt.Errorf("filter %q: %q is not a number", s, val)
		}
		f.num = x
	case Bool:
		if op != "=" && op != "!=" {
			return f, fmt.Errorf("filter %q: %s is true or false: use = or !=", s, name)
		}
		b, err := strconv.ParseBool(val)
		if err != nil {
			return f, fmt.Errorf("filter %q: %q is not true or false", s, val)
		}
		f.Value = strconv.FormatBool(b)
	case Time:
		if op == "~" {
			return f, fmt.Errorf("filter %q: %s is a time: use = != < <= > >=", s, name)
		}
		t, err := time.Parse(time.RFC3339, val)
		if err != nil {
			if t, err = time.Parse("2006-01-02", val); err != nil {
				return f, fmt.Errorf("filter %q: %q is not a date (YYYY-MM-DD) or an RFC 3339 time", s, val)
			}
		}
		f.when = t
	}
	return f, nil
}

// Match reports whether r meets the condition.
func (f Filter) Match(r *Row) bool {
	v := f.Column.Value(r)
	if f.Value == "" {
		return (v == "") == (f.Op == "=")
	}
	if v == "" {
		return false
	}
	switch f.Column.Kind {
	case Number:
		x, err := strconv.ParseFloat(v, 64)
		return err == nil && compare(cmpFloat(x, f.num), f.Op)
	case Time:
		t, err := time.Parse(time.RFC3339, v)
		return err == nil && compare(t.Compare(f.when), f.Op)
	case Bool:
		return compare(strings.Compare(v, f.Value), f.Op)
	}
	if f.Op == "~" {
		return strings.Contains(strings.ToLower(v), strings.ToLower(f.Value))
	}
	if f.Op == "=" || f.Op == "!=" {
		if f.Column.Name == "handles" || f.Column.Name == "names" || f.Column.Name == "clients" {
			in := false
			for _, item := range strings.Split(v, ";") {
				if f.Column.Name == "clients" {
					item = item[:max(strings.LastIndexByte(item, ':'), 0)]
				}
				if strings.EqualFold(item, f.Value) {
					in = true
				}
			}
			return in == (f.Op == "=")
		}
	}
	return compare(strings.Compare(v, f.Value), f.Op)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c int, op string) bool {
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// Filters are conditions that must all hold.
type Filters []Filter

// ParseFilters reads every condition.
func ParseFilters(ss []string) (Filters, error) {
	var out Filters
	for _, s := range ss {
		f, err := ParseFilter(s)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Match reports whether r meets every condition.
func (fs Filters) Match(r *Row) bool {
	for _, f := range fs {
		if !f.Match(r) {
			return false
		}
	}
	return true
}
