package xv1

import (
	"errors"
	"slices"

	"github.com/tahqiq/tahqiq/internal/ingest/jsonlex"
)

// decodeStatus decodes one input value in a single pass (jsonlex), reading
// only the members the importer maps; the rest stay in the raw record.
func decodeStatus(b []byte) (*status, error) {
	l := jsonlex.New(b)
	s := new(status)
	if err := s.decode(l, "the record", true); err != nil {
		return nil, err
	}
	return s, l.End()
}

func (s *status) decode(l *jsonlex.Lexer, field string, top bool) error {
	return l.Object(field, func(k []byte) error {
		var err error
		switch string(k) {
		case "id_str":
			s.IDStr, err = l.Str("id_str")
		case "id":
			s.HasID = l.Peek() != 'n'
			err = l.Skip()
		case "created_at":
			s.CreatedAt, err = l.Str("created_at")
		case "text":
			s.Text, err = optStr(l, "text")
		case "full_text":
			s.FullText, err = optStr(l, "full_text")
		case "lang":
			s.Lang, err = l.Str("lang")
		case "user":
			if l.Peek() == 'n' {
				return l.Null()
			}
			s.User = new(user)
			err = s.User.decode(l)
		case "entities":
			err = s.Entities.decode(l, "entities")
		case "extended_entities":
			if l.Peek() == 'n' {
				return l.Null()
			}
			s.ExtendedEntities = new(entities)
			err = s.ExtendedEntities.decode(l, "extended_entities")
		case "in_reply_to_status_id_str":
			s.InReplyToStatusIDStr, err = l.Str("in_reply_to_status_id_str")
		case "in_reply_to_user_id_str":
			s.InReplyToUserIDStr, err = l.Str("in_reply_to_user_id_str")
		case "source":
			if l.Peek() == 'n' {
				return l.Null()
			}
			s.Source, err = l.Str("source")
		case "in_reply_to_screen_name":
			s.InReplyToScreenName, err = l.Str("in_reply_to_screen_name")
		case "quoted_status":
			if l.Peek() == 'n' {
				return l.Null()
			}
			s.QuotedStatus = new(status)
			err = s.QuotedStatus.decode(l, "quoted_status", false)
		case "retweeted_status":
			if l.Peek() == 'n' {
				return l.Null()
			}
			s.RetweetedStatus = new(status)
			err = s.RetweetedStatus.decode(l, "retweeted_status", false)
		case "retweet_count":
			s.RetweetCount, err = count(l)
		case "favorite_count":
			s.FavoriteCount, err = count(l)
		case "reply_count":
			s.ReplyCount, err = count(l)
		case "quote_count":
			s.QuoteCount, err = count(l)
		case "extended_tweet":
			if l.Peek() == 'n' {
				return l.Null()
			}
			s.ExtendedTweet = new(extendedTweet)
			err = s.ExtendedTweet.decode(l)
		case "timestamp_ms":
			if !top {
				return l.Skip()
			}
			// A string in the streaming API; accept a number too.
			if c := l.Peek(); c == '-' || c >= '0' && c <= '9' {
				var n []byte
				n, err = l.Number()
				s.TimestampMS = string(n)
			} else {
				s.TimestampMS, err = l.Str("timestamp_ms")
			}
		default:
			if top && s.Notice == "" && slices.Contains(noticeKeys, string(k)) {
				s.Notice = string(k)
			}
			err = l.Skip()
		}
		return err
	})
}

func (x *extendedTweet) decode(l *jsonlex.Lexer) error {
	return l.Object("extended_tweet", func(k []byte) error {
		var err error
		switch string(k) {
		case "full_text":
			x.FullText, err = l.Str("extended_tweet.full_text")
		case "entities":
			err = x.Entities.decode(l, "extended_tweet.entities")
		case "extended_entities":
			if l.Peek() == 'n' {
				return l.Null()
			}
			x.ExtendedEntities = new(entities)
			err = x.ExtendedEntities.decode(l, "extended_tweet.extended_entities")
		default:
			err = l.Skip()
		}
		return err
	})
}

