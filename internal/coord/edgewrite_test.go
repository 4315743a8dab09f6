package coord

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// trickyFields are names as platforms give them: quotes, commas, CR and
// LF, spaces and other white space at either end, Urdu, bytes that are
// not UTF-8, PostgreSQL's end-of-data marker, nothing.
var trickyFields = []string{"", "a", "a,b", `say "hi"`, `"`, `""`, "a\"b\"c", "line\nbreak", "cr\rlf", "crlf\r\n",
	"\r\n", " lead", "trail ", " ", "\tlead", "trail\t", "\u00a0nbsp", "\u3000ideographic", "\u0085nel", "\u2028ls",
	`\.`, `\.x`, `x\.`, "اردو", "علی رضا", "ووٹر_3", "\xff\xfe", "\xff,x", "\xc2", "\xc2\xa0", "x\x00y",
	"https://x.example/p?a=1,2", "Ali \"the voter\", Lahore"}

// refField is edges.csv's quoting as it was written before the fast
// writer (strings.ContainsAny, a space at either end).
func refField(s string) string {
	if s == "" || (!strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[len(s)-1] != ' ') {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// csvRecord is rec as encoding/csv's Writer writes it.
func csvRecord(t testing.TB, rec ...string) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return buf.String()
}

// TestFieldsAsBefore: edges.csv's fields are quoted as they always were,
// edges_directed.csv's (and evidence.csv.gz's) as encoding/csv quotes
// them, for every kind of field that needs quotes or looks as if it did.
func TestFieldsAsBefore(t *testing.T) {
	for _, f := range trickyFields {
		if got, want := string(appendField(nil, f)), refField(f); got != want {
			t.Errorf("edges.csv field %q: got %q, want %q", f, got, want)
		}
		if got, want := string(append(appendCSVField(nil, f), '\n')), csvRecord(t, f); got != want {
			t.Errorf("encoding/csv field %q: got %q, encoding/csv writes %q", f, got, want)
		}
	}
	if got, want := string(appendCSVRecord(nil, trickyFields)), csvRecord(t, trickyFields...); got != want {
		t.Errorf("record: got %q, encoding/csv writes %q", got, want)
	}
}

// floatCases are the floats of the edge files (weights, mean gaps,
// symmetries) and the edges of appendFloat's integer path.
var floatCases = []float64{0, math.Copysign(0, -1), 1, 2, 7, 0.5, 1.0 / 3, 2.0 / 3, 0.1, 123.456, 1e-5, 1e-4, 12345.5,
	9999999999, 9999999999.5, 1e10, 1e10 + 1, 99999999999, 1e15, 1e21, 1e22, -1, -7, -0.5, -1e10,
	math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 4294967296, 1 << 53}

func TestAppendFloatAsStrconv(t *testing.T) {
	xs := append([]float64{}, floatCases...)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		switch rng.IntN(4) {
		case 0:
			xs = append(xs, float64(rng.Int64N(2e10))-1e9)
		case 1:
			xs = append(xs, float64(rng.Int64N(1e6))/float64(1+rng.Int64N(1e3)))
		case 2:
			xs = append(xs, math.Float64frombits(rng.Uint64()))
		default:
			xs = append(xs, rng.Float64()*math.Pow(10, float64(rng.IntN(30)-10)))
		}
	}
	for _, x := range xs {
		if got, want := string(appendFloat(nil, x)), strconv.FormatFloat(x, 'g', 10, 64); got != want {
			t.Errorf("%v (bits %#x): got %q, want %q", x, math.Float64bits(x), got, want)
		}
	}
}

