package ingest_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// markDerivation records another derivation for a dataset, as a store
// written by an earlier tahqiq holds ("" before derivations were kept).
func markDerivation(t *testing.T, db *sqlite.DB, dataset, derivation string) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, dataset)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.SetDerivation(ctx, derivation); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// Re-deriving a dataset with the rules it was derived by changes nothing:
// every importer's stored records, rebuilt into an input (JSON values one
// per line, CSV rows at their lines, Telegram Desktop chats), read again
// give the same posts, shares, record kinds and rejects.
func TestRederiveIsIdentityWhenCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("every real dataset re-derived (about 4 s): not in -short (go test ./..., as CI runs it, does)")
	}
	dir := t.TempDir()
	// ids made of the file and line, multi-line cells, blank lines and
	// rejected rows between good ones
	noID := write(t, dir, "noid.csv", "user,text,when\n\nu1,\"two\nlines #a\",2024-02-08 09:00\nu2,bad time,yesterday\n\n\nu3,\"x, \"\"quoted\"\" #a\",2024-02-08 09:01\nu4,no time,\n")
	cases := []struct {
		files  []string
		format string
		opts   map[string]string
	}{
		{files: glob(t, "events/testdata/*.csv")},
		{files: glob(t, "crowdtangle/testdata/*.csv")},
		{files: glob(t, "ira538/testdata/*.csv")},
		{files: glob(t, "twitterio/testdata/*.csv")},
		{files: glob(t, "telegram/testdata/*.json*")},
		{files: glob(t, "xv1/testdata/*.json")},
		{files: glob(t, "xv2/testdata/*.jsonl")},
		{files: []string{"genericcsv/testdata/handmade_generic.csv"}, format: "generic_csv",
			opts: map[string]string{"map": "id=post,account=user,account_name=name,time=created,text=body,url=link,urls=links,hashtags=tags,retweet_of=rt,reply_to=reply"}},
		{files: []string{"genericcsv/testdata/botocracy_head12.csv"}, format: "generic_csv", opts: map[string]string{"map": "account=user_id,text=text"}},
		{files: []string{noID}, format: "generic_csv", opts: map[string]string{"map": "account=user,text=text,time=when"}},
		{files: []string{filepath.Join(parsetest.DataDir(t, "social", "telegram-toolkit-telethon"), "btcchamp_1150750640.jsonl")}},
		{files: []string{filepath.Join(parsetest.DataDir(t, "social", "python-twitter-v1.1"), "get_search_raw.json")}},
		{files: []string{filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "2sets.jsonl")}},
	}
	im := &ingest.Importer{Formats: ingest.Default()}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(filepath.Base(tc.files[0]), func(t *testing.T) {
			db := openDB(t)
			sum, err := im.Import(ctx, db, tc.files, ingest.Options{Dataset: "d", Format: tc.format, FormatOptions: tc.opts})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Records < 2 {
				t.Fatalf("import: %+v", sum)
			}
			markDerivation(t, db, "d", "")
			r, err := im.Rederive(ctx, db, "d", ingest.RederiveOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Committed || r.From != "" || r.To != ingest.Derivation || r.Before != r.After || r.Records != sum.Records || r.Files != len(tc.files) ||
				r.PostsAdded+r.PostsRemoved+r.PostsChanged+r.SharesAdded+r.SharesRemoved+r.RejectsAdded+r.RejectsRemoved+r.RecordsRejected != 0 || len(r.KindsChanged) != 0 {
				t.Errorf("re-derivation changed something: %+v", r)
			}
			d, err := db.FindDatasetByName(ctx, "d")
			if err != nil || d.Derivation != ingest.Derivation || d.Counts != r.Before || ingest.CheckDerivation(d) != nil {
				t.Errorf("dataset after = %+v, %v", d, err)
			}
		})
	}
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: %v", pattern, err)
	}
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".golden.json") {
			out = append(out, f)
		}
	}
	return out
}

// serviceAsPosts is the Telethon importer as it was before derivation 2:
// a service message (pin, join, title change) made a post of kind
// service.
func serviceAsPosts() *ingest.Registry {
	f, _ := ingest.Default().Lookup("tg_telethon_jsonl")
	parse := f.Parse
	f.Parse = func(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
		return parse(ctx, src, func(p *tahqiq.Parsed) error {
			if p.Reject == "" && len(p.Posts) == 0 && strings.Contains(string(p.Record.Raw[:30]), `"MessageService"`) {
				id := strings.SplitN(strings.SplitN(string(p.Record.Raw), `"id": `, 2)[1], ",", 2)[0]
				p.Posts = []tahqiq.Post{{UID: "telegram:channel1150750640/" + id, Platform: "telegram", AuthorUID: "telegram:channel1150750640",
					Kind: tahqiq.KindService, CreatedAt: parsetest.Time("2020-01-01T00:00:00Z"), Precision: tahqiq.PrecisionSecond,
					References: []tahqiq.Reference{{Type: tahqiq.RefReplyTo, TargetID: "channel1150750640/1"}}}}
			}
			return emit(p)
		})
	}
	return ingest.NewRegistry(f)
}

