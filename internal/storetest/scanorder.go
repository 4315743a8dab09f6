package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// testScanOrder: ScanShares gives a dataset's packed shares in the order
// their posts were imported (not by post UID) where the dataset's posts
// lie together in the store, and every one of them where another
// dataset's posts were imported between its imports (so that its posts
// are a small part of the range of ids they span: read through the
// index, in no stated order).
func testScanOrder(t *testing.T, s Store) {
	ctx := context.Background()
	file := 0
	importPosts := func(dataset string, uids ...string) {
		t.Helper()
		tx, err := s.BeginImport(ctx, dataset)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		file++
		if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: fmt.Sprintf("f%d.jsonl", file), SHA256: fmt.Sprintf("%064d", file), Size: 10, Format: "test"}); err != nil {
			t.Fatal(err)
		}
		for i, uid := range uids {
			p := post(uid, "x:author-"+uid[len(uid)-1:], i, "vote")
			add(t, tx, record(int64(i+1), dataset+uid), []tahqiq.Post{p}, nil, []tahqiq.Share{share(p, tahqiq.ObjHashtag, "vote"), share(p, tahqiq.ObjURL, "https://a.org/"+uid)})
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(dataset string) []string {
		t.Helper()
		var got []string
		if err := s.ScanShares(ctx, tahqiq.ShareFilter{Dataset: dataset}, func(sh tahqiq.Share) error {
			got = append(got, sh.PostID+" "+sh.AccountID+" "+sh.Object)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := func(uids ...string) []string {
		var w []string
		for _, uid := range uids {
			w = append(w, uid+" x:author-"+uid[len(uid)-1:]+" vote", uid+" x:author-"+uid[len(uid)-1:]+" https://a.org/"+uid)
		}
		return w
	}
	// "sparse" gets two posts, then "dense" ten, then "sparse" two more:
	// sparse's four posts span fourteen ids
	importPosts("sparse", "x:9", "x:1")
	importPosts("dense", "x:50", "x:42", "x:47", "x:41", "x:49", "x:43", "x:48", "x:44", "x:46", "x:45")
	importPosts("sparse", "x:7", "x:3")
	if got, w := scan("dense"), want("x:50", "x:42", "x:47", "x:41", "x:49", "x:43", "x:48", "x:44", "x:46", "x:45"); !reflect.DeepEqual(got, w) {
		t.Errorf("dense dataset's shares =\n%q\nwant (in import order)\n%q", got, w)
	}
	got, w := scan("sparse"), want("x:9", "x:1", "x:7", "x:3")
	slices.Sort(got)
	slices.Sort(w)
	if !reflect.DeepEqual(got, w) {
		t.Errorf("sparse dataset's shares =\n%q\nwant\n%q", got, w)
	}
}
