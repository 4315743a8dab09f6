package runs

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

// The orders a link's evidence can be read in (EvidenceQuery.Sort).
const (
	SortTime = "time" // the earlier post's time, then the later's
	SortDt   = "dt"   // the time between the two posts
	SortType = "type" // object type, then the object, then time
)

// EvidenceSorts are the values of EvidenceQuery.Sort.
var EvidenceSorts = []string{SortTime, SortDt, SortType}

// EvidenceQuery chooses a page of the co-share pairs behind a link.
type EvidenceQuery struct {
	Sort   string // one of EvidenceSorts; "" is SortTime
	Desc   bool   // descending
	Type   string // only the pairs of this object type; "" for all
	Offset int    // pairs skipped
	Limit  int    // pairs returned at most; 0 for all
}

// EvidencePage is a page of the co-share pairs behind the link between
// accounts A and B (A's name sorts first, as in evidence.csv.gz).
type EvidencePage struct {
	A, B   string
	Rows   []coord.EvidenceRow
	Total  int            // the link's pairs of the query's type (all types: every pair)
	ByType map[string]int // the link's pairs by object type, whatever the query's type
	SHA256 string         // hex SHA-256 of the evidence file read
}

// EvidencePage returns a page of the co-share pairs behind the link
// between accounts a and b of a run (in either order), sorted as q asks.
// A link the run does not have is ENOTFOUND.
func (s *Store) EvidencePage(id, a, b string, q EvidenceQuery) (EvidencePage, error) {
	if b < a {
		a, b = b, a
	}
	rows, sum, err := s.Evidence(id, a, b)
	if err != nil {
		return EvidencePage{}, err
	}
	if len(rows) == 0 && !s.hasEdge(id, a, b) {
		return EvidencePage{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "run %s has no link between %q and %q", id, a, b)
	}
	p := EvidencePage{A: a, B: b, ByType: map[string]int{}, SHA256: sum}
	kept := make([]coord.EvidenceRow, 0, len(rows))
	for _, r := range rows {
		p.ByType[r.ObjectType]++
		if q.Type == "" || r.ObjectType == q.Type {
			kept = append(kept, r)
		}
	}
	p.Total = len(kept)
	less := evidenceOrder(q.Sort)
	if q.Desc {
		slices.SortStableFunc(kept, func(x, y coord.EvidenceRow) int { return less(y, x) })
	} else {
		slices.SortStableFunc(kept, less)
	}
	lo := min(max(q.Offset, 0), len(kept))
	hi := len(kept)
	if q.Limit > 0 {
		hi = min(lo+q.Limit, hi)
	}
	p.Rows = kept[lo:hi]
	return p, nil
}

// hasEdge reports whether a run has an edge between a and b (a < b).
func (s *Store) hasEdge(id, a, b string) bool {
	n, err := s.load(id)
	if err != nil {
		return false
	}
	i, ok := n.index[a]
	j, ok2 := n.index[b]
	if !ok || !ok2 {
		return false
	}
	for k := range n.ea {
		if (n.ea[k] == i && n.eb[k] == j) || (n.ea[k] == j && n.eb[k] == i) {
			return true
		}
	}
	return false
}

// evidenceOrder compares two rows for a sort; every order ends on the
// posts' ids, so that a page is the same at every request.
func evidenceOrder(sort string) func(x, y coord.EvidenceRow) int {
	first := func(r coord.EvidenceRow) int64 { return min(r.TimeA, r.TimeB) }
	last := func(r coord.EvidenceRow) int64 { return max(r.TimeA, r.TimeB) }
	posts := func(x, y coord.EvidenceRow) int {
		return cmp.Or(strings.Compare(x.PostA, y.PostA), strings.Compare(x.PostB, y.PostB), strings.Compare(x.ObjectType, y.ObjectType), strings.Compare(x.Object, y.Object))
	}
	byTime := func(x, y coord.EvidenceRow) int {
		return cmp.Or(cmp.Compare(first(x), first(y)), cmp.Compare(last(x), last(y)))
	}
	switch sort {
	case SortDt:
		return func(x, y coord.EvidenceRow) int {
			return cmp.Or(cmp.Compare(x.Dt(), y.Dt()), byTime(x, y), posts(x, y))
		}
	case SortType:
		return func(x, y coord.EvidenceRow) int {
			return cmp.Or(strings.Compare(x.ObjectType, y.ObjectType), strings.Compare(x.Object, y.Object), byTime(x, y), posts(x, y))
		}
	}
	return func(x, y coord.EvidenceRow) int { return cmp.Or(byTime(x, y), posts(x, y)) }
}

// ObjectPost returns the UID of the post a row's object stands for, when
// it stands for one: the reposted post of a retweet object, the post
// replied to of a reply object (both named by their platform id, on the
// platform of the row's posts), the first post of a near-text group.
// Otherwise "".
func ObjectPost(r coord.EvidenceRow) string {
	switch tahqiq.ObjectType(r.ObjectType) {
	case coord.ObjNearText:
		return strings.TrimPrefix(r.Object, "near:")
	case tahqiq.ObjRetweet, tahqiq.ObjReply:
		if strings.HasPrefix(r.Object, "nt_") || strings.HasPrefix(r.Object, "from:") {
			return ""
		}
		platform, _, ok := strings.Cut(r.PostA, ":")
		if !ok {
			return ""
		}
		return platform + ":" + r.Object
	}
	return ""
}

// ObjectText returns what a row's object says in words, where the object
// is not readable as it is: the text a text hash (nt_…) was made from,
// read from the row's post that carries it; the text of the post the
// object stands for (ObjectPost), or for a repost whose original is not
// in posts the original's text as the repost carries it; the source a
// forward names. URLs, domains, hashtags, mentions and images are
// readable as they are: "". posts holds the row's posts and the object's
// post, by UID; a post missing from it is left out.
func ObjectText(r coord.EvidenceRow, posts map[string]tahqiq.Post) string {
	typ := tahqiq.ObjectType(r.ObjectType)
	if src, ok := strings.CutPrefix(r.Object, "from:"); ok && typ == tahqiq.ObjRetweet {
		return strings.TrimPrefix(src, "name:")
	}
	if strings.HasPrefix(r.Object, "nt_") {
		for _, uid := range []string{r.PostA, r.PostB} {
			p, ok := posts[uid]
			if !ok || !carries(p, typ, r.Object) {
				continue
			}
			if typ == tahqiq.ObjRetweet && p.TextFull != "" {
				return p.TextFull
			}
			return p.Text
		}
		return ""
	}
	if uid := ObjectPost(r); uid != "" {
		if p, ok := posts[uid]; ok {
			return cmp.Or(p.TextFull, p.Text)
		}
		if typ == tahqiq.ObjRetweet {
			for _, uid := range []string{r.PostA, r.PostB} {
				if p, ok := posts[uid]; ok && p.TextFull != "" && carries(p, typ, r.Object) {
					return p.TextFull
				}
			}
		}
	}
	return ""
}

// carries reports whether post p derives the share (typ, object), by the
// rules its dataset was derived with (ingest.Derive).
func carries(p tahqiq.Post, typ tahqiq.ObjectType, object string) bool {
	for _, s := range ingest.Derive(&p) {
		if s.Type == typ && s.Object == object {
			return true
		}
	}
	return false
}
