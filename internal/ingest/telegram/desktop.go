package telegram

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
)

// desktopMessage is the part of a Desktop export message the importer reads.
type desktopMessage struct {
	ID              json.Number `json:"id"`
	Type            string      `json:"type"`
	Date            string      `json:"date"`
	DateUnixtime    string      `json:"date_unixtime"`
	From            *string     `json:"from"`
	FromID          string      `json:"from_id"`
	Actor           *string     `json:"actor"`
	ActorID         string      `json:"actor_id"`
	Action          string      `json:"action"`
	ForwardedFrom   *string     `json:"forwarded_from"`
	ForwardedFromID string      `json:"forwarded_from_id"`
	ReplyToMsgID    json.Number `json:"reply_to_message_id"`
	ReplyToPeerID   string      `json:"reply_to_peer_id"`
	Photo           string      `json:"photo"`
	File            string      `json:"file"`
	MediaType       string      `json:"media_type"`
	MimeType        string      `json:"mime_type"`
	TextEntities    []struct {
		Type   string      `json:"type"`
		Text   string      `json:"text"`
		Href   string      `json:"href"`
		UserID json.Number `json:"user_id"`
	} `json:"text_entities"`
	Reactions []struct {
		Type  string `json:"type"`
		Count int64  `json:"count"`
		Emoji string `json:"emoji"`
	} `json:"reactions"`
}

// chatInfo is what is known of the chat whose messages are being read.
type chatInfo struct {
	name, typ, id string
}

// desktop walks a Desktop export with json.Decoder tokens, holding one
// message at a time.
type desktop struct {
	ctx  context.Context
	src  tahqiq.Source
	dec  *json.Decoder
	emit func(*tahqiq.Parsed) error
	bom  int64
	n    int
}

// ParseDesktop reads a Telegram Desktop result.json: a single chat export
// or a full account export (chats.list[] and left_chats.list[]). It never
// holds more than one message in memory.
func ParseDesktop(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	br := bufio.NewReaderSize(src.R, 256<<10)
	var bomLen int64
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		bomLen = 3
	}
	d := &desktop{ctx: ctx, src: src, dec: json.NewDecoder(br), emit: emit, bom: bomLen}
	d.dec.UseNumber()
	tok, err := d.dec.Token()
	if err == io.EOF {
		return tahqiq.Errorf(tahqiq.EINVALID, "%s: empty input", src.Name)
	}
	if err != nil || tok != json.Delim('{') {
		return d.invalid("not a JSON object", err)
	}
	var chat chatInfo
	for d.dec.More() {
		key, err := d.key()
		if err != nil {
			return err
		}
		switch key {
		case "chats", "left_chats":
			if err := d.chatSection(key); err != nil {
				return err
			}
		case "messages":
			if err := d.messages(chat, "#/messages"); err != nil {
				return err
			}
		case "name", "type", "id":
			if err := d.chatField(&chat, key); err != nil {
				return err
			}
		default:
			if err := d.skip(); err != nil {
				return err
			}
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return d.invalid("unterminated JSON object", err)
	}
	return nil
}

func (d *desktop) invalid(what string, err error) error {
	var se *json.SyntaxError
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &se) {
		if _, ok := err.(*json.UnmarshalTypeError); !ok {
			return fmt.Errorf("telegram: read %s: %w", d.src.Name, err)
		}
	}
	msg := fmt.Sprintf("%s: %s at byte %d", d.src.Name, what, d.dec.InputOffset()+d.bom)
	if err != nil {
		msg += ": " + err.Error()
	}
	return tahqiq.Errorf(tahqiq.EINVALID, "%s", msg)
}

func (d *desktop) key() (string, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return "", d.invalid("bad JSON", err)
	}
	k, ok := tok.(string)
	if !ok {
		return "", d.invalid("expected an object key", nil)
	}
	return k, nil
}

