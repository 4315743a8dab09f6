package coord

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Writing edges.csv and edges_directed.csv: the edges are cut into
// batches in file order, the batches' lines formatted on every core, and
// one goroutine writes them in order, so that the files are the same
// bytes whatever the number of cores (a 1M-post run writes 480 MB of
// them; formatting is most of the cost, the write system calls the rest).

// edgeLines formats the lines of the edge files of a run.
type edgeLines struct {
	accounts  []string      // UIDs by account id
	names     []AccountName // by account id; nil: the data names no account
	fast      bool          // edges.csv has the weight_fast column
	minWeight float64       // for edges_directed.csv's rows
	// cells holds every account's cells as the files quote them, one
	// after the other, cellAt where each starts (cellsPer an account, and
	// the end): its UID and its handle and name (",handle,name") as
	// edges.csv quotes them, then as encoding/csv does (edges_directed.csv).
	// nil: they are quoted as each line is made (cells over maxCells).
	cells  []byte
	cellAt []uint32
}

const cellsPer = 4

// maxCells bounds the cells held: a run of millions of accounts quotes
// them line by line rather than hold them again.
var maxCells = 256 << 20

// edgeLines returns the formatter of r's edge files.
func (r *Result) edgeLines() *edgeLines {
	l := &edgeLines{accounts: r.in.accounts, names: r.names, fast: r.Params.FastWindow > 0, minWeight: r.Params.MinWeight}
	l.quoteCells()
	return l
}

func (l *edgeLines) name(a int32) AccountName {
	if l.names == nil {
		return AccountName{}
	}
	return l.names[a]
}

// quoteCells fills cells and cellAt, unless they would hold over maxCells.
func (l *edgeLines) quoteCells() {
	size := 0
	for a, uid := range l.accounts {
		n := l.name(int32(a))
		size += 2 * (len(uid) + len(n.Handle) + len(n.Name) + 6) // at most 2 quotes each, the commas
	}
	size += cellPad
	if size > maxCells || len(l.accounts) >= 1<<31/cellsPer {
		return
	}
	l.cells = make([]byte, 0, size)
	l.cellAt = make([]uint32, 0, cellsPer*len(l.accounts)+1)
	for a := range l.accounts {
		for c := range cellsPer {
			l.cellAt = append(l.cellAt, uint32(len(l.cells)))
			l.cells = l.appendCell(l.cells, int32(a), c)
		}
	}
	l.cellAt = append(l.cellAt, uint32(len(l.cells)))
	l.cells = append(l.cells, make([]byte, cellPad)...) // putCell's words past the last
}

// The cells of an account: its UID and ",handle,name", as edges.csv
// quotes them (appendField), then as encoding/csv does (appendCSVField).
const (
	cellUID = iota
	cellNames
	cellUIDCSV
	cellNamesCSV
)

// appendCell appends cell c of account a, quoting it.
func (l *edgeLines) appendCell(b []byte, a int32, c int) []byte {
	quote := appendField
	if c >= cellUIDCSV {
		quote = appendCSVField
	}
	if c == cellUID || c == cellUIDCSV {
		return quote(b, l.accounts[a])
	}
	n := l.name(a)
	b = append(b, ',')
	b = quote(b, n.Handle)
	b = append(b, ',')
	return quote(b, n.Name)
}

// cell appends cell c of account a: the bytes quoteCells made of it, or
// (none held) quoted now.
func (l *edgeLines) cell(b []byte, a int32, c int) []byte {
	if l.cells == nil {
		return l.appendCell(b, a, c)
	}
	k := int(a)*cellsPer + c
	return append(b, l.cells[l.cellAt[k]:l.cellAt[k+1]]...)
}

// lineFormat is a formatting goroutine's own: the dates it formatted
// last.
type lineFormat struct {
	*edgeLines
	dates dateCache
	sink  byte // touch's loads
}

// touch loads the cells of every edge's B, in a loop
// of independent loads, before the lines are made: the B accounts of a
// batch are scattered over the cells (29 MB at 10M posts, past the
// caches), and the processor overlaps these misses where the lines,
// made one after the other, would wait for each (A's cells come in
// order).
func (l *lineFormat) touch(edges []Edge) {
	if l.cells == nil {
		return
	}
	s := l.sink
	for i := range edges {
		k := int(edges[i].B) * cellsPer
		// the first and the last byte: an account's cells may cross a
		// cache line
		if at, end := l.cellAt[k], l.cellAt[k+cellsPer]; at < end {
			s += l.cells[at] + l.cells[end-1]
		}
	}
	l.sink = s
}

