package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tahqiq/tahqiq/internal/runs"
)

// network is an answer of GET /coord/runs/{id}/network decoded as
// docs/api.md describes it, as the web UI decodes it.
type network struct {
	Head struct {
		Format      string   `json:"format"`
		Version     int      `json:"version"`
		View        string   `json:"view"`
		Nodes       int      `json:"nodes"`
		Edges       int      `json:"edges"`
		TotalEdges  int      `json:"total_edges"`
		Communities int      `json:"communities"`
		Truncated   bool     `json:"truncated"`
		Types       []string `json:"types"`
		TimeBase    int64    `json:"time_base"`
		Layout      *struct {
			Algorithm string `json:"algorithm"`
			Edges     int    `json:"edges"`
		} `json:"layout"`
		Columns []struct {
			Name, Type            string
			Offset, Length, Bytes int
		} `json:"columns"`
	}
	num map[string][]float64
	str map[string][]string
}

func decodeNetwork(t *testing.T, b []byte) *network {
	t.Helper()
	if len(b) < 8 || string(b[:4]) != "TQNW" {
		t.Fatalf("not a network answer: %.40q", b)
	}
	hl := int(binary.LittleEndian.Uint32(b[4:8]))
	n := &network{num: map[string][]float64{}, str: map[string][]string{}}
	if err := json.Unmarshal(b[8:8+hl], &n.Head); err != nil {
		t.Fatal(err)
	}
	start := (8 + hl + 7) / 8 * 8
	body := b[start:]
	for _, c := range n.Head.Columns {
		if c.Offset%8 != 0 || c.Offset+c.Bytes > len(body) {
			t.Fatalf("column %s at %d, %d bytes, of a body of %d", c.Name, c.Offset, c.Bytes, len(body))
		}
		d := body[c.Offset : c.Offset+c.Bytes]
		size := map[string]int{"f32": 4, "i32": 4, "u32": 4, "u8": 1, "f64": 8}[c.Type]
		if c.Type == "str" {
			offs := make([]int, c.Length+1)
			for i := range offs {
				offs[i] = int(binary.LittleEndian.Uint32(d[4*i:]))
			}
			text := utf16.Encode([]rune(string(d[4*(c.Length+1):])))
			for i := 0; i < c.Length; i++ {
				n.str[c.Name] = append(n.str[c.Name], string(utf16.Decode(text[offs[i]:offs[i+1]])))
			}
			continue
		}
		if size == 0 || c.Bytes != size*c.Length {
			t.Fatalf("column %s: type %s, %d bytes for %d values", c.Name, c.Type, c.Bytes, c.Length)
		}
		v := make([]float64, c.Length)
		for i := range v {
			switch c.Type {
			case "f32":
				v[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(d[4*i:])))
			case "i32":
				v[i] = float64(int32(binary.LittleEndian.Uint32(d[4*i:])))
			case "u32":
				v[i] = float64(binary.LittleEndian.Uint32(d[4*i:]))
			case "u8":
				v[i] = float64(d[i])
			case "f64":
				v[i] = math.Float64frombits(binary.LittleEndian.Uint64(d[8*i:]))
			}
		}
		n.num[c.Name] = v
	}
	return n
}

