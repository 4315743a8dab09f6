package telegram

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
)

// peer is a Telethon Peer object.
type peer struct {
	Type      string      `json:"_"`
	ChannelID json.Number `json:"channel_id"`
	ChatID    json.Number `json:"chat_id"`
	UserID    json.Number `json:"user_id"`
}

// String returns "channel<id>", "chat<id>" or "user<id>", or "".
func (p *peer) String() string {
	if p == nil {
		return ""
	}
	switch {
	case p.ChannelID != "":
		return "channel" + p.ChannelID.String()
	case p.ChatID != "":
		return "chat" + p.ChatID.String()
	case p.UserID != "":
		return "user" + p.UserID.String()
	}
	return ""
}

type telethonMessage struct {
	Type    string          `json:"_"`
	ID      json.Number     `json:"id"`
	PeerID  *peer           `json:"peer_id"`
	Date    json.RawMessage `json:"date"`
	Message string          `json:"message"`
	FromID  *peer           `json:"from_id"`
	Post    bool            `json:"post"`
	FwdFrom *struct {
		Date        json.RawMessage `json:"date"`
		FromID      *peer           `json:"from_id"`
		FromName    *string         `json:"from_name"`
		ChannelPost json.Number     `json:"channel_post"`
		PostAuthor  *string         `json:"post_author"`
	} `json:"fwd_from"`
	ReplyTo *struct {
		ReplyToMsgID  json.Number `json:"reply_to_msg_id"`
		ReplyToPeerID *peer       `json:"reply_to_peer_id"`
		ReplyToTopID  json.Number `json:"reply_to_top_id"`
	} `json:"reply_to"`
	Media *struct {
		Type  string `json:"_"`
		Photo *struct {
			ID json.Number `json:"id"`
		} `json:"photo"`
		Document *struct {
			ID       json.Number `json:"id"`
			MimeType string      `json:"mime_type"`
		} `json:"document"`
		Webpage *struct {
			URL string `json:"url"`
		} `json:"webpage"`
	} `json:"media"`
	Entities []struct {
		Type   string      `json:"_"`
		Offset int         `json:"offset"`
		Length int         `json:"length"`
		URL    string      `json:"url"`
		UserID json.Number `json:"user_id"`
	} `json:"entities"`
	Views    *int64 `json:"views"`
	Forwards *int64 `json:"forwards"`
	Replies  *struct {
		Replies *int64 `json:"replies"`
	} `json:"replies"`
	Reactions *struct {
		Results []struct {
			Reaction struct {
				Type       string      `json:"_"`
				Emoticon   string      `json:"emoticon"`
				DocumentID json.Number `json:"document_id"`
			} `json:"reaction"`
			Count int64 `json:"count"`
		} `json:"results"`
	} `json:"reactions"`
	Action *struct {
		Type string `json:"_"`
	} `json:"action"`
}

// ParseTelethon reads Telethon to_dict() JSON Lines. Options: "container"
// names the channel ("name" or "name_id"); default from the file name
// "<name>_<channelid>.jsonl". Unknown keys are kept in the raw record.
func ParseTelethon(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	hintName, hintID := containerFromName(src.Name)
	if c := src.Options["container"]; c != "" {
		hintName, hintID = c, ""
		if n, id := containerFromName(c); n != "" {
			hintName, hintID = n, id
		}
	}
	br := bufio.NewReaderSize(src.R, 256<<10)
	var off int64
	var line int64
	nonEmpty := false
	for {
		if line&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b, err := br.ReadBytes('\n')
		if len(b) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return errors.Join(errors.New("telegram: read "+src.Name), err)
		}
		line++
		start := off
		off += int64(len(b))
		raw := bytes.TrimRight(b, "\r\n")
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if !nonEmpty && line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
			start += int64(len(b) - len(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
		}
		nonEmpty = true
		p := &tahqiq.Parsed{Record: tahqiq.RawRecord{
			Format: FormatTelethon, SourceFile: src.Name, Line: line, Offset: start,
			Locator: "L" + strconv.FormatInt(line, 10), Raw: raw, SHA256: sha256.Sum256(raw),
		}}
		if why := telethonRecord(p, raw, hintName, hintID); why != "" {
			p.Reject = "line " + strconv.FormatInt(line, 10) + ": " + why
			p.Posts, p.Accounts = nil, nil
		}
		if err := emit(p); err != nil {
			return err
		}
		if err == io.EOF {
			break
		}
	}
	if !nonEmpty {
		return tahqiq.Errorf(tahqiq.EINVALID, "%s: empty input", src.Name)
	}
	return nil
}