func TestAppendTimeAsTime(t *testing.T) {
	ts := []int64{0, -1, -86400, 1, 59, 60, 3599, 3600, 86399, 86400,
		951782400, 951868800, // 2000-02-29 (a leap day of a 400-year), 2000-03-01
		4107456000, 4107542400, // 2100-02-28, 2100-03-01 (no leap day)
		1706206509, 1709164800, 1735689599, // 2024-01-25, 2024-02-29, 2024-12-31 23:59:59
		maxRFC3339 - 1, maxRFC3339, maxRFC3339 + 86400, -62135596800, -62135596801, math.MaxInt64 / 2, math.MinInt64 / 2}
	for d := int64(0); d < 366*400; d += 1 { // every day of a 400-year cycle from 1970
		ts = append(ts, d*86400, d*86400+86399)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		ts = append(ts, rng.Int64N(maxRFC3339+1000)-500)
	}
	var c dateCache
	for _, x := range ts {
		want := time.Unix(x, 0).UTC().Format(time.RFC3339)
		if got := string(appendTime(nil, x)); got != want {
			t.Errorf("%d: got %q, want %q", x, got, want)
		}
		// twice from the cache: the day it holds, or another of its slot
		for range 2 {
			if got := string(c.appendTime(nil, x)); got != want {
				t.Errorf("%d, date cache: got %q, want %q", x, got, want)
			}
		}
	}
}

// refEdgeLine is the line of edges.csv of x as it was formatted before
// the fast writer: strconv, time and refField.
func refEdgeLine(x *EdgeRow) string {
	g := func(f float64) string { return strconv.FormatFloat(f, 'g', 10, 64) }
	tm := func(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }
	f := []string{refField(x.AccountA), refField(x.AccountB), g(x.Weight), strconv.FormatBool(x.Flagged),
		strconv.FormatInt(x.Pairs, 10), strconv.Itoa(int(x.Objects))}
	for _, n := range x.ByType {
		f = append(f, strconv.Itoa(int(n)))
	}
	f = append(f, g(x.AvgDt), strconv.FormatInt(x.MinDt, 10), tm(x.First), tm(x.Last), strconv.Itoa(int(x.PostsA)),
		strconv.Itoa(int(x.PostsB)), g(x.Symmetry))
	if x.Fast >= 0 {
		f = append(f, strconv.FormatInt(x.Fast, 10))
	}
	for _, s := range []string{x.HandleA, x.NameA, x.HandleB, x.NameB} {
		f = append(f, refField(s))
	}
	return strings.Join(f, ",") + "\n"
}

