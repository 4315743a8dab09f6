package coord

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/layout"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// The typed rows of a run's network: what edges.csv and nodes.csv hold,
// written by WriteDir and read back by ReadEdges and ReadNodes (a stored
// run's network, for the server). The schema of each file is defined
// here once, for both ways.

// EdgeRow is one row of edges.csv.
type EdgeRow struct {
	AccountA, AccountB string // AccountA < AccountB bytewise
	Weight             float64
	Flagged            bool
	Pairs              int64
	Objects            int32
	ByType             []int32 // distinct objects co-shared per type: the n_TYPE columns (EdgeColumns.Types)
	AvgDt              float64
	MinDt              int64
	First, Last        int64 // Unix seconds
	PostsA, PostsB     int32
	Symmetry           float64
	Fast               int64 // weight_fast; -1 without a fast layer (no column)
	// What the data calls the two accounts (handle_a, name_a, handle_b,
	// name_b): empty where it has no handle or name (an events CSV), or
	// in a file written before these columns were (read all the same).
	HandleA, NameA, HandleB, NameB string
}

// EdgeColumns is what the header of an edges.csv says beyond the fixed
// columns: the object types of its n_TYPE columns, in order, whether it
// has weight_fast, and whether it has the accounts' names (every run
// since issue 16; older run directories have none).
type EdgeColumns struct {
	Types []string
	Fast  bool
	Names bool
}

// nameColumns are the last columns of edges.csv: what the data calls the
// two accounts.
var nameColumns = []string{"handle_a", "name_a", "handle_b", "name_b"}

// EdgeHeader returns the header of edges.csv for the run.
func (r *Result) EdgeHeader() []string {
	c := EdgeColumns{Fast: r.Params.FastWindow > 0, Names: true}
	for _, t := range r.Types {
		c.Types = append(c.Types, string(t))
	}
	return c.header()
}

func (c EdgeColumns) header() []string {
	h := []string{"account_a", "account_b", "weight", "flagged", "pairs", "objects"}
	for _, t := range c.Types {
		h = append(h, "n_"+t)
	}
	h = append(h, "avg_dt", "min_dt", "first", "last", "posts_a", "posts_b", "symmetry")
	if c.Fast {
		h = append(h, "weight_fast")
	}
	if c.Names {
		h = append(h, nameColumns...)
	}
	return h
}

// NodeRow is one row of nodes.csv: an account of the network.
type NodeRow struct {
	Account             string
	Degree              int32
	Strength            float64
	Component           int32 // connected component, 0 = largest
	Community           int32 // -1 outside the community subgraph
	Core                int32 // k-core number
	Posts               int32 // distinct input posts of the account
	FirstSeen, LastSeen int64 // Unix seconds
	Eigenvector         float64
	Pruned              bool // left out of the communities by EigenPrune
	// What the data calls the account (handle, name): empty where it has
	// none, or in a file written before these columns were.
	Handle, Name string
	// Signals are the account's signals (internal/signals), the last
	// columns; nil when the run was given none (empty cells) or read a
	// nodes.csv written before they were.
	Signals *signals.Row
}

// nodeColumns are the columns of nodes.csv before the signals: the
// network's, then what the data calls the account.
var nodeColumns = []string{"account", "degree", "strength", "component", "community", "core", "posts", "first_seen", "last_seen", "eigenvector", "pruned", "handle", "name"}

// oldNodeColumns is how many columns nodes.csv had before handle and name.
const oldNodeColumns = 11

// NodeHeader is the header of nodes.csv: the network's columns, handle and
// name, then the account signals (signals.Header).
var NodeHeader = append(slices.Clip(nodeColumns), signals.Header()...)

// Record returns the nodes.csv fields of x.
func (x *NodeRow) Record() []string { return x.appendRecord(nil) }

// appendRecord appends the nodes.csv fields of x to rec: the network's,
// then the signals.
func (x *NodeRow) appendRecord(rec []string) []string {
	rec = append(rec, x.Account, strconv.Itoa(int(x.Degree)), fmtFloat(x.Strength), strconv.Itoa(int(x.Component)),
		strconv.Itoa(int(x.Community)), strconv.Itoa(int(x.Core)), strconv.Itoa(int(x.Posts)), ts(x.FirstSeen), ts(x.LastSeen),
		fmtFloat(x.Eigenvector), strconv.FormatBool(x.Pruned), x.Handle, x.Name)
	return x.Signals.AppendRecord(rec)
}

