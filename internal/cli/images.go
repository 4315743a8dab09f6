package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/imagehash"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

func newImagesCmd(e *env) *cobra.Command {
	var datasets, cases []string
	var maxDist, limit int
	var all, asJSON, problems bool
	cmd := &cobra.Command{
		Use:   "images --dataset NAME... [--case ID...]",
		Short: "Group near-identical pictures across datasets and cases",
		Long: `List groups of near-identical pictures: the pictures that imports hashed
(tahqiq import --media, or a Telegram Desktop export's photos) in the
datasets named, and the picture files attached to the cases named, with the
posts (and accounts, and times) and the case items that carry each.

Two pictures are alike when their PDQ hashes are within --max-distance bits
(default 10, the same picture: resized, recompressed, turned, mirrored or
framed copies; 31 lists variants too: crops, overlays, and also distinct
forms printed from one template, so read them). A group is every picture
alike to another of it, directly or through others, whatever the order they
were imported in. Pictures too plain to compare (PDQ quality under 50) group
with their exact copies only. By default only groups shown more than once
are listed (--all lists every picture). docs/images.md defines the tiers and
their caveats.

--problems lists instead the pictures of the datasets that were not hashed
(missing, unreadable, not pictures), with the reason.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if len(datasets) == 0 && len(cases) == 0 {
				return tahqiq.Errorf(tahqiq.EINVALID, "give --dataset NAME or --case ID (each repeatable)")
			}
			if maxDist < 0 || maxDist > imagehash.Variant {
				return tahqiq.Errorf(tahqiq.EINVALID, "--max-distance %d: want 0 to %d bits (beyond PDQ's own match threshold of 31 bits, unrelated pictures match)", maxDist, imagehash.Variant)
			}
			if problems && len(cases) > 0 {
				return tahqiq.Errorf(tahqiq.EINVALID, "--problems lists the pictures of datasets that were not hashed; --case has none")
			}
			var svc *casework.Service
			var db fullStore
			var err error
			if len(cases) > 0 {
				svc, db, err = openCasework(ctx, e, false)
			} else {
				db, err = e.openStore(ctx)
			}
			if err != nil {
				return err
			}
			defer db.Close()
			if problems {
				return e.imageProblems(ctx, db, datasets, asJSON)
			}
			col := &pictureSet{byHash: map[string]*picture{}}
			for _, name := range datasets {
				if err := e.readDataset(ctx, db, name); err != nil {
					return err
				}
				if err := col.addDataset(ctx, db, name); err != nil {
					return err
				}
			}
			if len(cases) > 0 {
				actor, err := svc.CLIActor(ctx, e.as)
				if err != nil {
					return err
				}
				for _, id := range cases {
					if err := col.addCase(ctx, svc, actor, id); err != nil {
						return err
					}
				}
			}
			rep := col.group(maxDist, all)
			rep.Params = imagesParams{Datasets: nonNil(datasets), Cases: nonNil(cases), MaxDistance: maxDist, MinQuality: imagehash.MinQuality, All: all, Hashing: imagehash.Version}
			if asJSON {
				return writeJSON(e.stdout, rep)
			}
			printImages(e.stdout, rep, limit)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&datasets, "dataset", nil, "dataset whose hashed pictures to group (repeatable)")
	f.StringArrayVar(&cases, "case", nil, "case whose attached picture files to group (repeatable)")
	f.IntVar(&maxDist, "max-distance", imagehash.SameImage, "PDQ bits within which two pictures are alike: 10 the same picture, up to 31 variants too")
	f.BoolVar(&all, "all", false, "list pictures shown once too")
	f.IntVar(&limit, "limit", 50, "groups to print (--json prints all)")
	f.BoolVar(&asJSON, "json", false, "print the groups as JSON")
	f.BoolVar(&problems, "problems", false, "list the pictures of the datasets that were not hashed, with the reason")
	return cmd
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// picture is one distinct picture (by SHA-256) and where it is shown.
type picture struct {
	sha     string
	pdq     string
	quality int
	width   int
	height  int
	hashes  imagehash.Hashes
	files   []pictureFile
	objects []string
	posts   []picturePost
	items   []pictureItem
	first   time.Time // its earliest post (or, for a picture only in cases, the earliest item)
}

type pictureFile struct {
	Dataset string `json:"dataset"`
	File    string `json:"file"` // the input file whose posts name it
	Name    string `json:"name"`
}

type picturePost struct {
	Dataset string    `json:"dataset"`
	Post    string    `json:"post"`
	Account string    `json:"account"` // handle or name
	Time    time.Time `json:"time,omitzero"`
	URL     string    `json:"url,omitempty"`
}

type pictureItem struct {
	Case    string    `json:"case"`
	Item    string    `json:"item"`
	Title   string    `json:"title"`
	File    string    `json:"file"`
	AddedAt time.Time `json:"added_at"`
}

// pictureSet gathers the pictures of datasets and cases.
type pictureSet struct {
	byHash     map[string]*picture
	unreadable []string // case files that are pictures by name but could not be hashed
}

func (s *pictureSet) get(sha string) *picture {
	p := s.byHash[sha]
	if p == nil {
		p = &picture{sha: sha}
		s.byHash[sha] = p
	}
	return p
}

// addDataset adds the hashed pictures of a dataset and the posts showing
// them, with their accounts' handles or names.
func (s *pictureSet) addDataset(ctx context.Context, db fullStore, name string) error {
	d, err := db.FindDatasetByName(ctx, name)
	if err != nil {
		return err
	}
	if err := ingest.CheckDerivation(d); err != nil {
		return err
	}
	rows, err := db.FindMedia(ctx, name)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Status != tahqiq.MediaHashed {
			continue
		}
		p := s.get(r.SHA256)
		if p.pdq == "" {
			h, err := imagehash.ParseHashes(r.PDQ, r.Dihedral, r.Trimmed)
			if err != nil {
				return fmt.Errorf("dataset %s, picture %s: %w", name, r.Name, err)
			}
			p.pdq, p.quality, p.width, p.height, p.hashes = r.PDQ, r.Quality, r.Width, r.Height, h
		}
		p.files = append(p.files, pictureFile{Dataset: name, File: r.File, Name: r.Name})
		if obj := name + " " + r.Object; !slices.Contains(p.objects, obj) {
			p.objects = append(p.objects, obj)
		}
	}
	var uids []string
	seen := map[string]bool{}
	err = db.ScanPosts(ctx, name, func(post tahqiq.Post) error {
		for _, m := range post.Media {
			if m.Image == nil {
				continue
			}
			p := s.byHash[m.Image.SHA256]
			if p == nil || (len(p.posts) > 0 && p.posts[len(p.posts)-1].Post == post.UID && p.posts[len(p.posts)-1].Dataset == name) {
				continue // a row not read, or the post shows the picture twice
			}
			p.posts = append(p.posts, picturePost{Dataset: name, Post: post.UID, Account: post.AuthorUID, Time: post.CreatedAt, URL: post.URL})
			if !seen[post.AuthorUID] {
				seen[post.AuthorUID] = true
				uids = append(uids, post.AuthorUID)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	accts, err := db.FindAccounts(ctx, name, uids)
	if err != nil {
		return err
	}
	for _, p := range s.byHash {
		for i := range p.posts {
			pp := &p.posts[i]
			if pp.Dataset != name {
				continue
			}
			if a, ok := accts[pp.Account]; ok {
				switch {
				case a.Handle != "":
					pp.Account = "@" + a.Handle
				case a.Name != "":
					pp.Account = a.Name
				}
			}
		}
	}
	return nil
}

// addCase adds the picture files attached to a case the actor may read
// (the read is logged as a read of the case), hashed from the evidence
// store.
func (s *pictureSet) addCase(ctx context.Context, svc *casework.Service, actor tahqiq.User, id string) error {
	v, err := svc.Show(ctx, actor, id)
	if err != nil {
		return err
	}
	for _, it := range v.Items {
		for _, b := range it.Blobs {
			if !strings.HasPrefix(b.Type, "image/") && b.DHash == "" && b.PDQ == "" {
				continue
			}
			r, err := svc.BlobHashes(b.SHA256)
			if err != nil {
				s.unreadable = append(s.unreadable, fmt.Sprintf("case %s, item %s (%s): %s", id, it.ID, b.Name, tahqiq.ErrorMessage(err)))
				continue
			}
			p := s.get(b.SHA256)
			if p.pdq == "" {
				p.pdq, p.quality, p.width, p.height, p.hashes = r.PDQ.String(), r.Quality, r.Width, r.Height, r.Hashes()
			}
			p.items = append(p.items, pictureItem{Case: id, Item: it.ID, Title: it.Title, File: b.Name, AddedAt: it.AddedAt})
		}
	}
	return nil
}

// imagesReport is what tahqiq images prints.
type imagesReport struct {
	Params imagesParams   `json:"params"`
	Counts imagesCounts   `json:"counts"`
	Groups []pictureGroup `json:"groups"`
	// CaseFilesNotHashed are the case files taken for pictures that
	// could not be hashed.
	CaseFilesNotHashed []string `json:"case_files_not_hashed"`
}

type imagesParams struct {
	Datasets    []string `json:"datasets"`
	Cases       []string `json:"cases"`
	MaxDistance int      `json:"max_distance"`
	MinQuality  int      `json:"min_quality"`
	All         bool     `json:"all"`
	Hashing     string   `json:"hashing"`
}

type imagesCounts struct {
	Pictures   int `json:"pictures"`    // distinct pictures (by SHA-256)
	LowQuality int `json:"low_quality"` // of them, too plain to compare but by their bytes
	Groups     int `json:"groups"`      // listed
	Posts      int `json:"posts"`       // posts of the pictures
	Items      int `json:"items"`       // case items of the pictures
}

type pictureGroup struct {
	ID        string          `json:"id"` // "pdq:" and the hash of its first picture ("sha256:" for a plain one)
	Pictures  int             `json:"pictures"`
	Posts     int             `json:"posts"`
	Accounts  int             `json:"accounts"`
	Items     int             `json:"items"`
	Datasets  []string        `json:"datasets"`
	FirstSeen time.Time       `json:"first_seen,omitzero"`
	Members   []pictureMember `json:"members"`
}

type pictureMember struct {
	SHA256  string `json:"sha256"`
	PDQ     string `json:"pdq"`
	Quality int    `json:"pdq_quality"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	// Distance from the group's first picture, over its turns, mirrors
	// and frames (Transform, Trimmed); Tier names it: first, same (up
	// to 10 bits), variant (up to 31), linked (further: alike to another
	// member).
	Distance  int           `json:"distance"`
	Transform string        `json:"transform"`
	Trimmed   bool          `json:"trimmed"`
	Tier      string        `json:"tier"`
	Objects   []string      `json:"objects"` // "DATASET OBJECT": its image share objects
	Files     []pictureFile `json:"files"`
	Posts     []picturePost `json:"posts"`
	Items     []pictureItem `json:"items"`
	first     time.Time
}

// group clusters the pictures (imagehash.Cluster) and builds the report:
// groups shown more than once (every group with all), the most shown
// first.
func (s *pictureSet) group(maxDist int, all bool) imagesReport {
	pics := make([]*picture, 0, len(s.byHash))
	for _, p := range s.byHash {
		if p.pdq == "" {
			continue // a post's picture whose row was not read (none expected)
		}
		p.first = time.Time{}
		for _, pp := range p.posts {
			if !pp.Time.IsZero() && (p.first.IsZero() || pp.Time.Before(p.first)) {
				p.first = pp.Time
			}
		}
		if p.first.IsZero() {
			for _, it := range p.items {
				if p.first.IsZero() || it.AddedAt.Before(p.first) {
					p.first = it.AddedAt
				}
			}
		}
		pics = append(pics, p)
	}
	slices.SortFunc(pics, func(a, b *picture) int { return strings.Compare(a.sha, b.sha) })
	hs := make([]imagehash.Hashes, len(pics))
	qs := make([]int, len(pics))
	rep := imagesReport{Groups: []pictureGroup{}, CaseFilesNotHashed: nonNil(s.unreadable)}
	for i, p := range pics {
		hs[i], qs[i] = p.hashes, p.quality
		if p.quality < imagehash.MinQuality {
			rep.Counts.LowQuality++
		}
		rep.Counts.Posts += len(p.posts)
		rep.Counts.Items += len(p.items)
	}
	rep.Counts.Pictures = len(pics)
	labels := imagehash.Cluster(hs, qs, maxDist)
	members := map[int][]*picture{}
	for i, l := range labels {
		members[l] = append(members[l], pics[i])
	}
	for _, ms := range members {
		shown := 0
		for _, p := range ms {
			shown += len(p.posts) + len(p.items)
		}
		if shown < 2 && !all {
			continue
		}
		// the first picture: the earliest shown (pictures of posts before
		// those only in cases), then by SHA-256
		first := slices.MinFunc(ms, func(a, b *picture) int {
			if c := cmpTime(a.first, b.first); c != 0 {
				return c
			}
			return strings.Compare(a.sha, b.sha)
		})
		g := pictureGroup{ID: "pdq:" + first.pdq, FirstSeen: first.first, Datasets: []string{}}
		if first.quality < imagehash.MinQuality {
			g.ID = "sha256:" + first.sha
		}
		accounts := map[string]bool{}
		for _, p := range ms {
			m := imagehash.Compare(p.hashes, first.hashes)
			mem := pictureMember{SHA256: p.sha, PDQ: p.pdq, Quality: p.quality, Width: p.width, Height: p.height,
				Distance: m.Distance, Transform: m.Transform.String(), Trimmed: m.Trimmed,
				Objects: nonNil(p.objects), Files: p.files, Posts: p.posts, Items: p.items, first: p.first}
			switch {
			case p == first:
				mem.Tier, mem.Distance, mem.Transform, mem.Trimmed = "first", 0, imagehash.Original.String(), false
			case m.Distance <= imagehash.SameImage:
				mem.Tier = "same"
			case m.Distance <= imagehash.Variant:
				mem.Tier = "variant"
			default:
				mem.Tier = "linked"
			}
			if mem.Files == nil {
				mem.Files = []pictureFile{}
			}
			if mem.Posts == nil {
				mem.Posts = []picturePost{}
			}
			if mem.Items == nil {
				mem.Items = []pictureItem{}
			}
			slices.SortFunc(mem.Posts, func(a, b picturePost) int {
				return cmp.Or(cmpTime(a.Time, b.Time), strings.Compare(a.Dataset, b.Dataset), strings.Compare(a.Post, b.Post))
			})
			for _, pp := range p.posts {
				accounts[pp.Dataset+"\x00"+pp.Account] = true
				if !slices.Contains(g.Datasets, pp.Dataset) {
					g.Datasets = append(g.Datasets, pp.Dataset)
				}
			}
			g.Pictures++
			g.Posts += len(p.posts)
			g.Items += len(p.items)
			g.Members = append(g.Members, mem)
		}
		g.Accounts = len(accounts)
		slices.Sort(g.Datasets)
		slices.SortFunc(g.Members, func(a, b pictureMember) int {
			return cmp.Or(cmp.Compare(tierRank(a.Tier), tierRank(b.Tier)), cmp.Compare(a.Distance, b.Distance), cmpTime(a.first, b.first), strings.Compare(a.SHA256, b.SHA256))
		})
		rep.Groups = append(rep.Groups, g)
	}
	slices.SortFunc(rep.Groups, func(a, b pictureGroup) int {
		return cmp.Or(cmp.Compare(b.Posts+b.Items, a.Posts+a.Items), cmpTime(a.FirstSeen, b.FirstSeen), strings.Compare(a.ID, b.ID))
	})
	rep.Counts.Groups = len(rep.Groups)
	return rep
}

func tierRank(t string) int {
	return slices.Index([]string{"first", "same", "variant", "linked"}, t)
}

// cmpTime orders times, the zero time last.
func cmpTime(a, b time.Time) int {
	switch {
	case a.Equal(b):
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	case a.Before(b):
		return -1
	}
	return 1
}

func printImages(w io.Writer, rep imagesReport, limit int) {
	c := rep.Counts
	fmt.Fprintf(w, "images: %s (%d too plain to compare but by their bytes) in %s and %s -> %s (alike within %d bits)\n",
		plural(int64(c.Pictures), "picture"), c.LowQuality, plural(int64(c.Posts), "post"), plural(int64(c.Items), "case item"), plural(int64(c.Groups), "group"), rep.Params.MaxDistance)
	for i, g := range rep.Groups {
		if i == limit {
			fmt.Fprintf(w, "... %d more groups (--limit, or --json for all)\n", len(rep.Groups)-limit)
			break
		}
		first := "never posted"
		if !g.FirstSeen.IsZero() {
			first = "first seen " + g.FirstSeen.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "\n%s: %s, %s by %s, %s; %s", g.ID, plural(int64(g.Pictures), "picture"), plural(int64(g.Posts), "post"),
			plural(int64(g.Accounts), "account"), plural(int64(g.Items), "case item"), first)
		if len(g.Datasets) > 0 {
			fmt.Fprintf(w, "; %s %s", plural(int64(len(g.Datasets)), "dataset")[2:], strings.Join(g.Datasets, ", "))
		}
		fmt.Fprintln(w)
		for _, m := range g.Members {
			how := m.Tier
			if m.Tier != "first" {
				how = fmt.Sprintf("%s, %d bits", m.Tier, m.Distance)
				if m.Transform != imagehash.Original.String() {
					how += ", " + m.Transform
				}
				if m.Trimmed {
					how += ", frame cut"
				}
			}
			var names []string
			for _, f := range m.Files {
				names = append(names, f.Name+" ("+f.Dataset+")")
			}
			for _, it := range m.Items {
				names = append(names, fmt.Sprintf("%s (case %s, item %s %q)", it.File, it.Case, it.Item, it.Title))
			}
			fmt.Fprintf(w, "  [%s] %s  %d×%d quality %d  sha256 %s\n", how, strings.Join(names, "; "), m.Width, m.Height, m.Quality, m.SHA256[:12])
			for _, p := range m.Posts {
				fmt.Fprintf(w, "      %s  %s  %s", p.Time.UTC().Format(time.RFC3339), p.Account, p.Post)
				if p.URL != "" {
					fmt.Fprintf(w, "  %s", p.URL)
				}
				fmt.Fprintln(w)
			}
		}
	}
	for _, u := range rep.CaseFilesNotHashed {
		fmt.Fprintf(w, "not hashed: %s\n", u)
	}
}

// imageProblems lists the pictures of datasets that were not hashed.
func (e *env) imageProblems(ctx context.Context, db fullStore, datasets []string, asJSON bool) error {
	type problem struct {
		Dataset string `json:"dataset"`
		tahqiq.MediaFile
	}
	out := []problem{}
	for _, name := range datasets {
		if err := e.readDataset(ctx, db, name); err != nil {
			return err
		}
		rows, err := db.FindMedia(ctx, name)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.Status != tahqiq.MediaHashed {
				out = append(out, problem{Dataset: name, MediaFile: r})
			}
		}
	}
	if asJSON {
		return writeJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "%d pictures not hashed\n", len(out))
	for _, p := range out {
		fmt.Fprintf(e.stdout, "  %s  %s: %s (%s, named in %s)\n", p.Dataset, p.Name, p.Detail, p.Status, p.File)
	}
	return nil
}
