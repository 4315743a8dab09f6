package xv2

import (
	"fmt"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/xtext"
)

// parseCtx resolves one record's includes (or a flattened tweet's embedded
// objects) and collects its posts and accounts, each once, in input order.
type parseCtx struct {
	p      *tahqiq.Parsed
	users  map[string]*item
	order  []*item // users in the order they were met
	tweets map[string]*item
	media  map[string]*media
	posts  map[string]bool
	accts  map[string]bool
	byName map[string]string // lower-cased username -> id, built on first use
}

func newCtx(p *tahqiq.Parsed, v *value) *parseCtx {
	c := &parseCtx{p: p, users: map[string]*item{}, tweets: map[string]*item{}, posts: map[string]bool{}, accts: map[string]bool{}}
	for i := range v.incUsers {
		c.addUser(&v.incUsers[i])
	}
	for i := range v.incTweets {
		if t := &v.incTweets[i]; checkID(t.id) == nil {
			c.tweets[t.id] = t
		}
	}
	if len(v.incMedia) > 0 {
		c.media = make(map[string]*media, len(v.incMedia))
		for i := range v.incMedia {
			c.media[v.incMedia[i].key] = &v.incMedia[i]
		}
	}
	return c
}

func (c *parseCtx) addUser(u *item) {
	if u == nil || checkID(u.id) != nil {
		return
	}
	if old, ok := c.users[u.id]; ok && (old.hasUsername || !u.hasUsername) {
		return
	}
	if _, ok := c.users[u.id]; !ok {
		c.order = append(c.order, u)
	}
	c.users[u.id] = u
}

func (c *parseCtx) page(items []item) error {
	var kinds = map[tahqiq.RecordKind]bool{}
	for i := range items {
		it := &items[i]
		switch {
		case it.hasText:
			if err := c.tweet(it, true); err != nil {
				return fmt.Errorf("data[%d]: %v", i, err)
			}
			kinds[tahqiq.RecordPost] = true
		case it.hasUsername:
			if err := c.account(it); err != nil {
				return fmt.Errorf("data[%d]: %v", i, err)
			}
			kinds[tahqiq.RecordAccount] = true
		case it.hasTweetCount:
			kinds[tahqiq.RecordCount] = true
		default:
			kinds[tahqiq.RecordOther] = true // lists, spaces and other endpoints: kept, not interpreted
		}
	}
	r := &c.p.Record
	switch {
	case kinds[tahqiq.RecordPost]:
		r.Kind = tahqiq.RecordPost
	case kinds[tahqiq.RecordAccount]:
		r.Format, r.Kind = FormatUsers, tahqiq.RecordAccount
	case kinds[tahqiq.RecordCount]:
		r.Format, r.Kind = FormatCounts, tahqiq.RecordCount
	default:
		r.Kind = tahqiq.RecordOther
	}
	// Included users are accounts observed at collection time.
	return c.accounts()
}

// flatTweet handles a flattened or single tweet: its author, the users it
// mentions or answers and the tweets it references are embedded.
func (c *parseCtx) flatTweet(t *item) error {
	c.embedded(t)
	c.p.Record.Kind = tahqiq.RecordPost
	if err := c.tweet(t, true); err != nil {
		return err
	}
	return c.accounts()
}

// embedded registers the users, media and referenced tweets (expanded in
// turn, to any depth) that a flattened tweet carries.
func (c *parseCtx) embedded(t *item) {
	for i := range t.refs {
		r := &t.refs[i]
		if !r.hasText && r.authorID == "" {
			continue // twarc writes {} (or only type and id) when the expansion is missing
		}
		if _, seen := c.tweets[r.id]; !seen && checkID(r.id) == nil {
			c.tweets[r.id] = r
			c.embedded(r)
		}
	}
	c.addUser(t.author)
	c.addUser(t.inReplyToUser)
	for i := range t.mentions {
		c.addUser(t.mentions[i].user)
	}
	if len(t.media) > 0 && c.media == nil {
		c.media = map[string]*media{}
	}
	for i := range t.media {
		c.media[t.media[i].key] = &t.media[i]
	}
}

func (c *parseCtx) accounts() error {
	for _, u := range c.order {
		if err := c.account(u); err != nil {
			return err
		}
	}
	return nil
}

