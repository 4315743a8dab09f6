// Package xv1 imports legacy X/Twitter API v1.1 JSON: a single status, an
// array of statuses, a search envelope {statuses[], search_metadata}, or
// streaming JSON Lines (whose delete and limit notices are kept as records
// of their own). Ids come from id_str only; text is HTML-unescaped with the
// entity offsets moved to match; reposted and quoted statuses embedded in a
// status become posts of their own.
package xv1

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/jsonstream"
)

// Format is the format name.
const Format = "x_v1_json"

// Sniff recognises v1.1 JSON by its id_str and created_at keys.
func Sniff(head []byte) (string, bool) {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(h) == 0 || (h[0] != '{' && h[0] != '[') {
		return "", false
	}
	if bytes.Contains(h, []byte(`"id_str"`)) && (bytes.Contains(h, []byte(`"created_at"`)) || bytes.Contains(h, []byte(`"statuses"`))) {
		return Format, true
	}
	return "", false
}

// Parse parses src, emitting one record per status or notice.
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	n := 0
	err := jsonstream.Each(src.R, jsonstream.Options{Descend: []string{"statuses"}}, func(v jsonstream.Value) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		loc := fmt.Sprintf("L%d", v.Line)
		if v.Pointer != "" {
			loc += "#" + v.Pointer
		}
		p := &tahqiq.Parsed{Record: tahqiq.RawRecord{Format: Format, SourceFile: src.Name, Line: v.Line, Offset: v.Offset,
			Locator: loc, Raw: v.Raw, SHA256: sha256.Sum256(v.Raw)}}
		if v.Err != nil {
			p.Reject = v.Err.Error()
		} else if err := parseValue(p); err != nil {
			p.Reject = err.Error()
			p.Posts, p.Accounts = nil, nil
		}
		return emit(p)
	})
	if err != nil {
		if se, ok := err.(*jsonstream.StructuralError); ok {
			return tahqiq.Errorf(tahqiq.EINVALID, "not valid JSON at line %d: %v", se.Line, se.Err)
		}
		return err
	}
	if n == 0 {
		return tahqiq.Errorf(tahqiq.EINVALID, "empty input")
	}
	return nil
}

type entities struct {
	Hashtags []struct {
		Text    string `json:"text"`
		Indices []int  `json:"indices"`
	} `json:"hashtags"`
	URLs []struct {
		URL         string `json:"url"`
		ExpandedURL string `json:"expanded_url"`
		Indices     []int  `json:"indices"`
	} `json:"urls"`
	UserMentions []struct {
		ScreenName string `json:"screen_name"`
		IDStr      string `json:"id_str"`
		Indices    []int  `json:"indices"`
	} `json:"user_mentions"`
	Media []struct {
		IDStr         string `json:"id_str"`
		Type          string `json:"type"`
		MediaURLHTTPS string `json:"media_url_https"`
	} `json:"media"`
}

type user struct {
	IDStr          string `json:"id_str"`
	ScreenName     string `json:"screen_name"`
	Name           string `json:"name"`
	Description    string `json:"description"`
	Location       string `json:"location"`
	CreatedAt      string `json:"created_at"`
	FollowersCount *int64 `json:"followers_count"`
	FriendsCount   *int64 `json:"friends_count"`
	StatusesCount  *int64 `json:"statuses_count"`
	Verified       bool   `json:"verified"`
}

type status struct {
	IDStr                string          `json:"id_str"`
	ID                   json.RawMessage `json:"id"`
	CreatedAt            string          `json:"created_at"`
	Text                 *string         `json:"text"`
	FullText             *string         `json:"full_text"`
	Lang                 string          `json:"lang"`
	User                 *user           `json:"user"`
	Entities             entities        `json:"entities"`
	ExtendedEntities     *entities       `json:"extended_entities"`
	InReplyToStatusIDStr string          `json:"in_reply_to_status_id_str"`
	InReplyToUserIDStr   string          `json:"in_reply_to_user_id_str"`
	InReplyToScreenName  string          `json:"in_reply_to_screen_name"`
	QuotedStatus         *status         `json:"quoted_status"`
	RetweetedStatus      *status         `json:"retweeted_status"`
	RetweetCount         *int64          `json:"retweet_count"`
	FavoriteCount        *int64          `json:"favorite_count"`
	ReplyCount           *int64          `json:"reply_count"`
	QuoteCount           *int64          `json:"quote_count"`
	ExtendedTweet        *struct {
		FullText         string    `json:"full_text"`
		Entities         entities  `json:"entities"`
		ExtendedEntities *entities `json:"extended_entities"`
	} `json:"extended_tweet"`
	Delete json.RawMessage `json:"delete"`
	Limit  json.RawMessage `json:"limit"`
}

