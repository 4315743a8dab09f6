package claims

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/textkey"
)

// maxDepth bounds how deep the JSON-LD walk descends.
const maxDepth = 32

var scriptRE = regexp.MustCompile(`(?is)<script\b[^>]*\btype\s*=\s*["']?application/ld\+json["']?[^>]*>(.*?)</script\s*>`)

// ParseJSONLD reads the ClaimReview and MediaReview objects of data: a
// JSON-LD object, a list, a @graph, a DataFeed (dataFeedElement[].item[]),
// JSON Lines of any of these, a Google Fact Check Tools API response
// ({"claims": [...]}), or HTML whose <script type="application/ld+json">
// blocks hold them (a fact-check page, or the Data Commons dump's lines).
// Reviews are found at any depth (an Article's "review" too); @id
// references to other nodes of the same document are resolved. A review
// without a URL or a claim is rejected with the reason; so is a block that
// is not JSON. src names the file in Claim.Source and the rejects.
func ParseJSONLD(data []byte, src Source) ([]Claim, []tahqiq.Reject) {
	var out []Claim
	var rejects []tahqiq.Reject
	blocks := [][]byte{data}
	format := "jsonld"
	if looksHTML(data) {
		format = "html"
		blocks = nil
		for _, m := range scriptRE.FindAllSubmatch(data, -1) {
			blocks = append(blocks, m[1])
		}
		if len(blocks) == 0 {
			return nil, []tahqiq.Reject{{File: src.File, Reason: "an HTML page without JSON-LD (<script type=\"application/ld+json\">)"}}
		}
	}
	index := 0
	for bi, b := range blocks {
		dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(b)))
		dec.UseNumber()
		for {
			var v any
			err := dec.Decode(&v)
			if err == io.EOF {
				break
			}
			if err != nil {
				reason := fmt.Sprintf("not JSON: %v", err)
				if format == "html" {
					reason = fmt.Sprintf("JSON-LD block %d is not JSON: %v", bi+1, err)
				}
				rejects = append(rejects, tahqiq.Reject{File: src.File, Reason: reason})
				break
			}
			ids := map[string]map[string]any{}
			collectIDs(v, ids, 0)
			s := src
			s.Format = format
			if m, ok := v.(map[string]any); ok {
				if list, ok := m["claims"].([]any); ok && m["@context"] == nil {
					s.Format = "factcheck_api"
					for _, c := range list {
						cs, rs := fromAPI(c, s, &index)
						out, rejects = append(out, cs...), append(rejects, rs...)
					}
					continue
				}
			}
			walk(v, ids, 0, func(obj map[string]any, typ string) {
				index++
				s.Index = index
				c, err := fromReview(obj, typ, ids, s)
				if err != nil {
					rejects = append(rejects, tahqiq.Reject{File: src.File, Line: int64(index), Reason: err.Error()})
					return
				}
				out = append(out, c)
			})
		}
	}
	return out, rejects
}

func looksHTML(data []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(t) > 0 && t[0] == '<'
}

