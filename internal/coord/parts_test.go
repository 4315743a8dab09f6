package coord_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/coord/coordtest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// partsReducer is hashReducer whose partitions write their parts into a
// directory of their own, as the bus's reducers put them in the object
// store: the run fetches them from there.
type partsReducer struct {
	hashReducer
	dir string
}

func (h partsReducer) ReduceParts(ctx context.Context, spec coord.ReduceSpec, src coord.ReduceObjects, ps *coord.PartSpec) (*coord.PartsResult, error) {
	ps.Partitions = h.reduces
	byPart := make([][]coord.EdgePartial, h.reduces)
	// the map tasks' objects, as the bus's reducer publishes them
	objs := coord.AllObjects(src)
	src.Release()
	err := h.Reduce(ctx, spec, coord.ReduceObjectList(objs), func(int) {}, func(part []coord.EdgePartial) error {
		if len(part) == 0 {
			return nil
		}
		k := int(part[0].Key() % uint64(h.reduces))
		byPart[k] = slices.Clone(part)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// phase 1: each partition counts its kept edges' weights
	var counts []coord.WeightCount
	res := &coord.PartsResult{}
	accs := map[int32]bool{}
	for _, part := range byPart {
		slices.SortFunc(part, func(a, b coord.EdgePartial) int { return cmpU(a.Key(), b.Key()) })
		var ws []float64
		for i := range part {
			res.Pairs += part[i].Pairs
			if w, ok := ps.Weight(&part[i]); ok {
				ws = append(ws, w)
				accs[part[i].A], accs[part[i].B] = true, true
			}
		}
		res.Edges += int64(len(ws))
		counts = append(counts, coord.CountWeights(ws)...)
	}
	res.EdgeAccounts = int64(len(accs))
	res.Threshold = coord.Threshold(ps.Params.Percentile, counts)
	// phase 2: each partition writes its parts, told the threshold
	for k, part := range byPart {
		files := []string{"edges.csv"}
		if ps.Directed() {
			files = append(files, "edges_directed.csv")
		}
		var bufs [2]bytes.Buffer
		w, err := ps.NewPartWriter(res.Threshold, &bufs[0], &bufs[1])
		if err != nil {
			return nil, err
		}
		for i := range part {
			if err := w.Add(&part[i]); err != nil {
				return nil, err
			}
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		res.Flagged += w.Flagged
		for i, f := range files {
			name := coord.PartName(f, k, h.reduces)
			sum := sha256.Sum256(bufs[i].Bytes())
			rows := []int64{w.Rows, w.DirectedRows}[i]
			res.Files = append(res.Files, coord.PartFile{Name: name, Of: f, Partition: k, Rows: rows, Bytes: int64(bufs[i].Len()), SHA256: hex.EncodeToString(sum[:])})
			if err := os.WriteFile(filepath.Join(h.dir, name), bufs[i].Bytes(), 0o644); err != nil {
				return nil, err
			}
		}
	}
	if spec.Evidence {
		// the mappers' evidence: a part per batch of consecutive objects
		accounts := ps.Accounts
		for lo := 0; lo < len(objs); lo += h.batch {
			var buf bytes.Buffer
			rows, err := coord.EvidencePart(spec, accounts, ps.Names, objs[lo:min(lo+h.batch, len(objs))], &buf)
			if err != nil {
				return nil, err
			}
			k := res.EvidenceParts
			name := fmt.Sprintf("evidence-%06d.csv.gz", k)
			sum := sha256.Sum256(buf.Bytes())
			res.Files = append(res.Files, coord.PartFile{Name: name, Of: "evidence.csv.gz", Partition: k, Rows: rows, Bytes: int64(buf.Len()), SHA256: hex.EncodeToString(sum[:])})
			res.EvidenceParts++
			if err := os.WriteFile(filepath.Join(h.dir, name), buf.Bytes(), 0o644); err != nil {
				return nil, err
			}
		}
	}
	res.Fetch = func(ctx context.Context, dir string) error {
		for _, f := range res.Files {
			b, err := os.ReadFile(filepath.Join(h.dir, f.Name))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, f.Name), b, 0o644); err != nil {
				return err
			}
		}
		return nil
	}
	return res, nil
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestPartsMergeEqualsRun: a run whose reducers write the edge files in
// parts, merged by MergeParts, gives edges.csv, edges_directed.csv and
// evidence.csv.gz byte for byte as the run in one process writes them,
// with the same counts, for every weight, the percentile threshold (from
// the partitions' weight counts) and the fast layer, on the two real
// samples and a synthetic set with names, whatever the number of
// partitions (one partition, and more partitions than some runs have
// edges for).
func TestPartsMergeEqualsRun(t *testing.T) {
	russian := readEvents(t, "russian_coord_tweets.events.csv")
	german := readEvents(t, "german_elections_2021.events.csv")
	g := synth.Generate(synth.Config{Posts: 20000, Seed: 5})
	names := map[string]coord.AccountName{}
	for i, s := range g.Shares {
		if i%3 == 0 {
			names[s.AccountID] = coord.AccountName{Handle: "h" + s.AccountID[max(0, len(s.AccountID)-3):], Name: "A, \"quoted\" name"}
		}
	}
	tests := []struct {
		name   string
		mod    func(p *coord.Params)
		shares []tahqiq.Share
		names  map[string]coord.AccountName
	}{
		{"defaults, synthetic with names", nil, g.Shares, names},
		{"russian, CooRTweet", nil, russian, nil},
		{"german, messages, min weight 2, min-participation 1", func(p *coord.Params) { p.Weight = coord.WeightMessages; p.MinWeight = 2; p.MinParticipation = 1 }, german, nil},
		{"messages, percentile 0.9", func(p *coord.Params) { p.Weight = coord.WeightMessages; p.Percentile = 0.9 }, g.Shares, names},
		{"objects, percentile 0", func(p *coord.Params) { p.Weight = coord.WeightObjects; p.Percentile = 0 }, g.Shares, nil},
		{"collab, russian, percentile 0.5", func(p *coord.Params) { p.Weight = coord.WeightCollab; p.Window = 30 }, russian, nil},
		{"tfidf, german", func(p *coord.Params) { p.Weight = coord.WeightTFIDF; p.MinParticipation = 1 }, german, nil},
		{"fast layer 10 s", func(p *coord.Params) { p.FastWindow = 10 }, g.Shares, nil},
	}
	ctx := context.Background()
	for i, tc := range tests {
		if testing.Short() && i%3 != 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Graph = false
			if tc.mod != nil {
				tc.mod(&p)
			}
			want, err := coord.Run(ctx, coord.Data{Shares: tc.shares, Names: tc.names}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Edges) == 0 {
				t.Fatal("the single-machine run found no edges; the comparison would prove nothing")
			}
			one := t.TempDir()
			if _, err := want.WriteDir(one, "test", coord.Source{}); err != nil {
				t.Fatal(err)
			}
			layouts := []hashReducer{{1, 1, 1 << 30}, {3, 4, 50}, {5, 7, 9}}
			if testing.Short() {
				layouts = layouts[1:2] // several maps and reduces; CI's full run takes all three
			}
			for _, h := range layouts {
				pr := partsReducer{h, t.TempDir()}
				got, err := coord.Run(ctx, coord.Data{Shares: tc.shares, Names: tc.names}, p, coord.ReducedParts(pr))
				if err != nil {
					t.Fatal(err)
				}
				run := t.TempDir()
				m, err := got.WriteDir(run, "test", coord.Source{})
				if err != nil {
					t.Fatal(err)
				}
				if !p.Evidence || slices.Contains(m.Files, "evidence.csv.gz") || !slices.Contains(m.Files, "evidence-000000.csv.gz") {
					t.Fatalf("%+v: the run's files %v: want evidence parts, no evidence.csv.gz", h, m.Files)
				}
				if slices.Contains(m.Files, "edges.csv") || !slices.Contains(m.Files, "parts.json") {
					t.Fatalf("%+v: the run's files %v: want parts and parts.json, no edges.csv", h, m.Files)
				}
				for _, k := range []string{"pairs", "edges", "flagged_edges", "edge_accounts"} {
					if want.Counts[k] != got.Counts[k] {
						t.Fatalf("%+v: %s %d, want %d", h, k, got.Counts[k], want.Counts[k])
					}
				}
				out := t.TempDir()
				merged, err := coord.MergeParts(run, out)
				if err != nil {
					t.Fatal(err)
				}
				coordtest.SameMergedFiles(t, fmt.Sprintf("%+v", h), p, one, out)
				if merged.Rows["edges.csv"] != want.Counts["edges"] {
					t.Fatalf("%+v: merge says %d rows, want %d", h, merged.Rows["edges.csv"], want.Counts["edges"])
				}
			}
		})
	}
}

