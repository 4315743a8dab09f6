package xtext_test

import (
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/xtext"
)

func TestUnescape(t *testing.T) {
	tests := []struct {
		name, in, plain string
		start, end      int // an entity in the escaped text
		signs           []rune
		wantStart       int
		wantEnd         int
	}{
		{"nothing to do", "a #tag", "a #tag", 2, 6, []rune{'#'}, 2, 6},
		// "&amp; #tag": the hashtag is at 6..10 in the escaped text, 2..6 published.
		{"amp before", "&amp; #tag", "& #tag", 6, 10, []rune{'#'}, 2, 6},
		{"lt gt quot apos", "&lt;&gt;&quot;&#39; #x", `<>"' #x`, 20, 22, []rune{'#'}, 5, 7},
		{"emoji counts one", "😀&amp;😀 #x", "😀&😀 #x", 8, 10, []rune{'#'}, 4, 6},
		{"unknown entity kept", "&nbsp; #x", "&nbsp; #x", 7, 9, []rune{'#'}, 7, 9},
		{"past the end", "RT @a: #Vot…", "RT @a: #Vot…", 7, 14, []rune{'#'}, -1, -1},
		{"not on the sign", "a &amp; b #x", "a & b #x", 0, 2, []rune{'#'}, -1, -1},
		{"reversed", "abc", "abc", 2, 1, nil, -1, -1},
		{"no sign check", "x &amp; http://t.co/a", "x & http://t.co/a", 8, 21, nil, 4, 17},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := xtext.Unescape(tc.in)
			if tx.Plain != tc.plain {
				t.Fatalf("Unescape(%q).Plain = %q, want %q", tc.in, tx.Plain, tc.plain)
			}
			if a, b := tx.Span(tc.start, tc.end, tc.signs...); a != tc.wantStart || b != tc.wantEnd {
				t.Errorf("Span(%d, %d) = %d, %d; want %d, %d", tc.start, tc.end, a, b, tc.wantStart, tc.wantEnd)
			}
			if n := len([]rune(tc.plain)); tx.Len() != n {
				t.Errorf("Len() = %d, want %d", tx.Len(), n)
			}
		})
	}
}

func TestSlice(t *testing.T) {
	tx := xtext.Unescape("😀 a &amp; b")
	tests := []struct {
		start, end int
		want       string
	}{{0, 1, "😀"}, {2, 5, "a &"}, {4, 7, "& b"}, {7, 7, ""}, {6, 8, ""}, {-1, 2, ""}, {3, 2, ""}}
	for _, tc := range tests {
		if got := tx.Slice(tc.start, tc.end); got != tc.want {
			t.Errorf("Slice(%d, %d) = %q, want %q", tc.start, tc.end, got, tc.want)
		}
	}
}
