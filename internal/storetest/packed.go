package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// testPackedAndRowShares: a post's shares are stored with it (packed in
// its row) and a share a later record or import adds to a post already
// written is a row of its own (internal/sqlstore/packed.go); every reader
// of shares sees both as one set: ScanShares with and without a type
// filter, the counts, the summary's top objects, a re-derivation's
// EachShare, and an import's look-up of a share (a duplicate is one
// whichever way its share is stored).
func testPackedAndRowShares(t *testing.T, s Store) {
	ctx := context.Background()
	p1 := post("x:1", "x:alice", 0, "vote")
	p2 := post("x:2", "x:bob", 30, "vote")
	p2.Precision = tahqiq.PrecisionNone
	untimed := share(p2, tahqiq.ObjHashtag, "vote")
	untimed.Time, untimed.Precision = 0, tahqiq.PrecisionNone // a share's time apart from its post's
	odd := share(p2, tahqiq.ObjectType("custom"), "ünïcode\x00\n\tobject")
	mustImport(t, s, "d", func(tx tahqiq.ImportTx) {
		add(t, tx, record(1, "a"), []tahqiq.Post{p1}, nil, []tahqiq.Share{share(p1, tahqiq.ObjURL, "https://a.org/"), share(p1, tahqiq.ObjHashtag, "vote")})
		// p1 again: one share it had, one it did not (a row)
		r := add(t, tx, record(2, "b"), []tahqiq.Post{p1}, nil, []tahqiq.Share{share(p1, tahqiq.ObjURL, "https://a.org/"), share(p1, tahqiq.ObjRetweet, "9")})
		if want := (tahqiq.RecordResult{NewShares: 1}); !reflect.DeepEqual(r, want) {
			t.Errorf("p1 with one new object = %+v, want %+v", r, want)
		}
		add(t, tx, record(3, "c"), []tahqiq.Post{p2}, nil, []tahqiq.Share{untimed, odd})
	})
	p3 := post("x:3", "x:alice", 60, "vote")
	tx, err := s.BeginImport(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() // a failed check must not leave the import lock held
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "g.jsonl", SHA256: "bb", Size: 10, Format: "test"}); err != nil {
		t.Fatal(err)
	}
	func() {
		// a later import: p1's packed and row shares are both duplicates
		r := add(t, tx, record(4, "d"), []tahqiq.Post{p1}, nil, []tahqiq.Share{share(p1, tahqiq.ObjHashtag, "vote"), share(p1, tahqiq.ObjRetweet, "9")})
		if want := (tahqiq.RecordResult{Duplicates: 1}); !reflect.DeepEqual(r, want) {
			t.Errorf("p1 again in a later import = %+v, want %+v", r, want)
		}
		r = add(t, tx, record(5, "e"), []tahqiq.Post{p2, p3}, nil, []tahqiq.Share{odd, share(p2, tahqiq.ObjURL, "https://b.org/"), share(p3, tahqiq.ObjHashtag, "vote")})
		if want := (tahqiq.RecordResult{NewPosts: 1, NewShares: 2}); !reflect.DeepEqual(r, want) {
			t.Errorf("p2 with one new object and a new post = %+v, want %+v", r, want)
		}
	}()
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("%+v", share(p1, tahqiq.ObjURL, "https://a.org/")),
		fmt.Sprintf("%+v", share(p1, tahqiq.ObjHashtag, "vote")),
		fmt.Sprintf("%+v", share(p1, tahqiq.ObjRetweet, "9")),
		fmt.Sprintf("%+v", untimed),
		fmt.Sprintf("%+v", odd),
		fmt.Sprintf("%+v", share(p2, tahqiq.ObjURL, "https://b.org/")),
		fmt.Sprintf("%+v", share(p3, tahqiq.ObjHashtag, "vote")),
	}
	scan := func(types ...tahqiq.ObjectType) []string {
		t.Helper()
		var got []string
		if err := s.ScanShares(ctx, tahqiq.ShareFilter{Dataset: "d", Types: types}, func(sh tahqiq.Share) error {
			got = append(got, fmt.Sprintf("%+v", sh))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		return got
	}
	sort.Strings(want)
	if got := scan(); !reflect.DeepEqual(got, want) {
		t.Errorf("ScanShares =\n%q\nwant\n%q", got, want)
	}
	wantURLs := []string{fmt.Sprintf("%+v", share(p1, tahqiq.ObjURL, "https://a.org/")), fmt.Sprintf("%+v", share(p2, tahqiq.ObjURL, "https://b.org/"))}
	if got := scan(tahqiq.ObjURL); !reflect.DeepEqual(got, wantURLs) {
		t.Errorf("ScanShares of URLs =\n%q\nwant\n%q", got, wantURLs)
	}
	d, err := s.FindDatasetByName(ctx, "d")
	if err != nil || d.Counts.Shares != int64(len(want)) || d.Counts.Posts != 3 {
		t.Errorf("counts %+v, %v; want %d shares, 3 posts", d.Counts, err, len(want))
	}
	sum, err := s.SummarizeDataset(ctx, "d", tahqiq.SummaryOptions{})
	wantTags := []tahqiq.KeyCount{{Key: "vote", Count: 3}}
	wantURLCounts := []tahqiq.KeyCount{{Key: "https://a.org/", Count: 1}, {Key: "https://b.org/", Count: 1}}
	if err != nil || !reflect.DeepEqual(sum.TopHashtags, wantTags) || !reflect.DeepEqual(sum.TopURLs, wantURLCounts) {
		t.Errorf("summary hashtags %v, URLs %v, %v; want %v, %v", sum.TopHashtags, sum.TopURLs, err, wantTags, wantURLCounts)
	}
	rx, err := s.BeginRederive(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Rollback()
	var each []string
	if err := rx.EachShare(ctx, func(post string, typ tahqiq.ObjectType, object string) error {
		each = append(each, post+" "+string(typ)+" "+object)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(each)
	wantEach := []string{"x:1 hashtag vote", "x:1 retweet 9", "x:1 url https://a.org/", "x:2 custom " + odd.Object, "x:2 hashtag vote", "x:2 url https://b.org/", "x:3 hashtag vote"}
	sort.Strings(wantEach)
	if !reflect.DeepEqual(each, wantEach) {
		t.Errorf("EachShare =\n%q\nwant\n%q", each, wantEach)
	}
	if err := rx.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := rx.Counts(ctx)
	if err != nil || c.Shares != 0 || c.Posts != 0 {
		t.Errorf("counts after Reset %+v, %v; want no shares or posts", c, err)
	}
}
