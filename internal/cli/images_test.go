package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// TestImagesCoordinate: end to end through the CLI. A Telegram Desktop
// export whose members post a fake ballot and copies of it (smaller,
// mirrored, framed) within a minute is imported with its photos; a
// coordination run by image links the four accounts, with the ballot's
// image object as evidence; tahqiq images lists the ballot's group with
// its five posts and a case item of the same photo, and --problems the
// pictures that were not hashed. The same run from the file
// (coord --input) links the same accounts.
func TestImagesCoordinate(t *testing.T) {
	data := t.TempDir()
	t.Setenv("TAHQIQ_TRUSTED_KEYS", filepath.Join(t.TempDir(), "trusted-keys"))
	if code, out, errs := run(t, data, "", "org", "init", "--org", "Team", "--admin", "amina"); code != 0 {
		t.Fatalf("org init: %s %s", out, errs)
	}
	t.Setenv("TAHQIQ_USER", "amina")
	ex := parsetest.TelegramMediaExport(t, t.TempDir())
	code, out, errs := run(t, data, "", "import", "--dataset", "tg", ex.Result)
	if code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errs)
	}
	for _, want := range []string{"pictures: 12 in posts, 10 files named in " + ex.Dir + ": 7 hashed (1 too plain", "1 missing, 1 unreadable, 1 not pictures; 1 named no file", "3 new image objects",
		"picture files/scan.jpg: not a picture",
		"pictures kept (to show them in the web UI and carry them into cases): 7 of the 7 hashed; 0 larger than the limit"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	// the command line's import keeps the pictures in the data folder's
	// blob store, as the server's does
	kept, _ := filepath.Glob(filepath.Join(data, "blobs", "objects", "*", "*"))
	if len(kept) != 7 {
		t.Errorf("%d files in the blob store after the import, want the 7 pictures hashed", len(kept))
	}

	// coordination by image: the four accounts that posted the ballot
	// within a minute are linked, nobody else
	work := t.TempDir()
	code, out, errs = run(t, data, "", "coord", "--dataset", "tg", "--by", "image", "--window", "60s", "--min-participation", "1", "--out", filepath.Join(work, "run"))
	if code != 0 {
		t.Fatalf("coord: exit %d: %s %s", code, out, errs)
	}
	edges := readEdges(t, filepath.Join(work, "run", "edges.csv"))
	linked := map[string]bool{}
	for _, e := range edges {
		linked[e[0]], linked[e[1]] = true, true
	}
	var got []string
	for a := range linked {
		got = append(got, a)
	}
	slices.Sort(got)
	if !slices.Equal(got, ex.BallotAccounts) || len(edges) != 6 {
		t.Errorf("coord by image links %v in %d edges; want %v in 6", got, len(edges), ex.BallotAccounts)
	}
	code, out, errs = run(t, data, "", "coord", "explain", "--run", filepath.Join(work, "run"), ex.BallotAccounts[0], ex.BallotAccounts[2])
	if code != 0 || !strings.Contains(out, "pdq:") || !strings.Contains(out, ex.BallotPosts[2]) {
		t.Errorf("explain of the ballot's posters: exit %d:\n%s%s", code, out, errs)
	}
	// the same run straight from the export
	code, out, errs = run(t, data, "", "coord", "--input", ex.Result, "--by", "image", "--window", "60s", "--min-participation", "1", "--out", filepath.Join(work, "files"))
	if code != 0 {
		t.Fatalf("coord --input: exit %d: %s %s", code, out, errs)
	}
	if fe := readEdges(t, filepath.Join(work, "files", "edges.csv")); !slices.Equal(fe, edges) {
		t.Errorf("coord --input edges %v, the dataset's %v", fe, edges)
	}
	if !strings.Contains(errs, "photos/photo_9@08-02-2024_10-15-00.jpg (named in "+ex.Result+") not hashed: not in the media folder") {
		t.Errorf("coord --input does not say which pictures it could not hash:\n%s", errs)
	}
	var m struct {
		Dropped map[string]int64 `json:"dropped"`
	}
	b, err := os.ReadFile(filepath.Join(work, "files", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Dropped["pictures_missing"] != 1 || m.Dropped["pictures_not_images"] != 1 || m.Dropped["pictures_unreadable"] != 1 || m.Dropped["pictures_without_file"] != 1 {
		t.Errorf("manifest dropped = %v, %v", m.Dropped, err)
	}

	// a case holding the ballot photo, and the groups across both
	photo := filepath.Join(t.TempDir(), "ballot-from-whatsapp.jpg")
	if err := os.WriteFile(photo, parsetest.JPEG(t, parsetest.Shrink(parsetest.Photographed(parsetest.Ballot(2), 1), 480, 672), 75), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = run(t, data, "", "case", "new", "--title", "Fake ballots", "--json")
	var c struct{ ID string }
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil || c.ID == "" {
		t.Fatalf("case new: %s %s", out, errs)
	}
	caseID := c.ID
	if code, out, errs = run(t, data, "", "case", "attach", caseID, photo); code != 0 {
		t.Fatalf("case attach: %s %s", out, errs)
	}
	code, out, errs = run(t, data, "", "images", "--dataset", "tg", "--case", caseID, "--json")
	if code != 0 {
		t.Fatalf("images: exit %d: %s %s", code, out, errs)
	}
	var rep struct {
		Counts struct {
			Pictures, Groups, Posts, Items int
			LowQuality                     int `json:"low_quality"`
		}
		Groups []struct {
			ID                        string
			Pictures, Posts, Accounts int
			Items                     int
			Datasets                  []string
			Members                   []struct {
				Tier      string
				Distance  int
				Transform string
				Trimmed   bool
				Posts     []struct{ Post, Account string }
				Items     []struct{ Case, File string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("images --json: %v\n%s", err, out)
	}
	if len(rep.Groups) != 1 {
		t.Fatalf("images: %d groups, want the ballot's alone (the rest is shown once):\n%s", len(rep.Groups), out)
	}
	g := rep.Groups[0]
	var posts, accounts []string
	tiers := map[string]int{}
	for _, m := range g.Members {
		tiers[m.Tier]++
		for _, p := range m.Posts {
			posts = append(posts, p.Post)
			accounts = append(accounts, p.Account)
		}
		if m.Tier != "first" && m.Tier != "same" {
			t.Errorf("member %+v of the ballot's group is not the same picture", m)
		}
	}
	slices.Sort(posts)
	if g.Pictures != 5 || g.Posts != 5 || g.Accounts != 4 || g.Items != 1 || !slices.Equal(posts, ex.BallotPosts) || tiers["first"] != 1 {
		t.Errorf("the ballot's group = %d pictures, %d posts %v by %d accounts, %d items, tiers %v", g.Pictures, g.Posts, posts, g.Accounts, g.Items, tiers)
	}
	if !slices.Contains(accounts, "member 1") {
		t.Errorf("accounts are named %v; want their names (member 1, …)", accounts)
	}
	if rep.Counts.Pictures != 8 || rep.Counts.LowQuality != 1 || rep.Counts.Items != 1 {
		t.Errorf("counts = %+v; want 8 pictures (7 hashed in the dataset, the case's photo), 1 plain, 1 item", rep.Counts)
	}
	// text output, and variants
	code, out, _ = run(t, data, "", "images", "--dataset", "tg", "--max-distance", "31", "--all")
	if code != 0 || !strings.Contains(out, "mirror-horizontal") || !strings.Contains(out, "frame cut") || !strings.Contains(out, "@") && !strings.Contains(out, "member 3") {
		t.Errorf("images (text, --all, variants):\n%s", out)
	}
	code, out, _ = run(t, data, "", "images", "--dataset", "tg", "--problems")
	if code != 0 || !strings.Contains(out, "3 pictures not hashed") || !strings.Contains(out, "files/broken.jpg: damaged jpeg picture") {
		t.Errorf("images --problems:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"images"}, "give --dataset NAME or --case ID"},
		{[]string{"images", "--dataset", "tg", "--max-distance", "40"}, "--max-distance 40: want 0 to 31 bits"},
		{[]string{"images", "--dataset", "nope"}, `no dataset named "nope"`},
		{[]string{"import", "--media", filepath.Join(data, "nope"), ex.Result}, "--media " + filepath.Join(data, "nope") + ": not a folder"},
		{[]string{"import", "--media", ex.Dir, "--no-media", ex.Result}, "give one of them"},
		{[]string{"coord", "--dataset", "tg", "--media", ex.Dir}, "--media and --no-media are for --input files"},
	} {
		if code, _, errs := run(t, data, "", tc.args...); code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("tahqiq %s: exit %d, stderr %q; want it to contain %q", strings.Join(tc.args, " "), code, errs, tc.want)
		}
	}
}