// refEdgeFiles is what edges.csv and edges_directed.csv held before the
// fast writer: the lines of refEdgeLine, and encoding/csv's records of
// writeDirectedRows.
func refEdgeFiles(t testing.TB, r *Result) (edges, directed string) {
	var eb strings.Builder
	eb.WriteString(strings.Join(r.EdgeHeader(), ",") + "\n")
	var db bytes.Buffer
	dw := csv.NewWriter(&db)
	if err := dw.Write(DirectedHeader); err != nil {
		t.Fatal(err)
	}
	if err := r.eachEdge(func(e *Edge, bt []int32) error {
		x := r.rowOf(e, bt)
		eb.WriteString(refEdgeLine(&x))
		_, err := writeDirectedRows(dw, e, r.Params.MinWeight, r.in.accounts, r.Name)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	dw.Flush()
	return eb.String(), db.String()
}

// trickyRun is a run over accounts named with trickyFields (UIDs too),
// n accounts sharing hashtags in the window, so that most pairs make an
// edge: about n^2/2 edges.
func trickyRun(t testing.TB, n int, p Params) *Result {
	names := map[string]AccountName{}
	var shares []tahqiq.Share
	for i := range n {
		uid := fmt.Sprintf("x:%d", i)
		if i%3 == 1 {
			uid = trickyFields[i%len(trickyFields)] + uid
		}
		names[uid] = AccountName{Handle: trickyFields[i%len(trickyFields)], Name: trickyFields[(i*7+3)%len(trickyFields)]}
		for o := range 1 + i%4 {
			shares = append(shares, tahqiq.Share{Type: []tahqiq.ObjectType{tahqiq.ObjHashtag, tahqiq.ObjURL}[o%2],
				Object: fmt.Sprintf("h%d", o), AccountID: uid, PostID: fmt.Sprintf("%s-%d", uid, o), Time: 1706206509 + int64(o*1000+i%50)})
		}
		// a post of its own with two objects: posts_a and posts_b differ
		shares = append(shares, tahqiq.Share{Type: tahqiq.ObjRetweet, Object: "r", AccountID: uid, PostID: uid + "-r", Time: 1709164800 + int64(i*3)})
	}
	res, err := Run(context.Background(), Data{Shares: shares, Names: names}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestEdgeFilesAsBefore: the fast writer writes edges.csv and
// edges_directed.csv to the byte as before (refEdgeFiles) for accounts
// named with every kind of tricky field, with the messages weight (its
// directed file), the collab weight (fractional weights), a fast layer
// (its column), whatever the number of formatting goroutines and the
// size of their batches (one edge, a few, more than the run has), the
// accounts' cells quoted once or line by line (over maxCells).
func TestEdgeFilesAsBefore(t *testing.T) {
	params := map[string]func(p *Params){
		"messages":      func(p *Params) { p.Weight = WeightMessages },
		"messages-min2": func(p *Params) { p.Weight, p.MinWeight = WeightMessages, 2 },
		"collab":        func(p *Params) { p.Weight = WeightCollab },
		"pairs-fast":    func(p *Params) { p.FastWindow = 10 },
	}
	defer func(n, m int) { edgeBatchSize, maxCells = n, m }(edgeBatchSize, maxCells)
	for name, set := range params {
		p := DefaultParams()
		p.Graph, p.Evidence, p.MinParticipation = false, false, 1
		set(&p)
		res := trickyRun(t, 120, p)
		if res.Counts["edges"] < 1000 {
			t.Fatalf("%s: %d edges, want over 1000", name, res.Counts["edges"])
		}
		wantEdges, wantDirected := refEdgeFiles(t, res)
		for _, batch := range []int{1, 7, 8192} {
			for _, workers := range []int{1, 2, 5} {
				edgeBatchSize, maxCells = batch, 256<<20
				if workers == 2 {
					maxCells = 0
				}
				res.Params.Workers = workers
				dir := t.TempDir()
				ep, dp := filepath.Join(dir, "edges.csv"), filepath.Join(dir, "edges_directed.csv")
				if p.Weight != WeightMessages {
					dp = ""
				}
				if err := res.writeEdgeTables(ep, dp); err != nil {
					t.Fatal(err)
				}
				what := fmt.Sprintf("%s, batches of %d, %d workers", name, batch, workers)
				diffFile(t, what, ep, wantEdges)
				if dp != "" {
					diffFile(t, what, dp, wantDirected)
				}
			}
		}
	}
}

// diffFile fails t where the file at path differs from want, naming the
// first line that does.
func diffFile(t *testing.T, what, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) == want {
		return
	}
	got, exp := strings.SplitAfter(string(b), "\n"), strings.SplitAfter(want, "\n")
	for i := range min(len(got), len(exp)) {
		if got[i] != exp[i] {
			t.Fatalf("%s: %s line %d: got %q, want %q", what, filepath.Base(path), i+1, got[i], exp[i])
		}
	}
	t.Fatalf("%s: %s has %d lines, want %d", what, filepath.Base(path), len(got), len(exp))
}

// failAfter is a writer that fails once it was given n bytes.
type failAfter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

// TestEdgeFilesWriteFails: a write that fails stops the sweep of the
// edges and is the error returned (no goroutine left waiting), whichever
// file it is.
func TestEdgeFilesWriteFails(t *testing.T) {
	p := DefaultParams()
	p.Graph, p.Evidence, p.MinParticipation, p.Weight = false, false, 1, WeightMessages
	res := trickyRun(t, 120, p)
	defer func(n int) { edgeBatchSize = n }(edgeBatchSize)
	edgeBatchSize = 16
	l := res.edgeLines()
	for _, c := range []struct{ edges, directed int }{{0, 1 << 30}, {5000, 1 << 30}, {1 << 30, 0}, {1 << 30, 3000}} {
		swept := 0
		each := func(fn func(*Edge, []int32) error) error {
			return res.eachEdge(func(e *Edge, bt []int32) error {
				swept++
				return fn(e, bt)
			})
		}
		err := l.writeEdgeFiles(each, &failAfter{c.edges}, &failAfter{c.directed}, 2)
		if !errors.Is(err, errDiskFull) {
			t.Errorf("writes failing after %d and %d bytes: got %v, want %v", c.edges, c.directed, err, errDiskFull)
		}
		if swept == int(res.Counts["edges"]) {
			t.Errorf("writes failing after %d and %d bytes: every edge was swept", c.edges, c.directed)
		}
	}
	// an error of the sweep (a spilled run's edge file) is returned too
	errRead := errors.New("edge file: short read")
	err := l.writeEdgeFiles(func(fn func(*Edge, []int32) error) error {
		if err := res.eachEdge(fn); err != nil {
			return err
		}
		return errRead
	}, &failAfter{1 << 30}, &failAfter{1 << 30}, 2)
	if !errors.Is(err, errRead) {
		t.Errorf("sweep failing: got %v, want %v", err, errRead)
	}
}

// FuzzEdgeLine: any edge, named anyhow, is written as before: its line
// of edges.csv as refEdgeLine, its lines of edges_directed.csv as
// encoding/csv writes writeDirectedRows' records.
func FuzzEdgeLine(f *testing.F) {
	f.Add("x:1", "x:2", "ali", `Ali "the voter", Lahore`, " lead", "\xff", 3.0, int64(1706206509), int64(1706206516), int32(3), int32(1), int64(21), int64(7), 1.0)
	f.Add("", "a,b", "\r\n", "\u00a0", `\.`, "trail ", 0.5, int64(-1), int64(maxRFC3339), int32(0), int32(5), int64(0), int64(1), 2.0)
	f.Add("اردو", "x", "", "", "", "", 1e10, int64(951782400), int64(4107542400), int32(10), int32(10), int64(1), int64(3), 0.0)
	f.Fuzz(func(t *testing.T, ua, ub, ha, na, hb, nb string, weight float64, first, last int64, postsA, postsB int32, pairs, sumDt int64, minWeight float64) {
		if pairs <= 0 { // an edge has a pair or more (and so weight_fast >= 0)
			pairs = 1 + pairs&0xffff
		}
		e := Edge{A: 0, B: 1, Objects: 2, PostsA: postsA, PostsB: postsB, Pairs: pairs, SumDt: sumDt, MinDt: sumDt / 3,
			First: first, Last: last, Fast: pairs / 2, Weight: weight, Flagged: weight > 1}
		bt := []int32{1, 0, postsA}
		for _, fast := range []bool{false, true} {
			for _, cells := range []bool{false, true} {
				for _, named := range []bool{true, false} {
					l := &edgeLines{accounts: []string{ua, ub}, names: []AccountName{{ha, na}, {hb, nb}}, fast: fast, minWeight: minWeight}
					if !named { // the data names no account
						l.names = nil
					}
					if cells {
						l.quoteCells()
					}
					lf := &lineFormat{edgeLines: l}
					x := edgeRow(&e, bt, ua, ub, l.name(0), l.name(1), fast)
					want := refEdgeLine(&x)
					for range 2 { // the second time from the date cache
						if got := string(lf.appendEdge(nil, &e, bt)); got != want {
							t.Fatalf("edges.csv: got %q, want %q", got, want)
						}
					}
					if got := string(x.AppendCSV(nil)); got != want {
						t.Fatalf("EdgeRow.AppendCSV: got %q, want %q", got, want)
					}
					var buf bytes.Buffer
					w := csv.NewWriter(&buf)
					if _, err := writeDirectedRows(w, &e, minWeight, l.accounts, l.name); err != nil {
						t.Fatal(err)
					}
					w.Flush()
					if got, want := string(lf.appendDirected(nil, &e)), buf.String(); got != want {
						t.Fatalf("edges_directed.csv: got %q, want %q", got, want)
					}
				}
			}
		}
	})
}

// TestFoldInPartsEqualsOne: the fold cut into parts on goroutines of
// their own (1 to 7, each of a pair or more) makes the edges of one fold,
// to the field, for every weight and with a fast layer.
func TestFoldInPartsEqualsOne(t *testing.T) {
	data := synth.Generate(synth.Config{Posts: 20000, Seed: 1})
	defer func(n int) { foldPartMin = n }(foldPartMin)
	for _, w := range []string{WeightMessages, WeightCollab, WeightTFIDF, WeightPairs} {
		p := DefaultParams()
		p.Weight, p.MinParticipation, p.FastWindow = w, 1, 10
		in := intern(data.Shares, p.Types, p.KeepLoops, nil)
		pairs := in.pairs(&p)
		p.Workers, foldPartMin = 1, 1<<16
		want, wantBT, _, err := in.aggregate(&p, pairs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) < 1000 {
			t.Fatalf("%d edges, want over 1000", len(want))
		}
		for _, workers := range []int{2, 3, 7} {
			p.Workers, foldPartMin = workers, 1
			got, gotBT, _, err := in.aggregate(&p, pairs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) || !slices.Equal(gotBT, wantBT) {
				t.Errorf("%s weight, fold in %d parts: edges differ from one fold's", w, workers)
			}
		}
	}
}

// writeDirectedRows writes the rows of edges_directed.csv that edge e
// makes through encoding/csv, as the files were written before
// edgewrite.go (the reference appendDirected is checked against) (A->B, then B->A, each when it passes the minimum weight) and
// returns how many.
func writeDirectedRows(w *csv.Writer, e *Edge, minWeight float64, accounts []string, name func(int32) AccountName) (int64, error) {
	n := int64(0)
	for _, d := range [2]struct {
		s, t int32
		w    int32
	}{{e.A, e.B, e.PostsA}, {e.B, e.A, e.PostsB}} {
		if float64(d.w) < minWeight || d.w == 0 {
			continue
		}
		ns, nt := name(d.s), name(d.t)
		if err := w.Write([]string{accounts[d.s], accounts[d.t], strconv.Itoa(int(d.w)), ns.Handle, ns.Name, nt.Handle, nt.Name}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// TestPutAsAppend: the fast path's integers, floats and times are
// strconv's and time's bytes, at the edges of their tables.
func TestPutAsAppend(t *testing.T) {
	buf := make([]byte, 64)
	for _, v := range []int64{0, 1, 9, 10, 42, 99, 100, 101, 999, 1000, 1 << 31, -1, -9, -10, -99, -100, math.MaxInt64, math.MinInt64} {
		if got, want := string(buf[:putInt(buf, 0, v)]), strconv.FormatInt(v, 10); got != want {
			t.Errorf("putInt(%d) = %q, want %q", v, got, want)
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 0.5, 1, 7, 99, 100, 1e10 - 1, 1e10, 1e10 + 1, -1, -7.5, 1.0 / 3, math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, math.SmallestNonzeroFloat64} {
		if got, want := string(buf[:putFloat(buf, 0, x)]), strconv.FormatFloat(x, 'g', 10, 64); got != want {
			t.Errorf("putFloat(%v) = %q, want %q", x, got, want)
		}
	}
	var c dateCache
	for _, x := range []int64{0, 59, 60, 3599, 3600, 86399, 86400, 951782400, 1706206509, 4107542400, maxRFC3339 - 1, maxRFC3339, -1, math.MaxInt64 / 2, math.MinInt64 / 2} {
		want := time.Unix(x, 0).UTC().Format(time.RFC3339)
		for range 2 { // the second time from the cache
			if got := string(buf[:c.putTime(buf, 0, x)]); got != want {
				t.Errorf("putTime(%d) = %q, want %q", x, got, want)
			}
		}
	}
}

// TestEvidenceLinesAsRecords: evidence.csv.gz holds, decompressed, the
// lines encoding/csv writes for Evidence's rows (Record), for accounts
// named with every kind of tricky field, named not at all, and with the
// accounts' cells quoted once or line by line (over maxCells).
func TestEvidenceLinesAsRecords(t *testing.T) {
	defer func(m int) { maxCells = m }(maxCells)
	p := DefaultParams()
	p.Graph, p.Evidence, p.MinParticipation = false, true, 1
	res := trickyRun(t, 120, p)
	for _, c := range []struct {
		named bool
		cells int
	}{{true, 256 << 20}, {true, 0}, {false, 256 << 20}, {false, 0}} {
		maxCells = c.cells
		if !c.named {
			res.names = nil
		}
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.Write(EvidenceHeader)
		rows := 0
		if err := res.Evidence(func(e EvidenceRow) error { rows++; return w.Write(e.Record()) }); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if rows < 1000 {
			t.Fatalf("%d evidence rows, want over 1000", rows)
		}
		path := filepath.Join(t.TempDir(), "evidence.csv.gz")
		if err := res.writeEvidence(path); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want.String() {
			g, x := strings.SplitAfter(string(got), "\n"), strings.SplitAfter(want.String(), "\n")
			for i := range min(len(g), len(x)) {
				if g[i] != x[i] {
					t.Fatalf("named %v, cells under %d bytes: line %d: got %q, want %q", c.named, c.cells, i+1, g[i], x[i])
				}
			}
			t.Fatalf("named %v: %d lines, want %d", c.named, len(g), len(x))
		}
	}
}

// TestNeedsQuoteEveryPlace: needsQuote finds a comma, a quote, CR or LF
// wherever it is in strings of 0 to 24 bytes (the words tested eight at
// a time and the tail byte by byte), and nothing else (bytes just above
// and below them, a space, bytes past ASCII).
func TestNeedsQuoteEveryPlace(t *testing.T) {
	for n := range 25 {
		for at := range n {
			for c := range 256 {
				s := []byte(strings.Repeat("a", n))
				s[at] = byte(c)
				want := c == ',' || c == '"' || c == '\r' || c == '\n'
				if got := needsQuote(string(s)); got != want {
					t.Fatalf("needsQuote(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}

// TestEarlyFilesStopped: files started beside the graph step
// (WithFilesBeside) and stopped, as a failed graph step stops them, are
// waited for and removed; started and waited for by WriteDir, they are
// the files WriteDir writes itself.
func TestEarlyFilesStopped(t *testing.T) {
	p := DefaultParams()
	p.Graph, p.Evidence, p.MinParticipation, p.Weight = false, true, 1, WeightMessages
	res := trickyRun(t, 120, p)
	dir := t.TempDir()
	res.startEarlyFiles(WithFilesBeside(context.Background(), dir))
	if res.early == nil || res.early.evidence == nil {
		t.Fatal("no files started")
	}
	res.stopEarlyFiles()
	res.in.stop.Store(false)
	if res.early != nil {
		t.Fatal("files still listed after stopping")
	}
	for _, f := range []string{"edges.csv", "edges_directed.csv", "evidence.csv.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after the files were stopped: %v", f, err)
		}
	}
	want := t.TempDir()
	wm, err := res.WriteDir(want, "test", Source{})
	if err != nil {
		t.Fatal(err)
	}
	res.startEarlyFiles(WithFilesBeside(context.Background(), dir))
	gm, err := res.WriteDir(dir, "test", Source{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gm.Files, wm.Files) {
		t.Fatalf("files %v, want %v", gm.Files, wm.Files)
	}
	for _, f := range wm.Files {
		if f == "manifest.json" {
			continue
		}
		a, _ := os.ReadFile(filepath.Join(want, f))
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s: %d bytes, want %d the same", f, len(b), len(a))
		}
	}
}
