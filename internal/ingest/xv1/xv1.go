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
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/jsonlex"
	"github.com/tahqiq/tahqiq/internal/ingest/jsonstream"
	"github.com/tahqiq/tahqiq/internal/ingest/xtext"
)

// Format names: Format is the name detection and --format use, and the
// RawRecord.Format of statuses from a document or a plain JSON Lines file
// (twarc v1, Hydrator); FormatStream is that of records from the
// streaming API (lines with timestamp_ms, and its notices).
const (
	Format       = "x_v1_json"
	FormatStream = "x_v1_jsonl_stream"
)

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
	return jsonstream.Records(ctx, src, jsonstream.Options{Descend: []string{"statuses"}}, Format, emit, parseValue)
}

type entities struct {
	Hashtags     []hashtag
	URLs         []urlEntity
	UserMentions []mention
	Media        []mediaEntity
}

type hashtag struct {
	Text    string
	Indices []int
}

type urlEntity struct {
	URL         string
	ExpandedURL string
	Indices     []int
}

type mention struct {
	ScreenName string
	IDStr      string
	Indices    []int
}

type mediaEntity struct {
	IDStr         string
	Type          string
	MediaURLHTTPS string
}

type user struct {
	IDStr          string
	ScreenName     string
	Name           string
	Description    string
	Location       string
	CreatedAt      string
	FollowersCount *int64
	FriendsCount   *int64
	StatusesCount  *int64
	Verified       bool
}

type status struct {
	IDStr                string
	HasID                bool // a numeric id (never used)
	CreatedAt            string
	Text                 *string
	FullText             *string
	Lang                 string
	User                 *user
	Entities             entities
	ExtendedEntities     *entities
	InReplyToStatusIDStr string
	InReplyToUserIDStr   string
	InReplyToScreenName  string
	Source               string // the client, an HTML link: <a href="…">Twitter for iPhone</a>
	QuotedStatus         *status
	RetweetedStatus      *status
	RetweetCount         *int64
	FavoriteCount        *int64
	ReplyCount           *int64
	QuoteCount           *int64
	ExtendedTweet        *extendedTweet
	TimestampMS          string // streaming: when the stream sent it (ms)
	Notice               string // the key of a stream notice (delete, limit, ...)
}

type extendedTweet struct {
	FullText         string
	Entities         entities
	ExtendedEntities *entities
}

func parseValue(p *tahqiq.Parsed) error {
	s, err := decodeStatus(p.Record.Raw)
	if err != nil {
		var te *jsonlex.TypeError
		if errors.As(err, &te) {
			return fmt.Errorf("not a v1.1 status: %v", err)
		}
		return err
	}
	if s.TimestampMS != "" {
		p.Record.Format = FormatStream
		if ms, err := strconv.ParseInt(s.TimestampMS, 10, 64); err == nil {
			p.Record.CollectedAt = time.UnixMilli(ms).UTC()
		}
	}
	if s.IDStr == "" && !s.HasID {
		if s.Notice != "" {
			// Stream notices (delete, limit, scrub_geo, ...) are kept, not
			// interpreted.
			p.Record.Format, p.Record.Kind = FormatStream, tahqiq.RecordOther
			return nil
		}
	}
	p.Record.Kind = tahqiq.RecordPost
	d := dedupe{posts: map[string]bool{}, accounts: map[string]bool{}}
	return addStatus(p, s, d)
}

// noticeKeys are the members that name a v1.1 streaming notice, from the
// streaming message types of the v1.1 documentation.
var noticeKeys = []string{"delete", "limit", "scrub_geo", "status_withheld", "user_withheld", "disconnect", "warning",
	"friends", "friends_str", "event", "control", "for_user"}

// dedupe keeps one post and one account per id within a record (a
// self-retweet carries its author twice).
type dedupe struct {
	posts, accounts map[string]bool
}

var createdLayout = "Mon Jan 02 15:04:05 -0700 2006"

