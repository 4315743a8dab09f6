package textent_test

import (
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/textent"
)

func TestScan(t *testing.T) {
	tests := []struct {
		in   string
		want textent.Entities
	}{
		{"", textent.Entities{}},
		{"#UTAH slated for 1200 refugees https://t.co/ehCi5RzzEZ #maga", textent.Entities{
			Hashtags: []tahqiq.Entity{{Text: "UTAH", Start: 0, End: 5}, {Text: "maga", Start: 55, End: 60}},
			Links:    []tahqiq.Link{{URL: "https://t.co/ehCi5RzzEZ", Start: 31, End: 54}},
		}},
		{"⚡️ @nedryun: see (https://e.org/a_(b)). x#no &#38; #123 #پاکستان_زندہ\u200cباد", textent.Entities{
			Mentions: []tahqiq.Entity{{Text: "nedryun", Start: 3, End: 11}},
			Links:    []tahqiq.Link{{URL: "https://e.org/a_(b)", Start: 18, End: 37}},
			Hashtags: []tahqiq.Entity{{Text: "پاکستان_زندہ\u200cباد", Start: 56, End: 73}},
		}},
		{"mail a@b.com and http://t.co/x…", textent.Entities{
			Links: []tahqiq.Link{{URL: "http://t.co/x", Start: 17, End: 30}},
		}},
	}
	for _, tc := range tests {
		got := textent.Scan(tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Scan(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func FuzzScan(f *testing.F) {
	f.Add("#a @b http://c.d/e #")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // importers scan only valid UTF-8
		}
		e := textent.Scan(s)
		n := len([]rune(s))
		for _, h := range append(e.Hashtags, e.Mentions...) {
			if h.Start < 0 || h.End > n || h.Start >= h.End || string([]rune(s)[h.Start+1:h.End]) != h.Text {
				t.Fatalf("entity %+v in %q", h, s)
			}
		}
		for _, l := range e.Links {
			if l.Start < 0 || l.End > n || string([]rune(s)[l.Start:l.End]) != l.URL {
				t.Fatalf("link %+v in %q", l, s)
			}
		}
	})
}
