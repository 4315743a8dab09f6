// Package telegram imports Telegram exports: the Telegram Desktop "Export
// chat history" result.json (a single chat, or a full account export with
// chats.list[] and left_chats.list[]), streamed token by token, and Telethon
// Message.to_dict() JSON Lines (the usual research-scraper output, also the
// 4CAT Telegram datasource's). Each message is one raw record holding the
// exact bytes of its JSON object.
//
// Post UIDs are "telegram:<chat kind><chat id>/<message id>", e.g.
// telegram:channel1150750640/1829, where the kind is channel, chat or user
// (as in MTProto peers). It does not derive shares.
package telegram

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tahqiq/tahqiq"
)

// Format names.
const (
	FormatDesktop  = "tg_desktop_json"
	FormatTelethon = "tg_telethon_jsonl"
)

// Sniff recognises a Desktop export (a JSON object with "messages" and
// "date_unixtime", or a full export with "personal_information") or
// Telethon JSON Lines (a first line that is a Message or MessageService
// object with a peer_id).
func Sniff(head []byte) (string, bool) {
	h := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(h) == 0 || h[0] != '{' {
		return "", false
	}
	first := h
	if i := bytes.IndexByte(h, '\n'); i >= 0 {
		first = h[:i]
	}
	if reTelethon.Match(first) && bytes.Contains(first, []byte(`"peer_id"`)) {
		return FormatTelethon, true
	}
	if bytes.Contains(h, []byte(`"personal_information"`)) ||
		(bytes.Contains(h, []byte(`"messages"`)) && bytes.Contains(h, []byte(`"date_unixtime"`))) {
		return FormatDesktop, true
	}
	return "", false
}

var reTelethon = regexp.MustCompile(`^\{\s*"_"\s*:\s*"Message(Service|Empty)?"`)

// containerFromName reads "<name>_<channelid>.jsonl" (the TelegramToolkit
// naming): it returns the name and the numeric id, or "", "".
func containerFromName(file string) (name, id string) {
	base := filepath.Base(file)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	i := strings.LastIndexByte(base, '_')
	if i <= 0 || !isDigits(base[i+1:]) {
		return "", ""
	}
	return base[:i], base[i+1:]
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

// utf16Index maps UTF-16 code-unit offsets of a text to code-point offsets.
type utf16Index struct {
	cp []int // cp[u] = code point index at UTF-16 offset u, or -1 inside a surrogate pair
}

func newUTF16Index(s string) utf16Index {
	cp := make([]int, 0, len(s)+1)
	n := 0
	for _, r := range s {
		cp = append(cp, n)
		if r >= 0x10000 {
			cp = append(cp, -1)
		}
		n++
	}
	cp = append(cp, n)
	return utf16Index{cp: cp}
}

// span converts a UTF-16 (offset, length) to code points; ok is false when
// either end is out of range or inside a surrogate pair.
func (x utf16Index) span(off, length int) (start, end int, ok bool) {
	if off < 0 || length < 0 || off+length >= len(x.cp) || off+length < off {
		return 0, 0, false
	}
	start, end = x.cp[off], x.cp[off+length]
	return start, end, start >= 0 && end >= 0
}

// addEntity adds an entity of a Telegram type to post. typ is the
// Desktop type name or the Telethon class name without "MessageEntity".
// text is the entity's text; url the text_link target; userID the
// mentioned user of a mention_name.
func addEntity(post *tahqiq.Post, typ, text, url, userID string, start, end int) {
	switch strings.ToLower(typ) {
	case "url", "link":
		post.Links = append(post.Links, tahqiq.Link{URL: text, Start: start, End: end})
	case "texturl", "text_link":
		post.Links = append(post.Links, tahqiq.Link{URL: url, Start: start, End: end})
	case "hashtag":
		post.Hashtags = append(post.Hashtags, tahqiq.Entity{Text: strings.TrimPrefix(strings.TrimPrefix(text, "#"), "＃"), Start: start, End: end})
	case "mention":
		post.Mentions = append(post.Mentions, tahqiq.Entity{Text: strings.TrimPrefix(text, "@"), Start: start, End: end})
	case "mentionname", "inputmessageentitymentionname", "mention_name":
		post.Mentions = append(post.Mentions, tahqiq.Entity{Text: text, ID: userID, Start: start, End: end})
	}
}

// peerKind maps a Desktop chat type to the MTProto peer kind used in UIDs.
func peerKind(chatType string) string {
	switch chatType {
	case "private_channel", "public_channel", "private_supergroup", "public_supergroup":
		return "channel"
	case "private_group":
		return "chat"
	case "personal_chat", "bot_chat", "saved_messages", "replies", "verification_codes":
		return "user"
	}
	return "chat"
}

func account(peer, name string) tahqiq.Account {
	return tahqiq.Account{
		UID: "telegram:" + peer, Platform: tahqiq.PlatformTelegram, PlatformID: peer, Name: name,
		Followers: -1, Following: -1, PostsCount: -1,
	}
}
