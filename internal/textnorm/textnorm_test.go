package textnorm_test

import (
	"testing"

	"github.com/tahqiq/tahqiq/internal/textnorm"
)

func TestURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://Example.COM/Path?utm_source=x&id=3#frag", "https://example.com/Path?id=3", true},
		{"HTTP://www.Dawn.com:80", "http://www.dawn.com/", true},
		{"https://x.org:443/a?fbclid=abc", "https://x.org/a", true},
		{"https://x.org/a?gclid=1&igshid=2&UTM_medium=3", "https://x.org/a", true},
		{"https://x.org/a?b=2&a=1", "https://x.org/a?b=2&a=1", true}, // order kept
		{"www.example.com/page", "http://www.example.com/page", true},
		{"https://user:pw@x.org/", "https://x.org/", true},
		{"", "", false},
		{"   ", "", false},
		{"ftp://x.org/file", "", false},
		{"not a url", "", false},
		{"javascript:alert(1)", "", false},
		{"https:///nohost", "", false},
	}
	for _, tc := range tests {
		got, ok := textnorm.URL(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("URL(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.dawn.com/news/1", "dawn.com"},
		{"http://t.co/abc", "t.co"},
		{"http://[::1]:8080/", "::1"},
	}
	for _, tc := range tests {
		if got := textnorm.Domain(tc.in); got != tc.want {
			t.Errorf("Domain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHashtag(t *testing.T) {
	tests := []struct{ in, want string }{
		{"#ElectionRigging", "electionrigging"},
		{"＃ＰＴＩ", "pti"},           // full-width, NFKC
		{"#انتخابات", "انتخابات"}, // Arabic script kept, not transliterated
		{"#پاکستان_زندہ_باد", "پاکستان_زندہ_باد"},
		{"#", ""},
	}
	for _, tc := range tests {
		if got := textnorm.Hashtag(tc.in); got != tc.want {
			t.Errorf("Hashtag(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTextUrduVariantsMatch(t *testing.T) {
	// The same Urdu sentence typed with Arabic yeh/kaf/heh, with tatweel,
	// a diacritic and a ZWNJ, must normalise to the same text as the Urdu
	// keyboard form.
	urdu := "الیکشن کمیشن نے نتائج بدل دیے https://t.co/x @someone"
	variant := "الیكشن  كميشن نے نتـائج بَدل\u200c دیے"
	a, b := textnorm.Text(urdu), textnorm.Text(variant)
	if a != b {
		t.Fatalf("Text variants differ:\n%q\n%q", a, b)
	}
	if textnorm.TextHash(a) != textnorm.TextHash(b) || textnorm.TextHash(a) == "" {
		t.Fatalf("TextHash differs or empty")
	}
	// A different sentence must not collide.
	if textnorm.Text("الیکشن کمیشن نے نتائج نہیں بدلے") == a {
		t.Fatal("different texts normalised equal")
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"RT @user: Vote  NOW\nhttps://t.co/abc", "rt vote now"},
		{"  Hello   WORLD  ", "hello world"},
		{"@a @b https://x.org", ""},
		{"Price ۱۲۳ and ١٢٣", "price 123 and 123"},
	}
	for _, tc := range tests {
		if got := textnorm.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if textnorm.TextHash("") != "" {
		t.Error("TextHash of empty text is not empty")
	}
}

func FuzzURL(f *testing.F) {
	for _, s := range []string{"https://Example.COM/Path?utm_source=x&id=3#frag", "www.x.org", "", "http://[::1]:80/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := textnorm.URL(s)
		if !ok {
			if c != "" {
				t.Fatalf("URL(%q) not ok but returned %q", s, c)
			}
			return
		}
		if c == "" {
			t.Fatalf("URL(%q) ok but empty", s)
		}
		// Canonicalisation is idempotent.
		if c2, ok2 := textnorm.URL(c); !ok2 || c2 != c {
			t.Fatalf("URL(URL(%q)) = %q, %v; want %q", s, c2, ok2, c)
		}
	})
}
