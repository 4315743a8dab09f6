// Package claims reads fact-checks as fact-checkers publish them
// (schema.org ClaimReview and MediaReview JSON-LD: one object, a list, a
// @graph, a DataFeed, or a web page's embedded JSON-LD; Google Fact Check
// Tools API responses; simple CSVs such as the Data Commons table), keeps
// each with its URL, rating, language, dates and publisher and the bytes
// it was read from, stores claim sets as files, and finds the posts that
// make a claim, phrased differently from the fact-check (Find).
//
// A match is evidence that a post repeats the words of a claim, with its
// score and matched words; it is not a finding that the post is false,
// nor that its author spread it knowingly (a debunk quoting the claim
// matches too). docs/narratives.md documents every definition and caveat.
// The package reads only what it is given and writes only the run
// directory or claim set it is asked to.
package claims

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Org is the publisher of a review (its author) or a claim's author.
type Org struct {
	Name   string   `json:"name,omitempty"`
	URL    string   `json:"url,omitempty"`
	SameAs []string `json:"same_as,omitempty"`
}

// Rating is a review's rating as published.
type Rating struct {
	AlternateName string `json:"alternate_name,omitempty"` // the verdict in words ("False", "گمراہ کن")
	Value         string `json:"rating_value,omitempty"`
	Best          string `json:"best_rating,omitempty"`
	Worst         string `json:"worst_rating,omitempty"`
}

// Source says where a claim was read: the file, its SHA-256, and the line
// (CSV) or the position of the review in the file (JSON, 1-based).
type Source struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Line   int    `json:"line,omitempty"`
	Index  int    `json:"index,omitempty"`
	Format string `json:"format"` // jsonld, html, factcheck_api, csv
}

// Claim is one fact-check: a claim and its review.
type Claim struct {
	URL             string          `json:"url"`            // the review's URL
	ClaimReviewed   string          `json:"claim_reviewed"` // the claim, as the review states it
	Headline        string          `json:"headline,omitempty"`
	DatePublished   string          `json:"date_published,omitempty"` // of the review, as published
	Language        string          `json:"language,omitempty"`       // inLanguage, else guessed from the claim (textkey)
	LanguageGuessed bool            `json:"language_guessed,omitempty"`
	Publisher       Org             `json:"publisher"` // the review's author
	Rating          Rating          `json:"rating"`
	VerdictNorm     string          `json:"verdict_norm"`         // false, misleading, mixed, true, unproven, satire, other
	ScoreNorm       *float64        `json:"score_norm,omitempty"` // (value - worst) / (best - worst), or value / best
	Claimant        string          `json:"claimant,omitempty"`   // itemReviewed.author
	ClaimDate       string          `json:"claim_date,omitempty"` // itemReviewed.datePublished
	Appearances     []string        `json:"appearances,omitempty"`
	FirstAppearance string          `json:"first_appearance,omitempty"`
	MediaCategory   string          `json:"media_category,omitempty"` // MediaReview mediaAuthenticityCategory
	Type            string          `json:"type"`                     // ClaimReview, MediaReview, FactCheckAPI, CSV
	Raw             json.RawMessage `json:"raw,omitempty"`            // the object or row as read
	Source          Source          `json:"source"`
}

// Key identifies a claim within a set: its review URL and claim text
// (a review may check several claims).
func (c *Claim) Key() string { return c.URL + "\x00" + c.ClaimReviewed }

// verdicts maps phrases found in a rating's words (folded) to a verdict,
// in order: the first phrase found wins, so "not true" is false and
// "partly false" misleading. Per-publisher scales are not modelled: a
// publisher's own words ("Fake", "Misleading") are what the table reads.
var verdicts = []struct{ phrase, verdict string }{
	{"satire", "satire"}, {"satirical", "satire"}, {"parody", "satire"}, {"طنز", "satire"}, {"व्यंग्य", "satire"},
	{"not true", "false"}, {"untrue", "false"}, {"mostly false", "false"}, {"pants on fire", "false"},
	{"partly false", "misleading"}, {"partially false", "misleading"}, {"half false", "misleading"},
	{"missing context", "misleading"}, {"out of context", "misleading"}, {"lacks context", "misleading"},
	{"misleading", "misleading"}, {"misrepresent", "misleading"}, {"distort", "misleading"}, {"manipulated", "misleading"},
	{"altered", "misleading"}, {"edited", "misleading"}, {"doctored", "misleading"}, {"exaggerat", "misleading"},
	{"cropped", "misleading"}, {"گمراہ کن", "misleading"}, {"گمراہ", "misleading"}, {"مسخ", "misleading"},
	{"भ्रामक", "misleading"}, {"गुमराह", "misleading"}, {"مضلل", "misleading"},
	{"half true", "mixed"}, {"half-true", "mixed"}, {"mixture", "mixed"}, {"mixed", "mixed"}, {"partly true", "mixed"},
	{"partially true", "mixed"}, {"جزوی", "mixed"},
	{"unproven", "unproven"}, {"unverified", "unproven"}, {"unsubstantiated", "unproven"}, {"no evidence", "unproven"},
	{"inconclusive", "unproven"}, {"unclear", "unproven"}, {"غیر مصدقہ", "unproven"}, {"غیر تصدیق شدہ", "unproven"},
	{"अपुष्ट", "unproven"},
	{"false", "false"}, {"fake", "false"}, {"incorrect", "false"}, {"wrong", "false"}, {"fabricated", "false"},
	{"hoax", "false"}, {"scam", "false"}, {"baseless", "false"}, {"deepfake", "false"}, {"forged", "false"},
	{"غلط", "false"}, {"جھوٹ", "false"}, {"جعلی", "false"}, {"فیک", "false"}, {"بے بنیاد", "false"},
	{"झूठ", "false"}, {"फर्जी", "false"}, {"फ़र्ज़ी", "false"}, {"गलत", "false"}, {"ग़लत", "false"}, {"كاذب", "false"}, {"زائف", "false"},
	{"mostly true", "true"}, {"true", "true"}, {"correct", "true"}, {"accurate", "true"}, {"verified", "true"},
	{"سچ", "true"}, {"درست", "true"}, {"صحیح", "true"}, {"सच", "true"}, {"सही", "true"},
}

var foldedVerdicts = func() []struct{ phrase, verdict string } {
	out := make([]struct{ phrase, verdict string }, len(verdicts))
	for i, v := range verdicts {
		out[i] = v
		out[i].phrase = textnorm.Fold(v.phrase)
	}
	return out
}()

// Verdict normalises a rating's words to false, misleading, mixed, true,
// unproven, satire or other (see verdicts).
func Verdict(alternateName string) string {
	s := textnorm.Fold(alternateName)
	if strings.TrimSpace(s) == "" {
		return "other"
	}
	for _, v := range foldedVerdicts {
		if strings.Contains(s, v.phrase) {
			return v.verdict
		}
	}
	return "other"
}

// ScoreNorm is (value - worst) / (best - worst) when the three are
// numbers and best differs from worst, value / best when only those two
// are, as Meedan's fetch normalises ratings; ok is false otherwise.
func ScoreNorm(r Rating) (float64, bool) {
	v, err1 := strconv.ParseFloat(strings.TrimSpace(r.Value), 64)
	b, err2 := strconv.ParseFloat(strings.TrimSpace(r.Best), 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	if w, err := strconv.ParseFloat(strings.TrimSpace(r.Worst), 64); err == nil && b != w {
		return (v - w) / (b - w), true
	}
	if b == 0 {
		return 0, false
	}
	return v / b, true
}
