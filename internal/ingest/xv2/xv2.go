// Package xv2 imports X/Twitter API v2 data as twarc2 writes it: JSON Lines
// of response pages (with includes), flattened tweets (`twarc2 flatten`),
// a JSON list of either, or a single tweet (the four shapes twarc's
// ensure_flattened accepts). Users-lookup pages, tweet-count pages and
// compliance results are recognised and kept as records of their own kind,
// never taken for tweets.
//
// Every input value (a line, or an element of a top-level list) is one raw
// record kept byte for byte. Ids are strings; a float-mangled id is
// rejected. Tweet text is HTML-unescaped (the API writes `&amp;`) and entity
// offsets, which count code points of the escaped text, are moved to match.
// Values are decoded in one pass by a validating lexer (jsonlex) rather
// than by reflection, for speed.
//
// It does not derive shares, canonicalise URLs or touch storage: the ingest
// pipeline does that.
package xv2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/jsonlex"
	"github.com/tahqiq/tahqiq/internal/ingest/jsonstream"
)

// Format names. FormatPages is the name detection and --format use; the
// others name what a record turned out to be (RawRecord.Format).
const (
	FormatPages      = "x_v2_twarc_jsonl" // a twarc2 response page
	FormatFlat       = "x_v2_flat_jsonl"  // a flattened (or single) tweet
	FormatUsers      = "x_v2_users"       // a users-lookup page
	FormatCounts     = "x_v2_counts"      // a tweet-counts page
	FormatCompliance = "x_v2_compliance"  // a compliance-job result
)

// Sniff recognises v2 data by the shape of its first record (the first
// line, or the first element of a top-level list), not by keys found
// anywhere in the head: a response page (only page members: data,
// includes, meta, errors, __twarc, matching_rules; its data holding
// tweets, users or counts), a flattened or single tweet (id with
// author_id, edit_history_tweet_ids, conversation_id or __twarc), a
// flattened user (id, username) or a compliance result (only id, action,
// created_at, redacted_at, reason). A record with a Telethon type ("_") or
// v1.1's id_str is not v2.
func Sniff(head []byte) (string, bool) {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(h) == 0 || (h[0] != '{' && h[0] != '[') {
		return "", false
	}
	top, data := firstRecordKeys(h)
	return FormatPages, isV2Shape(top, data)
}

// pageKeys are the members of a twarc2 response page.
var pageKeys = []string{"data", "includes", "meta", "errors", "__twarc", "matching_rules"}

// complianceKeys are the members of a compliance-job result.
var complianceKeys = []string{"id", "action", "created_at", "redacted_at", "reason"}

// isV2Shape judges the first record by its members: top are those of the
// record (the first element of a top-level list), data those of the first
// element of its "data" member (nil when it has none, or the head ends
// before it). A record with a Telethon type ("_") or a v1.1 "id_str" is
// never v2.
func isV2Shape(top, data map[string]bool) bool {
	if top["_"] || top["id_str"] || data["_"] || data["id_str"] {
		return false
	}
	switch {
	case len(top) == 0:
		return false
	case subset(top, pageKeys):
		// a page: its data (when the head shows it) holds tweets, users
		// or counts
		return len(data) == 0 || data["id"] || data["author_id"] || data["tweet_count"] || data["text"]
	case top["id"] && top["action"]:
		return subset(top, complianceKeys)
	case top["id"] && (top["author_id"] || top["edit_history_tweet_ids"] || top["conversation_id"] || top["__twarc"]):
		return true // a flattened or single tweet
	case top["id"] && top["username"]:
		return true // a flattened user
	}
	return false
}

func subset(keys map[string]bool, of []string) bool {
	for k := range keys {
		found := false
		for _, o := range of {
			if k == o {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// firstRecordKeys returns the member names of the first JSON value of h
// (of its first element when h is a list) and those of the first element
// of its "data" member (or of "data" itself when it is an object). h may
// end anywhere: what comes before the cut is judged.
func firstRecordKeys(h []byte) (top, data map[string]bool) {
	top, data = map[string]bool{}, map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(h))
	tok, err := dec.Token()
	if err != nil {
		return top, data
	}
	if tok == json.Delim('[') {
		if tok, err = dec.Token(); err != nil {
			return top, data
		}
	}
	if tok != json.Delim('{') {
		return top, data
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return top, data
		}
		key, _ := tok.(string)
		top[key] = true
		if key != "data" {
			if skipValue(dec) != nil {
				return top, data
			}
			continue
		}
		tok, err = dec.Token()
		if err != nil {
			return top, data
		}
		if tok == json.Delim('[') {
			if !dec.More() {
				continue // an empty list: its closing bracket comes next
			}
			if tok, err = dec.Token(); err != nil {
				return top, data
			}
		}
		if tok != json.Delim('{') {
			if d, ok := tok.(json.Delim); ok && (d == '[' || d == '{') {
				return top, data
			}
			continue
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return top, data
			}
			k, _ := tok.(string)
			data[k] = true
			if skipValue(dec) != nil {
				return top, data
			}
		}
		return top, data // the rest of the page adds nothing to judge
	}
	return top, data
}

// skipValue reads one value from dec.
func skipValue(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}

// Parse parses src and emits one record per input value (a page line, a
// flattened tweet, a list element).
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	return jsonstream.Records(ctx, src, jsonstream.Options{}, FormatPages, emit, parseValue)
}

func parseValue(p *tahqiq.Parsed) error {
	v, err := decodeValue(p.Record.Raw)
	if err != nil {
		var te *jsonlex.TypeError
		if errors.As(err, &te) {
			return fmt.Errorf("not a v2 object: %v", err)
		}
		return err
	}
	if v.retrievedAt != "" {
		p.Record.CollectedAt = parseTime(v.retrievedAt)
	}
	c := newCtx(p, v)
	switch {
	case len(v.data) > 0:
		return c.page(v.data)
	case v.hasID && v.action == "" && (v.hasText || v.authorID != ""):
		p.Record.Format = FormatFlat
		return c.flatTweet(&v.item)
	case v.hasID && v.hasUsername:
		p.Record.Format, p.Record.Kind = FormatUsers, tahqiq.RecordAccount // a flattened users page
		return c.account(&v.item)
	case v.action != "":
		p.Record.Format, p.Record.Kind = FormatCompliance, tahqiq.RecordCompliance
		return nil
	case v.hasData || v.hasMeta:
		p.Record.Kind = tahqiq.RecordOther // a response with nothing in data (only errors, or no results)
		return nil
	}
	return fmt.Errorf("not a v2 page, tweet or compliance result (no data, id/text or action)")
}