func parseValue(p *tahqiq.Parsed) error {
	var s status
	if err := json.Unmarshal(p.Record.Raw, &s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("not a v1.1 status: %v", err)
		}
		return jsonstream.Explain(p.Record.Raw, err)
	}
	if s.Delete != nil || s.Limit != nil {
		p.Record.Kind = tahqiq.RecordOther // stream notices are kept, not interpreted
		return nil
	}
	p.Record.Kind = tahqiq.RecordPost
	seen := map[string]bool{}
	return addStatus(p, &s, seen)
}

var createdLayout = "Mon Jan 02 15:04:05 -0700 2006"

// addStatus adds s, and the statuses it embeds, as posts of p.
func addStatus(p *tahqiq.Parsed, s *status, seen map[string]bool) error {
	if s.IDStr == "" {
		if len(s.ID) > 0 {
			return fmt.Errorf("status has a numeric id %s but no id_str; numeric ids lose precision and are never used", s.ID)
		}
		return fmt.Errorf("status has no id_str")
	}
	if err := checkID(s.IDStr); err != nil {
		return fmt.Errorf("id_str: %v", err)
	}
	if seen[s.IDStr] {
		return nil
	}
	seen[s.IDStr] = true
	if s.User == nil || s.User.IDStr == "" {
		return fmt.Errorf("status %s has no user.id_str", s.IDStr)
	}
	created, err := time.Parse(createdLayout, s.CreatedAt)
	if err != nil {
		return fmt.Errorf("status %s created_at %q: want %q", s.IDStr, s.CreatedAt, createdLayout)
	}
	text, ents := s.bestText()
	plain, pos := unescape(text)
	post := tahqiq.Post{
		UID: "x:" + s.IDStr, Platform: tahqiq.PlatformX, PlatformID: s.IDStr, AuthorUID: "x:" + s.User.IDStr,
		URL:  "https://x.com/" + s.User.ScreenName + "/status/" + s.IDStr,
		Kind: tahqiq.KindOriginal, CreatedAt: created.UTC(), CreatedAtRaw: s.CreatedAt, Precision: tahqiq.PrecisionSecond,
		Text: plain, Lang: s.Lang, Metrics: s.metrics(),
	}
	runes := []rune(plain)
	for _, h := range ents.Hashtags {
		a, b := span(h.Indices, pos)
		a, b = checked(a, b, runes, '#', '＃')
		post.Hashtags = append(post.Hashtags, tahqiq.Entity{Text: h.Text, Start: a, End: b})
	}
	for _, m := range ents.UserMentions {
		a, b := span(m.Indices, pos)
		a, b = checked(a, b, runes, '@', '＠')
		post.Mentions = append(post.Mentions, tahqiq.Entity{Text: m.ScreenName, ID: m.IDStr, Start: a, End: b})
	}
	for _, u := range ents.URLs {
		a, b := span(u.Indices, pos)
		post.Links = append(post.Links, tahqiq.Link{URL: u.URL, Expanded: u.ExpandedURL, Start: a, End: b})
	}
	media := ents.Media
	if x := s.extendedEntities(); x != nil {
		media = x.Media
	}
	for _, m := range media {
		post.Media = append(post.Media, tahqiq.Media{Type: m.Type, Key: m.IDStr, URL: m.MediaURLHTTPS})
	}
	if s.InReplyToStatusIDStr != "" {
		post.Kind = tahqiq.KindReply
		post.References = append(post.References, tahqiq.Reference{Type: tahqiq.RefReplyTo, TargetID: s.InReplyToStatusIDStr,
			TargetUID: "x:" + s.InReplyToStatusIDStr, TargetAccountID: s.InReplyToUserIDStr, TargetAccount: s.InReplyToScreenName})
	}
	if q := s.QuotedStatus; q != nil && q.IDStr != "" {
		post.Kind = tahqiq.KindQuote
		post.References = append(post.References, ref(tahqiq.RefQuoteOf, q))
	}
	if r := s.RetweetedStatus; r != nil && r.IDStr != "" {
		post.Kind = tahqiq.KindRepost
		post.References = []tahqiq.Reference{ref(tahqiq.RefRetweetOf, r)}
		full, _ := r.bestText()
		post.TextFull, _ = unescape(full)
	}
	p.Posts = append(p.Posts, post)
	p.Accounts = append(p.Accounts, s.User.account())
	// Embedded statuses become posts when they are complete; the API trims
	// some (a quoted status inside a retweet may come without its user),
	// and those stay references only.
	for _, inner := range []*status{s.RetweetedStatus, s.QuotedStatus} {
		if inner == nil || inner.IDStr == "" || inner.User == nil || inner.User.IDStr == "" {
			continue
		}
		if err := addStatus(p, inner, seen); err != nil {
			return fmt.Errorf("embedded status: %v", err)
		}
	}
	return nil
}

