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
	"errors"
	"fmt"
	"strconv"

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

// Sniff recognises v2 data: JSON with v2 field names (author_id,
// edit_history_tweet_ids, tweet_count, __twarc, a users page, a compliance
// result) and none of v1.1's (id_str).
func Sniff(head []byte) (string, bool) {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(h) == 0 || (h[0] != '{' && h[0] != '[') {
		return "", false
	}
	if bytes.Contains(h, []byte(`"id_str"`)) {
		return "", false
	}
	for _, k := range []string{`"author_id"`, `"edit_history_tweet_ids"`, `"tweet_count"`, `"__twarc"`, `"conversation_id"`} {
		if bytes.Contains(h, []byte(k)) {
			return FormatPages, true
		}
	}
	if bytes.Contains(h, []byte(`"data"`)) && bytes.Contains(h, []byte(`"username"`)) {
		return FormatPages, true // users lookup
	}
	if bytes.Contains(h, []byte(`"action"`)) && bytes.Contains(h, []byte(`"reason"`)) {
		return FormatPages, true // compliance results
	}
	return "", false
}

// Parse parses src and emits one record per input value (a page line, a
// flattened tweet, a list element).
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	return jsonstream.Records(ctx, src, jsonstream.Options{}, FormatPages, emit, parseValue)
}

func locator(v jsonstream.Value) string {
	s := "L" + strconv.FormatInt(v.Line, 10)
	if v.Pointer != "" {
		s += "#" + v.Pointer
	}
	return s
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