// ReadEdges calls fn with every row of the edges.csv at path, in file
// order, and with what its header says. A header that is not an
// edges.csv's, or a field that does not parse, is an error naming the
// file, the line and the column. Files written before the name columns
// were (issue 16) are read with empty names.
func ReadEdges(path string, fn func(EdgeColumns, EdgeRow) error) error {
	var c EdgeColumns
	return readTable(path, func(head []string) error {
		if len(head) < 13 || !slices.Equal(head[:6], c.header()[:6]) {
			return errNotTable
		}
		rest := head[6:]
		for len(rest) > 0 && strings.HasPrefix(rest[0], "n_") {
			c.Types = append(c.Types, rest[0][2:])
			rest = rest[1:]
		}
		if len(rest) >= len(nameColumns) && slices.Equal(rest[len(rest)-len(nameColumns):], nameColumns) {
			c.Names = true
			rest = rest[:len(rest)-len(nameColumns)]
		}
		c.Fast = len(rest) > 0 && rest[len(rest)-1] == "weight_fast"
		if !slices.Equal(head, c.header()) {
			return errNotTable
		}
		return nil
	}, func(f *fields) error {
		x := EdgeRow{AccountA: f.str(), AccountB: f.str(), Weight: f.float(), Flagged: f.bool(), Pairs: f.int(), Objects: int32(f.int()),
			ByType: make([]int32, len(c.Types)), Fast: -1}
		for i := range x.ByType {
			x.ByType[i] = int32(f.int())
		}
		x.AvgDt, x.MinDt, x.First, x.Last = f.float(), f.int(), f.time(), f.time()
		x.PostsA, x.PostsB, x.Symmetry = int32(f.int()), int32(f.int()), f.float()
		if c.Fast {
			x.Fast = f.int()
		}
		if c.Names {
			x.HandleA, x.NameA, x.HandleB, x.NameB = f.str(), f.str(), f.str(), f.str()
		}
		if f.err != nil {
			return f.err
		}
		return fn(c, x)
	})
}

// ReadNodes calls fn with every row of the nodes.csv at path, in file
// order; errors as ReadEdges. Files written before the handle and name
// columns (issue 16) are read with empty names, and files written before
// the signals without them.
func ReadNodes(path string, fn func(NodeRow) error) error {
	named, withSignals := true, true
	return readTable(path, func(head []string) error {
		switch {
		case slices.Equal(head, NodeHeader):
		case slices.Equal(head, nodeColumns):
			withSignals = false
		case slices.Equal(head, nodeColumns[:oldNodeColumns]):
			named, withSignals = false, false
		case slices.Equal(head, append(slices.Clip(nodeColumns[:oldNodeColumns]), signals.Header()...)):
			named = false
		default:
			return errNotTable
		}
		return nil
	}, func(f *fields) error {
		x := NodeRow{Account: f.str(), Degree: int32(f.int()), Strength: f.float(), Component: int32(f.int()), Community: int32(f.int()),
			Core: int32(f.int()), Posts: int32(f.int()), FirstSeen: f.time(), LastSeen: f.time(), Eigenvector: f.float(), Pruned: f.bool()}
		if named {
			x.Handle, x.Name = f.str(), f.str()
		}
		if f.err != nil {
			return f.err
		}
		if withSignals {
			var err error
			if x.Signals, err = signals.ParseRecord(x.Account, f.rest()); err != nil {
				return tahqiq.Errorf(tahqiq.EINVALID, "%s: line %d: %v", f.path, f.line, err)
			}
		}
		return fn(x)
	})
}

var errNotTable = errors.New("not a table tahqiq coord writes")

// readTable reads the CSV file at path: its header through head, then
// every row through row.
func readTable(path string, head func([]string) error, row func(*fields) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	r := csv.NewReader(bufio.NewReaderSize(file, 1<<20))
	r.ReuseRecord = true
	h, err := r.Read()
	if err == nil {
		err = head(h)
	}
	if err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "%s: %v", path, err)
	}
	f := &fields{path: path, names: slices.Clone(h)}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return tahqiq.Errorf(tahqiq.EINVALID, "%s: %v", path, err)
		}
		line, _ := r.FieldPos(0)
		*f = fields{path: path, names: f.names, rec: rec, line: line}
		if err := row(f); err != nil {
			return err
		}
	}
}