// tweet adds t as a post and, when follow is set, the tweets it references
// that the data carries.
func (c *parseCtx) tweet(t *item, follow bool) error {
	id := t.id
	if err := checkID(id); err != nil {
		return fmt.Errorf("tweet id: %v", err)
	}
	if c.posts[id] {
		if follow {
			return c.follow(t)
		}
		return nil
	}
	c.posts[id] = true
	if t.authorID == "" {
		return fmt.Errorf("tweet %s has no author_id", id)
	}
	if err := checkID(t.authorID); err != nil {
		return fmt.Errorf("tweet %s author_id: %v", id, err)
	}
	created, err := time.Parse(time.RFC3339Nano, t.createdAt)
	if err != nil {
		return fmt.Errorf("tweet %s created_at %q: not an RFC 3339 time", id, t.createdAt)
	}
	text := xtext.Unescape(t.text)
	post := tahqiq.Post{
		UID: "x:" + id, Platform: tahqiq.PlatformX, PlatformID: id, AuthorUID: "x:" + t.authorID,
		Kind: tahqiq.KindOriginal, CreatedAt: created.UTC(), CreatedAtRaw: t.createdAt, Precision: tahqiq.PrecisionSecond,
		Text: text.Plain, Lang: t.lang, ThreadID: t.conversationID, Metrics: metrics(t.metrics),
	}
	if t.noteText != "" {
		if full := xtext.Unescape(t.noteText).Plain; full != post.Text {
			post.TextFull = full
		}
	}
	post.Client = t.source
	if u := c.users[t.authorID]; u != nil {
		post.Author = profile(u)
	}
	if u := c.users[t.authorID]; u != nil && u.username != "" {
		post.URL = "https://x.com/" + u.username + "/status/" + id
	} else {
		post.URL = "https://x.com/i/status/" + id
	}
	var retweet, quote, reply bool
	for i := range t.refs {
		r := &t.refs[i]
		rid := r.id
		if err := checkID(rid); err != nil {
			return fmt.Errorf("tweet %s referenced tweet id: %v", id, err)
		}
		ref := tahqiq.Reference{TargetID: rid, TargetUID: "x:" + rid}
		target := c.tweets[rid]
		if target != nil {
			ref.TargetAccountID = target.authorID
			if tc, err := time.Parse(time.RFC3339Nano, target.createdAt); err == nil {
				ref.TargetCreatedAt = tc.Unix()
			}
			if u := c.users[target.authorID]; u != nil {
				ref.TargetAccount = u.username
			}
		}
		switch r.typ {
		case "retweeted":
			ref.Type, retweet = tahqiq.RefRetweetOf, true
			if target != nil {
				full := target.noteText
				if full == "" {
					full = target.text
				}
				post.TextFull = xtext.Unescape(full).Plain
			}
		case "quoted":
			ref.Type, quote = tahqiq.RefQuoteOf, true
		case "replied_to":
			ref.Type, reply = tahqiq.RefReplyTo, true
			if ref.TargetAccountID == "" {
				ref.TargetAccountID = t.inReplyToUserID
			}
			if u := c.users[ref.TargetAccountID]; u != nil && ref.TargetAccount == "" {
				ref.TargetAccount = u.username
			}
		default:
			continue
		}
		post.References = append(post.References, ref)
	}
	// One kind per post, whatever the order of referenced_tweets: a
	// retweet of a reply is a repost, a quoting reply is a quote (as the
	// v1.1 importer decides).
	switch {
	case retweet:
		post.Kind = tahqiq.KindRepost
	case quote:
		post.Kind = tahqiq.KindQuote
	case reply:
		post.Kind = tahqiq.KindReply
	}
	if len(t.hashtags) > 0 {
		post.Hashtags = make([]tahqiq.Entity, 0, len(t.hashtags))
	}
	for _, h := range t.hashtags {
		a, b := text.Span(h.start, h.end, '#', '＃')
		post.Hashtags = append(post.Hashtags, tahqiq.Entity{Text: h.tag, Start: a, End: b})
	}
	if len(t.mentions) > 0 {
		post.Mentions = make([]tahqiq.Entity, 0, len(t.mentions))
	}
	for i := range t.mentions {
		m := &t.mentions[i]
		a, b := text.Span(m.start, m.end, '@', '＠')
		mid := m.id
		if mid == "" {
			mid = c.userID(m.username) // pages resolve mentions through includes.users
		}
		post.Mentions = append(post.Mentions, tahqiq.Entity{Text: m.username, ID: mid, Start: a, End: b})
	}
	for _, u := range t.urls {
		if u.mediaKey != "" {
			continue // the link to an attached picture is not a shared URL
		}
		exp := u.unwound
		if exp == "" {
			exp = u.expanded
		}
		a, b := text.Span(u.start, u.end)
		post.Links = append(post.Links, tahqiq.Link{URL: u.url, Expanded: exp, Start: a, End: b})
	}
	for _, k := range t.mediaKeys {
		m := tahqiq.Media{Key: k}
		if md := c.media[k]; md != nil {
			m.Type, m.URL = md.typ, md.url
			if m.URL == "" {
				m.URL = md.preview
			}
		}
		post.Media = append(post.Media, m)
	}
	// A retweet whose original the data does not carry (deleted, protected,
	// withheld: an errors[] entry says which) still names its author in
	// its text, "RT @handle: ...", as the mention at offset 3.
	if retweet && len(post.Mentions) > 0 && post.Mentions[0].Start == 3 && strings.HasPrefix(post.Text, "RT @") {
		for i := range post.References {
			if r := &post.References[i]; r.Type == tahqiq.RefRetweetOf && r.TargetAccountID == "" && r.TargetAccount == "" {
				r.TargetAccount, r.TargetAccountID = post.Mentions[0].Text, post.Mentions[0].ID
			}
		}
	}
	c.p.Posts = append(c.p.Posts, post)
	if follow {
		return c.follow(t)
	}
	return nil
}

