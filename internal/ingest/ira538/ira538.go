// Package ira538 imports the FiveThirtyEight / Clemson (Linvill & Warren)
// IRA tweets CSV in both published layouts: the original 21 columns
// (external_author_id, author, content, ..., tweet_id, article_url,
// tco1_step1..tco3_step1), also after a spreadsheet round trip (float ids,
// M/D/YY dates), and the bet4a per-author variant (author_id, ISO dates,
// post_type R/Q, no tweet ids) with its authors.csv.
//
// Ids are strings: a float-looking tweet_id is never used; the id comes
// from article_url. Rows without any tweet id (bet4a) get a derived,
// file-independent id (see DerivedID). It does not derive shares.
package ira538

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/csvrow"
	"github.com/tahqiq/tahqiq/internal/ingest/textent"
)

// Format is the raw record format of both layouts and of authors.csv.
const Format = "x_538_csv"

// Sniff recognises a 538 tweets file or authors file by its header names.
func Sniff(head []byte) (string, bool) {
	h := csvrow.HeaderFields(head)
	if tweetsHeader(h) || authorsHeader(h) {
		return Format, true
	}
	return "", false
}

func tweetsHeader(h []string) bool {
	return csvrow.HasColumns(h, "content", "publish_date", "post_type") &&
		(csvrow.HasColumns(h, "author") || csvrow.HasColumns(h, "author_id"))
}

func authorsHeader(h []string) bool {
	return csvrow.HasColumns(h, "author_id", "account_category", "account_type") && !csvrow.HasColumns(h, "content")
}

// columns are the positions of the known columns, -1 when absent.
type columns struct {
	author, content, region, language, publish, harvested, following, followers, updates,
	postType, accountType, retweet, category, tweetID, articleURL int
	tco [3]int
}

// Parse reads a tweets file (either layout) or an authors file.
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	r, err := csvrow.NewReader(src.R, src.Name)
	if err != nil {
		return err
	}
	h := r.Header()
	authors := authorsHeader(h)
	if !authors {
		if _, err := r.Require("content", "publish_date"); err != nil {
			return err
		}
		if r.Index("author") < 0 && r.Index("author_id") < 0 {
			_, err := r.Require("author")
			return err
		}
	}
	c := columns{
		author: r.Index("author"), content: r.Index("content"), region: r.Index("region"), language: r.Index("language"),
		publish: r.Index("publish_date"), harvested: r.Index("harvested_date"), following: r.Index("following"),
		followers: r.Index("followers"), updates: r.Index("updates"), postType: r.Index("post_type"),
		accountType: r.Index("account_type"), retweet: r.Index("retweet"), category: r.Index("account_category"),
		tweetID: r.Index("tweet_id"), articleURL: r.Index("article_url"),
		tco: [3]int{r.Index("tco1_step1"), r.Index("tco2_step1"), r.Index("tco3_step1")},
	}
	if c.author < 0 || authors {
		c.author = r.Index("author_id")
	}
	return csvrow.Each(ctx, r, Format, src.Name, emit, func(p *tahqiq.Parsed, f []string) string {
		if authors {
			return c.author538(p, f)
		}
		return c.tweet(p, f)
	})
}

func get(f []string, i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(f[i])
}

// account returns the account of a row. Account UIDs are built from the
// lower-cased handle ("x:@10_gop"): 538's external ids are float-mangled in
// many copies and absent from the bet4a tweets, while the handle is in every
// file and joins tweets to authors.csv.
func (c *columns) account(f []string) tahqiq.Account {
	handle := get(f, c.author)
	a := tahqiq.Account{
		UID: "x:@" + strings.ToLower(handle), Platform: tahqiq.PlatformX, PlatformID: "@" + strings.ToLower(handle),
		Handle: handle, Location: get(f, c.region),
		Followers: count(get(f, c.followers)), Following: count(get(f, c.following)), PostsCount: count(get(f, c.updates)),
	}
	if v := get(f, c.category); v != "" {
		a.Labels = append(a.Labels, tahqiq.Label{Scheme: "538:account_category", Value: v})
	}
	if v := get(f, c.accountType); v != "" {
		a.Labels = append(a.Labels, tahqiq.Label{Scheme: "538:account_type", Value: v})
	}
	return a
}

func (c *columns) author538(p *tahqiq.Parsed, f []string) string {
	if get(f, c.author) == "" {
		return "empty author_id"
	}
	p.Record.Kind = tahqiq.RecordAccount
	p.Accounts = []tahqiq.Account{c.account(f)}
	return ""
}

