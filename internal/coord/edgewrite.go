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
}

// edgeLines returns the formatter of r's edge files.
func (r *Result) edgeLines() *edgeLines {
	return &edgeLines{accounts: r.in.accounts, names: r.names, fast: r.Params.FastWindow > 0, minWeight: r.Params.MinWeight}
}

func (l *edgeLines) name(a int32) AccountName {
	if l.names == nil {
		return AccountName{}
	}
	return l.names[a]
}

// appendEdge appends e's line of edges.csv (bt its per-type counts), with
// its newline: EdgeRow.AppendCSV of its row.
func (l *edgeLines) appendEdge(b []byte, e *Edge, bt []int32) []byte {
	x := edgeRow(e, bt, l.accounts[e.A], l.accounts[e.B], l.name(e.A), l.name(e.B), l.fast)
	return x.AppendCSV(b)
}

// appendDirected appends the lines of edges_directed.csv that e makes
// (A->B, then B->A, each when it passes the minimum weight), as
// writeDirectedRows has encoding/csv write them.
func (l *edgeLines) appendDirected(b []byte, e *Edge) []byte {
	for _, d := range [2]struct {
		s, t int32
		w    int32
	}{{e.A, e.B, e.PostsA}, {e.B, e.A, e.PostsB}} {
		if float64(d.w) < l.minWeight || d.w == 0 {
			continue
		}
		ns, nt := l.name(d.s), l.name(d.t)
		b = appendCSVField(b, l.accounts[d.s])
		b = append(b, ',')
		b = appendCSVField(b, l.accounts[d.t])
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(d.w), 10)
		for _, s := range [...]string{ns.Handle, ns.Name, nt.Handle, nt.Name} {
			b = append(b, ',')
			b = appendCSVField(b, s)
		}
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

// edgeBatchSize is the edges of a batch: about 800 KB of edges.csv's
// lines and 500 KB of edges_directed.csv's at 1M posts.
var edgeBatchSize = 8192

// errWriteFailed stops the sweep of the edges once a write failed.
var errWriteFailed = errors.New("coord: edge file write failed")

// writeEdgeFiles writes the lines of the edges each hands out to out and,
// when dout is not nil, edges_directed.csv's to dout, formatting batches
// on workers goroutines (<= 0: one a core).
func (l *edgeLines) writeEdgeFiles(each func(fn func(e *Edge, bt []int32) error) error, out, dout io.Writer, workers int) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nbatch := 2*workers + 2
	free := make(chan *edgeBatch, nbatch)
	for range nbatch {
		free <- &edgeBatch{done: make(chan struct{}, 1)}
	}
	work := make(chan *edgeBatch, nbatch)
	order := make(chan *edgeBatch, nbatch)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				c.lines, c.dlines = c.lines[:0], c.dlines[:0]
				off := 0
				for i := range c.edges {
					e := &c.edges[i]
					n := len(c.bt) / len(c.edges)
					c.lines = l.appendEdge(c.lines, e, c.bt[off:off+n:off+n])
					off += n
					if dout != nil {
						c.dlines = l.appendDirected(c.dlines, e)
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