// appendEdge appends e's line of edges.csv (bt its per-type counts), with
// its newline: the bytes EdgeRow.AppendCSV writes for its row (edgeRow).
func (l *lineFormat) appendEdge(b []byte, e *Edge, bt []int32) []byte {
	if l.cells != nil {
		return l.appendEdgeCells(b, e, bt)
	}
	b = l.cell(b, e.A, cellUID)
	b = append(b, ',')
	b = l.cell(b, e.B, cellUID)
	x := EdgeRow{Weight: e.Weight, Flagged: e.Flagged, Pairs: e.Pairs, Objects: e.Objects, ByType: bt,
		AvgDt: float64(e.SumDt) / float64(e.Pairs), MinDt: e.MinDt, First: e.First, Last: e.Last,
		PostsA: e.PostsA, PostsB: e.PostsB, Symmetry: e.Symmetry(), Fast: -1}
	if l.fast {
		x.Fast = e.Fast
	}
	b = appendMeasures(b, &x, &l.dates)
	b = l.cell(b, e.A, cellNames)
	b = l.cell(b, e.B, cellNames)
	return append(b, '\n')
}

// appendMeasures appends the columns of an edges.csv line from weight to
// weight_fast (when x.Fast >= 0), each after its comma: the one formatter
// of them for the edges a run writes (appendEdge) and the rows read back
// (EdgeRow.AppendCSV). dates, when not nil, formats the times from its
// cache.
func appendMeasures(b []byte, x *EdgeRow, dates *dateCache) []byte {
	b = append(b, ',')
	b = appendFloat(b, x.Weight)
	b = append(b, ',')
	b = strconv.AppendBool(b, x.Flagged)
	b = append(b, ',')
	b = strconv.AppendInt(b, x.Pairs, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(x.Objects), 10)
	for _, n := range x.ByType {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(n), 10)
	}
	b = append(b, ',')
	b = appendFloat(b, x.AvgDt)
	b = append(b, ',')
	b = strconv.AppendInt(b, x.MinDt, 10)
	b = append(b, ',')
	if dates != nil {
		b = dates.appendTime(b, x.First)
		b = append(b, ',')
		b = dates.appendTime(b, x.Last)
	} else {
		b = appendTime(b, x.First)
		b = append(b, ',')
		b = appendTime(b, x.Last)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(x.PostsA), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(x.PostsB), 10)
	b = append(b, ',')
	b = appendFloat(b, x.Symmetry)
	if x.Fast >= 0 {
		b = append(b, ',')
		b = strconv.AppendInt(b, x.Fast, 10)
	}
	return b
}

// appendDirected appends the lines of edges_directed.csv that e makes
// (A->B, then B->A, each when it passes the minimum weight), as
// writeDirectedRows has encoding/csv write them.
func (l *lineFormat) appendDirected(b []byte, e *Edge) []byte {
	if l.cells != nil {
		return l.appendDirectedCells(b, e)
	}
	for _, d := range [2]struct {
		s, t int32
		w    int32
	}{{e.A, e.B, e.PostsA}, {e.B, e.A, e.PostsB}} {
		if float64(d.w) < l.minWeight || d.w == 0 {
			continue
		}
		b = l.cell(b, d.s, cellUIDCSV)
		b = append(b, ',')
		b = l.cell(b, d.t, cellUIDCSV)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(d.w), 10)
		b = l.cell(b, d.s, cellNamesCSV)
		b = l.cell(b, d.t, cellNamesCSV)
		b = append(b, '\n')
	}
	return b
}

// appendCSVRecord appends rec as encoding/csv's Writer writes it.
func appendCSVRecord(b []byte, rec []string) []byte {
	for i, s := range rec {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, s)
	}
	return append(b, '\n')
}

// edgeBatch is a run of edges in file order and, once formatted, their
// lines.
type edgeBatch struct {
	edges  []Edge
	bt     []int32 // the edges' per-type counts, one after the other
	lines  []byte  // of edges.csv
	dlines []byte  // of edges_directed.csv
	done   chan struct{}
}

