package ingest_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

func TestDerive(t *testing.T) {
	at := time.Date(2024, 2, 8, 10, 0, 0, 0, time.UTC)
	base := func(p tahqiq.Post) *tahqiq.Post {
		p.UID, p.AuthorUID, p.CreatedAt = "x:1", "x:a", at
		if p.Precision == "" {
			p.Precision = tahqiq.PrecisionSecond
		}
		return &p
	}
	sh := func(typ tahqiq.ObjectType, v string) tahqiq.Share {
		return tahqiq.Share{Type: typ, Object: v, AccountID: "x:a", PostID: "x:1", Time: at.Unix(), Precision: tahqiq.PrecisionSecond}
	}
	tests := []struct {
		name string
		post *tahqiq.Post
		want []tahqiq.Share
	}{
		{
			name: "retweet shares only its target",
			post: base(tahqiq.Post{Kind: tahqiq.KindRepost, Text: "RT @b: #Vote https://t.co/x",
				References: []tahqiq.Reference{{Type: tahqiq.RefRetweetOf, TargetID: "99"}},
				Hashtags:   []tahqiq.Entity{{Text: "Vote"}}}),
			want: []tahqiq.Share{sh(tahqiq.ObjRetweet, "99")},
		},
		{
			name: "retweet with unknown target shares the reposted text",
			post: base(tahqiq.Post{Kind: tahqiq.KindRepost, Text: "RT @b: Rigged  election",
				References: []tahqiq.Reference{{Type: tahqiq.RefRetweetOf}}}),
			// sha256("rigged election"), computed with python3 hashlib.
			want: []tahqiq.Share{sh(tahqiq.ObjRetweet, "nt_af7a8d605bf3de4c939de9fa02c76328")},
		},
		{
			name: "original: urls, domains, hashtags, mentions, text; empty url is no object",
			post: base(tahqiq.Post{Kind: tahqiq.KindOriginal, Text: "Look #PTI @ECP https://t.co/a",
				Links:    []tahqiq.Link{{URL: "https://t.co/a", Expanded: "https://WWW.Dawn.com/news?utm_source=tw"}, {URL: ""}, {URL: "  "}},
				Hashtags: []tahqiq.Entity{{Text: "PTI"}, {Text: "pti"}},
				Mentions: []tahqiq.Entity{{Text: "ECP", ID: "7"}}}),
			want: []tahqiq.Share{
				sh(tahqiq.ObjURL, "https://www.dawn.com/news"),
				sh(tahqiq.ObjDomain, "dawn.com"),
				sh(tahqiq.ObjHashtag, "pti"),
				sh(tahqiq.ObjMention, "ecp"),
				sh(tahqiq.ObjText, "nt_7b973532d382004b66811e2388472fc9"),
			},
		},
		{
			name: "reply target and media",
			post: base(tahqiq.Post{Kind: tahqiq.KindReply, Text: "",
				References: []tahqiq.Reference{{Type: tahqiq.RefReplyTo, TargetID: "5"}},
				Media:      []tahqiq.Media{{Key: "3_1"}, {PHash: "ffe0"}}}),
			want: []tahqiq.Share{sh(tahqiq.ObjReply, "5"), sh(tahqiq.ObjImage, "3_1"), sh(tahqiq.ObjImage, "ffe0")},
		},
		{
			name: "stated objects are kept verbatim; url and domain with one value stay apart",
			post: base(tahqiq.Post{Kind: tahqiq.KindOriginal, Objects: []tahqiq.Object{
				{Type: tahqiq.ObjURL, Value: "3498"}, {Type: tahqiq.ObjDomain, Value: "3498"}, {Type: tahqiq.ObjURL, Value: "3498"}, {Type: tahqiq.ObjURL, Value: ""}}}),
			want: []tahqiq.Share{sh(tahqiq.ObjURL, "3498"), sh(tahqiq.ObjDomain, "3498")},
		},
		{
			name: "telegram forward with an unknown message id shares its source",
			post: base(tahqiq.Post{Kind: tahqiq.KindRepost,
				References: []tahqiq.Reference{{Type: tahqiq.RefForwardOf, TargetAccountID: "channel123"}}}),
			want: []tahqiq.Share{sh(tahqiq.ObjRetweet, "from:channel123")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ingest.Derive(tc.post)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Derive mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// A post without a time (precision none, zero CreatedAt) gives shares of
// time 0 and precision none, never the year 1 or a made-up time.
func TestDeriveWithoutTime(t *testing.T) {
	p := &tahqiq.Post{UID: "other:f.csv:L2", AuthorUID: "other:a", Kind: tahqiq.KindOriginal, Precision: tahqiq.PrecisionNone, Text: "same words"}
	got := ingest.Derive(p)
	want := []tahqiq.Share{{Type: tahqiq.ObjText, Object: "nt_7e0e3b6b4c86d2a1c4a70c0bb9a0d4a6", AccountID: "other:a", PostID: "other:f.csv:L2", Time: 0, Precision: tahqiq.PrecisionNone}}
	want[0].Object = got[0].Object // the hash is TestDerive's concern
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
