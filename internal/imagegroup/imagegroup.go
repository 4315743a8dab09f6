// Package imagegroup lists groups of near-identical pictures across
// datasets and cases (tahqiq images, GET /api/v1/images): the pictures
// imports hashed and the picture files attached to cases, clustered by
// imagehash.Cluster, each group with its members, their posts (with the
// accounts' handles or names) and case items (docs/images.md). It reads
// what it is given and checks no access: the callers do.
package imagegroup

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/imagehash"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

// Store is what the grouping reads of datasets.
type Store interface {
	FindDatasetByName(ctx context.Context, name string) (tahqiq.Dataset, error)
	tahqiq.MediaStore
	tahqiq.PostScanner
	FindAccounts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Account, error)
}

// NewSet returns an empty set of pictures.
func NewSet() *Set { return &Set{byHash: map[string]*picture{}} }

// picture is one distinct picture (by SHA-256) and where it is shown.
type picture struct {
	sha     string
	pdq     string
	quality int
	width   int
	height  int
	hashes  imagehash.Hashes
	files   []File
	objects []string
	posts   []Post
	items   []Item
	first   time.Time // its earliest post (or, for a picture only in cases, the earliest item)
}

type File struct {
	Dataset string `json:"dataset"`
	File    string `json:"file"` // the input file whose posts name it
	Name    string `json:"name"`
}

type Post struct {
	Dataset    string    `json:"dataset"`
	Post       string    `json:"post"`
	Account    string    `json:"account"`     // handle or name
	AccountUID string    `json:"account_uid"` // the account's UID, for links
	Time       time.Time `json:"time,omitzero"`
	URL        string    `json:"url,omitempty"`
	Text       string    `json:"text,omitempty"` // the post's text, its first MaxText characters
	Lang       string    `json:"lang,omitempty"`
}

// MaxText is how many characters of a post's text a group carries.
const MaxText = 280

// clip returns the first MaxText characters of s, with "…" when cut.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == MaxText {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

type Item struct {
	Case    string    `json:"case"`
	Item    string    `json:"item"`
	Title   string    `json:"title"`
	File    string    `json:"file"`
	AddedAt time.Time `json:"added_at"`
}

// Set gathers the pictures of datasets and cases.
type Set struct {
	byHash     map[string]*picture
	unreadable []string // case files that are pictures by name but could not be hashed
}

func (s *Set) get(sha string) *picture {
	p := s.byHash[sha]
	if p == nil {
		p = &picture{sha: sha}
		s.byHash[sha] = p
	}
	return p
}