// networkViews: the network view of the Russian run (3,721 links, 2,110
// accounts) holds the links of its JSON graph, heaviest first, with the
// accounts' handles and positions, gzip-compressed for clients that take
// it; the communities view sums them; filters and search answer.
func networkViews(t *testing.T, c *client, run string) {
	var g runs.Graph
	c.want(200, "GET", "/api/v1/coord/runs/"+run+"/graph", nil, &g)
	raw := c.do("GET", "/api/v1/coord/runs/"+run+"/network?view=accounts", nil, map[string]string{"Accept-Encoding": "gzip"})
	if raw.status != 200 || raw.header.Get("Content-Encoding") != "gzip" || raw.header.Get("Content-Type") != "application/vnd.tahqiq.network" {
		t.Fatalf("network: %d %v", raw.status, raw.header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw.body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	jsonSize := len(c.do("GET", "/api/v1/coord/runs/"+run+"/graph", nil, map[string]string{"Accept-Encoding": "identity"}).body)
	t.Logf("3,721 links: JSON %d bytes, typed columns %d, gzipped %d", jsonSize, len(plain), len(raw.body))
	if len(raw.body)*4 > jsonSize {
		t.Errorf("the network view takes %d bytes, the JSON graph %d: want a quarter at most", len(raw.body), jsonSize)
	}
	n := decodeNetwork(t, plain)
	h := n.Head
	if h.Format != "tahqiq-network" || h.Version != 1 || h.View != "accounts" || h.Edges != 3721 || h.Nodes != 2110 || h.TotalEdges != 3721 || h.Truncated {
		t.Fatalf("header %+v", h)
	}
	if h.Layout == nil || h.Layout.Algorithm != "forceatlas2-linlog" || h.Layout.Edges != 3721 || !slices.Equal(h.Types, []string{"retweet"}) {
		t.Fatalf("layout %+v, types %v", h.Layout, h.Types)
	}
	ids, handles := n.str["id"], n.str["handle"] // events CSVs carry no handles: empty, but there
	src, dst, w := n.num["source"], n.num["target"], n.num["weight"]
	if len(ids) != 2110 || len(handles) != 2110 || len(src) != 3721 {
		t.Fatalf("%d ids, %d handles, %d links", len(ids), len(handles), len(src))
	}
	for k, e := range g.Edges {
		a, b := ids[int(src[k])], ids[int(dst[k])]
		if a != e.Source || b != e.Target || float32(w[k]) != float32(e.Weight) || n.num["pairs"][k] != float64(e.Pairs) || (n.num["flagged"][k] == 1) != e.Flagged {
			t.Fatalf("link %d: %s-%s %v, JSON graph %s-%s %v", k, a, b, w[k], e.Source, e.Target, e.Weight)
		}
		if n.num["types"][k] != 1 {
			t.Fatalf("link %d has types %v", k, n.num["types"][k])
		}
		if first := h.TimeBase + int64(n.num["first"][k]); rfc(first) != e.First {
			t.Fatalf("link %d first %s, JSON %s", k, rfc(first), e.First)
		}
	}
	for i := range ids {
		if x, y := n.num["x"][i], n.num["y"][i]; math.Abs(x) > 1000 || math.Abs(y) > 1000 {
			t.Fatalf("account %s at (%v, %v)", ids[i], x, y)
		}
	}

	// the communities view: every account of a community counted once
	ov := decodeNetwork(t, c.do("GET", "/api/v1/coord/runs/"+run+"/network?view=communities", nil, nil).body)
	if ov.Head.View != "communities" || ov.Head.Nodes != ov.Head.Communities || ov.Head.Nodes < 10 {
		t.Fatalf("communities view: %+v", ov.Head)
	}
	total := 0.0
	for _, a := range ov.num["accounts"] {
		total += a
	}
	inCommunity := 0
	for _, cm := range n.num["community"] {
		if cm >= 0 {
			inCommunity++
		}
	}
	if int(total) != inCommunity || len(ov.str["top_label"]) != ov.Head.Nodes {
		t.Errorf("communities hold %v accounts, %d accounts have one", total, inCommunity)
	}
	// a small run opens on its accounts, filters apply, bad ones are named
	if auto := decodeNetwork(t, c.do("GET", "/api/v1/coord/runs/"+run+"/network", nil, nil).body); auto.Head.View != "accounts" {
		t.Errorf("view=auto on 3,721 links: %s", auto.Head.View)
	}
	big := int(ov.num["community"][0])
	one := decodeNetwork(t, c.do("GET", "/api/v1/coord/runs/"+run+"/network?view=accounts&community="+itoa(big)+"&limit=100000", nil, nil).body)
	if one.Head.Edges != int(ov.num["links"][0]) {
		t.Errorf("community %d: %d links, the overview says %v inside", big, one.Head.Edges, ov.num["links"][0])
	}
	me := g.Edges[0].Source
	ego := decodeNetwork(t, c.do("GET", "/api/v1/coord/runs/"+run+"/network?view=accounts&account="+me, nil, nil).body)
	if !slices.Contains(ego.str["id"], me) || ego.Head.Edges == 0 {
		t.Errorf("ego network of %s: %+v", me, ego.Head)
	}
	for _, bad := range []string{"view=map", "min_weight=heavy", "community=big", "from=yesterday"} {
		r := c.do("GET", "/api/v1/coord/runs/"+run+"/network?"+bad, nil, nil)
		if r.status != 400 || !strings.Contains(string(r.body), strings.Split(bad, "=")[0]) {
			t.Errorf("%s: %d %s", bad, r.status, r.body)
		}
	}
	var hits []runs.AccountMatch
	c.want(200, "GET", "/api/v1/coord/runs/"+run+"/search?q="+strings.TrimPrefix(me, "other:")+"&limit=5", nil, &hits)
	if len(hits) == 0 || hits[0].UID != me {
		t.Errorf("search for %s: %+v", me, hits)
	}
}

func rfc(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }
