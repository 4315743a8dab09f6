// Package crowdtangle imports CrowdTangle historical-data CSV exports:
// Facebook page and group lists, and the Instagram list export. "Post
// Created" is local time with a zone abbreviation, converted with a table
// of fixed offsets; an unknown or ambiguous abbreviation is a reject. It
// does not derive shares.
package crowdtangle

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/csvrow"
	"github.com/tahqiq/tahqiq/internal/ingest/textent"
)

// Format names.
const (
	FormatFacebook  = "fb_crowdtangle_csv"
	FormatInstagram = "ig_crowdtangle_csv"
)

// ReshareText is the "Link Text" CrowdTangle writes on re-shares.
const ReshareText = "This is a re-share of a post"

// Sniff recognises a CrowdTangle export by its header names.
func Sniff(head []byte) (string, bool) {
	return sniffHeader(csvrow.HeaderFields(head))
}

func sniffHeader(h []string) (string, bool) {
	switch {
	case csvrow.HasColumns(h, "Facebook Id", "Post Created", "URL") &&
		(csvrow.HasColumns(h, "Page Name") || csvrow.HasColumns(h, "Group Name")):
		return FormatFacebook, true
	case csvrow.HasColumns(h, "Account", "User Name", "Post Created", "URL") && !csvrow.HasColumns(h, "Facebook Id"):
		return FormatInstagram, true
	}
	return "", false
}

// metricCols maps CrowdTangle columns to metric names.
var metricCols = []struct{ col, name string }{
	{"Total Interactions", "interactions"}, {"Likes", "likes"}, {"Comments", "comments"}, {"Shares", "shares"},
	{"Love", "reactions:love"}, {"Wow", "reactions:wow"}, {"Haha", "reactions:haha"}, {"Sad", "reactions:sad"},
	{"Angry", "reactions:angry"}, {"Care", "reactions:care"}, {"Post Views", "views"}, {"Total Views", "total_views"},
	{"Total Views For All Crossposts", "total_views_crossposts"}, {"Views", "views"},
}

type cols struct {
	pageName, userName, fbID, pageDesc, followers, likesAtPosting, created, typ, url, message, link, finalLink,
	linkText, description, title, photo, account int
	metrics []int
}

// Parse reads a Facebook or Instagram CrowdTangle export.
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	r, err := csvrow.NewReader(src.R, src.Name)
	if err != nil {
		return err
	}
	format, ok := sniffHeader(r.Header())
	if !ok {
		_, err := r.Require("Post Created", "URL", "Facebook Id", "Page Name")
		if err == nil {
			_, err = r.Require("Account")
		}
		return err
	}
	c := cols{
		pageName: r.Index("Page Name"), userName: r.Index("User Name"), fbID: r.Index("Facebook Id"),
		pageDesc: r.Index("Page Description"), followers: r.Index("Followers at Posting"),
		likesAtPosting: r.Index("Likes at Posting"), created: r.Index("Post Created"), typ: r.Index("Type"),
		url: r.Index("URL"), message: r.Index("Message"), link: r.Index("Link"), finalLink: r.Index("Final Link"),
		linkText: r.Index("Link Text"), description: r.Index("Description"), title: r.Index("Title"),
		photo: r.Index("Photo"), account: r.Index("Account"),
	}
	if c.pageName < 0 {
		c.pageName = r.Index("Group Name")
	}
	for _, m := range metricCols {
		c.metrics = append(c.metrics, r.Index(m.col))
	}
	return csvrow.Each(ctx, r, format, src.Name, emit, func(p *tahqiq.Parsed, f []string) string {
		if format == FormatFacebook {
			return c.facebook(p, f)
		}
		return c.instagram(p, f)
	})
}

func get(f []string, i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(f[i])
}

// lastSegment returns the last non-empty path segment of a URL.
func lastSegment(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	return segs[len(segs)-1]
}

func (c *cols) common(p *tahqiq.Parsed, f []string, platform string) (*tahqiq.Post, string) {
	permalink := get(f, c.url)
	id := lastSegment(permalink)
	if id == "" {
		return nil, "URL " + strconv.Quote(permalink) + " has no post id"
	}
	rawDate := get(f, c.created)
	created, why := parseCreated(rawDate)
	if why != "" {
		return nil, why
	}
	post := &tahqiq.Post{
		UID: platform + ":" + id, Platform: platform, PlatformID: id, URL: permalink,
		Kind: tahqiq.KindOriginal, CreatedAt: created, CreatedAtRaw: rawDate, Precision: tahqiq.PrecisionSecond,
	}
	for i, col := range c.metrics {
		if v, ok := number(get(f, col)); ok {
			if post.Metrics == nil {
				post.Metrics = make(map[string]int64)
			}
			post.Metrics[metricCols[i].name] = v
		}
	}
	p.Record.Kind = tahqiq.RecordPost
	return post, ""
}