// TestThreshold: the threshold from counts of distinct weights, split
// over partitions in any order, is Quantile over every weight, to the
// bit.
func TestThreshold(t *testing.T) {
	for _, ws := range [][]float64{{1}, {1, 1, 1}, {3, 1, 2}, {0.5, 0.25, 0.125, 7, 7, 7, 1e9}, {2, 2, 3, 3, 3, 5, 8, 13, 13}} {
		for _, p := range []float64{0, 0.1, 0.5, 0.9, 0.999} {
			want := math.Inf(-1)
			if p > 0 {
				want = coord.Quantile(slices.Clone(ws), p)
			}
			var counts []coord.WeightCount
			for i := 0; i < len(ws); i += 2 { // partitions of two weights, each counted apart
				counts = append(counts, coord.CountWeights(slices.Clone(ws[i:min(i+2, len(ws))]))...)
			}
			slices.Reverse(counts)
			if got := coord.Threshold(p, counts); got != want {
				t.Errorf("%v at %v: %v, want %v", ws, p, got, want)
			}
		}
	}
}

// TestMergePartsRefuses: a part changed after the run, a part missing, a
// run in one file and a run directory as --out are refused with a message
// that names the part or says what to do, and leave no output file.
func TestMergePartsRefuses(t *testing.T) {
	g := synth.Generate(synth.Config{Posts: 5000, Seed: 1})
	p := coord.DefaultParams()
	p.Graph, p.Weight = false, coord.WeightMessages
	mk := func(t *testing.T) string {
		res, err := coord.Run(context.Background(), coord.Data{Shares: g.Shares}, p, coord.ReducedParts(partsReducer{hashReducer{2, 3, 100}, t.TempDir()}))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := res.WriteDir(dir, "test", coord.Source{}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	cases := []struct {
		name string
		mod  func(t *testing.T, dir string) string // returns --out
		want string
	}{
		{"a part changed", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, coord.PartName("edges.csv", 1, 3))
			b, _ := os.ReadFile(f)
			b = bytes.Replace(b, []byte(",true,"), []byte(",false,"), 1)
			os.WriteFile(f, b, 0o644)
			return filepath.Join(t.TempDir(), "out")
		}, "edges-00001-of-00003.csv: "},
		{"a part cut", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, coord.PartName("edges_directed.csv", 2, 3))
			b, _ := os.ReadFile(f)
			os.WriteFile(f, b[:len(b)/2], 0o644)
			return filepath.Join(t.TempDir(), "out")
		}, "edges_directed-00002-of-00003.csv"},
		{"an evidence part damaged", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "evidence-000001.csv.gz")
			b, _ := os.ReadFile(f)
			b[len(b)/2] ^= 0xff
			os.WriteFile(f, b, 0o644)
			return filepath.Join(t.TempDir(), "out")
		}, "part evidence-000001.csv.gz: "},
		{"a part missing", func(t *testing.T, dir string) string {
			os.Remove(filepath.Join(dir, coord.PartName("edges.csv", 0, 3)))
			return filepath.Join(t.TempDir(), "out")
		}, "part edges-00000-of-00003.csv of edges.csv, listed in parts.json"},
		{"a part unlisted", func(t *testing.T, dir string) string {
			var m coord.PartsManifest
			b, _ := os.ReadFile(filepath.Join(dir, "parts.json"))
			json.Unmarshal(b, &m)
			m.Parts = m.Parts[1:]
			b, _ = json.Marshal(m)
			os.WriteFile(filepath.Join(dir, "parts.json"), b, 0o644)
			return filepath.Join(t.TempDir(), "out")
		}, "has no part for partition 0 of 3"},
		{"out is the run", func(t *testing.T, dir string) string { return dir }, "--out is the run's own directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := mk(t)
			out := tc.mod(t, dir)
			_, err := coord.MergeParts(dir, out)
			if err == nil || !strings.Contains(err.Error(), tc.want) || tahqiq.ErrorCode(err) != tahqiq.EINVALID {
				t.Fatalf("err %v, want EINVALID naming %q", err, tc.want)
			}
			if out != dir {
				if _, err := os.Stat(filepath.Join(out, "edges.csv")); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("edges.csv left in --out after a failed merge (%v)", err)
				}
			}
		})
	}
	// a run in one file
	res, err := coord.Run(context.Background(), coord.Data{Shares: g.Shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res.WriteDir(dir, "test", coord.Source{})
	if _, err := coord.MergeParts(dir, t.TempDir()); err == nil || !strings.Contains(err.Error(), "needs no merge") {
		t.Fatalf("a whole run: %v", err)
	}
	// the graph step is refused on the parts engine
	q := p
	q.Graph = true
	_, err = coord.Run(context.Background(), coord.Data{Shares: g.Shares}, q, coord.ReducedParts(partsReducer{hashReducer{1, 1, 100}, t.TempDir()}))
	if err == nil || !strings.Contains(err.Error(), "graph") {
		t.Fatalf("graph on parts: %v", err)
	}
}
