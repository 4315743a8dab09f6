// Package targets turns the mentions, replies and quotes aimed at a
// watchlist of accounts (returning officers, the election commission,
// journalists) into a targeting view: who interacts with each watched
// account, in which hourly bursts, with which narratives, and which of the
// accounts that do it act together (co-reply: replies to the same post,
// co-mention: interactions with the same watched account, within a
// window), with the posts as evidence.
//
// These are interactions with their parameters, not attacks and not a
// verdict on anyone: results day brings organic bursts, busy accounts
// bring chance co-mentions, and repliers are private persons. See
// docs/narratives.md. The package reads what it is given and writes only
// the run directory it is asked to.
package targets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Entry is one watched account.
type Entry struct {
	Account string   `json:"account"`           // as given
	Handle  string   `json:"handle,omitempty"`  // normalised (textnorm.Mention), when given as a handle
	ID      string   `json:"id,omitempty"`      // platform id, when given as one (digits, or PLATFORM:ID)
	Label   string   `json:"label,omitempty"`   // e.g. "RO NA-56", "ECP"
	Aliases []string `json:"aliases,omitempty"` // names in any script, folded: matched in text as weaker "name" events
}

// Watchlist is a parsed watchlist.
type Watchlist struct {
	Entries  []Entry
	byHandle map[string]int
	byID     map[string]int
}

// Lookup returns the entry of an account given by id (platform id or
// UID) or handle, or -1.
func (w *Watchlist) Lookup(id, handle string) int {
	if id != "" {
		if i, ok := w.byID[id]; ok {
			return i
		}
		if _, pid, ok := strings.Cut(id, ":"); ok {
			if i, ok := w.byID[pid]; ok {
				return i
			}
		}
	}
	if handle != "" {
		if i, ok := w.byHandle[textnorm.Mention(handle)]; ok {
			return i
		}
	}
	return -1
}

// ParseWatchlist reads a watchlist: one handle (with or without '@') or id
// per line, '#' starting a comment; or a CSV whose header names an
// "account" column, with optional "label" and "aliases" (';'-separated
// names) columns. An id is digits or PLATFORM:ID. A line it cannot read
// is rejected with its number; an entry given twice is rejected too.
func ParseWatchlist(data []byte, file string) (*Watchlist, []tahqiq.Reject, error) {
	w := &Watchlist{byHandle: map[string]int{}, byID: map[string]int{}}
	var rejects []tahqiq.Reject
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first := firstLine(data)
	add := func(line int64, account, label, aliases string) {
		account = strings.TrimSpace(account)
		if account == "" {
			return
		}
		e := Entry{Account: account, Label: strings.TrimSpace(label)}
		a := strings.TrimLeft(account, "@＠")
		switch {
		case isDigits(a):
			e.ID = a
		case strings.Contains(a, ":") && isDigits(a[strings.Index(a, ":")+1:]):
			e.ID = a
		case validHandle(a):
			e.Handle = textnorm.Mention(a)
		default:
			rejects = append(rejects, tahqiq.Reject{File: file, Line: line, Reason: fmt.Sprintf("%q is neither a handle (letters, digits, '_') nor an id (digits, or PLATFORM:ID)", account)})
			return
		}
		for _, al := range strings.Split(aliases, ";") {
			if al = textnorm.Fold(strings.TrimSpace(al)); al != "" {
				e.Aliases = append(e.Aliases, al)
			}
		}
		key, m := e.Handle, w.byHandle
		if e.ID != "" {
			key, m = e.ID, w.byID
		}
		if _, dup := m[key]; dup {
			rejects = append(rejects, tahqiq.Reject{File: file, Line: line, Reason: fmt.Sprintf("%s is listed twice", account)})
			return
		}
		m[key] = len(w.Entries)
		if e.ID != "" {
			if _, pid, ok := strings.Cut(e.ID, ":"); ok {
				if _, dup := w.byID[pid]; !dup {
					w.byID[pid] = len(w.Entries)
				}
			}
		}
		w.Entries = append(w.Entries, e)
	}
	if h := strings.ToLower(first); strings.Contains(h, ",") && (strings.HasPrefix(h, "account,") || strings.Contains(h, ",account")) || h == "account" {
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		r.Comment = '#'
		head, err := r.Read()
		if err != nil {
			return nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: %v", file, err)
		}
		col := map[string]int{}
		for i, h := range head {
			col[strings.ToLower(strings.TrimSpace(h))] = i
		}
		get := func(rec []string, k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				line := 0
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					line = pe.StartLine
				}
				rejects = append(rejects, tahqiq.Reject{File: file, Line: int64(line), Reason: fmt.Sprintf("not CSV: %v", err)})
				if errors.As(err, &pe) && pe.Err == csv.ErrQuote {
					break // a broken quote swallows the rest
				}
				continue
			}
			line, _ := r.FieldPos(0)
			add(int64(line), get(rec, "account"), get(rec, "label"), get(rec, "aliases"))
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		line := int64(0)
		for sc.Scan() {
			line++
			s := sc.Text()
			if i := strings.IndexByte(s, '#'); i >= 0 {
				s = s[:i]
			}
			s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), ",;"))
			if s == "" {
				continue
			}
			if strings.ContainsAny(s, " \t") {
				rejects = append(rejects, tahqiq.Reject{File: file, Line: line, Reason: fmt.Sprintf("%q: one handle or id per line (a CSV needs an account,label header)", s)})
				continue
			}
			add(line, s, "", "")
		}
		if err := sc.Err(); err != nil {
			return nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: %v", file, err)
		}
	}
	if len(w.Entries) == 0 {
		return nil, rejects, tahqiq.Errorf(tahqiq.EINVALID, "%s: no account to watch", file)
	}
	return w, rejects, nil
}

func firstLine(data []byte) string {
	for _, l := range strings.Split(string(data[:min(len(data), 4096)]), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validHandle(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
