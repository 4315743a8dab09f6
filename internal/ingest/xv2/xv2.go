// Package xv2 imports X/Twitter API v2 data as twarc2 writes it: JSON Lines
// of response pages (with includes), flattened tweets (`twarc2 flatten`),
// a JSON list of either, or a single tweet. Users-lookup pages, tweet-count
// pages and compliance results are recognised and kept as records of their
// own kind, never taken for tweets.
//
// Entity offsets are code points (as the v2 API counts them), ids are
// strings, and every input value is kept byte for byte.
package xv2

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/jsonstream"
)

// Format names.
const (
	FormatPages = "x_v2_twarc_jsonl" // response pages, a list of them, or flattened tweets
)

// Sniff recognises v2 data: JSON with v2 field names (author_id,
// edit_history_tweet_ids, tweet_count, __twarc, a users page) and none of
// v1.1's (id_str).
func Sniff(head []byte) (string, bool) {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(h) == 0 || (h[0] != '{' && h[0] != '[') {
		return "", false
	}
	if bytes.Contains(h, []byte(`"id_str"`)) {
		return "", false
	}
	for _, k := range []string{`"author_id"`, `"edit_history_tweet_ids"`, `"tweet_count"`, `"__twarc"`, `"conversation_id"`} {
		if bytes.Contains(h, []byte(k)) {
			return FormatPages, true
		}
	}
	if bytes.Contains(h, []byte(`"data"`)) && bytes.Contains(h, []byte(`"username"`)) {
		return FormatPages, true // users lookup
	}
	if bytes.Contains(h, []byte(`"action"`)) && bytes.Contains(h, []byte(`"reason"`)) {
		return FormatPages, true // compliance results
	}
	return "", false
}

// Parse parses src and emits one record per input value (a page line, a
// flattened tweet, a list element).
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	n := 0
	err := jsonstream.Each(src.R, jsonstream.Options{}, func(v jsonstream.Value) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		p := &tahqiq.Parsed{Record: tahqiq.RawRecord{
			Format: FormatPages, SourceFile: src.Name, Line: v.Line, Offset: v.Offset,
			Locator: locator(v), Raw: v.Raw, SHA256: sha256.Sum256(v.Raw),
		}}
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

func locator(v jsonstream.Value) string {
	s := fmt.Sprintf("L%d", v.Line)
	if v.Pointer != "" {
		s += "#" + v.Pointer
	}
	return s
}

// value is the union of the shapes a value can take, decoded in one pass:
// a page (data, includes), a flattened or single tweet (the embedded tweet
// fields), or a compliance result (action).
type value struct {
	tweet
	Data     dataItems `json:"data"`
	Includes includes  `json:"includes"`
	Action   string    `json:"action"`
}

// dataItems is a page's data: an array, or a single object (filtered
// stream).
type dataItems []dataItem

func (d *dataItems) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]dataItem)(d))
	}
	if string(b) == "null" {
		return nil
	}
	*d = make([]dataItem, 1)
	return json.Unmarshal(b, &(*d)[0])
}

type includes struct {
	Users  []user  `json:"users"`
	Tweets []tweet `json:"tweets"`
	Media  []media `json:"media"`
}

type user struct {
	ID            json.RawMessage  `json:"id"`
	Username      string           `json:"username"`
	Name          string           `json:"name"`
	Description   string           `json:"description"`
	Location      string           `json:"location"`
	CreatedAt     string           `json:"created_at"`
	Verified      bool             `json:"verified"`
	PublicMetrics map[string]int64 `json:"public_metrics"`
}

type media struct {
	MediaKey        string `json:"media_key"`
	Type            string `json:"type"`
	URL             string `json:"url"`
	PreviewImageURL string `json:"preview_image_url"`
}

type entityTag struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Tag      string `json:"tag"`
	Username string `json:"username"`
	ID       string `json:"id"`
}

type entityURL struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	URL         string `json:"url"`
	ExpandedURL string `json:"expanded_url"`
	UnwoundURL  string `json:"unwound_url"`
	MediaKey    string `json:"media_key"`
}

