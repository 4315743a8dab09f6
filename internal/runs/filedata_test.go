package runs_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// badEvents is an events table with everything the importer decides on:
// a post repeated as it was (a duplicate), repeated with a new object (a
// share more, no duplicate), given to a second account (a conflict),
// whitespace for an object (a post with no share), the original of a
// retweet (a loop), quoting, and rows the parser rejects.
const badEvents = `account_id,post_id,timestamp,time_utc,object_type,object_value
a1,p1,1700000000,,retweet,o1
a2,p2,1700000010,,retweet,o1
a1,p1,1700000000,,retweet,o1
a1,p1,1700000000,,hashtag,h1
a3,p1,1700000005,,retweet,o1
a3,p3,1700000007,,url," "
a3,p3,1700000007,,url,"http://x.example/a,b"
a4,o1,1699999990,,retweet,o1
a5,p5,1700000020,,hashtag,h1
a5,p5,1700000020,,hashtag,h1
a5,p5,1700000020,,hashtag,h1
a6,p6,1700000021,,mention,m1
a6,p6,1700000021,,mention,m1
,p7,1700000030,,retweet,o1
a7,p7,x,,retweet,o1
a7,p7,1700000030,,carrier-pigeon,o1
a7,9.06E+17,1700000030,,retweet,o1
a7,p7,1700000030,retweet,o1
a8,p8,1700000031,,retweet,"o1
a9,p9,1700000032,,retweet,o1
`

// moreEvents repeats posts of badEvents in a second file: deduplication
// spans the files of a read.
const moreEvents = `account_id,post_id,timestamp,time_utc,object_type,object_value
a1,p1,1700000000,,retweet,o1
a1,p1,1700000000,,hashtag,h1
a2,p2,1700000010,,hashtag,h1
a9,p2,1700000010,,retweet,o1
a10,p10,1700000011,,retweet,o1
a11,p11,1700000012,,post,p11
`

