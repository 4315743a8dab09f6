package runs_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// groupShares is four groups of 25 accounts, each group sharing its own
// 30 URLs within seconds, and a few shares across groups.
func groupShares() []tahqiq.Share {
	rng := rand.New(rand.NewPCG(5, 5))
	var shares []tahqiq.Share
	n := 0
	share := func(acc int, url string, t int64) {
		n++
		shares = append(shares, tahqiq.Share{Type: tahqiq.ObjURL, Object: url, AccountID: fmt.Sprintf("x:%d", acc), PostID: fmt.Sprintf("x:p%d", n), Time: t, Precision: tahqiq.PrecisionSecond})
	}
	for g := range 4 {
		for u := range 30 {
			url := fmt.Sprintf("https://g%d.example/%d", g, u)
			t := int64(1_700_000_000 + 3600*(g*30+u))
			for a := range 25 {
				if rng.IntN(3) > 0 {
					share(g*25+a, url, t+int64(rng.IntN(20)))
				}
			}
			if u%10 == 0 { // one account of the next group joins in
				share(((g+1)%4)*25+rng.IntN(25), url, t+5)
			}
		}
	}
	return shares
}

// makeRun makes a coordination run of shares into a new store.
func makeRun(t *testing.T, shares []tahqiq.Share, layoutEdges int) (*runs.Store, string) {
	t.Helper()
	st := &runs.Store{Dir: t.TempDir()}
	p := coord.DefaultParams()
	p.Types, p.Window, p.MinParticipation = []tahqiq.ObjectType{tahqiq.ObjURL}, 60, 1
	// the data names one account (written into the run's files)
	names := map[string]coord.AccountName{"x:7": {Handle: "ali_raza", Name: "علی رضا"}}
	r := runs.CoordRun{Data: coord.Data{Shares: shares, Names: names}, Params: p, LayoutEdges: layoutEdges}
	made, err := st.MakeCoord(context.Background(), &r, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	return st, made.Info.ID
}

// TestNetworkViews: a run is laid out when it is made (layout.csv, the
// manifest's layout), and its views read it back: every link with its
// accounts at their positions, the communities with their accounts and
// the links inside and between them summed, one community's links, an
// account's ego network, and a search by id.
func TestNetworkViews(t *testing.T) {
	st, id := makeRun(t, groupShares(), 0)
	files, err := st.Files(runs.Coord, id)
	if err != nil || !slices.Contains(files, "layout.csv") {
		t.Fatalf("files %v, %v", files, err)
	}
	v, err := st.Network(id, runs.NetworkFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != "accounts" || len(v.Source) != v.TotalEdges || len(v.ID) != v.TotalNodes || v.TotalEdges < 1000 || v.Truncated {
		t.Fatalf("accounts view: %d links of %d, %d accounts of %d", len(v.Source), v.TotalEdges, len(v.ID), v.TotalNodes)
	}
	if v.Layout == nil || v.LayoutCached || v.Layout.Edges != v.TotalEdges {
		t.Fatalf("layout %+v (cached %v)", v.Layout, v.LayoutCached)
	}
	pos := map[string][2]float32{}
	err = coord.ReadLayout(filepath.Join(st.Dir, runs.Coord, id, "layout.csv"), func(r coord.LayoutRow) error {
		pos[r.Account] = [2]float32{r.X, r.Y}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range v.ID {
		if pos[a] != [2]float32{v.X[i], v.Y[i]} {
			t.Fatalf("%s at (%v, %v) in the view, %v in layout.csv", a, v.X[i], v.Y[i], pos[a])
		}
	}
	for k := 1; k < len(v.Weight); k++ {
		if v.Weight[k] > v.Weight[k-1] {
			t.Fatalf("link %d is heavier than link %d", k, k-1)
		}
	}

	ov, err := st.Overview(id, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ov.Kind != "communities" || ov.Communities != 4 || len(ov.X) != 4 {
		t.Fatalf("overview: %d communities (%d nodes), want the 4 groups", ov.Communities, len(ov.X))
	}
	accounts, links := ov.Outside, 0
	for c := range ov.X {
		accounts += int(ov.Accounts[c])
		links += int(ov.Links[c])
	}
	for _, l := range ov.EdgeLinks {
		links += int(l)
	}
	// the overview leaves out the accounts of no community and their links
	// (the graph step leaves accounts of pairs outside the graph, main's
	// flagged default)
	for k := range v.Source {
		if v.Community[v.Source[k]] < 0 || v.Community[v.Target[k]] < 0 {
			links++
		}
	}
	if accounts != v.TotalNodes || links != v.TotalEdges {
		t.Errorf("overview: %d accounts and %d links, the run %d and %d", accounts, links, v.TotalNodes, v.TotalEdges)
	}
	// a community at the centre of its accounts
	for c := range ov.X {
		var sx, sy float64
		n := 0
		for i := range v.ID {
			if v.Community[i] == ov.Community[c] {
				sx, sy, n = sx+float64(v.X[i]), sy+float64(v.Y[i]), n+1
			}
		}
		if dx, dy := sx/float64(n)-float64(ov.X[c]), sy/float64(n)-float64(ov.Y[c]); dx*dx+dy*dy > 1 {
			t.Errorf("community %d at (%v, %v), its accounts' centre (%v, %v)", ov.Community[c], ov.X[c], ov.Y[c], sx/float64(n), sy/float64(n))
		}
	}

	// one community: its inside links only
	c := ov.Community[0]
	cv, err := st.Network(id, runs.NetworkFilter{Communities: []int32{c}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.Source) != int(ov.Links[0]) {
		t.Errorf("community %d: %d links, the overview says %d inside", c, len(cv.Source), ov.Links[0])
	}
	for _, cc := range cv.Community {
		if cc != c {
			t.Fatalf("community %d's view holds an account of community %d", c, cc)
		}
	}

	// an ego network: the account, its neighbours, the links among them
	me := v.ID[v.Source[0]]
	ego, err := st.Network(id, runs.NetworkFilter{Account: me}, nil)
	if err != nil {
		t.Fatal(err)
	}
	near := map[string]bool{me: true}
	for k := range v.Source {
		if a, b := v.ID[v.Source[k]], v.ID[v.Target[k]]; a == me || b == me {
			near[a], near[b] = true, true
		}
	}
	want := 0
	for k := range v.Source {
		if near[v.ID[v.Source[k]]] && near[v.ID[v.Target[k]]] {
			want++
		}
	}
	if len(ego.ID) != len(near) || len(ego.Source) != want {
		t.Errorf("ego network of %s: %d accounts and %d links, want %d and %d", me, len(ego.ID), len(ego.Source), len(near), want)
	}
	if _, err := st.Network(id, runs.NetworkFilter{Account: "x:nobody"}, nil); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("an account not in the run: %v", err)
	}
	// the heaviest links within a limit
	lv, err := st.Network(id, runs.NetworkFilter{GraphFilter: runs.GraphFilter{Limit: 10}}, nil)
	if err != nil || len(lv.Source) != 10 || !lv.Truncated || lv.Weight[9] != v.Weight[9] {
		t.Errorf("limit 10: %d links, truncated %v, %v", len(lv.Source), lv.Truncated, err)
	}
	if _, err := st.Network(id, runs.NetworkFilter{GraphFilter: runs.GraphFilter{From: "yesterday"}}, nil); tahqiq.ErrorCode(err) != tahqiq.EINVALID {
		t.Errorf("from=yesterday: %v", err)
	}

	// search: by the id without its prefix, with the names the run's files
	// carry (the dataset, find, is asked only of a run made before runs
	// named their accounts: it says otherwise here and is not heard)
	find := func(uids []string) (map[string]tahqiq.Account, error) {
		return map[string]tahqiq.Account{"x:7": {UID: "x:7", Handle: "someone_else"}}, nil
	}
	hits, err := st.SearchAccounts(id, "7", 50, find)
	if err != nil || len(hits) == 0 || hits[0].UID != "x:7" || hits[0].Handle != "ali_raza" {
		t.Fatalf("search 7: %+v, %v", hits, err)
	}
	// handles and names compared as tahqiq compares text (textnorm.Fold):
	// the Urdu name typed with the Arabic yeh (ي for ی), with a harakah,
	// with tatweel; the id as the user's file wrote it
	for _, q := range []string{"@ALI_raza", "رضا", "علي رضا", "علي", "عَلی", "علـــی"} {
		if hits, err := st.SearchAccounts(id, q, 5, nil); err != nil || len(hits) != 1 || hits[0].UID != "x:7" {
			t.Errorf("search %q: %+v, %v", q, hits, err)
		}
	}
	// the whole id, spaces around it: that account first (x:74 starts so)
	if hits, err := st.SearchAccounts(id, " x:7 ", 5, nil); err != nil || len(hits) < 2 || hits[0].UID != "x:7" || !hits[0].Exact || hits[1].Exact {
		t.Errorf("search x:7: %+v, %v", hits, err)
	}
}

// TestLayoutOfOlderRuns: a run made before runs were laid out (no
// layout.csv) is laid out when its network is first read, with the same
// result as a run laid out when made, and the layout is kept for the next
// reader outside the run's directory (DATA/runs/.cache/layout/ID): the
// custody log hashed the run's files when it was stored, and a file added
// there would make tahqiq verify report the run as edited.
func TestLayoutOfOlderRuns(t *testing.T) {
	shares := groupShares()
	st, id := makeRun(t, shares, 0)
	old, oldID := makeRun(t, shares, -1)
	dir := filepath.Join(old.Dir, runs.Coord, oldID)
	if _, err := os.Stat(filepath.Join(dir, "layout.csv")); err == nil {
		t.Fatal("a run made with LayoutEdges -1 has layout.csv")
	}
	v, err := st.Network(id, runs.NetworkFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := old.Records()
	if err != nil {
		t.Fatal(err)
	}
	ov, err := old.Network(oldID, runs.NetworkFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !ov.LayoutCached || ov.Layout == nil || *ov.Layout != *v.Layout {
		t.Fatalf("older run: layout %+v cached %v, made with the run %+v", ov.Layout, ov.LayoutCached, v.Layout)
	}
	if !slices.Equal(v.ID, ov.ID) || !slices.Equal(v.X, ov.X) || !slices.Equal(v.Y, ov.Y) {
		t.Fatal("the layout of an older run differs from the one made with the run")
	}
	if _, err := os.Stat(filepath.Join(old.Dir, ".cache", "layout", oldID, "layout.csv")); err != nil {
		t.Errorf("layout not kept: %v", err)
	}
	if files, _ := old.Files(runs.Coord, oldID); slices.Contains(files, "layout.csv") {
		t.Errorf("the kept layout is listed among the run's files: %v", files)
	}
	// what tahqiq verify compares with the custody log: the same records,
	// every file of the run hashed as before
	after, err := old.Records()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("laying out an older run changed its records (verify would report it edited):\nbefore %+v\nafter  %+v", before, after)
	}
	// read again by a new reader (another run store over the same
	// directory; the cache holds eight runs): the kept file, same positions
	for range 8 {
		makeRun(t, shares[:200], -1) // push the older run out of the cache
		s2, id2 := makeRun(t, shares[:200], -1)
		if _, err := s2.Network(id2, runs.NetworkFilter{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	again, err := old.Network(oldID, runs.NetworkFilter{}, nil)
	if err != nil || !slices.Equal(again.X, ov.X) || !again.LayoutCached || again.Layout == nil || *again.Layout != *v.Layout {
		t.Errorf("read again: %v, layout %+v", err, again.Layout)
	}
}
