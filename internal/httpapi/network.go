package httpapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// autoOverview is the size of a run (links) above which the network view
// opens on its communities (view=auto): above it a browser on a modest
// machine draws the accounts at less than 30 frames a second.
const autoOverview = 20000

// getCoordNetwork sends a view of a run's network as typed columns
// (docs/api.md, "The network view"): the accounts and links a filter
// keeps, or the communities and the links between them.
func (s *Server) getCoordNetwork(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	id := r.PathValue("id")
	in, err := s.run(r.Context(), c, runs.Coord, id)
	if err != nil {
		return err
	}
	find := s.accountFinder(r.Context(), in.Dataset)
	limit, err := intParam(r, "limit", 50000, 500000)
	if err != nil {
		return err
	}
	view := q.Get("view")
	switch view {
	case "", "auto":
		view = "accounts"
		if ov, err := s.Runs.Overview(id, 0, nil); err != nil {
			return err
		} else if ov.TotalEdges > autoOverview && ov.Communities > 1 {
			view = "communities"
		}
	case "accounts", "communities":
	default:
		return tahqiq.Errorf(tahqiq.EINVALID, "view=%q: want accounts, communities or auto", view)
	}
	var v *runs.NetworkView
	if view == "communities" {
		v, err = s.Runs.Overview(id, limit, find)
	} else {
		f := runs.NetworkFilter{GraphFilter: runs.GraphFilter{FlaggedOnly: q.Get("flagged") == "1" || q.Get("flagged") == "true",
			From: q.Get("from"), To: q.Get("to"), Limit: limit}, Account: q.Get("account")}
		if x := q.Get("min_weight"); x != "" {
			if f.MinWeight, err = strconv.ParseFloat(x, 64); err != nil {
				return tahqiq.Errorf(tahqiq.EINVALID, "min_weight=%q: want a number", x)
			}
		}
		if x := q.Get("types"); x != "" {
			f.Types = strings.Split(x, ",")
		}
		if f.Where, err = signals.ParseFilters(q["where"]); err != nil {
			return tahqiq.Errorf(tahqiq.EINVALID, "where: %v", err)
		}
		if x := q.Get("community"); x != "" {
			for _, p := range strings.Split(x, ",") {
				n, err := strconv.ParseInt(p, 10, 32)
				if err != nil || n < 0 {
					return tahqiq.Errorf(tahqiq.EINVALID, "community=%q: want community numbers, comma-separated", x)
				}
				f.Communities = append(f.Communities, int32(n))
			}
		}
		v, err = s.Runs.Network(id, f, find)
	}
	if err != nil {
		return err
	}
	body, err := encodeNetwork(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", networkType)
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r) {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		_, err = w.Write(body)
		return err
	}
	h.Set("Content-Encoding", "gzip")
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if _, err := zw.Write(body); err != nil {
		return err
	}
	return zw.Close()
}

// networkType is the media type of the network view's answer.
const networkType = "application/vnd.tahqiq.network"

func acceptsGzip(r *http.Request) bool {
	for _, p := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(p), ";")
		if strings.TrimSpace(name) == "gzip" && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// getCoordSearch finds accounts of a run by id, handle or name.
func (s *Server) getCoordSearch(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	in, err := s.run(r.Context(), c, runs.Coord, id)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 20, 200)
	if err != nil {
		return err
	}
	find := s.accountFinder(r.Context(), in.Dataset)
	out, err := s.Runs.SearchAccounts(id, r.URL.Query().Get("q"), limit, find)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// netColumn describes one column of the answer's body.
type netColumn struct {
	Name   string `json:"name"`
	Type   string `json:"type"`   // f32, f64, i32, u32, u16, u8 or str
	Offset int    `json:"offset"` // from the start of the body, a multiple of 8
	Length int    `json:"length"` // values
	Bytes  int    `json:"bytes"`  // bytes at Offset (str: the UTF-16 offsets, then the UTF-8 text)
}

// netHeader is the answer's JSON header.
type netHeader struct {
	Format        string      `json:"format"`
	Version       int         `json:"version"`
	View          string      `json:"view"`
	Nodes         int         `json:"nodes"`
	Edges         int         `json:"edges"`
	TotalEdges    int         `json:"total_edges"`
	TotalAccounts int         `json:"total_accounts"`
	Communities   int         `json:"communities"`
	Outside       int         `json:"outside"`
	Truncated     bool        `json:"truncated"`
	Types         []string    `json:"types"`
	TimeBase      int64       `json:"time_base"`
	Layout        any         `json:"layout"`
	LayoutCached  bool        `json:"layout_cached,omitempty"`
	Columns       []netColumn `json:"columns"`
}

// netBody collects the columns, each at a multiple of 8 bytes.
type netBody struct {
	b    []byte
	cols []netColumn
}

func (nb *netBody) add(name, typ string, n int, fill func(b []byte) []byte) {
	for len(nb.b)%8 != 0 {
		nb.b = append(nb.b, 0)
	}
	off := len(nb.b)
	nb.b = fill(nb.b)
	nb.cols = append(nb.cols, netColumn{Name: name, Type: typ, Offset: off, Length: n, Bytes: len(nb.b) - off})
}

