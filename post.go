package tahqiq

import "time"

// Platform names, as used in UIDs.
const (
	PlatformX         = "x"
	PlatformTelegram  = "telegram"
	PlatformFacebook  = "facebook"
	PlatformInstagram = "instagram"
	PlatformOther     = "other"
)

// PostKind classifies a post.
type PostKind string

const (
	KindOriginal PostKind = "original"
	KindRepost   PostKind = "repost" // retweet, share, Telegram forward
	KindQuote    PostKind = "quote"
	KindReply    PostKind = "reply"
	KindService  PostKind = "service"
)

// RefType is the relation of a post to another item.
type RefType string

const (
	RefRetweetOf RefType = "retweet_of"
	RefQuoteOf   RefType = "quote_of"
	RefReplyTo   RefType = "reply_to"
	RefForwardOf RefType = "forward_of"
)

// Reference links a post to the item it reposts, quotes, answers or forwards.
type Reference struct {
	Type            RefType `json:"type"`
	TargetUID       string  `json:"target_uid,omitempty"`        // post UID of the target, when known
	TargetID        string  `json:"target_id,omitempty"`         // platform id of the target post
	TargetAccountID string  `json:"target_account_id,omitempty"` // platform id of the target's author
	TargetAccount   string  `json:"target_account,omitempty"`    // handle or name of the target's author
	TargetCreatedAt int64   `json:"target_created_at,omitempty"` // unix seconds, 0 when unknown
}

// Entity is a hashtag, mention or URL found in a post's text. Start and End
// are code-point offsets into Post.Text (or -1 when the source gives none).
type Entity struct {
	Text  string `json:"text"`         // as written, without '#' or '@'
	ID    string `json:"id,omitempty"` // mentioned account id, when given
	Start int    `json:"start"`        // code points
	End   int    `json:"end"`          // code points
}

// Link is a URL in a post, with every form the source gives.
type Link struct {
	URL      string `json:"url"`                // as written (e.g. t.co)
	Expanded string `json:"expanded,omitempty"` // expansion the data carries
	Start    int    `json:"start"`
	End      int    `json:"end"`
}

// Media is an attached picture, video or document.
type Media struct {
	Type  string `json:"type"`
	Key   string `json:"key,omitempty"` // media key, file id or perceptual hash
	URL   string `json:"url,omitempty"` // a link, or the file's path in an export (Telegram Desktop)
	PHash string `json:"phash,omitempty"`
	// Image is what the import found of the picture's file in the media
	// folder (docs/images.md), when it read and hashed it.
	Image *MediaImage `json:"image,omitempty"`
}

// MediaImage is a picture of a post as an import hashed it.
type MediaImage struct {
	Name    string `json:"name"`        // the file, relative to its media folder
	SHA256  string `json:"sha256"`      // hex
	PDQ     string `json:"pdq"`         // 64 hex digits
	Quality int    `json:"pdq_quality"` // 0 to 100
	// Object is the object of the post's image share: "pdq:" and the
	// hash of the first picture of its group, or "sha256:" and the
	// picture's own SHA-256 when its PDQ quality is too low to compare.
	Object string `json:"object"`
}

// Label is ground truth or an analyst label on a post or account.
type Label struct {
	Scheme string `json:"scheme"` // e.g. "twitter_io:ira", "538:account_category"
	Value  string `json:"value"`
}

// Post is one platform item. Several raw records may carry the same post;
// the importer keeps every occurrence as provenance.
type Post struct {
	UID           string   `json:"uid,omitempty"` // platform:platform_id (Telegram: telegram:<chat>/<id>)
	Platform      string   `json:"platform,omitempty"`
	PlatformID    string   `json:"platform_id,omitempty"`
	URL           string   `json:"url,omitempty"`          // permalink when known
	ContainerID   string   `json:"container_id,omitempty"` // Telegram chat, Facebook page
	ContainerName string   `json:"container_name,omitempty"`
	ThreadID      string   `json:"thread_id,omitempty"`
	AuthorUID     string   `json:"author_uid,omitempty"` // account UID
	Kind          PostKind `json:"kind,omitempty"`

	CreatedAt    time.Time `json:"created_at,omitzero"`      // UTC
	CreatedAtRaw string    `json:"created_at_raw,omitempty"` // as in the source
	Precision    Precision `json:"precision,omitempty"`

	Text     string `json:"text,omitempty"`      // as published
	TextFull string `json:"text_full,omitempty"` // best full text (the original's for reposts), if different
	Lang     string `json:"lang,omitempty"`

	References []Reference      `json:"references,omitempty"`
	Hashtags   []Entity         `json:"hashtags,omitempty"`
	Mentions   []Entity         `json:"mentions,omitempty"`
	Links      []Link           `json:"links,omitempty"`
	Media      []Media          `json:"media,omitempty"`
	Metrics    map[string]int64 `json:"metrics,omitempty"` // observations at collection time
	Labels     []Label          `json:"labels,omitempty"`
	// Client is the app the post was made with, as the export names it
	// (X's source, the IO files' tweet_client_name); "" when it names none.
	Client string `json:"client,omitempty"`
	// Author is what the record carrying the post says of its author, as
	// collected with it: the handle, name and counts then, when the
	// record gives them. The account a dataset keeps is the first
	// record's; a post keeps its own record's view, so that renames and
	// growth show across records.
	Author *Profile `json:"author,omitempty"`

	// Objects are shares the source states directly (events CSV, CooRTweet
	// tables), added to the derived ones.
	Objects []Object `json:"objects,omitempty"`
}

