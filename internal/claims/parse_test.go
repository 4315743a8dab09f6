package claims_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tahqiq/tahqiq/internal/claims"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func score(f float64) *float64 { return &f }

func TestParse(t *testing.T) {
	tests := []struct {
		file    string
		want    []claims.Claim
		rejects int
	}{
		{"page.html", []claims.Claim{{
			URL: "https://factcheck.example.org/2024/02/form-45-image", ClaimReviewed: "Photo shows an altered Form-45 from a Lahore polling station",
			DatePublished: "2024-02-10", Language: "ur", Publisher: claims.Org{Name: "Example Fact Check", URL: "https://factcheck.example.org", SameAs: []string{"https://x.com/examplefc"}},
			Rating:      claims.Rating{AlternateName: "False / غلط", Value: "1", Best: "5", Worst: "1"},
			VerdictNorm: "false", ScoreNorm: score(0), Claimant: "@example_user", ClaimDate: "2024-02-09",
			Appearances: []string{"https://x.com/example_user/status/1", "https://facebook.com/p/2"}, FirstAppearance: "https://x.com/example_user/status/1",
			Type: "ClaimReview"}}, 0},
		{"feed.json", []claims.Claim{
			{URL: "https://a.example/1", ClaimReviewed: "EVMs were hacked in Bihar", DatePublished: "2020-11-12", Language: "en", LanguageGuessed: true,
				Publisher: claims.Org{Name: "A Check"}, Rating: claims.Rating{AlternateName: "Mostly False", Value: "2", Best: "5", Worst: "1"},
				VerdictNorm: "false", ScoreNorm: score(0.25), Type: "ClaimReview"},
			{URL: "https://a.example/2", ClaimReviewed: "A cropped video of a polling booth", Language: "en", LanguageGuessed: true,
				Publisher: claims.Org{Name: "B Check"}, VerdictNorm: "misleading", MediaCategory: "EditedOrCroppedContent", Type: "MediaReview"}}, 1},
		{"api.json", []claims.Claim{{URL: "https://factcheck.afp.com/doc.1", ClaimReviewed: "Imran Khan cast his vote in Adiala jail", Headline: "Old photo",
			DatePublished: "2024-02-16T00:00:00Z", Language: "en", Publisher: claims.Org{Name: "AFP Fact Check", URL: "factcheck.afp.com"},
			Rating: claims.Rating{AlternateName: "Misleading"}, VerdictNorm: "misleading", Claimant: "X users", ClaimDate: "2024-02-07T00:00:00Z", Type: "FactCheckAPI"}}, 0},
		{"simple.csv", []claims.Claim{{URL: "https://factcheck.example.org/na56", ClaimReviewed: "Form 45 of NA-56 was changed by the returning officer",
			DatePublished: "2024-02-11", Language: "en", Publisher: claims.Org{Name: "Example Fact Check"}, Rating: claims.Rating{AlternateName: "False"},
			VerdictNorm: "false", Appearances: []string{"https://x.com/u/status/9", "https://facebook.com/p/3"}, Type: "CSV"}}, 2},
		{"datacommons.csv", []claims.Claim{{URL: "https://www.politifact.com/x", ClaimReviewed: "Says 1,000 people were turned away at the polls",
			DatePublished: "2018-11-07", Language: "en", LanguageGuessed: true, Publisher: claims.Org{Name: "PolitiFact"}, Rating: claims.Rating{AlternateName: "Pants on Fire!"},
			VerdictNorm: "false", Claimant: "Facebook posts", ClaimDate: "2018-11-06", Type: "CSV"}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, rejects, err := claims.Parse(read(t, tc.file), claims.Source{File: tc.file})
			if err != nil {
				t.Fatal(err)
			}
			if len(rejects) != tc.rejects {
				t.Errorf("rejects = %v, want %d", rejects, tc.rejects)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(claims.Claim{}, "Raw", "Source")); diff != "" {
				t.Errorf("Parse(%s) mismatch (-want +got):\n%s", tc.file, diff)
			}
			for _, c := range got {
				if len(c.Raw) == 0 || c.Source.File != tc.file || c.Source.Format == "" {
					t.Errorf("claim %s lacks its raw object or source: %+v", c.URL, c.Source)
				}
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{"", "   ", "<html><body>no json-ld</body></html>", "{not json", "a,b\n1,2\n"} {
		if _, _, err := claims.Parse([]byte(in), claims.Source{File: "x"}); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
}

func TestVerdict(t *testing.T) {
	tests := map[string]string{
		"False": "false", "FAKE": "false", "غلط": "false", "جھوٹ": "false", "फर्जी": "false", "Not true": "false", "Pants on Fire!": "false",
		"Misleading": "misleading", "گمراہ کن": "misleading", "Partly false": "misleading", "Missing context": "misleading",
		"Half True": "mixed", "Mixture": "mixed", "Unproven": "unproven", "Satire": "satire", "True": "true", "Mostly True": "true",
		"": "other", "Explainer": "other",
	}
	for in, want := range tests {
		if got := claims.Verdict(in); got != want {
			t.Errorf("Verdict(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseJSONLD(f *testing.F) {
	for _, name := range []string{"page.html", "feed.json", "api.json"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		f.Add(b)
	}
	f.Add([]byte(`[{"@type":"ClaimReview","url":1,"claimReviewed":{"@value":"x"},"author":[{"@id":"#a"}],"itemReviewed":[1,2]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, _ := claims.ParseJSONLD(data, claims.Source{File: "f"})
		for _, c := range cs {
			if c.URL == "" || c.ClaimReviewed == "" || c.VerdictNorm == "" {
				t.Fatalf("a claim without URL, claim or verdict: %+v", c)
			}
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, name := range []string{"simple.csv", "datacommons.csv"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		f.Add(b)
	}
	f.Add([]byte("claim,url\n\"a\"\"b\",c\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, _, err := claims.ParseCSV(data, claims.Source{File: "f"})
		if err != nil && len(cs) > 0 {
			t.Fatalf("error %v with %d claims", err, len(cs))
		}
		for _, c := range cs {
			if c.URL == "" || c.ClaimReviewed == "" {
				t.Fatalf("a claim without URL or claim: %+v", c)
			}
		}
	})
}