// edgeBatchSize is the edges of a batch: about 400 KB of edges.csv's
// lines and 250 KB of edges_directed.csv's at 1M posts (the batches in
// flight hold about 5 MB on two cores).
var edgeBatchSize = 4096

// errWriteFailed stops the sweep of the edges once a write failed.
var errWriteFailed = errors.New("coord: edge file write failed")

// writeEdgeFiles writes the lines of the edges each hands out to out and,
// when dout is not nil, edges_directed.csv's to dout, formatting batches
// on workers goroutines (<= 0: one a core).
func (l *edgeLines) writeEdgeFiles(each func(fn func(e *Edge, bt []int32) error) error, out, dout io.Writer, workers int) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nbatch := workers + 2 // one a formatter, one being written, one being filled
	free := make(chan *edgeBatch, nbatch)
	for range nbatch {
		c := &edgeBatch{edges: make([]Edge, 0, edgeBatchSize), lines: make([]byte, 0, 128*edgeBatchSize), done: make(chan struct{}, 1)}
		if dout != nil {
			c.dlines = make([]byte, 0, 80*edgeBatchSize)
		}
		free <- c
	}
	work := make(chan *edgeBatch, nbatch)
	order := make(chan *edgeBatch, nbatch)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := lineFormat{edgeLines: l}
			for c := range work {
				c.lines, c.dlines = c.lines[:0], c.dlines[:0]
				f.touch(c.edges)
				off := 0
				for i := range c.edges {
					e := &c.edges[i]
					n := len(c.bt) / len(c.edges)
					c.lines = f.appendEdge(c.lines, e, c.bt[off:off+n:off+n])
					off += n
					if dout != nil {
						c.dlines = f.appendDirected(c.dlines, e)
					}
				}
				c.done <- struct{}{}
			}
		}()
	}
	var failed atomic.Bool
	var werr error
	written := make(chan struct{})
	go func() {
		defer close(written)
		for c := range order {
			<-c.done
			if werr == nil {
				if _, err := out.Write(c.lines); err != nil {
					werr = err
				} else if dout != nil {
					_, werr = dout.Write(c.dlines)
				}
				if werr != nil {
					failed.Store(true)
				}
			}
			free <- c
		}
	}()
	send := func(c *edgeBatch) {
		order <- c
		work <- c
	}
	take := func() *edgeBatch {
		c := <-free
		c.edges, c.bt = c.edges[:0], c.bt[:0]
		return c
	}
	cur := take()
	err := each(func(e *Edge, bt []int32) error {
		if failed.Load() {
			return errWriteFailed
		}
		cur.edges = append(cur.edges, *e)
		cur.bt = append(cur.bt, bt...)
		if len(cur.edges) == edgeBatchSize {
			send(cur)
			cur = take()
		}
		return nil
	})
	if err == nil && len(cur.edges) > 0 {
		send(cur)
	}
	close(work)
	close(order)
	<-written
	wg.Wait()
	if werr != nil {
		return werr
	}
	return err
}

func (r *Result) writeEdges(path string) error { return r.writeEdgeTables(path, "") }

// writeEdgeTables writes edges.csv at path and, when directed is not
// "", edges_directed.csv there (CNT's directed weights: w(A->B) =
// distinct posts of A with a partner post of B, one row per direction
// that passes the minimum weight): both in one pass over the edges (a
// spilled run reads its edge file once for the two).
func (r *Result) writeEdgeTables(path, directed string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	var df *os.File
	fail := func(err error) error {
		f.Close()
		if df != nil {
			df.Close()
		}
		return err
	}
	var dout io.Writer
	if directed != "" {
		if df, err = os.Create(directed); err != nil {
			return fail(err)
		}
		if _, err := df.Write(appendCSVRecord(nil, DirectedHeader)); err != nil {
			return fail(err)
		}
		dout = df
	}
	if _, err := f.WriteString(strings.Join(r.EdgeHeader(), ",") + "\n"); err != nil {
		return fail(err)
	}
	if err := r.edgeLines().writeEdgeFiles(r.eachEdge, f, dout, r.Params.Workers); err != nil {
		return fail(err)
	}
	if df != nil {
		if err := df.Close(); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