// userID returns the id of the known user with this username, or "".
func (c *parseCtx) userID(username string) string {
	if c.byName == nil {
		c.byName = make(map[string]string, len(c.order))
		for _, u := range c.order {
			if u.username != "" {
				c.byName[strings.ToLower(u.username)] = u.id
			}
		}
	}
	return c.byName[strings.ToLower(username)]
}

// follow adds the tweets t references that the data carries.
func (c *parseCtx) follow(t *item) error {
	for i := range t.refs {
		if target := c.tweets[t.refs[i].id]; target != nil && target.hasID && target.authorID != "" {
			if err := c.tweet(target, false); err != nil {
				return fmt.Errorf("referenced tweet: %v", err)
			}
		}
	}
	return nil
}

func (c *parseCtx) account(u *item) error {
	id := u.id
	if err := checkID(id); err != nil {
		return fmt.Errorf("user id: %v", err)
	}
	if c.accts[id] {
		return nil
	}
	c.accts[id] = true
	a := tahqiq.Account{UID: "x:" + id, Platform: tahqiq.PlatformX, PlatformID: id, Handle: u.username, Name: u.name,
		Description: u.description, Location: u.location, Verified: u.verified,
		Followers: metricValue(u.metrics, "followers_count"), Following: metricValue(u.metrics, "following_count"),
		PostsCount: metricValue(u.metrics, "tweet_count")}
	a.CreatedAt = parseTime(u.createdAt)
	c.p.Accounts = append(c.p.Accounts, a)
	return nil
}

// profile is what the record says of a user beside a post it wrote.
func profile(u *item) *tahqiq.Profile {
	a := tahqiq.Account{Handle: u.username, Name: u.name, Followers: metricValue(u.metrics, "followers_count"),
		Following: metricValue(u.metrics, "following_count"), PostsCount: metricValue(u.metrics, "tweet_count")}
	return a.Profile()
}

func metrics(ms []metric) map[string]int64 {
	if len(ms) == 0 {
		return nil
	}
	out := make(map[string]int64, len(ms))
	for _, m := range ms {
		out[m.name] = m.v
	}
	return out
}

// metricValue returns the named metric, or -1 when the source lacks it (no
// silent zeros).
func metricValue(ms []metric, name string) int64 {
	for _, m := range ms {
		if m.name == name {
			return m.v
		}
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

// checkID rejects ids that are not plain digit strings, such as the
// float-mangled 9.06E+17 a spreadsheet leaves behind.
func checkID(s string) error {
	if s == "" {
		return fmt.Errorf("missing")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%q is not a digit string (a float-mangled id?); ids are never rounded", s)
		}
	}
	return nil
}
