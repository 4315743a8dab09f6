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
	URL   string `json:"url,omitempty"`
	PHash string `json:"phash,omitempty"`
}

// Label is ground truth or an analyst label on a post or account.
type Label struct {
	Scheme string `json:"scheme"` // e.g. "twitter_io:ira", "538:account_category"
	Value  string `json:"value"`
}

// Post is one platform item. Several raw records may carry the same post;
// the importer keeps every occurrence as provenance.
type Post struct {
	UID           string // platform:platform_id (Telegram: telegram:<chat>/<id>)
	Platform      string
	PlatformID    string
	URL           string // permalink when known
	ContainerID   string // Telegram chat, Facebook page
	ContainerName string
	ThreadID      string
	AuthorUID     string // account UID
	Kind          PostKind

	CreatedAt    time.Time // UTC
	CreatedAtRaw string    // as in the source
	Precision    Precision

	Text     string // as published
	TextFull string // best full text (the original's for reposts), if different
	Lang     string

	References []Reference
	Hashtags   []Entity
	Mentions   []Entity
	Links      []Link
	Media      []Media
	Metrics    map[string]int64 // observations at collection time
	Labels     []Label

	// Objects are shares the source states directly (events CSV, CooRTweet
	// tables), added to the derived ones.
	Objects []Object
}

// Account is one platform account as observed in one record.
type Account struct {
	UID         string // platform:account_id
	Platform    string
	PlatformID  string
	Handle      string
	Name        string
	Hashed      bool // the id is a hash (IO files), not a platform id
	Description string
	Location    string
	CreatedAt   time.Time
	Followers   int64 // -1 when unknown
	Following   int64 // -1 when unknown
	PostsCount  int64 // -1 when unknown
	Verified    bool
	Labels      []Label
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
	Type  ObjectType
	Value string
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