// AddDataset adds the hashed pictures of a dataset and the posts showing
// them, with their accounts' handles or names (the caller has checked
// that the dataset may be read). A dataset derived by other rules is
// refused (ingest.CheckDerivation).
func (s *Set) AddDataset(ctx context.Context, db Store, name string) error {
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
		p.files = append(p.files, File{Dataset: name, File: r.File, Name: r.Name})
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
			p.posts = append(p.posts, Post{Dataset: name, Post: post.UID, Account: post.AuthorUID, AccountUID: post.AuthorUID,
				Time: post.CreatedAt, URL: post.URL, Text: clip(post.Text), Lang: post.Lang})
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

// AddItems adds the picture files attached to items of a case (the
// caller has checked, and logged, that they may be read): a blob is taken
// for a picture when its media type is image/* or it has an image hash,
// and hash gives its hashes (casework.Service.BlobHashes); a blob that
// cannot be hashed is listed in the report's CaseFilesNotHashed.
func (s *Set) AddItems(caseID string, items []tahqiq.Item, hash func(sha256 string) (imagehash.Result, error)) {
	for _, it := range items {
		for _, b := range it.Blobs {
			if !strings.HasPrefix(b.Type, "image/") && b.DHash == "" && b.PDQ == "" {
				continue
			}
			r, err := hash(b.SHA256)
			if err != nil {
				s.unreadable = append(s.unreadable, fmt.Sprintf("case %s, item %s (%s): %s", caseID, it.ID, b.Name, tahqiq.ErrorMessage(err)))
				continue
			}
			p := s.get(b.SHA256)
			if p.pdq == "" {
				p.pdq, p.quality, p.width, p.height, p.hashes = r.PDQ.String(), r.Quality, r.Width, r.Height, r.Hashes()
			}
			p.items = append(p.items, Item{Case: caseID, Item: it.ID, Title: it.Title, File: b.Name, AddedAt: it.AddedAt})
		}
	}
}

// Report is what tahqiq images prints.
type Report struct {
	Params Params  `json:"params"`
	Counts Counts  `json:"counts"`
	Groups []Group `json:"groups"`
	// CaseFilesNotHashed are the case files taken for pictures that
	// could not be hashed.
	CaseFilesNotHashed []string `json:"case_files_not_hashed"`
}

type Params struct {
	Datasets    []string `json:"datasets"`
	Cases       []string `json:"cases"`
	MaxDistance int      `json:"max_distance"`
	MinQuality  int      `json:"min_quality"`
	All         bool     `json:"all"`
	Hashing     string   `json:"hashing"`
}

type Counts struct {
	Pictures   int `json:"pictures"`    // distinct pictures (by SHA-256)
	LowQuality int `json:"low_quality"` // of them, too plain to compare but by their bytes
	Groups     int `json:"groups"`      // listed
	Posts      int `json:"posts"`       // posts of the pictures
	Items      int `json:"items"`       // case items of the pictures
}

type Group struct {
	ID        string    `json:"id"` // "pdq:" and the hash of its first picture ("sha256:" for a plain one)
	Pictures  int       `json:"pictures"`
	Posts     int       `json:"posts"`
	Accounts  int       `json:"accounts"`
	Items     int       `json:"items"`
	Datasets  []string  `json:"datasets"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	Members   []Member  `json:"members"`
}

type Member struct {
	SHA256  string `json:"sha256"`
	PDQ     string `json:"pdq"`
	Quality int    `json:"pdq_quality"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	// Distance from the group's first picture, over its turns, mirrors
	// and frames (Transform, Trimmed); Tier names it: first, same (up
	// to 10 bits), variant (up to 31), linked (further: alike to another
	// member).
	Distance  int      `json:"distance"`
	Transform string   `json:"transform"`
	Trimmed   bool     `json:"trimmed"`
	Tier      string   `json:"tier"`
	Objects   []string `json:"objects"` // "DATASET OBJECT": its image share objects
	Files     []File   `json:"files"`
	Posts     []Post   `json:"posts"`
	Items     []Item   `json:"items"`
	// Kept is set by the server when it keeps the picture's file from an
	// import (GET /api/v1/datasets/{name}/pictures/{sha256} serves it).
	Kept  bool `json:"kept,omitempty"`
	first time.Time
}

// Group clusters the pictures (imagehash.Cluster) within maxDist bits
// (at most imagehash.Variant) and builds the report: groups shown more
// than once (every group with all), the most shown first. The report's
// Params are left for the caller to fill.
func (s *Set) Group(maxDist int, all bool) Report {
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
	rep := Report{Groups: []Group{}, CaseFilesNotHashed: nonNil(s.unreadable)}
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
		g := Group{ID: "pdq:" + first.pdq, FirstSeen: first.first, Datasets: []string{}}
		if first.quality < imagehash.MinQuality {
			g.ID = "sha256:" + first.sha
		}
		accounts := map[string]bool{}
		for _, p := range ms {
			m := imagehash.Compare(p.hashes, first.hashes)
			mem := Member{SHA256: p.sha, PDQ: p.pdq, Quality: p.quality, Width: p.width, Height: p.height,
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
				mem.Files = []File{}
			}
			if mem.Posts == nil {
				mem.Posts = []Post{}
			}
			if mem.Items == nil {
				mem.Items = []Item{}
			}
			slices.SortFunc(mem.Posts, func(a, b Post) int {
				return cmp.Or(cmpTime(a.Time, b.Time), strings.Compare(a.Dataset, b.Dataset), strings.Compare(a.Post, b.Post))
			})
			for _, pp := range p.posts {
				accounts[pp.Dataset+"\x00"+pp.AccountUID] = true
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
		slices.SortFunc(g.Members, func(a, b Member) int {
			return cmp.Or(cmp.Compare(tierRank(a.Tier), tierRank(b.Tier)), cmp.Compare(a.Distance, b.Distance), cmpTime(a.first, b.first), strings.Compare(a.SHA256, b.SHA256))
		})
		rep.Groups = append(rep.Groups, g)
	}
	slices.SortFunc(rep.Groups, func(a, b Group) int {
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

// nonNil is s, or an empty list for JSON.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// NewParams are the report's parameters.
func NewParams(datasets, cases []string, maxDist int, all bool) Params {
	return Params{Datasets: nonNil(datasets), Cases: nonNil(cases), MaxDistance: maxDist, MinQuality: imagehash.MinQuality, All: all, Hashing: imagehash.Version}
}
