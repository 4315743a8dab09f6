package xv2

import "github.com/tahqiq/tahqiq/internal/ingest/jsonlex"

// item is the union of the v2 objects the importer reads, decoded in one
// pass by the lexer: a response page (data, includes), a tweet (flattened
// or not), a user, a mention (a user merged into entities.mentions by
// twarc2 flatten), a count bucket or a compliance result. Members the
// importer does not read are skipped (they are kept in the raw record).
type item struct {
	id    string
	hasID bool

	// tweet
	typ             string // in referenced_tweets
	text            string
	hasText         bool
	authorID        string
	createdAt       string
	conversationID  string
	lang            string
	inReplyToUserID string
	noteText        string // note_tweet.text: the full text of a long tweet
	refs            []item
	hashtags        []tag
	mentions        []item
	urls            []urlEntity
	mediaKeys       []string
	media           []media // attachments.media (flattened)
	metrics         []metric
	author          *item // flattened
	inReplyToUser   *item // flattened

	// user
	username    string
	hasUsername bool
	name        string
	description string
	location    string
	verified    bool
	userFields  bool // carries profile fields (a flattened mention is a user)

	// mention
	start, end int

	// other shapes
	hasTweetCount bool   // a counts bucket
	action        string // a compliance result
	retrievedAt   string // __twarc.retrieved_at

	// page
	data      []item
	hasData   bool
	hasMeta   bool // meta or errors: a response with nothing in data
	incUsers  []item
	incTweets []item
	incMedia  []media
}

type tag struct {
	start, end int
	tag        string
}

type urlEntity struct {
	start, end                       int
	url, expanded, unwound, mediaKey string
}

type media struct {
	key, typ, url, preview string
}

type metric struct {
	name string
	v    int64
}

// decodeValue decodes one whole input value.
func decodeValue(b []byte) (*item, error) {
	l := jsonlex.New(b)
	it := new(item)
	if err := l.Object("the record", func(k []byte) error { return it.member(l, k, true) }); err != nil {
		return nil, err
	}
	return it, l.End()
}

func (it *item) decode(l *jsonlex.Lexer, field string) error {
	return l.Object(field, func(k []byte) error { return it.member(l, k, false) })
}

// member decodes the member named k of an item.
func (it *item) member(l *jsonlex.Lexer, k []byte, top bool) error {
	var err error
	switch string(k) {
	case "id":
		it.id, it.hasID, err = l.ID("id")
	case "type":
		it.typ, err = l.Str("type")
	case "text":
		if l.Peek() == 'n' {
			return l.Null()
		}
		it.text, err = l.Str("text")
		it.hasText = true
	case "author_id":
		it.authorID, err = l.Str("author_id")
	case "created_at":
		it.createdAt, err = l.Str("created_at")
	case "conversation_id":
		it.conversationID, err = l.Str("conversation_id")
	case "lang":
		it.lang, err = l.Str("lang")
	case "in_reply_to_user_id":
		it.inReplyToUserID, err = l.Str("in_reply_to_user_id")
	case "referenced_tweets":
		err = l.Array("referenced_tweets", func() error {
			it.refs = append(it.refs, item{})
			return it.refs[len(it.refs)-1].decode(l, "referenced_tweets[]")
		})
	case "entities":
		err = l.Object("entities", func(k []byte) error { return it.entity(l, k) })
	case "attachments":
		err = l.Object("attachments", func(k []byte) error {
			switch string(k) {
			case "media_keys":
				return l.Array("attachments.media_keys", func() error {
					s, err := l.Str("attachments.media_keys[]")
					it.mediaKeys = append(it.mediaKeys, s)
					return err
				})
			case "media":
				return l.Array("attachments.media", func() error {
					it.media = append(it.media, media{})
					return it.media[len(it.media)-1].decode(l)
				})
			}
			return l.Skip()
		})
	case "public_metrics":
		err = l.Object("public_metrics", func(k []byte) error {
			name := metricName(k)
			v, ok, err := l.Int("public_metrics")
			if ok {
				it.metrics = append(it.metrics, metric{name, v})
			}
			return err
		})
		it.userFields = true
	case "author":
		if l.Peek() == 'n' {
			return l.Null()
		}
		it.author = new(item)
		err = it.author.decode(l, "author")
	case "in_reply_to_user":
		if l.Peek() == 'n' {
			return l.Null()
		}
		it.inReplyToUser = new(item)
		err = it.inReplyToUser.decode(l, "in_reply_to_user")
	case "note_tweet":
		err = l.Object("note_tweet", func(k []byte) error {
			if string(k) == "text" {
				var err error
				it.noteText, err = l.Str("note_tweet.text")
				return err
			}
			return l.Skip()
		})
	case "username":
		if l.Peek() == 'n' {
			return l.Null()
		}
		it.username, err = l.Str("username")
		it.hasUsername = true
	case "name":
		it.name, err = l.Str("name")
		it.userFields = true
	case "description":
		it.description, err = l.Str("description")
		it.userFields = true
	case "location":
		it.location, err = l.Str("location")
	case "verified":
		it.verified, err = l.Bool("verified")
	case "start":
		if c := l.Peek(); c != '-' && (c < '0' || c > '9') {
			return l.Skip() // a counts bucket's time
		}
		var v int64
		v, _, err = l.Int("start")
		it.start = int(v)
	case "end":
		if c := l.Peek(); c != '-' && (c < '0' || c > '9') {
			return l.Skip() // a counts bucket's time
		}
		var v int64
		v, _, err = l.Int("end")
		it.end = int(v)
	case "tweet_count":
		it.hasTweetCount = true
		err = l.Skip()
	case "action":
		it.action, err = l.Str("action")
	case "__twarc":
		err = l.Object("__twarc", func(k []byte) error {
			if string(k) == "retrieved_at" {
				var err error
				it.retrievedAt, err = l.Str("__twarc.retrieved_at")
				return err
			}
			return l.Skip()
		})
	case "data":
		if !top {
			return l.Skip()
		}
		it.hasData = true
		switch l.Peek() {
		case '[':
			err = l.Array("data", func() error {
				it.data = append(it.data, item{})
				return it.data[len(it.data)-1].decode(l, "data[]")
			})
		case '{':
			it.data = make([]item, 1)
			err = it.data[0].decode(l, "data")
		default:
			err = l.Array("data", nil) // null, or a type error
		}
	case "includes":
		if !top {
			return l.Skip()
		}
		err = l.Object("includes", func(k []byte) error {
			switch string(k) {
			case "users":
				return l.Array("includes.users", func() error {
					it.incUsers = append(it.incUsers, item{})
					return it.incUsers[len(it.incUsers)-1].decode(l, "includes.users[]")
				})
			case "tweets":
				return l.Array("includes.tweets", func() error {
					it.incTweets = append(it.incTweets, item{})
					return it.incTweets[len(it.incTweets)-1].decode(l, "includes.tweets[]")
				})
			case "media":
				return l.Array("includes.media", func() error {
					it.incMedia = append(it.incMedia, media{})
					return it.incMedia[len(it.incMedia)-1].decode(l)
				})
			}
			return l.Skip()
		})
	case "meta", "errors":
		it.hasMeta = top
		err = l.Skip()
	default:
		err = l.Skip()
	}
	return err
}

