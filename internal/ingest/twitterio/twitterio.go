// Package twitterio imports Twitter's "Information Operations" transparency
// CSVs (Twitter Moderation Research Consortium releases, 2018-2022): tweets
// files (<campaign>_tweets_csv_hashed.csv and variants) and users files
// (<campaign>_users_csv_hashed.csv). Columns are mapped by header name, so
// both published column orders work. Every post and account is labelled
// twitter_io:<campaign>. It does not derive shares.
package twitterio

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/csvrow"
)

// Format names.
const (
	FormatTweets = "x_io_csv"
	FormatUsers  = "x_io_users_csv"
)

// LabelValue is the value of every twitter_io:<campaign> label: Twitter
// removed every account in an IO file as part of a state-linked operation.
const LabelValue = "state_linked_io"

var (
	tweetCols = []string{"tweetid", "userid", "tweet_text", "tweet_time"}
	userCols  = []string{"userid", "user_screen_name", "follower_count", "account_creation_date"}
)

// Sniff recognises a tweets or users file by its header names.
func Sniff(head []byte) (string, bool) {
	h := csvrow.HeaderFields(head)
	switch {
	case csvrow.HasColumns(h, tweetCols...):
		return FormatTweets, true
	case csvrow.HasColumns(h, userCols...) && !csvrow.HasColumns(h, "tweetid"):
		return FormatUsers, true
	}
	return "", false
}

// Campaign returns the campaign name of an IO file: the part of the base
// name before "_tweets_csv" or "_users_csv", or "" when the name has neither.
func Campaign(name string) string {
	base := filepath.Base(name)
	for _, m := range []string{"_tweets_csv", "_users_csv"} {
		if i := strings.Index(base, m); i > 0 {
			return base[:i]
		}
	}
	return ""
}

type cols struct {
	tweetID, userID, displayName, screenName, location, description, followers, following, created,
	lang, text, time, client, replyTo, replyToUser, quoted, isRetweet, rtUser, rtTweet, hashtags, urls, mentions int
	metrics [4]int
}

var metricNames = [4]string{"quotes", "replies", "likes", "reposts"}

// Parse reads a tweets or users file. Options: "campaign" names the
// campaign when the file name does not (default: from the file name, else
// "unknown").
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	r, err := csvrow.NewReader(src.R, src.Name)
	if err != nil {
		return err
	}
	format := FormatTweets
	if _, err := r.Require(tweetCols...); err != nil {
		if r.Index("tweetid") >= 0 || !csvrow.HasColumns(r.Header(), userCols...) {
			return err
		}
		format = FormatUsers
	}
	campaign := src.Options["campaign"]
	if campaign == "" {
		campaign = Campaign(src.Name)
	}
	if campaign == "" {
		campaign = "unknown"
	}
	label := tahqiq.Label{Scheme: "twitter_io:" + campaign, Value: LabelValue}
	c := cols{
		tweetID: r.Index("tweetid"), userID: r.Index("userid"), displayName: r.Index("user_display_name"),
		screenName: r.Index("user_screen_name"), location: r.Index("user_reported_location"),
		description: r.Index("user_profile_description"), followers: r.Index("follower_count"),
		following: r.Index("following_count"), created: r.Index("account_creation_date"),
		lang: r.Index("tweet_language"), text: r.Index("tweet_text"), time: r.Index("tweet_time"), client: r.Index("tweet_client_name"),
		replyTo: r.Index("in_reply_to_tweetid"), replyToUser: r.Index("in_reply_to_userid"),
		quoted: r.Index("quoted_tweet_tweetid"), isRetweet: r.Index("is_retweet"),
		rtUser: r.Index("retweet_userid"), rtTweet: r.Index("retweet_tweetid"),
		hashtags: r.Index("hashtags"), urls: r.Index("urls"), mentions: r.Index("user_mentions"),
		metrics: [4]int{r.Index("quote_count"), r.Index("reply_count"), r.Index("like_count"), r.Index("retweet_count")},
	}
	return csvrow.Each(ctx, r, format, src.Name, emit, func(p *tahqiq.Parsed, f []string) string {
		if format == FormatUsers {
			return c.user(p, f, label)
		}
		return c.tweet(p, f, label)
	})
}

func get(f []string, i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(f[i])
}

func (c *cols) account(f []string, label tahqiq.Label) (tahqiq.Account, string) {
	uid := get(f, c.userID)
	if uid == "" {
		return tahqiq.Account{}, "empty userid"
	}
	a := tahqiq.Account{
		UID: "x:" + uid, Platform: tahqiq.PlatformX, PlatformID: uid, Hashed: !isDigits(uid),
		Handle: get(f, c.screenName), Name: get(f, c.displayName), Location: get(f, c.location),
		Description: get(f, c.description),
		Followers:   count(get(f, c.followers)), Following: count(get(f, c.following)), PostsCount: -1,
		Labels: []tahqiq.Label{label},
	}
	if d := get(f, c.created); d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			return a, "account_creation_date " + strconv.Quote(d) + " is not YYYY-MM-DD"
		}
		a.CreatedAt = t
	}
	return a, ""
}

