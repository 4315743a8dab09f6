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
	source          string // the client app (deprecated in v2, still sent by some endpoints)
	noteText        string // note_tweet.text: the full text of a long tweet
	refs            []item
	hashtags        []tag
	mentions        []mention
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

	// other shapes
	hasTweetCount bool   // a counts bucket
	action        string // a compliance result
	retrievedAt   string // __twarc.retrieved_at
}

// value is a whole input value: an item, or a page of them with includes.
type value struct {
	item
	data      []item
	hasData   bool
	hasMeta   bool // meta or errors: a response with nothing in data
	incUsers  []item
	incTweets []item
	incMedia  []media
}

// mention is an entities.mentions entry; twarc2 flatten merges the
// mentioned user's object into it.
type mention struct {
	start, end   int
	username, id string
	user         *item
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
func decodeValue(b []byte) (*value, error) {
	l := jsonlex.New(b)
	v := new(value)
	if err := l.Object("the record", func(k []byte) error { return v.member(l, k) }); err != nil {
		return nil, err
	}
	return v, l.End()
}

func (it *item) decode(l *jsonlex.Lexer, field string) error {
	return l.Object(field, func(k []byte) error { return it.member(l, k) })
}

// member decodes the member named k of a whole value.
func (v *value) member(l *jsonlex.Lexer, k []byte) error {
	var err error
	switch string(k) {
	case "data":
		v.hasData = true
		switch l.Peek() {
		case '[':
			err = l.Array("data", func() error {
				v.data = append(v.data, item{})
				return v.data[len(v.data)-1].decode(l, "data[]")
			})
		case '{':
			v.data = make([]item, 1)
			err = v.data[0].decode(l, "data")
		default:
			err = l.Array("data", nil) // null, or a type error
		}
	case "includes":
		err = l.Object("includes", func(k []byte) error {
			switch string(k) {
			case "users":
				return l.Array("includes.users", func() error {
					v.incUsers = append(v.incUsers, item{})
					return v.incUsers[len(v.incUsers)-1].decode(l, "includes.users[]")
				})
			case "tweets":
				return l.Array("includes.tweets", func() error {
					v.incTweets = append(v.incTweets, item{})
					return v.incTweets[len(v.incTweets)-1].decode(l, "includes.tweets[]")
				})
			case "media":
				return l.Array("includes.media", func() error {
					v.incMedia = append(v.incMedia, media{})
					return v.incMedia[len(v.incMedia)-1].decode(l)
				})
			}
			return l.Skip()
		})
	case "meta", "errors":
		v.hasMeta = true
		err = l.Skip()
	default:
		err = v.item.member(l, k)
	}
	return err
}

// member decodes the member named k of an item.
func (it *item) member(l *jsonlex.Lexer, k []byte) error {
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
	case "source":
		if l.Peek() == 'n' {
			return l.Null()
		}
		it.source, err = l.Str("source")
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
	case "description":
		it.description, err = l.Str("description")
	case "location":
		it.location, err = l.Str("location")
	case "verified":
		it.verified, err = l.Bool("verified")
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
			var m mention
			err := l.Object("entities.mentions[]", func(k []byte) error {
				var err error
				var v int64
				switch string(k) {
				case "start":
					v, _, err = l.Int("entities.mentions[].start")
					m.start = int(v)
				case "end":
					v, _, err = l.Int("entities.mentions[].end")
					m.end = int(v)
				case "username":
					m.username, err = l.Str("entities.mentions[].username")
				case "id":
					m.id, _, err = l.ID("entities.mentions[].id")
				case "name", "description", "location", "created_at", "public_metrics", "verified":
					// A user object merged in by twarc2 flatten.
					if m.user == nil {
						m.user = new(item)
					}
					err = m.user.member(l, k)
				default:
					err = l.Skip()
				}
				return err
			})
			if u := m.user; u != nil {
				u.id, u.hasID, u.username, u.hasUsername = m.id, m.id != "", m.username, m.username != ""
			}
			it.mentions = append(it.mentions, m)
			return err
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