// types returns an object's @type values.
func types(obj map[string]any) []string {
	switch t := obj["@type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// reviewType returns "ClaimReview" or "MediaReview" when obj is one.
func reviewType(obj map[string]any) string {
	for _, t := range types(obj) {
		t = strings.TrimPrefix(strings.TrimPrefix(t, "schema:"), "http://schema.org/")
		t = strings.TrimPrefix(t, "https://schema.org/")
		if t == "ClaimReview" || t == "MediaReview" {
			return t
		}
	}
	return ""
}

func collectIDs(v any, ids map[string]map[string]any, depth int) {
	if depth > maxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x["@id"].(string); ok && len(x) > 1 {
			if _, dup := ids[id]; !dup {
				ids[id] = x
			}
		}
		for _, c := range x {
			collectIDs(c, ids, depth+1)
		}
	case []any:
		for _, c := range x {
			collectIDs(c, ids, depth+1)
		}
	}
}

// walk calls fn for every review object, depth first, in document order
// (object members in sorted order).
func walk(v any, ids map[string]map[string]any, depth int, fn func(map[string]any, string)) {
	if depth > maxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if t := reviewType(x); t != "" {
			fn(x, t)
			return
		}
		for _, k := range sortedKeys(x) {
			walk(x[k], ids, depth+1, fn)
		}
	case []any:
		for _, c := range x {
			walk(c, ids, depth+1, fn)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic; "@graph" sorts first
	return keys
}

// resolve follows an @id reference to its node in the document.
func resolve(v any, ids map[string]map[string]any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if id, ok := m["@id"].(string); ok {
			if n, ok := ids[id]; ok {
				return n
			}
		}
	}
	return v
}

// text returns a value as text: a string, a number, an object's "name",
// "@value" or "url", or a list's first text.
func text(v any, ids map[string]map[string]any) string {
	v = resolve(v, ids)
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(html.UnescapeString(x))
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case map[string]any:
		for _, k := range []string{"@value", "name", "url", "@id"} {
			if s := text(x[k], ids); s != "" {
				return s
			}
		}
	case []any:
		for _, c := range x {
			if s := text(c, ids); s != "" {
				return s
			}
		}
	}
	return ""
}

// obj returns a value as one object (the first of a list), resolved.
func obj(v any, ids map[string]map[string]any) map[string]any {
	v = resolve(v, ids)
	switch x := v.(type) {
	case map[string]any:
		return x
	case []any:
		for _, c := range x {
			if m := obj(c, ids); m != nil {
				return m
			}
		}
	}
	return nil
}

// urls returns every URL a value gives: strings, objects' "url" (or
// @id), lists of either.
func urls(v any, ids map[string]map[string]any) []string {
	v = resolve(v, ids)
	switch x := v.(type) {
	case string:
		if s := strings.TrimSpace(x); s != "" {
			return []string{s}
		}
	case map[string]any:
		if s := text(x["url"], ids); s != "" {
			return []string{s}
		}
		if s, ok := x["@id"].(string); ok && strings.Contains(s, "://") {
			return []string{s}
		}
	case []any:
		var out []string
		for _, c := range x {
			out = append(out, urls(c, ids)...)
		}
		return out
	}
	return nil
}

func org(v any, ids map[string]map[string]any) Org {
	o := Org{}
	m := obj(v, ids)
	if m == nil {
		o.Name = text(v, ids)
		return o
	}
	o.Name, o.URL = text(m["name"], ids), text(m["url"], ids)
	o.SameAs = urls(m["sameAs"], ids)
	return o
}

func fromReview(m map[string]any, typ string, ids map[string]map[string]any, src Source) (Claim, error) {
	raw, _ := json.Marshal(m)
	c := Claim{Type: typ, Raw: raw, Source: src}
	c.URL = text(m["url"], ids)
	c.ClaimReviewed = text(m["claimReviewed"], ids)
	c.Headline = text(m["headline"], ids)
	if c.Headline == "" {
		c.Headline = text(m["name"], ids)
	}
	c.DatePublished = text(m["datePublished"], ids)
	c.Language = text(m["inLanguage"], ids)
	c.Publisher = org(m["author"], ids)
	if c.Publisher.Name == "" {
		c.Publisher = org(m["publisher"], ids)
	}
	if r := obj(m["reviewRating"], ids); r != nil {
		c.Rating = Rating{AlternateName: text(r["alternateName"], ids), Value: text(r["ratingValue"], ids), Best: text(r["bestRating"], ids), Worst: text(r["worstRating"], ids)}
		if c.Rating.AlternateName == "" {
			c.Rating.AlternateName = text(r["name"], ids)
		}
	}
	if it := obj(m["itemReviewed"], ids); it != nil {
		c.Claimant = org(it["author"], ids).Name
		c.ClaimDate = text(it["datePublished"], ids)
		c.Appearances = urls(it["appearance"], ids)
		if fa := urls(it["firstAppearance"], ids); len(fa) > 0 {
			c.FirstAppearance = fa[0]
		}
		if c.ClaimReviewed == "" && typ == "MediaReview" {
			c.ClaimReviewed = text(it["name"], ids)
		}
		if c.ClaimReviewed == "" {
			c.ClaimReviewed = text(it["text"], ids)
		}
	}
	c.MediaCategory = text(m["mediaAuthenticityCategory"], ids)
	if c.URL == "" {
		return c, fmt.Errorf("%s %d has no url: a review is kept only with its URL", typ, src.Index)
	}
	if c.ClaimReviewed == "" {
		return c, fmt.Errorf("%s %s has no claimReviewed: nothing to match", typ, c.URL)
	}
	finish(&c)
	return c, nil
}