func ref(t tahqiq.RefType, s *status) tahqiq.Reference {
	r := tahqiq.Reference{Type: t, TargetID: s.IDStr, TargetUID: "x:" + s.IDStr}
	if s.User != nil {
		r.TargetAccountID, r.TargetAccount = s.User.IDStr, s.User.ScreenName
	}
	if c, err := time.Parse(createdLayout, s.CreatedAt); err == nil {
		r.TargetCreatedAt = c.Unix()
	}
	return r
}

// bestText returns the fullest text the status carries and its entities.
func (s *status) bestText() (string, entities) {
	switch {
	case s.ExtendedTweet != nil && s.ExtendedTweet.FullText != "":
		return s.ExtendedTweet.FullText, s.ExtendedTweet.Entities
	case s.FullText != nil:
		return *s.FullText, s.Entities
	case s.Text != nil:
		return *s.Text, s.Entities
	}
	return "", s.Entities
}

func (s *status) extendedEntities() *entities {
	if s.ExtendedTweet != nil && s.ExtendedTweet.ExtendedEntities != nil {
		return s.ExtendedTweet.ExtendedEntities
	}
	return s.ExtendedEntities
}

func (s *status) metrics() map[string]int64 {
	m := map[string]int64{}
	for name, v := range map[string]*int64{"reposts": s.RetweetCount, "likes": s.FavoriteCount, "replies": s.ReplyCount, "quotes": s.QuoteCount} {
		if v != nil {
			m[name] = *v
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func (u *user) account() tahqiq.Account {
	a := tahqiq.Account{UID: "x:" + u.IDStr, Platform: tahqiq.PlatformX, PlatformID: u.IDStr, Handle: u.ScreenName, Name: u.Name,
		Description: u.Description, Location: u.Location, Verified: u.Verified, Followers: -1, Following: -1, PostsCount: -1}
	if c, err := time.Parse(createdLayout, u.CreatedAt); err == nil {
		a.CreatedAt = c.UTC()
	}
	if u.FollowersCount != nil {
		a.Followers = *u.FollowersCount
	}
	if u.FriendsCount != nil {
		a.Following = *u.FriendsCount
	}
	if u.StatusesCount != nil {
		a.PostsCount = *u.StatusesCount
	}
	return a
}

// unescape undoes the HTML escaping of v1.1 text (&amp; &lt; &gt; &quot;
// &#39;) and returns, for every code-point offset of the escaped text, the
// offset in the unescaped one (pos has one more entry than the escaped
// text has code points).
func unescape(s string) (string, []int) {
	var b strings.Builder
	b.Grow(len(s))
	pos := make([]int, 0, len(s)+1)
	out := 0
	for i := 0; i < len(s); {
		if s[i] == '&' {
			matched := false
			for _, e := range [...]struct{ from, to string }{{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&#39;", "'"}} {
				if strings.HasPrefix(s[i:], e.from) {
					for range e.from {
						pos = append(pos, out)
					}
					b.WriteString(e.to)
					out++
					i += len(e.from)
					matched = true
					break
				}
			}
			if matched {
				continue
			}
		}
		r, size := rune(s[i]), 1
		if s[i] >= 0x80 {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		pos = append(pos, out)
		b.WriteRune(r)
		out++
		i += size
	}
	pos = append(pos, out)
	return b.String(), pos
}

// span maps v1.1 indices [start, end] (code points of the escaped text) to
// offsets in the unescaped text; (-1, -1) when they are missing or out of
// range.
func span(ind []int, pos []int) (int, int) {
	if len(ind) != 2 || ind[0] < 0 || ind[1] < ind[0] || ind[1] >= len(pos) {
		return -1, -1
	}
	return pos[ind[0]], pos[ind[1]]
}

// checked keeps an entity's offsets only when the text there starts with
// the entity's sign: a truncated retweet text ("RT @x: … #Vot…") keeps
// entities whose indices point past what is left.
func checked(a, b int, text []rune, signs ...rune) (int, int) {
	if a < 0 || b > len(text) || a >= b {
		return -1, -1
	}
	for _, s := range signs {
		if text[a] == s {
			return a, b
		}
	}
	return -1, -1
}

func checkID(s string) error {
	if s == "" {
		return fmt.Errorf("empty")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%q is not a digit string (a float-mangled id?); ids are never rounded", s)
		}
	}
	return nil
}