// entity decodes the member k of a tweet's entities.
func (it *item) entity(l *jsonlex.Lexer, k []byte) error {
	switch string(k) {
	case "hashtags":
		return l.Array("entities.hashtags", func() error {
			var t tag
			err := l.Object("entities.hashtags[]", func(k []byte) error {
				var err error
				switch string(k) {
				case "start":
					var v int64
					v, _, err = l.Int("entities.hashtags[].start")
					t.start = int(v)
				case "end":
					var v int64
					v, _, err = l.Int("entities.hashtags[].end")
					t.end = int(v)
				case "tag":
					t.tag, err = l.Str("entities.hashtags[].tag")
				default:
					err = l.Skip()
				}
				return err
			})
			it.hashtags = append(it.hashtags, t)
			return err
		})
	case "mentions":
		return l.Array("entities.mentions", func() error {
			it.mentions = append(it.mentions, item{})
			return it.mentions[len(it.mentions)-1].decode(l, "entities.mentions[]")
		})
	case "urls":
		return l.Array("entities.urls", func() error {
			var u urlEntity
			err := l.Object("entities.urls[]", func(k []byte) error {
				var err error
				switch string(k) {
				case "start":
					var v int64
					v, _, err = l.Int("entities.urls[].start")
					u.start = int(v)
				case "end":
					var v int64
					v, _, err = l.Int("entities.urls[].end")
					u.end = int(v)
				case "url":
					u.url, err = l.Str("entities.urls[].url")
				case "expanded_url":
					u.expanded, err = l.Str("entities.urls[].expanded_url")
				case "unwound_url":
					u.unwound, err = l.Str("entities.urls[].unwound_url")
				case "media_key":
					u.mediaKey, err = l.Str("entities.urls[].media_key")
				default:
					err = l.Skip()
				}
				return err
			})
			it.urls = append(it.urls, u)
			return err
		})
	}
	return l.Skip()
}

func (m *media) decode(l *jsonlex.Lexer) error {
	return l.Object("media", func(k []byte) error {
		var err error
		switch string(k) {
		case "media_key":
			m.key, err = l.Str("media.media_key")
		case "type":
			m.typ, err = l.Str("media.type")
		case "url":
			m.url, err = l.Str("media.url")
		case "preview_image_url":
			m.preview, err = l.Str("media.preview_image_url")
		default:
			err = l.Skip()
		}
		return err
	})
}

// metricName maps v2 public_metrics names to tahqiq's metric names (the
// names shared by every importer); user metrics and unknown names keep
// their own.
func metricName(k []byte) string {
	switch string(k) {
	case "retweet_count":
		return "reposts"
	case "reply_count":
		return "replies"
	case "like_count":
		return "likes"
	case "quote_count":
		return "quotes"
	case "impression_count":
		return "views"
	case "bookmark_count":
		return "bookmarks"
	case "followers_count":
		return "followers_count"
	case "following_count":
		return "following_count"
	case "tweet_count":
		return "tweet_count"
	case "listed_count":
		return "listed_count"
	}
	return string(k)
}