// finish derives the verdict, the normalised score and, when the review
// does not say it, the claim's language.
func finish(c *Claim) {
	c.VerdictNorm = Verdict(c.Rating.AlternateName)
	if c.VerdictNorm == "other" && c.MediaCategory != "" {
		c.VerdictNorm = mediaVerdict(c.MediaCategory)
	}
	if s, ok := ScoreNorm(c.Rating); ok {
		c.ScoreNorm = &s
	}
	if c.Language == "" {
		c.Language, c.LanguageGuessed = textkey.Lang(c.ClaimReviewed), true
	} else {
		c.Language = strings.ToLower(c.Language)
	}
}

// mediaVerdict maps MediaReview's mediaAuthenticityCategory.
func mediaVerdict(cat string) string {
	switch strings.TrimPrefix(strings.TrimPrefix(cat, "https://schema.org/"), "http://schema.org/") {
	case "OriginalMediaContent":
		return "true"
	case "SatireOrParodyContent":
		return "satire"
	case "DecontextualizedContent", "EditedOrCroppedContent", "TransformedContent":
		return "misleading"
	case "StagedContent", "AuthenticContentWithFabricatedAssociation":
		return "false"
	}
	return "other"
}

// fromAPI reads one claim of a Google Fact Check Tools API response
// (claims:search): text, claimant, claimDate, claimReview[].
func fromAPI(v any, src Source, index *int) ([]Claim, []tahqiq.Reject) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, []tahqiq.Reject{{File: src.File, Reason: "a claims[] element is not an object"}}
	}
	ids := map[string]map[string]any{}
	var out []Claim
	var rejects []tahqiq.Reject
	reviews, _ := m["claimReview"].([]any)
	for _, rv := range reviews {
		r, ok := rv.(map[string]any)
		if !ok {
			continue
		}
		*index++
		raw, _ := json.Marshal(map[string]any{"claim": m, "review": r})
		s := src
		s.Index = *index
		c := Claim{Type: "FactCheckAPI", Raw: raw, Source: s, ClaimReviewed: text(m["text"], ids), Claimant: text(m["claimant"], ids),
			ClaimDate: text(m["claimDate"], ids), URL: text(r["url"], ids), Headline: text(r["title"], ids),
			DatePublished: text(r["reviewDate"], ids), Language: text(r["languageCode"], ids),
			Rating: Rating{AlternateName: text(r["textualRating"], ids)}}
		if p := obj(r["publisher"], ids); p != nil {
			c.Publisher = Org{Name: text(p["name"], ids), URL: text(p["site"], ids)}
		}
		switch {
		case c.URL == "":
			rejects = append(rejects, tahqiq.Reject{File: src.File, Line: int64(*index), Reason: fmt.Sprintf("claimReview %d has no url", *index)})
		case c.ClaimReviewed == "":
			rejects = append(rejects, tahqiq.Reject{File: src.File, Line: int64(*index), Reason: fmt.Sprintf("claim of %s has no text", c.URL)})
		default:
			finish(&c)
			out = append(out, c)
		}
	}
	return out, rejects
}