// TestCollectedEqualsShares reads the same files twice, as coord did
// before (ingest.Importer.Read, a tahqiq.Share kept per share, interned
// by coord.Run) and as it does now (ReadInto a coord.Collector, the
// events tables by their lean parser), and wants the same summary
// (counts, rejects), the same shares counted and dropped, and the same
// edges, for several parameter sets: on the bad rows above, and on the
// real tables of ../shared/data/coord where they are.
func TestCollectedEqualsShares(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.events.csv")
	more := filepath.Join(dir, "more.events.csv")
	for name, body := range map[string]string{bad: badEvents, more: moreEvents} {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type input struct {
		name   string
		files  []string
		format string
		fo     map[string]string
	}
	inputs := []input{{name: "bad", files: []string{bad, more}}}
	// X API v2 pages with their users (names, followers), the same
	// tweets flattened and not (duplicates across files), and more
	twarc := filepath.Join("..", "..", "..", "shared", "data", "social", "twarc-csv-testdata")
	if fileExists(filepath.Join(twarc, "flat.jsonl")) {
		inputs = append(inputs, input{name: "twarc", files: []string{filepath.Join(twarc, "flat.jsonl"), filepath.Join(twarc, "noflat.jsonl"), filepath.Join(twarc, "brexit.jsonl")}})
	} else {
		t.Logf("%s absent: its case is skipped", twarc)
	}
	shared := filepath.Join("..", "..", "..", "shared", "data", "coord")
	for _, f := range []string{"russian_coord_tweets.events.csv", "german_elections_2021.events.csv", "ira_2016_election_week.events.csv"} {
		p := filepath.Join(shared, f)
		if _, err := os.Stat(p); err != nil {
			t.Logf("%s absent: its case is skipped", p)
			continue
		}
		inputs = append(inputs, input{name: f, files: []string{p}})
	}
	if p := filepath.Join(shared, "ira_2016_election_week.posts.csv"); fileExists(p) {
		// a generic CSV: records through the importer's derivation, into
		// the collector by storeimport.Add
		inputs = append(inputs, input{name: "ira posts", files: []string{p}, format: "generic_csv",
			fo: map[string]string{"map": "account=account_id,id=post_id,time=timestamp,text=text,retweet_of=retweet_of"}})
	}
	params := func(types []tahqiq.ObjectType, keepLoops bool, window int64) coord.Params {
		p := coord.DefaultParams()
		p.Types, p.KeepLoops, p.Window, p.MinParticipation, p.Graph, p.Evidence = types, keepLoops, window, 1, false, false
		return p
	}
	cases := []struct {
		name string
		p    coord.Params
	}{
		{"all types", params(nil, false, 60)},
		{"retweet, loops kept", params([]tahqiq.ObjectType{tahqiq.ObjRetweet}, true, 60)},
		{"hashtag and post", params([]tahqiq.ObjectType{tahqiq.ObjHashtag, coord.ObjPost}, false, 10)},
	}
	ctx := context.Background()
	for i, in := range inputs {
		for j, c := range cases {
			if testing.Short() && i > 0 && (i > 1 || j > 0) {
				continue // -short: the bad rows, and one real input once
			}
			t.Run(in.name+"/"+c.name, func(t *testing.T) {
				im := &ingest.Importer{Formats: ingest.Default()}
				opt := ingest.Options{Format: in.format, FormatOptions: in.fo, NoMedia: true}
				graph := j%2 == 0 // both ways of FileData.Add
				before := runs.FileData{Graph: graph}
				sumBefore, errBefore := im.Read(ctx, in.files, opt, func(it *ingest.Item) error { before.Add(it); return nil })
				now := runs.FileData{Graph: graph, Collected: coord.NewCollector(c.p)}
				sumNow, errNow := im.ReadInto(ctx, in.files, opt, now.Collected, func(it *ingest.Item) error { now.Add(it); return nil })
				if errBefore != nil || errNow != nil {
					t.Fatalf("read: %v; read into a collector: %v", errBefore, errNow)
				}
				if a, b := jsonOf(t, sumBefore), jsonOf(t, sumNow); a != b {
					t.Fatalf("summaries differ:\nRead:     %s\nReadInto: %s", a, b)
				}
				if in.name == "bad" && (sumNow.Duplicates == 0 || sumNow.Conflicts == 0 || sumNow.Rejects <= sumNow.Conflicts) {
					t.Fatalf("the bad rows make no duplicate, conflict or reject: %s", jsonOf(t, sumNow))
				}
				d := now.Data()
				if len(d.Shares) != 0 || d.Collected == nil {
					t.Fatalf("a collected read gave %d shares as they are, collector %v", len(d.Shares), d.Collected != nil)
				}
				dWant := before.Data()
				if !reflect.DeepEqual(d.Names, dWant.Names) {
					t.Fatalf("names %v, want %v", d.Names, dWant.Names)
				}
				want, err := coord.Run(ctx, dWant, c.p, nil)
				if err != nil {
					t.Fatal(err)
				}
				got, err := coord.Run(ctx, d, c.p, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Counts, want.Counts) || !reflect.DeepEqual(got.Dropped, want.Dropped) {
					t.Fatalf("counts %v dropped %v, want %v and %v", got.Counts, got.Dropped, want.Counts, want.Dropped)
				}
				if !reflect.DeepEqual(got.Types, want.Types) || !reflect.DeepEqual(got.Edges, want.Edges) {
					t.Fatalf("types %v and %d edges, want %v and %d", got.Types, len(got.Edges), want.Types, len(want.Edges))
				}
				for i := range got.Edges {
					e := &got.Edges[i]
					if got.Account(e.A) != want.Account(e.A) || !reflect.DeepEqual(got.ByType(e), want.ByType(&want.Edges[i])) {
						t.Fatalf("edge %d: %s-%s %v, want %s-%s %v", i, got.Account(e.A), got.Account(e.B), got.ByType(e), want.Account(e.A), want.Account(e.B), want.ByType(&want.Edges[i]))
					}
				}
				// the same read under a budget of one byte: the rows go
				// to disk as they come, the decisions stay
				spilled := runs.FileData{Graph: graph, Collected: coord.NewCollector(c.p)}
				spilled.Collected.SetBudget(coord.Budget{Mem: 1, TempDir: t.TempDir()})
				sumSpilled, err := im.ReadInto(ctx, in.files, opt, spilled.Collected, func(it *ingest.Item) error { spilled.Add(it); return nil })
				if err != nil {
					t.Fatal(err)
				}
				if a, b := jsonOf(t, sumNow), jsonOf(t, sumSpilled); a != b {
					t.Fatalf("summaries differ:\nin memory: %s\nspilled:   %s", a, b)
				}
				spilledBytes := spilled.Collected.Spilled()
				// past a thousand posts, the posts too are on disk
				// (coord's minPostRun): found there for the duplicates,
				// post id conflicts and new shares of posts seen before
				if spilled.Collected.SpilledPosts() == 0 && want.Counts["posts"] > 2048 {
					t.Fatalf("%d posts and none on disk under a budget of one byte", want.Counts["posts"])
				}
				ds := spilled.Data()
				res, err := coord.Run(ctx, ds, c.p, nil)
				if err != nil {
					t.Fatal(err)
				}
				if spilledBytes == 0 && want.Counts["shares"] > 0 {
					t.Fatalf("%d shares and nothing spilled under a budget of one byte", want.Counts["shares"])
				}
				delete(res.Counts, "spilled_read_bytes")
				delete(res.Counts, "spilled_post_bytes")
				if !reflect.DeepEqual(res.Counts, want.Counts) || !reflect.DeepEqual(res.Dropped, want.Dropped) || !reflect.DeepEqual(res.Edges, want.Edges) || !reflect.DeepEqual(ds.Names, dWant.Names) {
					t.Fatalf("spilled read: counts %v dropped %v, %d edges, want %v, %v, %d", res.Counts, res.Dropped, len(res.Edges), want.Counts, want.Dropped, len(want.Edges))
				}
				if !graph {
					// without the graph step only the names are kept
					// (no signals, no reach: nodes.csv and
					// communities.csv are the graph step's)
					if d.Accounts != nil {
						t.Fatalf("a read without the graph step kept the accounts' signals (%T)", d.Accounts)
					}
					return
				}
				for a := range int32(got.Counts["accounts"]) {
					uid := got.Account(a)
					if !reflect.DeepEqual(d.Accounts.Row(uid), dWant.Accounts.Row(uid)) || !reflect.DeepEqual(d.Accounts.Reach(uid), dWant.Accounts.Reach(uid)) {
						t.Fatalf("account %s: signals %+v reach %+v, want %+v and %+v", uid, d.Accounts.Row(uid), d.Accounts.Reach(uid), dWant.Accounts.Row(uid), dWant.Accounts.Reach(uid))
					}
				}
				if in.name == "bad" && got.Counts["input_shares"] == 0 {
					t.Fatal("no share read")
				}
			})
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkReadFiles reads the German events table (157,568 rows) for a
// coordination run and runs it (lean: no graph step, no files written),
// reading as coord did before (a share each, interned by the run:
// "shares") and as it does now (into a collector: "collected"); rows/s
// is of the table's rows.
func BenchmarkReadFiles(b *testing.B) {
	p := filepath.Join("..", "..", "..", "shared", "data", "coord", "german_elections_2021.events.csv")
	if !fileExists(p) {
		b.Skipf("%s absent", p)
	}
	const rows = 157568
	params := coord.DefaultParams()
	params.Graph, params.Evidence, params.MinParticipation = false, false, 1
	ctx := context.Background()
	for _, collected := range []bool{false, true} {
		name := "shares"
		if collected {
			name = "collected"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				im := &ingest.Importer{Formats: ingest.Default()}
				fd := runs.FileData{}
				var err error
				if collected {
					fd.Collected = coord.NewCollector(params)
					_, err = im.ReadInto(ctx, []string{p}, ingest.Options{NoMedia: true}, fd.Collected, func(it *ingest.Item) error { fd.Add(it); return nil })
				} else {
					_, err = im.Read(ctx, []string{p}, ingest.Options{NoMedia: true}, func(it *ingest.Item) error { fd.Add(it); return nil })
				}
				if err != nil {
					b.Fatal(err)
				}
				if _, err := coord.Run(ctx, fd.Data(), params, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