// skip skips one value without keeping it.
func (d *desktop) skip() error {
	depth := 0
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return d.invalid("bad JSON", err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func (d *desktop) chatField(c *chatInfo, key string) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.invalid("bad JSON", err)
	}
	var s string
	switch v := tok.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case nil:
	case json.Delim:
		return d.invalid("unexpected "+v.String()+" in chat "+key, nil)
	}
	switch key {
	case "name":
		c.name = s
	case "type":
		c.typ = s
	case "id":
		c.id = s
	}
	return nil
}

// chatSection reads {"about": ..., "list": [chat, ...]}.
func (d *desktop) chatSection(section string) error {
	tok, err := d.dec.Token()
	if err != nil || tok != json.Delim('{') {
		return d.invalid(section+" is not an object", err)
	}
	for d.dec.More() {
		key, err := d.key()
		if err != nil {
			return err
		}
		if key != "list" {
			if err := d.skip(); err != nil {
				return err
			}
			continue
		}
		if tok, err := d.dec.Token(); err != nil || tok != json.Delim('[') {
			return d.invalid(section+".list is not an array", err)
		}
		for i := 0; d.dec.More(); i++ {
			if err := d.chat(fmt.Sprintf("#/%s/list/%d", section, i)); err != nil {
				return err
			}
		}
		if _, err := d.dec.Token(); err != nil {
			return d.invalid("bad JSON", err)
		}
	}
	_, err = d.dec.Token()
	if err != nil {
		return d.invalid("bad JSON", err)
	}
	return nil
}

// chat reads one chat object of a full export.
func (d *desktop) chat(pointer string) error {
	if tok, err := d.dec.Token(); err != nil || tok != json.Delim('{') {
		return d.invalid(pointer+" is not an object", err)
	}
	var c chatInfo
	for d.dec.More() {
		key, err := d.key()
		if err != nil {
			return err
		}
		switch key {
		case "name", "type", "id":
			err = d.chatField(&c, key)
		case "messages":
			err = d.messages(c, pointer+"/messages")
		default:
			err = d.skip()
		}
		if err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return d.invalid("bad JSON", err)
	}
	return nil
}

// messages reads a messages array, one raw record per element.
func (d *desktop) messages(c chatInfo, pointer string) error {
	if tok, err := d.dec.Token(); err != nil || tok != json.Delim('[') {
		return d.invalid(pointer+" is not an array", err)
	}
	for i := 0; d.dec.More(); i++ {
		d.n++
		if d.n&255 == 0 && d.ctx.Err() != nil {
			return d.ctx.Err()
		}
		var raw json.RawMessage
		if err := d.dec.Decode(&raw); err != nil {
			return d.invalid("bad JSON in "+pointer+"/"+strconv.Itoa(i), err)
		}
		end := d.dec.InputOffset()
		raw = bytes.Clone(raw)
		loc := pointer + "/" + strconv.Itoa(i)
		p := &tahqiq.Parsed{Record: tahqiq.RawRecord{
			Format: FormatDesktop, SourceFile: d.src.Name, Offset: end - int64(len(raw)) + d.bom,
			Locator: loc, Raw: raw, SHA256: sha256.Sum256(raw),
		}}
		if why := desktopRecord(p, raw, c); why != "" {
			p.Reject = loc + ": " + why
			p.Posts, p.Accounts = nil, nil
		}
		if err := d.emit(p); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return d.invalid("bad JSON", err)
	}
	return nil
}