func (u *user) decode(l *jsonlex.Lexer) error {
	return l.Object("user", func(k []byte) error {
		var err error
		switch string(k) {
		case "id_str":
			u.IDStr, err = l.Str("user.id_str")
		case "screen_name":
			u.ScreenName, err = l.Str("user.screen_name")
		case "name":
			u.Name, err = l.Str("user.name")
		case "description":
			u.Description, err = l.Str("user.description")
		case "location":
			u.Location, err = l.Str("user.location")
		case "created_at":
			u.CreatedAt, err = l.Str("user.created_at")
		case "followers_count":
			u.FollowersCount, err = count(l)
		case "friends_count":
			u.FriendsCount, err = count(l)
		case "statuses_count":
			u.StatusesCount, err = count(l)
		case "verified":
			u.Verified, err = l.Bool("user.verified")
		default:
			err = l.Skip()
		}
		return err
	})
}

func (e *entities) decode(l *jsonlex.Lexer, field string) error {
	return l.Object(field, func(k []byte) error {
		switch string(k) {
		case "hashtags":
			return l.Array("hashtags", func() error {
				var h hashtag
				err := l.Object("hashtags[]", func(k []byte) error {
					var err error
					switch string(k) {
					case "text":
						h.Text, err = l.Str("hashtags[].text")
					case "indices":
						h.Indices, err = indices(l)
					default:
						err = l.Skip()
					}
					return err
				})
				e.Hashtags = append(e.Hashtags, h)
				return err
			})
		case "urls":
			return l.Array("urls", func() error {
				var u urlEntity
				err := l.Object("urls[]", func(k []byte) error {
					var err error
					switch string(k) {
					case "url":
						u.URL, err = l.Str("urls[].url")
					case "expanded_url":
						u.ExpandedURL, err = l.Str("urls[].expanded_url")
					case "indices":
						u.Indices, err = indices(l)
					default:
						err = l.Skip()
					}
					return err
				})
				e.URLs = append(e.URLs, u)
				return err
			})
		case "user_mentions":
			return l.Array("user_mentions", func() error {
				var m mention
				err := l.Object("user_mentions[]", func(k []byte) error {
					var err error
					switch string(k) {
					case "screen_name":
						m.ScreenName, err = l.Str("user_mentions[].screen_name")
					case "id_str":
						m.IDStr, err = l.Str("user_mentions[].id_str")
					case "indices":
						m.Indices, err = indices(l)
					default:
						err = l.Skip()
					}
					return err
				})
				e.UserMentions = append(e.UserMentions, m)
				return err
			})
		case "media":
			return l.Array("media", func() error {
				var m mediaEntity
				err := l.Object("media[]", func(k []byte) error {
					var err error
					switch string(k) {
					case "id_str":
						m.IDStr, err = l.Str("media[].id_str")
					case "type":
						m.Type, err = l.Str("media[].type")
					case "media_url_https":
						m.MediaURLHTTPS, err = l.Str("media[].media_url_https")
					default:
						err = l.Skip()
					}
					return err
				})
				e.Media = append(e.Media, m)
				return err
			})
		}
		return l.Skip()
	})
}

func optStr(l *jsonlex.Lexer, field string) (*string, error) {
	if l.Peek() == 'n' {
		return nil, l.Null()
	}
	s, err := l.Str(field)
	return &s, err
}

// count reads a metric. Old v1.1 data has strings such as "100+" where a
// count was capped: such a value is not a count, so the metric is left
// out (absent, not zero) rather than the status rejected.
func count(l *jsonlex.Lexer) (*int64, error) {
	if c := l.Peek(); c != '-' && (c < '0' || c > '9') {
		return nil, l.Skip()
	}
	v, ok, err := l.Int("count")
	var te *jsonlex.TypeError
	if errors.As(err, &te) {
		return nil, nil // a fractional or huge number: not a count either
	}
	if err != nil || !ok {
		return nil, err
	}
	return &v, nil
}

// indices reads an entity's [start, end].
func indices(l *jsonlex.Lexer) ([]int, error) {
	var out []int
	err := l.Array("indices", func() error {
		v, _, err := l.Int("indices[]")
		out = append(out, int(v))
		return err
	})
	return out, err
}