func (c *cols) user(p *tahqiq.Parsed, f []string, label tahqiq.Label) string {
	a, why := c.account(f, label)
	if why != "" {
		return why
	}
	p.Record.Kind = tahqiq.RecordAccount
	p.Accounts = []tahqiq.Account{a}
	return ""
}

func (c *cols) tweet(p *tahqiq.Parsed, f []string, label tahqiq.Label) string {
	id := get(f, c.tweetID)
	if !isDigits(id) {
		return "tweetid " + strconv.Quote(id) + " is not an integer id"
	}
	a, why := c.account(f, label)
	if why != "" {
		return why
	}
	raw := get(f, c.time)
	created, err := time.Parse("2006-01-02 15:04", raw)
	prec := tahqiq.PrecisionMinute
	if err != nil {
		if created, err = time.Parse("2006-01-02 15:04:05", raw); err != nil {
			return "tweet_time " + strconv.Quote(raw) + " is not YYYY-MM-DD HH:MM"
		}
		prec = tahqiq.PrecisionSecond
	}
	post := tahqiq.Post{
		UID: "x:" + id, Platform: tahqiq.PlatformX, PlatformID: id, AuthorUID: a.UID,
		Kind: tahqiq.KindOriginal, CreatedAt: created, CreatedAtRaw: raw, Precision: prec,
		Text: f[c.text], Lang: get(f, c.lang), Labels: []tahqiq.Label{label}, Client: get(f, c.client), Author: a.Profile(),
	}
	if !a.Hashed && a.Handle != "" {
		post.URL = "https://twitter.com/" + a.Handle + "/status/" + id
	}
	// References: retweet, quote, reply (a post may carry several).
	switch rt := strings.ToLower(get(f, c.isRetweet)); rt {
	case "true":
		post.Kind = tahqiq.KindRepost
		ref := tahqiq.Reference{Type: tahqiq.RefRetweetOf, TargetAccountID: get(f, c.rtUser)}
		if t := get(f, c.rtTweet); t != "" {
			if !isDigits(t) {
				return "retweet_tweetid " + strconv.Quote(t) + " is not an integer id"
			}
			ref.TargetID, ref.TargetUID = t, "x:"+t
		}
		post.References = append(post.References, ref)
	case "false", "":
	default:
		return "is_retweet " + strconv.Quote(rt) + " is not true or false"
	}
	if q := get(f, c.quoted); q != "" {
		if !isDigits(q) {
			return "quoted_tweet_tweetid " + strconv.Quote(q) + " is not an integer id"
		}
		post.References = append(post.References, tahqiq.Reference{Type: tahqiq.RefQuoteOf, TargetID: q, TargetUID: "x:" + q})
		if post.Kind == tahqiq.KindOriginal {
			post.Kind = tahqiq.KindQuote
		}
	}
	if t := get(f, c.replyTo); t != "" {
		if !isDigits(t) {
			return "in_reply_to_tweetid " + strconv.Quote(t) + " is not an integer id"
		}
		post.References = append(post.References, tahqiq.Reference{Type: tahqiq.RefReplyTo, TargetID: t, TargetUID: "x:" + t, TargetAccountID: get(f, c.replyToUser)})
		if post.Kind == tahqiq.KindOriginal {
			post.Kind = tahqiq.KindReply
		}
	}
	for _, h := range list(get(f, c.hashtags)) {
		post.Hashtags = append(post.Hashtags, tahqiq.Entity{Text: strings.TrimPrefix(h, "#"), Start: -1, End: -1})
	}
	for _, u := range list(get(f, c.urls)) {
		post.Links = append(post.Links, tahqiq.Link{URL: u, Start: -1, End: -1})
	}
	for _, m := range list(get(f, c.mentions)) {
		post.Mentions = append(post.Mentions, tahqiq.Entity{ID: m, Start: -1, End: -1})
	}
	for i, col := range c.metrics {
		if v := count(get(f, col)); v >= 0 {
			if post.Metrics == nil {
				post.Metrics = make(map[string]int64, 4)
			}
			post.Metrics[metricNames[i]] = v
		}
	}
	p.Record.Kind = tahqiq.RecordPost
	p.Posts = []tahqiq.Post{post}
	p.Accounts = []tahqiq.Account{a}
	return ""
}

// list splits an IO bracketed list "[a, b]" (no quotes; "[]" or "" when
// empty). Items with quotes around them (some re-exports) lose the quotes.
func list(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "[")
	s = strings.TrimSuffix(s, "]")
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		p = strings.Trim(strings.TrimSpace(p), `'"`)
		if p != "" {
			out = append(out, p)
		}
	}
	return out
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

// count parses a non-negative count, or -1 when absent or not an integer.
func count(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
