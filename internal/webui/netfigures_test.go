package webui_test

import (
	"cmp"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runFigures is what the network view of a coordination run should say,
// derived from the run's own files (nodes.csv, edges.csv), so that the
// browser tests expect what the data gives, not figures copied from a
// screen.
type runFigures struct {
	accounts, links, outside int
	community                map[string]int // an account's community (-1: none)
	strength                 map[string]float64
	size                     map[int]int // accounts per community
	communities              []int       // largest first (equal sizes: lower number first, as the view's table)
	edges                    []runEdge
}

type runEdge struct {
	a, b        string
	weight      float64
	first, last int64 // Unix seconds
}

// readRunFigures reads the files of coordination run id under the data
// directory data.
func readRunFigures(t *testing.T, data, id string) *runFigures {
	t.Helper()
	dir := filepath.Join(data, "runs", "coord", id)
	rows := func(name string) ([]string, [][]string) {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		head, err := r.Read()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out [][]string
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return head, out
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out = append(out, rec)
		}
	}
	col := func(file string, head []string, name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("%s has no column %s: %v", file, name, head)
		}
		return i
	}
	fig := &runFigures{community: map[string]int{}, strength: map[string]float64{}, size: map[int]int{}}
	head, nodes := rows("nodes.csv")
	ca, cc, cs := col("nodes.csv", head, "account"), col("nodes.csv", head, "community"), col("nodes.csv", head, "strength")
	for _, r := range nodes {
		c := -1
		if r[cc] != "" {
			n, err := strconv.Atoi(r[cc])
			if err != nil {
				t.Fatalf("nodes.csv: community %q", r[cc])
			}
			c = n
		}
		fig.community[r[ca]] = c
		fig.strength[r[ca]], _ = strconv.ParseFloat(r[cs], 64)
	}
	head, edges := rows("edges.csv")
	ea, eb, ew := col("edges.csv", head, "account_a"), col("edges.csv", head, "account_b"), col("edges.csv", head, "weight")
	ef, el := col("edges.csv", head, "first"), col("edges.csv", head, "last")
	for _, r := range edges {
		e := runEdge{a: r[ea], b: r[eb]}
		e.weight, _ = strconv.ParseFloat(r[ew], 64)
		for _, x := range []struct {
			s  string
			to *int64
		}{{r[ef], &e.first}, {r[el], &e.last}} {
			tm, err := time.Parse(time.RFC3339, x.s)
			if err != nil {
				t.Fatalf("edges.csv: time %q", x.s)
			}
			*x.to = tm.Unix()
		}
		fig.edges = append(fig.edges, e)
		for _, a := range []string{e.a, e.b} {
			if _, ok := fig.community[a]; !ok {
				fig.community[a] = -1 // an account only edges.csv names
			}
		}
	}
	fig.links = len(fig.edges)
	fig.accounts = len(fig.community)
	for _, c := range fig.community {
		if c < 0 {
			fig.outside++
		} else {
			fig.size[c]++
		}
	}
	for c := range fig.size {
		fig.communities = append(fig.communities, c)
	}
	slices.SortFunc(fig.communities, func(a, b int) int { return cmp.Or(cmp.Compare(fig.size[b], fig.size[a]), cmp.Compare(a, b)) })
	return fig
}

// inside returns the links between accounts of community c, and the
// accounts they join (the drill-down view of c).
func (f *runFigures) inside(c int) (links []runEdge, accounts int) {
	seen := map[string]bool{}
	for _, e := range f.edges {
		if f.community[e.a] == c && f.community[e.b] == c {
			links = append(links, e)
			seen[e.a], seen[e.b] = true, true
		}
	}
	return links, len(seen)
}

// strongest is the strongest account of community c.
func (f *runFigures) strongest(c int) string {
	best := ""
	for a, x := range f.community {
		if x == c && (best == "" || f.strength[a] > f.strength[best] || f.strength[a] == f.strength[best] && a < best) {
			best = a
		}
	}
	return best
}

// bare is an account's id as its file wrote it (without the platform
// prefix tahqiq adds).
func bare(uid string) string {
	_, s, ok := strings.Cut(uid, ":")
	if !ok {
		return uid
	}
	return s
}