// A dataset derived by earlier rules is refused by imports and readers
// until it is re-derived; re-deriving turns its Telegram service posts
// (64 of btcchamp's 644 messages, from python3) into records of kind other
// with no post, says so, and --dry-run keeps nothing.
func TestRederiveLegacyDataset(t *testing.T) {
	path := filepath.Join(parsetest.DataDir(t, "social", "telegram-toolkit-telethon"), "btcchamp_1150750640.jsonl")
	ctx := context.Background()
	db := openDB(t)
	old := &ingest.Importer{Formats: serviceAsPosts()}
	if sum, err := old.Import(ctx, db, []string{path}, ingest.Options{Dataset: "tg"}); err != nil || sum.Posts != 644 {
		t.Fatalf("import by the old rules: %+v, %v", sum, err)
	}
	markDerivation(t, db, "tg", "")
	d, _ := db.FindDatasetByName(ctx, "tg")
	if err := ingest.CheckDerivation(d); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT || !strings.Contains(err.Error(), "tahqiq datasets rederive tg") ||
		!strings.Contains(err.Error(), "an earlier tahqiq (before derivations were recorded)") {
		t.Errorf("CheckDerivation = %v", err)
	}
	im := &ingest.Importer{Formats: ingest.Default()}
	other := filepath.Join(parsetest.DataDir(t, "social", "telegram-toolkit-telethon"), "durov_1006503122.jsonl")
	if _, err := im.Import(ctx, db, []string{other}, ingest.Options{Dataset: "tg"}); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT || !strings.Contains(err.Error(), "tahqiq datasets rederive tg") {
		t.Errorf("import into the old dataset: %v, want it refused", err)
	}

	dry, err := im.Rederive(ctx, db, "tg", ingest.RederiveOptions{DryRun: true})
	if err != nil || dry.Committed || dry.PostsRemoved != 64 {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	if d2, _ := db.FindDatasetByName(ctx, "tg"); d2.Derivation != "" || d2.Counts != d.Counts {
		t.Fatalf("the dry run changed the store: %+v", d2)
	}

	r, err := im.Rederive(ctx, db, "tg", ingest.RederiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Committed || r.PostsRemoved != 64 || r.PostsAdded != 0 || r.PostsChanged != 0 || r.SharesAdded != 0 || r.SharesRemoved != r.Before.Shares-r.After.Shares ||
		r.SharesRemoved == 0 || r.RecordsRejected != 0 || r.After.Posts != 580 || r.After.Records != 644 || len(r.Examples.PostsRemoved) != 20 {
		t.Errorf("re-derivation: %+v", r)
	}
	d, err = db.FindDatasetByName(ctx, "tg")
	if err != nil || ingest.CheckDerivation(d) != nil || d.Counts.Posts != 580 {
		t.Errorf("after: %+v, %v", d, err)
	}
	if _, err := im.Import(ctx, db, []string{other}, ingest.Options{Dataset: "tg"}); err != nil {
		t.Errorf("import after the re-derivation: %v", err)
	}
}

// A record the importer rejects now moves to the rejects with its raw
// bytes (an events row with a spreadsheet id, which derivation 1
// accepted), and a file imported before its options were recorded is read
// with the options given.
func TestRederiveRecordNowRejected(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := write(t, dir, "e.csv", "account_id,post_id,timestamp,time_utc,object_type,object_value\na,p1,1700000000,x,url,https://e.org/\nb,p2,1700000001,x,url,https://e.org/\n")
	db := openDB(t)
	im := &ingest.Importer{Formats: ingest.Default()}
	if _, err := im.Import(ctx, db, []string{path}, ingest.Options{Dataset: "e"}); err != nil {
		t.Fatal(err)
	}
	markDerivation(t, db, "e", "ingest-1+textnorm-1")
	// what an earlier tahqiq stored for line 3: a post id a spreadsheet
	// wrote, which it accepted
	raw := db.ReadDB()
	if _, err := raw.Exec(`UPDATE records SET raw = CAST(replace(CAST(raw AS TEXT), '"p2"', '"7.9e+17"') AS BLOB) WHERE line = 3`); err != nil {
		t.Fatal(err)
	}
	r, err := im.Rederive(ctx, db, "e", ingest.RederiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.From != "ingest-1+textnorm-1" || r.RecordsRejected != 1 || r.RejectsAdded != 1 || r.PostsRemoved != 1 || r.After.Records != 2 || r.After.Rejects != 1 ||
		len(r.Examples.RejectsAdded) != 1 || r.Examples.RejectsAdded[0].Line != 3 || !strings.Contains(r.Examples.RejectsAdded[0].Reason, `post_id "7.9e+17"`) {
		t.Errorf("re-derivation: %+v", r)
	}
	rs, err := db.FindRejects(ctx, "e", 10, 0)
	if err != nil || len(rs) != 1 || !strings.Contains(string(rs[0].Raw), `"post_id":"7.9e+17"`) {
		t.Errorf("rejects = %+v, %v", rs, err)
	}
}

// A generic CSV imported before options were recorded needs its map:
// re-deriving without one says so; with it, the posts come back.
func TestRederiveLegacyOptions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := write(t, dir, "g.csv", "user,text\nu1,hello there\nu2,hello there\n")
	db := openDB(t)
	im := &ingest.Importer{Formats: ingest.Default()}
	m := map[string]string{"map": "account=user,text=text"}
	if _, err := im.Import(ctx, db, []string{path}, ingest.Options{Dataset: "g", Format: "generic_csv", FormatOptions: m}); err != nil {
		t.Fatal(err)
	}
	markDerivation(t, db, "g", "")
	if _, err := db.ReadDB().Exec(`UPDATE files SET options = ''`); err != nil { // as stored before options were kept
		t.Fatal(err)
	}
	_, err := im.Rederive(ctx, db, "g", ingest.RederiveOptions{})
	if tahqiq.ErrorCode(err) != tahqiq.EINVALID ||
		!strings.Contains(tahqiq.ErrorMessage(err), "g.csv was imported before tahqiq kept import options: give the map it was imported with (generic CSV needs a column map: map account=COL") {
		t.Errorf("without a map (the API's words): %v", err)
	}
	if msg := tahqiq.PhraseError(err, func(p string) string { return "--" + p }); !strings.Contains(msg, "give the --map it was imported with (generic CSV needs a column map: --map account=COL") {
		t.Errorf("without a map (the CLI's words): %s", msg)
	}
	r, err := im.Rederive(ctx, db, "g", ingest.RederiveOptions{FormatOptions: m})
	if err != nil || r.After.Posts != 2 || r.PostsAdded+r.PostsRemoved+r.PostsChanged != 0 {
		t.Errorf("with the map: %+v, %v", r, err)
	}
}

// The Telegram Desktop export is read again chat by chat, each chat's id
// and name taken from its posts.
func TestRederiveDesktopKeepsChats(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	im := &ingest.Importer{Formats: ingest.Default()}
	path := "telegram/testdata/handmade_desktop_full_export.json"
	if _, err := im.Import(ctx, db, []string{path}, ingest.Options{Dataset: "t"}); err != nil {
		t.Fatal(err)
	}
	before, err := db.FindPost(ctx, "t", "telegram:channel1150750640/1829")
	if err != nil {
		t.Fatal(err)
	}
	markDerivation(t, db, "t", "")
	if _, err := im.Rederive(ctx, db, "t", ingest.RederiveOptions{}); err != nil {
		t.Fatal(err)
	}
	after, err := db.FindPost(ctx, "t", "telegram:channel1150750640/1829")
	if err != nil || after.Post.ContainerName != before.Post.ContainerName || after.Post.ContainerName == "" || string(after.Records[0].Raw) != string(before.Records[0].Raw) {
		t.Errorf("post after = %+v, %v; before %+v", after.Post, err, before.Post)
	}
}

// Before derivation 2, --format coortweet_csv read an events table too; a
// file stored so is read again in the layout it has.
func TestRederiveEventsImportedAsCooRTweet(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	im := &ingest.Importer{Formats: ingest.Default()}
	if _, err := im.Import(ctx, db, []string{"events/testdata/russian_coord_tweets_head40.events.csv"}, ingest.Options{Dataset: "e"}); err != nil {
		t.Fatal(err)
	}
	markDerivation(t, db, "e", "")
	if _, err := db.ReadDB().Exec(`UPDATE files SET format = 'coortweet_csv', options = ''`); err != nil {
		t.Fatal(err)
	}
	r, err := im.Rederive(ctx, db, "e", ingest.RederiveOptions{})
	if err != nil || r.After != r.Before || r.PostsAdded+r.PostsRemoved+r.PostsChanged+r.SharesAdded+r.SharesRemoved != 0 {
		t.Errorf("re-derivation: %+v, %v", r, err)
	}
}