type tweet struct {
	ID               json.RawMessage `json:"id"`
	Type             string          `json:"type"` // in a flattened referenced_tweets entry
	Text             string          `json:"text"`
	AuthorID         string          `json:"author_id"`
	CreatedAt        string          `json:"created_at"`
	ConversationID   string          `json:"conversation_id"`
	Lang             string          `json:"lang"`
	InReplyToUserID  string          `json:"in_reply_to_user_id"`
	ReferencedTweets []tweet         `json:"referenced_tweets"`
	Entities         struct {
		Hashtags []entityTag `json:"hashtags"`
		Mentions []entityTag `json:"mentions"`
		URLs     []entityURL `json:"urls"`
	} `json:"entities"`
	Attachments struct {
		MediaKeys []string `json:"media_keys"`
		Media     []media  `json:"media"` // flattened
	} `json:"attachments"`
	PublicMetrics map[string]int64 `json:"public_metrics"`
	Author        *user            `json:"author"` // flattened
	Twarc         *struct {
		RetrievedAt string `json:"retrieved_at"`
	} `json:"__twarc"`
}

// dataItem is one element of a page's data: a tweet, a user or a count.
type dataItem struct {
	tweet
	Text        *string         `json:"text"`
	Username    *string         `json:"username"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Location    string          `json:"location"`
	Verified    bool            `json:"verified"`
	TweetCount  json.RawMessage `json:"tweet_count"`
}

func parseValue(p *tahqiq.Parsed) error {
	var v value
	if err := json.Unmarshal(p.Record.Raw, &v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("not a v2 object: %v", err)
		}
		return jsonstream.Explain(p.Record.Raw, err)
	}
	if v.Twarc != nil {
		p.Record.CollectedAt = parseTime(v.Twarc.RetrievedAt)
	}
	c := newCtx(p, v.Includes)
	switch {
	case len(v.Data) > 0:
		return c.page(v.Data)
	case len(v.ID) > 0 && v.Action == "":
		return c.flatTweet(&v.tweet)
	case v.Action != "":
		p.Record.Kind = tahqiq.RecordCompliance
		return nil
	}
	return fmt.Errorf("not a v2 page, tweet or compliance result (no data, id/text or action)")
}

// ctx resolves a page's includes.
type parseCtx struct {
	p      *tahqiq.Parsed
	users  map[string]*user
	tweets map[string]*tweet
	media  map[string]*media
	posts  map[string]bool
	accts  map[string]bool
}

func newCtx(p *tahqiq.Parsed, inc includes) *parseCtx {
	c := &parseCtx{p: p, users: map[string]*user{}, tweets: map[string]*tweet{}, media: map[string]*media{}, posts: map[string]bool{}, accts: map[string]bool{}}
	for i := range inc.Users {
		if id, err := idString(inc.Users[i].ID); err == nil {
			c.users[id] = &inc.Users[i]
		}
	}
	for i := range inc.Tweets {
		if id, err := idString(inc.Tweets[i].ID); err == nil {
			c.tweets[id] = &inc.Tweets[i]
		}
	}
	for i := range inc.Media {
		c.media[inc.Media[i].MediaKey] = &inc.Media[i]
	}
	return c
}

func (c *parseCtx) page(items dataItems) error {
	var kinds = map[tahqiq.RecordKind]bool{}
	for i := range items {
		it := &items[i]
		switch {
		case it.Text != nil:
			it.tweet.Text = *it.Text
			if err := c.tweet(&it.tweet, true); err != nil {
				return fmt.Errorf("data[%d]: %v", i, err)
			}
			kinds[tahqiq.RecordPost] = true
		case it.Username != nil:
			u := user{ID: it.ID, Username: *it.Username, Name: it.Name, Description: it.Description, Location: it.Location,
				CreatedAt: it.CreatedAt, Verified: it.Verified, PublicMetrics: it.PublicMetrics}
			if err := c.account(&u); err != nil {
				return fmt.Errorf("data[%d]: %v", i, err)
			}
			kinds[tahqiq.RecordAccount] = true
		case it.TweetCount != nil:
			kinds[tahqiq.RecordCount] = true
		default:
			kinds[tahqiq.RecordOther] = true // lists, spaces and other endpoints: kept, not interpreted
		}
	}
	switch {
	case kinds[tahqiq.RecordPost]:
		c.p.Record.Kind = tahqiq.RecordPost
	case kinds[tahqiq.RecordAccount]:
		c.p.Record.Kind = tahqiq.RecordAccount
	case kinds[tahqiq.RecordCount]:
		c.p.Record.Kind = tahqiq.RecordCount
	default:
		c.p.Record.Kind = tahqiq.RecordOther
	}
	// Included users are accounts observed at collection time.
	for _, u := range c.users {
		if err := c.account(u); err != nil {
			return err
		}
	}
	return nil
}

// flatTweet handles a flattened or single tweet: its author and referenced
// tweets are embedded.
func (c *parseCtx) flatTweet(t *tweet) error {
	if t.Author != nil {
		if id, err := idString(t.Author.ID); err == nil {
			c.users[id] = t.Author
		}
	}
	for i := range t.ReferencedTweets {
		r := &t.ReferencedTweets[i]
		if r.Text == "" && r.AuthorID == "" {
			continue // twarc writes {} (or only type and id) when the expansion is missing
		}
		if id, err := idString(r.ID); err == nil {
			c.tweets[id] = r
			if r.Author != nil {
				if aid, err := idString(r.Author.ID); err == nil {
					c.users[aid] = r.Author
				}
			}
		}
	}
	for i := range t.Attachments.Media {
		c.media[t.Attachments.Media[i].MediaKey] = &t.Attachments.Media[i]
	}
	c.p.Record.Kind = tahqiq.RecordPost
	if err := c.tweet(t, true); err != nil {
		return err
	}
	for _, u := range c.users {
		if err := c.account(u); err != nil {
			return err
		}
	}
	return nil
}

// tweet adds t as a post and, when follow is set, the tweets it references
// that the data carries.
func (c *parseCtx) tweet(t *tweet, follow bool) error {
	id, err := idString(t.ID)
	if err != nil {
		return fmt.Errorf("tweet id: %v", err)
	}
	if c.posts[id] {
		if follow {
			return c.follow(t)
		}
		return nil
	}
	c.posts[id] = true
	if t.AuthorID == "" {
		return fmt.Errorf("tweet %s has no author_id", id)
	}
	if err := checkID(t.AuthorID); err != nil {
		return fmt.Errorf("tweet %s author_id: %v", id, err)
	}
	created, err := time.Parse(time.RFC3339Nano, t.CreatedAt)
	if err != nil {
		return fmt.Errorf("tweet %s created_at %q: not an RFC 3339 time", id, t.CreatedAt)
	}
	post := tahqiq.Post{
		UID: "x:" + id, Platform: tahqiq.PlatformX, PlatformID: id, AuthorUID: "x:" + t.AuthorID,
		Kind: tahqiq.KindOriginal, CreatedAt: created.UTC(), CreatedAtRaw: t.CreatedAt, Precision: tahqiq.PrecisionSecond,
		Text: t.Text, Lang: t.Lang, ThreadID: t.ConversationID, Metrics: metrics(t.PublicMetrics),
	}
	if u := c.users[t.AuthorID]; u != nil && u.Username != "" {
		post.URL = "https://x.com/" + u.Username + "/status/" + id
	} else {
		post.URL = "https://x.com/i/status/" + id
	}
	for _, r := range t.ReferencedTweets {
		rid, err := idString(r.ID)
		if err != nil {
			return fmt.Errorf("tweet %s referenced tweet id: %v", id, err)
		}
		ref := tahqiq.Reference{TargetID: rid, TargetUID: "x:" + rid}
		target := c.tweets[rid]
		if target != nil {
			ref.TargetAccountID = target.AuthorID
			if tc, err := time.Parse(time.RFC3339Nano, target.CreatedAt); err == nil {
				ref.TargetCreatedAt = tc.Unix()
			}
			if u := c.users[target.AuthorID]; u != nil {
				ref.TargetAccount = u.Username
			}
		}
		switch r.Type {
		case "retweeted":
			ref.Type = tahqiq.RefRetweetOf
			post.Kind = tahqiq.KindRepost
			if target != nil {
				post.TextFull = target.Text
			}
		case "quoted":
			ref.Type = tahqiq.RefQuoteOf
			if post.Kind == tahqiq.KindOriginal {
				post.Kind = tahqiq.KindQuote
			}
		case "replied_to":
			ref.Type = tahqiq.RefReplyTo
			if post.Kind == tahqiq.KindOriginal {
				post.Kind = tahqiq.KindReply
			}
			if ref.TargetAccountID == "" {
				ref.TargetAccountID = t.InReplyToUserID
			}
		default:
			continue
		}
		post.References = append(post.References, ref)
	}
	for _, h := range t.Entities.Hashtags {
		post.Hashtags = append(post.Hashtags, tahqiq.Entity{Text: h.Tag, Start: h.Start, End: h.End})
	}
	for _, m := range t.Entities.Mentions {
		post.Mentions = append(post.Mentions, tahqiq.Entity{Text: m.Username, ID: m.ID, Start: m.Start, End: m.End})
	}
	for _, u := range t.Entities.URLs {
		if u.MediaKey != "" {
			continue // the link to an attached picture is not a shared URL
		}
		exp := u.UnwoundURL
		if exp == "" {
			exp = u.ExpandedURL
		}
		post.Links = append(post.Links, tahqiq.Link{URL: u.URL, Expanded: exp, Start: u.Start, End: u.End})
	}
	for _, k := range t.Attachments.MediaKeys {
		m := tahqiq.Media{Key: k}
		if md := c.media[k]; md != nil {
			m.Type, m.URL = md.Type, md.URL
			if m.URL == "" {
				m.URL = md.PreviewImageURL
			}
		}
		post.Media = append(post.Media, m)
	}
	c.p.Posts = append(c.p.Posts, post)
	if follow {
		return c.follow(t)
	}
	return nil
}

// follow adds the tweets t references that the data carries.
func (c *parseCtx) follow(t *tweet) error {
	for _, r := range t.ReferencedTweets {
		rid, _ := idString(r.ID)
		if target := c.tweets[rid]; target != nil && len(target.ID) > 0 && target.AuthorID != "" {
			if err := c.tweet(target, false); err != nil {
				return fmt.Errorf("referenced tweet: %v", err)
			}
		}
	}
	return nil
}

func (c *parseCtx) account(u *user) error {
	id, err := idString(u.ID)
	if err != nil {
		return fmt.Errorf("user id: %v", err)
	}
	if c.accts[id] {
		return nil
	}
	c.accts[id] = true
	a := tahqiq.Account{UID: "x:" + id, Platform: tahqiq.PlatformX, PlatformID: id, Handle: u.Username, Name: u.Name,
		Description: u.Description, Location: u.Location, Verified: u.Verified,
		Followers: metric(u.PublicMetrics, "followers_count"), Following: metric(u.PublicMetrics, "following_count"),
		PostsCount: metric(u.PublicMetrics, "tweet_count")}
	a.CreatedAt = parseTime(u.CreatedAt)
	c.p.Accounts = append(c.p.Accounts, a)
	return nil
}

// metricNames maps v2 public_metrics to tahqiq's metric names.
var metricNames = map[string]string{
	"retweet_count": "reposts", "reply_count": "replies", "like_count": "likes", "quote_count": "quotes",
	"impression_count": "views", "bookmark_count": "bookmarks",
}

// metrics renames v2 public_metrics to tahqiq's metric names (unknown ones
// keep their name).
func metrics(m map[string]int64) map[string]int64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		if n, ok := metricNames[k]; ok {
			k = n
		}
		out[k] = v
	}
	return out
}

func metric(m map[string]int64, k string) int64 {
	if v, ok := m[k]; ok {
		return v
	}
	return -1
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// idString returns a JSON id as a string: ids must be JSON strings of
// digits; a number is accepted only when it is an exact integer literal.
func idString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", fmt.Errorf("missing")
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
	} else {
		s = string(raw)
	}
	return s, checkID(s)
}

// checkID rejects ids that are not plain digit strings, such as the
// float-mangled 9.06E+17 a spreadsheet leaves behind.
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