func (nb *netBody) f32(name string, v []float32) {
	nb.add(name, "f32", len(v), func(b []byte) []byte {
		for _, x := range v {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
		return b
	})
}

func (nb *netBody) i32(name string, v []int32) {
	nb.add(name, "i32", len(v), func(b []byte) []byte {
		for _, x := range v {
			b = binary.LittleEndian.AppendUint32(b, uint32(x))
		}
		return b
	})
}

func (nb *netBody) u32(name string, n int, at func(i int) uint32) {
	nb.add(name, "u32", n, func(b []byte) []byte {
		for i := range n {
			b = binary.LittleEndian.AppendUint32(b, at(i))
		}
		return b
	})
}

// str writes n strings as their UTF-16 offsets (n+1 uint32, so that a
// browser slices the decoded text without decoding each string) and
// their UTF-8 text.
func (nb *netBody) str(name string, v []string) {
	nb.add(name, "str", len(v), func(b []byte) []byte {
		at := 0
		b = binary.LittleEndian.AppendUint32(b, 0)
		for _, s := range v {
			for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
				at += utf16.RuneLen(r)
			}
			b = binary.LittleEndian.AppendUint32(b, uint32(at))
		}
		for _, s := range v {
			b = append(b, strings.ToValidUTF8(s, "\uFFFD")...)
		}
		return b
	})
}

// encodeNetwork writes a view: "TQNW", the header's length (uint32, little
// endian), the JSON header, zero bytes to a multiple of 8, the body.
func encodeNetwork(v *runs.NetworkView) ([]byte, error) {
	nb := &netBody{}
	h := netHeader{Format: "tahqiq-network", Version: 1, View: v.Kind, Nodes: len(v.X), Edges: len(v.Source), TotalEdges: v.TotalEdges,
		TotalAccounts: v.TotalNodes, Communities: v.Communities, Outside: v.Outside, Truncated: v.Truncated, Types: v.Types,
		LayoutCached: v.LayoutCached}
	if h.Types == nil {
		h.Types = []string{}
	}
	if v.Layout != nil {
		h.Layout = v.Layout
	}
	nb.f32("x", v.X)
	nb.f32("y", v.Y)
	nb.i32("community", v.Community)
	if v.Kind == "communities" {
		nb.i32("accounts", v.Accounts)
		nb.i32("links", v.Links)
		nb.f32("inside", v.Inside)
		nb.str("top", v.Top)
		nb.str("top_label", v.TopLabel)
	} else {
		nb.str("id", v.ID)
		if v.Handle != nil {
			nb.str("handle", v.Handle)
			nb.str("name", v.Name)
		}
		nb.i32("degree", v.Degree)
		nb.f32("strength", v.Strength)
		nb.i32("posts", v.Posts)
	}
	nb.i32("source", v.Source)
	nb.i32("target", v.Target)
	nb.f32("weight", v.Weight)
	if v.Kind == "communities" {
		nb.i32("links_between", v.EdgeLinks)
	} else {
		nb.u32("pairs", len(v.Pairs), func(i int) uint32 { return uint32(min(v.Pairs[i], math.MaxUint32)) })
		nb.u32("types", len(v.EdgeTypes), func(i int) uint32 { return v.EdgeTypes[i] })
		nb.add("flagged", "u8", len(v.Flagged), func(b []byte) []byte {
			for _, f := range v.Flagged {
				if f {
					b = append(b, 1)
				} else {
					b = append(b, 0)
				}
			}
			return b
		})
		// first and last as seconds after time_base when they fit an
		// int32 (68 years), else as float64 Unix seconds
		lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
		for i := range v.First {
			lo, hi = min(lo, v.First[i], v.Last[i]), max(hi, v.First[i], v.Last[i])
		}
		if len(v.First) == 0 || hi-lo <= math.MaxInt32 {
			if len(v.First) > 0 {
				h.TimeBase = lo
			}
			for _, c := range []struct {
				name string
				t    []int64
			}{{"first", v.First}, {"last", v.Last}} {
				nb.u32(c.name, len(c.t), func(i int) uint32 { return uint32(int32(c.t[i] - h.TimeBase)) })
				nb.cols[len(nb.cols)-1].Type = "i32"
			}
		} else {
			for _, c := range []struct {
				name string
				t    []int64
			}{{"first", v.First}, {"last", v.Last}} {
				nb.add(c.name, "f64", len(c.t), func(b []byte) []byte {
					for _, x := range c.t {
						b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(x)))
					}
					return b
				})
			}
		}
	}
	h.Columns = nb.cols
	head, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(8 + len(head) + 8 + len(nb.b))
	out.WriteString("TQNW")
	binary.Write(&out, binary.LittleEndian, uint32(len(head)))
	out.Write(head)
	for out.Len()%8 != 0 {
		out.WriteByte(0)
	}
	out.Write(nb.b)
	return out.Bytes(), nil
}

// accountFinder looks up the accounts of a run's dataset by UID, for the
// names of its accounts (nil for a run from files, which names none).
func (s *Server) accountFinder(ctx context.Context, dataset string) runs.Finder {
	if dataset == "" {
		return nil
	}
	return func(uids []string) (map[string]tahqiq.Account, error) {
		return s.Store.FindAccounts(ctx, dataset, uids)
	}
}
