package sqlstore

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
)

// appendPostJSON appends the JSON of p to b: the bytes json.Marshal gives
// (TestPostJSON and FuzzPostJSON compare them), without its reflection
// for the posts most imports write: the events tables' and every post
// whose fields are strings, its time and its objects. A post with
// references, entities, links, media, metrics, labels or an author
// profile is encoded by json.Marshal.
func appendPostJSON(b []byte, p *tahqiq.Post) ([]byte, error) {
	if len(p.References) > 0 || len(p.Hashtags) > 0 || len(p.Mentions) > 0 || len(p.Links) > 0 ||
		len(p.Media) > 0 || len(p.Metrics) > 0 || len(p.Labels) > 0 || p.Author != nil {
		data, err := json.Marshal(p)
		return append(b, data...), err
	}
	start := len(b)
	b = append(b, '{')
	b = appendField(b, "uid", p.UID)
	b = appendField(b, "platform", p.Platform)
	b = appendField(b, "platform_id", p.PlatformID)
	b = appendField(b, "url", p.URL)
	b = appendField(b, "container_id", p.ContainerID)
	b = appendField(b, "container_name", p.ContainerName)
	b = appendField(b, "thread_id", p.ThreadID)
	b = appendField(b, "author_uid", p.AuthorUID)
	b = appendField(b, "kind", string(p.Kind))
	if !p.CreatedAt.IsZero() {
		b = appendKey(b, "created_at")
		b = append(b, '"')
		// AppendText is MarshalJSON without the quotes: RFC 3339 with
		// nanoseconds, an error for a year outside 0-9999
		t, err := p.CreatedAt.AppendText(b)
		if err != nil {
			data, err := json.Marshal(p) // its error, in its words
			return append(b[:start], data...), err
		}
		b = append(t, '"')
	}
	b = appendField(b, "created_at_raw", p.CreatedAtRaw)
	b = appendField(b, "precision", string(p.Precision))
	b = appendField(b, "text", p.Text)
	b = appendField(b, "text_full", p.TextFull)
	b = appendField(b, "lang", p.Lang)
	b = appendField(b, "client", p.Client)
	if len(p.Objects) > 0 {
		b = appendKey(b, "objects")
		b = append(b, '[')
		for i, o := range p.Objects {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = appendJSONString(b, string(o.Type))
			b = append(b, `,"value":`...)
			b = appendJSONString(b, o.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendKey appends the key of a field and its colon, after a comma
// unless the field is the object's first.
func appendKey(b []byte, key string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendField appends a string field tagged omitempty: nothing when v is
// empty.
func appendField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendJSONString(appendKey(b, key), v)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes a string:
// HTML's <, > and & escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029
// escaped for JavaScript.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	from := 0 // s[from:i] is still to copy
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[from:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			from = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[from:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[from:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		from = i
	}
	b = append(b, s[from:]...)
	return append(b, '"')
}