func desktopRecord(p *tahqiq.Parsed, raw []byte, c chatInfo) string {
	var m desktopMessage
	if len(raw) == 0 || raw[0] != '{' {
		return "message is not a JSON object"
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return "unexpected message field: " + err.Error()
	}
	if c.id == "" {
		return "the chat id is not given before its messages"
	}
	if !isDigits(m.ID.String()) {
		return "message id " + strconv.Quote(m.ID.String()) + " is not an integer"
	}
	if m.Type == "unsupported" {
		p.Record.Kind = tahqiq.RecordOther
		return ""
	}
	sec, err := strconv.ParseInt(m.DateUnixtime, 10, 64)
	if err != nil {
		return "date_unixtime " + strconv.Quote(m.DateUnixtime) + " is not unix seconds"
	}
	chat := peerKind(c.typ) + c.id
	post := tahqiq.Post{
		UID: "telegram:" + chat + "/" + m.ID.String(), Platform: tahqiq.PlatformTelegram,
		PlatformID: chat + "/" + m.ID.String(), ContainerID: chat, ContainerName: c.name,
		Kind: tahqiq.KindOriginal, CreatedAt: time.Unix(sec, 0).UTC(), CreatedAtRaw: m.DateUnixtime,
		Precision: tahqiq.PrecisionSecond,
	}
	authorID, authorName := m.FromID, m.From
	p.Record.Kind = tahqiq.RecordPost
	service := m.Type == "service"
	if service {
		p.Record.Kind = tahqiq.RecordOther
		authorID, authorName = m.ActorID, m.Actor
	}
	if authorID == "" && peerKind(c.typ) == "channel" {
		authorID, authorName = chat, &c.name
	}
	if authorID != "" {
		post.AuthorUID = "telegram:" + authorID
		name := ""
		if authorName != nil {
			name = *authorName
		}
		p.Accounts = []tahqiq.Account{account(authorID, name)}
	}
	if service {
		// A pin, a join, a title change: the record is kept (the action
		// stays in Raw) and its actor is an account it shows, but it is
		// no post and shares nothing.
		return ""
	}
	// Text and entities: concatenating the text_entities rebuilds the text.
	var sb strings.Builder
	cp := 0
	for _, e := range m.TextEntities {
		sb.WriteString(e.Text)
		n := len([]rune(e.Text))
		addEntity(&post, e.Type, e.Text, e.Href, e.UserID.String(), cp, cp+n)
		cp += n
	}
	post.Text = sb.String()
	if m.ForwardedFrom != nil || m.ForwardedFromID != "" {
		post.Kind = tahqiq.KindRepost
		ref := tahqiq.Reference{Type: tahqiq.RefForwardOf, TargetAccountID: m.ForwardedFromID}
		if m.ForwardedFrom != nil {
			ref.TargetAccount = *m.ForwardedFrom
		}
		post.References = append(post.References, ref)
	}
	if m.ReplyToMsgID != "" {
		target := chat
		if m.ReplyToPeerID != "" {
			target = m.ReplyToPeerID
		}
		ref := tahqiq.Reference{Type: tahqiq.RefReplyTo, TargetID: target + "/" + m.ReplyToMsgID.String()}
		ref.TargetUID = "telegram:" + ref.TargetID
		post.References = append(post.References, ref)
		if post.Kind == tahqiq.KindOriginal {
			post.Kind = tahqiq.KindReply
		}
	}
	if m.Photo != "" {
		post.Media = append(post.Media, tahqiq.Media{Type: "photo", URL: filePath(m.Photo)})
	}
	if m.File != "" {
		typ := m.MediaType
		if typ == "" {
			typ = "file"
		}
		if m.MimeType != "" {
			typ += ":" + m.MimeType
		}
		post.Media = append(post.Media, tahqiq.Media{Type: typ, URL: filePath(m.File)})
	}
	for _, r := range m.Reactions {
		key := r.Emoji
		if key == "" {
			key = r.Type
		}
		if post.Metrics == nil {
			post.Metrics = make(map[string]int64)
		}
		post.Metrics["reactions:"+key] += r.Count
	}
	p.Posts = []tahqiq.Post{post}
	return ""
}

// filePath returns the exported file's relative path, or "" for the
// "(File not included. ...)" placeholder.
func filePath(s string) string {
	if strings.HasPrefix(s, "(") {
		return ""
	}
	return s
}

// Parse dispatches on the input: JSON Lines of Telethon messages, or a
// Desktop export. It peeks at the first 64 KiB.
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	br := bufio.NewReaderSize(src.R, 64<<10)
	head, _ := br.Peek(64 << 10)
	src.R = br
	if f, ok := Sniff(head); ok && f == FormatTelethon {
		return ParseTelethon(ctx, src, emit)
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")))) == 0 {
		return tahqiq.Errorf(tahqiq.EINVALID, "%s: empty input", src.Name)
	}
	return ParseDesktop(ctx, src, emit)
}