// Account is one platform account as observed in one record.
type Account struct {
	UID         string    `json:"uid,omitempty"` // platform:account_id
	Platform    string    `json:"platform,omitempty"`
	PlatformID  string    `json:"platform_id,omitempty"`
	Handle      string    `json:"handle,omitempty"`
	Name        string    `json:"name,omitempty"`
	Hashed      bool      `json:"hashed,omitempty"` // the id is a hash (IO files), not a platform id
	Description string    `json:"description,omitempty"`
	Location    string    `json:"location,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	Followers   int64     `json:"followers,omitempty"`   // -1 when unknown
	Following   int64     `json:"following,omitempty"`   // -1 when unknown
	PostsCount  int64     `json:"posts_count,omitempty"` // -1 when unknown
	Verified    bool      `json:"verified,omitempty"`
	Labels      []Label   `json:"labels,omitempty"`
}

// Profile is what one record says of an account beside a post: its
// handle, name and counts as collected with that record.
type Profile struct {
	Handle     string `json:"handle,omitempty"`
	Name       string `json:"name,omitempty"`
	Followers  int64  `json:"followers,omitempty"`   // -1 when unknown
	Following  int64  `json:"following,omitempty"`   // -1 when unknown
	PostsCount int64  `json:"posts_count,omitempty"` // -1 when unknown
}

// Profile returns what a says of the account as a post's Author, or nil
// when it says nothing (no handle, name or count).
func (a *Account) Profile() *Profile {
	if a.Handle == "" && a.Name == "" && a.Followers < 0 && a.Following < 0 && a.PostsCount < 0 {
		return nil
	}
	return &Profile{Handle: a.Handle, Name: a.Name, Followers: a.Followers, Following: a.Following, PostsCount: a.PostsCount}
}

// ObjectType is the kind of thing a share shares. Objects of different types
// never match each other.
type ObjectType string

const (
	ObjRetweet ObjectType = "retweet"
	ObjURL     ObjectType = "url"
	ObjDomain  ObjectType = "domain"
	ObjHashtag ObjectType = "hashtag"
	ObjMention ObjectType = "mention"
	ObjReply   ObjectType = "reply"
	ObjText    ObjectType = "text"
	ObjImage   ObjectType = "image"
)

// ObjectTypes lists every share object type in a stable order.
var ObjectTypes = []ObjectType{ObjRetweet, ObjURL, ObjDomain, ObjHashtag, ObjMention, ObjReply, ObjText, ObjImage}

// Object is one shared object.
type Object struct {
	Type  ObjectType `json:"type"`
	Value string     `json:"value"`
}

// Share is one (post, object) pair: the interchange of every co-action
// detector (CooRTweet's object_id, account_id, content_id, timestamp_share).
type Share struct {
	Type      ObjectType
	Object    string
	AccountID string // account UID
	PostID    string // post UID
	Time      int64  // unix seconds, UTC
	Precision Precision
}

// CheckID reports whether s can be a platform id: a non-empty string of
// ASCII digits. A float-mangled id such as "9.06E+17", which a spreadsheet
// leaves behind, is refused: ids are never rounded.
func CheckID(s string) error {
	if s == "" {
		return Errorf(EINVALID, "empty id")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return Errorf(EINVALID, "%q is not a digit string (a float-mangled id?); ids are never rounded", s)
		}
	}
	return nil
}

// FloatMangled reports whether s looks like a number that a spreadsheet or
// a conversion through a float wrote in place of an id: a mantissa with a
// decimal point or comma ("123.0", "9,06E+17"), or an exponent with its
// sign ("7.9e+17", "1E+18"). Such an id lost digits and is never used or
// rounded (formats.md §0 rule 2). A hex hash such as "12e45" is not taken
// for one: spreadsheets always write the exponent's sign.
func FloatMangled(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case (c == '.' || c == ',') && !point:
			point = true
		default:
			goto exponent
		}
	}
	return digits > 0 && point && s[len(s)-1] != '.' && s[len(s)-1] != ','
exponent:
	if digits == 0 || s[i] != 'e' && s[i] != 'E' {
		return false
	}
	i++
	sign := i < len(s) && (s[i] == '+' || s[i] == '-')
	if sign {
		i++
	}
	if i == len(s) || !sign && !point {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