// addStatus adds s, and the statuses it embeds, as posts of p.
func addStatus(p *tahqiq.Parsed, s *status, d dedupe) error {
	if s.IDStr == "" {
		if s.HasID {
			return fmt.Errorf("status has a numeric id but no id_str; numeric ids lose precision and are never used")
		}
		return fmt.Errorf("status has no id_str")
	}
	if err := tahqiq.CheckID(s.IDStr); err != nil {
		return fmt.Errorf("id_str: %v", err)
	}
	if d.posts[s.IDStr] {
		return nil
	}
	d.posts[s.IDStr] = true
	if s.User == nil || s.User.IDStr == "" {
		return fmt.Errorf("status %s has no user.id_str", s.IDStr)
	}
	created, err := time.Parse(createdLayout, s.CreatedAt)
	if err != nil {
		return fmt.Errorf("status %s created_at %q: want %q", s.IDStr, s.CreatedAt, createdLayout)
	}
	raw, ents := s.bestText()
	text := xtext.Unescape(raw)
	post := tahqiq.Post{
		UID: "x:" + s.IDStr, Platform: tahqiq.PlatformX, PlatformID: s.IDStr, AuthorUID: "x:" + s.User.IDStr,
		URL:  "https://x.com/" + s.User.ScreenName + "/status/" + s.IDStr,
		Kind: tahqiq.KindOriginal, CreatedAt: created.UTC(), CreatedAtRaw: s.CreatedAt, Precision: tahqiq.PrecisionSecond,
		Text: text.Plain, Lang: s.Lang, Metrics: s.metrics(), Client: clientName(s.Source),
	}
	a := s.User.account()
	post.Author = a.Profile()
	for _, h := range ents.Hashtags {
		a, b := span(&text, h.Indices, '#', '＃')
		post.Hashtags = append(post.Hashtags, tahqiq.Entity{Text: h.Text, Start: a, End: b})
	}
	for _, m := range ents.UserMentions {
		a, b := span(&text, m.Indices, '@', '＠')
		post.Mentions = append(post.Mentions, tahqiq.Entity{Text: m.ScreenName, ID: m.IDStr, Start: a, End: b})
	}
	for _, u := range ents.URLs {
		a, b := span(&text, u.Indices)
		if text.Slice(a, b) != u.URL {
			a, b = -1, -1 // a retweet's text cut short: "https://t.co/Zn…"
		}
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
		post.TextFull = xtext.Unescape(full).Plain
	}
	p.Posts = append(p.Posts, post)
	if !d.accounts[s.User.IDStr] {
		d.accounts[s.User.IDStr] = true
		p.Accounts = append(p.Accounts, s.User.account())
	}
	// Embedded statuses become posts when they are complete; the API trims
	// some (a quoted status inside a retweet may come without its user),
	// and those stay references only.
	for _, inner := range []*status{s.RetweetedStatus, s.QuotedStatus} {
		if inner == nil || inner.IDStr == "" || inner.User == nil || inner.User.IDStr == "" {
			continue
		}
		if err := addStatus(p, inner, d); err != nil {
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

// clientName is the text of the link v1.1 gives as a status's source
// ("<a href=…>Twitter for iPhone</a>"), or the source as given when it is
// not a link ("web").
func clientName(src string) string {
	if i := strings.IndexByte(src, '>'); i >= 0 && strings.HasPrefix(src, "<a") {
		if j := strings.LastIndex(src, "</a>"); j > i {
			return strings.TrimSpace(html.UnescapeString(src[i+1 : j]))
		}
	}
	return strings.TrimSpace(src)
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

// span maps v1.1 indices [start, end] (code points of the escaped text) to
// offsets in the published text; (-1, -1) when they are missing, out of
// range, or (with signs) not on the entity's sign.
func span(t *xtext.Text, ind []int, signs ...rune) (int, int) {
	if len(ind) != 2 {
		return -1, -1
	}
	return t.Span(ind[0], ind[1], signs...)
}