func (c *columns) tweet(p *tahqiq.Parsed, f []string) string {
	author := get(f, c.author)
	if author == "" {
		return "empty author"
	}
	rawDate := get(f, c.publish)
	created, prec, ok := parseDate(rawDate)
	if !ok {
		return "publish_date " + strconv.Quote(rawDate) + " is not M/D/YY H:MM, M/D/YYYY H:MM or YYYY-MM-DD HH:MM[:SS]"
	}
	if t, _, ok := parseDate(get(f, c.harvested)); ok {
		p.Record.CollectedAt = t
	}
	content := f[c.content]

	var id, url string
	if c.tweetID >= 0 || c.articleURL >= 0 {
		url = get(f, c.articleURL)
		fromURL := statusID(url)
		tid := get(f, c.tweetID)
		switch {
		case isDigits(tid) && fromURL != "" && tid != fromURL:
			return "tweet_id " + tid + " differs from the id in article_url " + strconv.Quote(url)
		case isDigits(tid):
			id = tid
		case fromURL != "":
			id = fromURL // tweet_id empty or float-mangled (e.g. 9.1458E+17): never rounded
		case tid != "":
			return "tweet_id " + strconv.Quote(tid) + " is not an integer id (spreadsheet-mangled?) and article_url has no /statuses/<id>"
		default:
			return "no tweet_id and no /statuses/<id> in article_url"
		}
	} else {
		id = DerivedID(author, created, p.Record.CollectedAt, get(f, c.updates), content)
	}

	post := tahqiq.Post{
		UID: "x:" + id, Platform: tahqiq.PlatformX, PlatformID: id, URL: url,
		AuthorUID: "x:@" + strings.ToLower(author), Kind: tahqiq.KindOriginal,
		CreatedAt: created, CreatedAtRaw: rawDate, Precision: prec,
		Text: content, Lang: get(f, c.language),
	}
	if a := c.account(f); a.Followers >= 0 || a.Following >= 0 || a.PostsCount >= 0 {
		post.Author = a.Profile() // counts per row: the handle is the account's id
	}
	switch pt := get(f, c.postType); pt {
	case "RETWEET", "R":
		post.Kind = tahqiq.KindRepost
	case "QUOTE_TWEET", "Q":
		post.Kind = tahqiq.KindQuote
	case "":
		if get(f, c.retweet) == "1" {
			post.Kind = tahqiq.KindRepost
		}
	default:
		return "unknown post_type " + strconv.Quote(pt)
	}
	switch post.Kind {
	case tahqiq.KindRepost:
		// 538 does not name the retweeted tweet: the target is unknown
		// and the pipeline uses the normalised text (formats.md §7.5).
		post.References = []tahqiq.Reference{{Type: tahqiq.RefRetweetOf}}
	case tahqiq.KindQuote:
		post.References = []tahqiq.Reference{{Type: tahqiq.RefQuoteOf}}
	}
	ents := textent.Scan(content)
	post.Hashtags, post.Mentions, post.Links = ents.Hashtags, ents.Mentions, ents.Links
	var expanded []string
	for _, i := range c.tco {
		if v := get(f, i); v != "" {
			expanded = append(expanded, v)
		}
	}
	if len(expanded) > 0 && len(expanded) == len(post.Links) {
		for i := range post.Links {
			post.Links[i].Expanded = expanded[i]
		}
	} else {
		for _, e := range expanded {
			post.Links = append(post.Links, tahqiq.Link{URL: e, Expanded: e, Start: -1, End: -1})
		}
	}
	p.Record.Kind = tahqiq.RecordPost
	p.Posts = []tahqiq.Post{post}
	p.Accounts = []tahqiq.Account{c.account(f)}
	return ""
}

// DerivedID returns the post id used when a row carries no tweet id: "ira538:"
// and the first 32 hex digits of the SHA-256 of the lower-cased handle, the
// publish and harvest times (RFC 3339, UTC), the account's tweet count at
// posting ("updates") and the text, separated by 0x1f. It depends only on
// the row's content, so re-exports and other files give the same id, and
// exact duplicate rows (the 538 data has some) give the same post.
func DerivedID(author string, created, harvested time.Time, updates, content string) string {
	h := sha256.New()
	var hv string
	if !harvested.IsZero() {
		hv = harvested.UTC().Format(time.RFC3339)
	}
	for i, s := range []string{strings.ToLower(author), created.UTC().Format(time.RFC3339), hv, updates, content} {
		if i > 0 {
			h.Write([]byte{0x1f})
		}
		h.Write([]byte(s))
	}
	return "ira538:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// parseDate reads 538 dates: "M/D/YYYY H:MM" (original), "M/D/YY H:MM"
// (after a spreadsheet) and "YYYY-MM-DD HH:MM[:SS]" (bet4a), all UTC.
func parseDate(s string) (time.Time, tahqiq.Precision, bool) {
	if s == "" {
		return time.Time{}, "", false
	}
	var layouts []string
	if strings.Contains(s, "/") {
		layouts = []string{"1/2/2006 15:04", "1/2/06 15:04", "1/2/2006 15:04:05", "1/2/06 15:04:05"}
	} else {
		layouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05Z"}
	}
	for _, l := range layouts {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		prec := tahqiq.PrecisionMinute
		if t.Second() != 0 {
			prec = tahqiq.PrecisionSecond
		}
		return t.UTC(), prec, true
	}
	return time.Time{}, "", false
}

// statusID returns the digits after "/statuses/" or "/status/" in a tweet URL.
func statusID(u string) string {
	for _, m := range []string{"/statuses/", "/status/"} {
		if i := strings.Index(u, m); i >= 0 {
			rest := u[i+len(m):]
			j := 0
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			if j > 0 && (j == len(rest) || rest[j] == '/' || rest[j] == '?') {
				return rest[:j]
			}
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

// count parses a non-negative count, or -1 when absent or not an integer.
func count(s string) int64 {
	s = strings.ReplaceAll(s, ",", "")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