// fields hands out a row's fields in order, parsed; the first field that
// does not parse sets err.
type fields struct {
	path  string
	names []string
	rec   []string
	line  int
	i     int
	err   error
}

func (f *fields) next() string {
	s := f.rec[f.i]
	f.i++
	return s
}

func (f *fields) fail(s, want string, err error) {
	if f.err == nil {
		f.err = tahqiq.Errorf(tahqiq.EINVALID, "%s: line %d, column %s: %q is not %s (%v)", f.path, f.line, f.names[f.i-1], s, want, err)
	}
}

func (f *fields) str() string { return f.next() }

// rest returns the fields not read yet.
func (f *fields) rest() []string {
	r := f.rec[f.i:]
	f.i = len(f.rec)
	return r
}

func (f *fields) int() int64 {
	s := f.next()
	x, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.fail(s, "an integer", err)
	}
	return x
}

func (f *fields) float() float64 {
	s := f.next()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.fail(s, "a number", err)
	}
	return x
}

func (f *fields) bool() bool {
	s := f.next()
	x, err := strconv.ParseBool(s)
	if err != nil {
		f.fail(s, "true or false", err)
	}
	return x
}

func (f *fields) time() int64 {
	s := f.next()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		f.fail(s, "an RFC 3339 time", err)
	}
	return t.Unix()
}

// LayoutRow is a row of layout.csv: where an account is drawn.
type LayoutRow struct {
	Account string
	X, Y    float32
	LaidOut bool // an end of one of the heaviest links, placed by the force layout (else beside its community)
}

// LayoutHeader is the header of layout.csv.
var LayoutHeader = []string{"account", "x", "y", "laid_out"}

// ReadLayout reads a layout.csv.
func ReadLayout(path string, fn func(LayoutRow) error) error {
	return readTable(path, func(head []string) error {
		if !slices.Equal(head, LayoutHeader) {
			return errNotTable
		}
		return nil
	}, func(f *fields) error {
		x := LayoutRow{Account: f.str(), X: float32(f.float()), Y: float32(f.float()), LaidOut: f.bool()}
		if f.err != nil {
			return f.err
		}
		return fn(x)
	})
}

// WriteLayout writes layout.csv: the position of accounts[u] is
// (l.X[u], l.Y[u]).
func WriteLayout(path string, accounts []string, l *layout.Result) error {
	return writeCSV(path, LayoutHeader, func(w *csv.Writer) error {
		rec := make([]string, 4)
		for u, a := range accounts {
			rec[0], rec[1], rec[2], rec[3] = a, fmtCoord(l.X[u]), fmtCoord(l.Y[u]), strconv.FormatBool(l.Forced[u])
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// fmtCoord writes a position (kept to two decimals by the layout).
func fmtCoord(v float32) string { return strconv.FormatFloat(float64(v), 'f', -1, 32) }

// RunAccounts returns the accounts of the run written in dir, with what
// the data calls them: those of its nodes.csv, or, of a run made without
// the graph step, both ends of every edge of its edges.csv; for
// tahqiq.ResolveAccount.
func RunAccounts(dir string) ([]tahqiq.Account, error) {
	var out []tahqiq.Account
	err := ReadNodes(filepath.Join(dir, "nodes.csv"), func(x NodeRow) error {
		out = append(out, tahqiq.Account{UID: x.Account, Handle: x.Handle, Name: x.Name})
		return nil
	})
	if !errors.Is(err, os.ErrNotExist) {
		return out, err
	}
	seen := map[string]bool{}
	err = ReadEdges(filepath.Join(dir, "edges.csv"), func(_ EdgeColumns, x EdgeRow) error {
		for _, a := range [2]tahqiq.Account{{UID: x.AccountA, Handle: x.HandleA, Name: x.NameA}, {UID: x.AccountB, Handle: x.HandleB, Name: x.NameB}} {
			if !seen[a.UID] {
				seen[a.UID] = true
				out = append(out, a)
			}
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s is not a coord run: it has no nodes.csv or edges.csv", dir)
	}
	return out, err
}