func telethonRecord(p *tahqiq.Parsed, raw []byte, hintName, hintID string) string {
	var m telethonMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return "not a JSON object: " + err.Error()
	}
	switch m.Type {
	case "Message", "MessageService":
	case "MessageEmpty":
		p.Record.Kind = tahqiq.RecordOther
		return ""
	default:
		return "not a Telethon message (_ = " + strconv.Quote(m.Type) + ")"
	}
	if !isDigits(m.ID.String()) {
		return "message id " + strconv.Quote(m.ID.String()) + " is not an integer"
	}
	chat := m.PeerID.String()
	if chat == "" {
		if hintID == "" {
			return "no peer_id and no container id in the options or file name"
		}
		chat = "channel" + hintID
	}
	created, prec, rawDate, ok := telethonDate(m.Date)
	if !ok {
		return "date " + string(m.Date) + " is not a Telethon date or unix time"
	}
	post := tahqiq.Post{
		UID: "telegram:" + chat + "/" + m.ID.String(), Platform: tahqiq.PlatformTelegram,
		PlatformID: chat + "/" + m.ID.String(), ContainerID: chat, Kind: tahqiq.KindOriginal,
		CreatedAt: created, CreatedAtRaw: rawDate, Precision: prec, Text: m.Message,
	}
	if hintName != "" && (hintID == "" || chat == "channel"+hintID) {
		post.ContainerName = hintName
	}
	if strings.HasPrefix(chat, "channel") && m.PeerID != nil && m.PeerID.ChannelID != "" {
		post.URL = "https://t.me/c/" + m.PeerID.ChannelID.String() + "/" + m.ID.String()
	}
	author := m.FromID.String()
	if author == "" {
		author = chat // channel posts are authored by the channel
	}
	post.AuthorUID = "telegram:" + author
	acc := account(author, "")
	if author == chat {
		acc.Name = post.ContainerName
	}
	p.Accounts = []tahqiq.Account{acc}

	if m.Type == "MessageService" {
		// A pin, a join, a title change: the record is kept (the action
		// stays in Raw) and its actor is an account it shows, but it is
		// no post and shares nothing.
		p.Record.Kind = tahqiq.RecordOther
		return ""
	}
	p.Record.Kind = tahqiq.RecordPost
	if f := m.FwdFrom; f != nil {
		post.Kind = tahqiq.KindRepost
		ref := tahqiq.Reference{Type: tahqiq.RefForwardOf}
		if src := f.FromID.String(); src != "" {
			ref.TargetAccountID = src
			if f.ChannelPost != "" {
				ref.TargetID = src + "/" + f.ChannelPost.String()
				ref.TargetUID = "telegram:" + ref.TargetID
			}
		}
		if f.FromName != nil {
			ref.TargetAccount = *f.FromName
		}
		if t, _, _, ok := telethonDate(f.Date); ok {
			ref.TargetCreatedAt = t.Unix()
		}
		post.References = append(post.References, ref)
	}
	if r := m.ReplyTo; r != nil && r.ReplyToMsgID != "" {
		target := chat
		if s := r.ReplyToPeerID.String(); s != "" {
			target = s
		}
		ref := tahqiq.Reference{Type: tahqiq.RefReplyTo, TargetID: target + "/" + r.ReplyToMsgID.String()}
		ref.TargetUID = "telegram:" + ref.TargetID
		post.References = append(post.References, ref)
		if post.Kind == tahqiq.KindOriginal {
			post.Kind = tahqiq.KindReply
		}
		if r.ReplyToTopID != "" {
			post.ThreadID = chat + "/" + r.ReplyToTopID.String()
		}
	}
	if len(m.Entities) > 0 {
		idx := newUTF16Index(m.Message)
		runes := []rune(m.Message)
		for _, e := range m.Entities {
			start, end, ok := idx.span(e.Offset, e.Length)
			if !ok {
				continue // an entity outside the text: kept in Raw only
			}
			addEntity(&post, strings.TrimPrefix(e.Type, "MessageEntity"), string(runes[start:end]), e.URL, e.UserID.String(), start, end)
		}
	}
	if md := m.Media; md != nil {
		typ := strings.ToLower(strings.TrimPrefix(md.Type, "MessageMedia"))
		media := tahqiq.Media{Type: typ}
		switch {
		case md.Photo != nil:
			media.Key = md.Photo.ID.String()
		case md.Document != nil:
			media.Key = md.Document.ID.String()
			if md.Document.MimeType != "" {
				media.Type = "document:" + md.Document.MimeType
			}
		case md.Webpage != nil:
			media.URL = md.Webpage.URL
		}
		post.Media = append(post.Media, media)
	}
	setMetric(&post, "views", m.Views)
	setMetric(&post, "forwards", m.Forwards)
	if m.Replies != nil {
		setMetric(&post, "replies", m.Replies.Replies)
	}
	if m.Reactions != nil {
		for _, r := range m.Reactions.Results {
			key := r.Reaction.Emoticon
			if key == "" && r.Reaction.DocumentID != "" {
				key = "custom:" + r.Reaction.DocumentID.String()
			}
			if key == "" {
				continue
			}
			n := r.Count
			setMetric(&post, "reactions:"+key, &n)
		}
	}
	p.Posts = []tahqiq.Post{post}
	return ""
}

func setMetric(p *tahqiq.Post, name string, v *int64) {
	if v == nil {
		return
	}
	if p.Metrics == nil {
		p.Metrics = make(map[string]int64)
	}
	p.Metrics[name] += *v
}

// telethonDate reads a Telethon date: "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC),
// an ISO 8601 string with offset (to_json), or unix seconds as a number or
// a float (4CAT).
func telethonDate(raw json.RawMessage) (time.Time, tahqiq.Precision, string, bool) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return time.Time{}, "", "", false
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, "", "", false
		}
		for _, l := range []string{"2006-01-02 15:04:05.999999", "2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999-07:00", "2006-01-02 15:04:05-07:00"} {
			if t, err := time.Parse(l, s); err == nil {
				prec := tahqiq.PrecisionSecond
				if t.Nanosecond() != 0 {
					prec = tahqiq.PrecisionNanosecond // sub-second digits given
				}
				return t.UTC(), prec, s, true
			}
		}
		if isDigits(s) {
			n, _ := strconv.ParseInt(s, 10, 64)
			return time.Unix(n, 0).UTC(), tahqiq.PrecisionSecond, s, true
		}
		return time.Time{}, "", s, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e12 {
		return time.Time{}, "", s, false
	}
	sec := int64(f)
	if float64(sec) == f {
		return time.Unix(sec, 0).UTC(), tahqiq.PrecisionSecond, s, true
	}
	ms := int64(f*1000 + 0.5)
	return time.UnixMilli(ms).UTC(), tahqiq.PrecisionMillisecond, s, true
}