func (c *cols) facebook(p *tahqiq.Parsed, f []string) string {
	pageID := get(f, c.fbID)
	if !isDigits(pageID) {
		return "Facebook Id " + strconv.Quote(pageID) + " is not an integer id"
	}
	post, why := c.common(p, f, tahqiq.PlatformFacebook)
	if why != "" {
		return why
	}
	post.ContainerID, post.ContainerName = pageID, get(f, c.pageName)
	post.AuthorUID = "facebook:" + pageID
	if c.message >= 0 {
		post.Text = f[c.message]
	}
	ents := textent.Scan(post.Text)
	post.Hashtags, post.Mentions, post.Links = ents.Hashtags, nil, ents.Links
	link, final := get(f, c.link), get(f, c.finalLink)
	if link != "" || final != "" {
		if link == "" {
			link = final
		}
		post.Links = append(post.Links, tahqiq.Link{URL: link, Expanded: final, Start: -1, End: -1})
	}
	switch strings.ToLower(get(f, c.typ)) {
	case "photo", "album":
		post.Media = []tahqiq.Media{{Type: "photo"}}
	case "native video", "live video", "live video complete", "live video scheduled", "video", "youtube", "vine":
		post.Media = []tahqiq.Media{{Type: "video"}}
	}
	if get(f, c.linkText) == ReshareText {
		post.Kind = tahqiq.KindRepost
		ref := tahqiq.Reference{Type: tahqiq.RefRetweetOf}
		if u, err := url.Parse(link); err == nil && strings.HasSuffix(strings.ToLower(u.Hostname()), "facebook.com") {
			if id := lastSegment(link); isDigits(id) {
				ref.TargetID, ref.TargetUID = id, "facebook:"+id
			}
		}
		post.References = []tahqiq.Reference{ref}
	}
	followers := int64(-1)
	if v, ok := number(get(f, c.followers)); ok {
		followers = v
	} else if v, ok := number(get(f, c.likesAtPosting)); ok {
		followers = v
	}
	p.Accounts = []tahqiq.Account{{
		UID: "facebook:" + pageID, Platform: tahqiq.PlatformFacebook, PlatformID: pageID,
		Handle: get(f, c.userName), Name: post.ContainerName, Description: get(f, c.pageDesc),
		Followers: followers, Following: -1, PostsCount: -1,
	}}
	post.Author = p.Accounts[0].Profile() // the page at posting
	p.Posts = []tahqiq.Post{*post}
	return ""
}

func (c *cols) instagram(p *tahqiq.Parsed, f []string) string {
	handle := get(f, c.userName)
	if handle == "" {
		return "empty User Name"
	}
	post, why := c.common(p, f, tahqiq.PlatformInstagram)
	if why != "" {
		return why
	}
	acc := "@" + strings.ToLower(strings.TrimPrefix(handle, "@"))
	post.AuthorUID = "instagram:" + acc
	post.ContainerID, post.ContainerName = acc, get(f, c.account)
	post.Text = get(f, c.description)
	ents := textent.Scan(post.Text)
	post.Hashtags, post.Mentions, post.Links = ents.Hashtags, ents.Mentions, ents.Links
	if l := get(f, c.link); l != "" {
		post.Links = append(post.Links, tahqiq.Link{URL: l, Start: -1, End: -1})
	}
	if ph := get(f, c.photo); ph != "" {
		post.Media = []tahqiq.Media{{Type: strings.ToLower(get(f, c.typ)), URL: ph}}
	}
	followers := int64(-1)
	if v, ok := number(get(f, c.followers)); ok {
		followers = v
	}
	p.Accounts = []tahqiq.Account{{
		UID: "instagram:" + acc, Platform: tahqiq.PlatformInstagram, PlatformID: acc,
		Handle: strings.TrimPrefix(handle, "@"), Name: post.ContainerName,
		Followers: followers, Following: -1, PostsCount: -1,
	}}
	post.Author = p.Accounts[0].Profile()
	p.Posts = []tahqiq.Post{*post}
	return ""
}

// number parses a count with optional thousands separators ("1,234");
// "", "N/A" and anything else not an integer give ok == false.
func number(s string) (int64, bool) {
	s = strings.ReplaceAll(s, ",", "")
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
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
