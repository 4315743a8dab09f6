// A view of a run's network as GET /coord/runs/{id}/network sends it
// (docs/api.md, "The network view"): typed columns read in place, no
// object per link. Pure functions, so that the tests run them in Node.

import { searchKey } from './format.js';

const td = new TextDecoder();

const arrays = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u32: Uint32Array, u8: Uint8Array };

// decodeNetwork reads an answer (an ArrayBuffer) into a Net.
export function decodeNetwork(buf) {
  const dv = new DataView(buf);
  if (buf.byteLength < 8 || String.fromCharCode(dv.getUint8(0), dv.getUint8(1), dv.getUint8(2), dv.getUint8(3)) !== 'TQNW') {
    throw new Error('not a network view (TQNW)');
  }
  const hl = dv.getUint32(4, true);
  const head = JSON.parse(td.decode(new Uint8Array(buf, 8, hl)));
  if (head.format !== 'tahqiq-network' || head.version !== 1) throw new Error('network view version ' + head.version);
  const start = Math.ceil((8 + hl) / 8) * 8;
  const cols = {};
  for (const c of head.columns) {
    const off = start + c.offset;
    if (c.type === 'str') {
      const offs = new Uint32Array(buf, off, c.length + 1);
      const textBytes = c.bytes - 4 * (c.length + 1);
      const text = td.decode(new Uint8Array(buf, off + 4 * (c.length + 1), textBytes));
      const out = new Array(c.length);
      for (let i = 0; i < c.length; i++) out[i] = text.slice(offs[i], offs[i + 1]);
      cols[c.name] = out;
    } else {
      const A = arrays[c.type];
      if (!A) throw new Error('network view: column type ' + c.type);
      cols[c.name] = new A(buf, off, c.length);
    }
  }
  return new Net(head, cols);
}

// Net is a decoded view: nodes (accounts or communities) and links.
export class Net {
  constructor(head, cols) {
    this.head = head;
    this.view = head.view;
    this.n = head.nodes;
    this.m = head.edges;
    this.types = head.types || [];
    const c = cols;
    this.x = c.x;
    this.y = c.y;
    this.community = c.community;
    this.source = c.source;
    this.target = c.target;
    this.weight = c.weight;
    if (this.view === 'communities') {
      this.accounts = c.accounts;
      this.links = c.links;
      this.inside = c.inside;
      this.top = c.top;
      this.topLabel = c.top_label;
      this.linksBetween = c.links_between;
      this.ids = Array.from(this.community, String);
    } else {
      this.ids = c.id;
      this.handle = c.handle || null;
      this.name = c.name || null;
      this.degree = c.degree;
      this.strength = c.strength;
      this.posts = c.posts;
      this.pairs = c.pairs;
      this.typeBits = c.types;
      this.flagged = c.flagged;
      // first and last as Unix seconds
      const base = head.time_base || 0;
      const abs = (a) => (a instanceof Float64Array ? a : Float64Array.from(a, (v) => v + base));
      this.first = abs(c.first);
      this.last = abs(c.last);
    }
    this._index = null;
    this._edgeIndex = null;
    // the node's size measure: strength (accounts) or accounts (communities)
    this.size = this.view === 'communities' ? this.accounts : this.strength;
    let mx = 0;
    for (let i = 0; i < this.n; i++) mx = Math.max(mx, this.size[i]);
    this.maxSize = mx || 1;
    let mw = 0;
    for (let k = 0; k < this.m; k++) mw = Math.max(mw, this.weight[k]);
    this.maxWeight = mw || 1;
  }

  // label is what a node is called: an account's handle or name where
  // the data has one, else its id; a community's number.
  label(i) {
    if (this.view === 'communities') return String(this.community[i]);
    // as the graph route's label (coord.AccountName.Label): "@handle",
    // else the name, else the id
    const h = this.handle && this.handle[i];
    if (h) return h.startsWith('@') ? h : '@' + h;
    return (this.name && this.name[i]) || this.ids[i];
  }

  // indexOf returns the node of an id (account UID), or -1.
  indexOf(id) {
    if (!this._index) {
      this._index = new Map();
      for (let i = 0; i < this.n; i++) this._index.set(this.ids[i], i);
    }
    const i = this._index.get(id);
    return i === undefined ? -1 : i;
  }

  // edgeId is a link's id: "a|b", its accounts' ids.
  edgeId(k) {
    return this.ids[this.source[k]] + '|' + this.ids[this.target[k]];
  }

  // edgeIndexOf returns the link of an id, or -1.
  edgeIndexOf(id) {
    if (!this._edgeIndex) {
      this._edgeIndex = new Map();
      for (let k = 0; k < this.m; k++) this._edgeIndex.set(this.edgeId(k), k);
    }
    const k = this._edgeIndex.get(id);
    return k === undefined ? -1 : k;
  }

  // edgeTypes lists the object types of link k.
  edgeTypes(k) {
    const out = [];
    const bits = this.typeBits ? this.typeBits[k] : 0;
    for (let i = 0; i < this.types.length; i++) if (bits & (1 << i)) out.push(this.types[i]);
    return out.sort();
  }

  // edge is link k as the JSON graph gives it (GET /graph's edges).
  edge(k) {
    if (k < 0 || k >= this.m) return null;
    const iso = (s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
    return {
      id: this.edgeId(k), index: k, source: this.ids[this.source[k]], target: this.ids[this.target[k]],
      weight: this.weight[k], pairs: this.pairs ? this.pairs[k] : 0, types: this.edgeTypes(k),
      flagged: this.flagged ? this.flagged[k] === 1 : false,
      first: this.first ? iso(this.first[k]) : '', last: this.last ? iso(this.last[k]) : '',
    };
  }

  // neighbours returns the nodes linked to node i.
  neighbours(i) {
    const out = new Set();
    for (let k = 0; k < this.m; k++) {
      if (this.source[k] === i) out.add(this.target[k]);
      else if (this.target[k] === i) out.add(this.source[k]);
    }
    return out;
  }

  // timeRange is [first, last] over the links (Unix seconds), or null.
  timeRange() {
    if (!this.first || !this.m) return null;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < this.m; k++) {
      lo = Math.min(lo, this.first[k]);
      hi = Math.max(hi, this.last[k]);
    }
    return [lo, hi];
  }
}

// filterKeys gives, per account of a view, what the tables' filters look
// in: its label, name and UID folded by searchKey and joined by a line
// break (no folded query holds one); made once per view.
export function filterKeys(net) {
  if (!net._filterKeys) {
    const out = new Array(net.n);
    for (let i = 0; i < net.n; i++) out[i] = [net.label(i), net.name?.[i] || '', net.ids[i]].map(searchKey).join('\n');
    net._filterKeys = out;
  }
  return net._filterKeys;
}

// Filter is what the view's own controls keep, applied at once (no
// request): links of at least minWeight, between accounts of at least
// minDegree links (in the run), active within [from, to] (Unix seconds),
// around one account (ego: it, its neighbours, the links between them).
// visibility returns per-node and per-link masks (1 shown) and counts.
export function visibility(net, f = {}) {
  const nodes = new Uint8Array(net.n);
  const edges = new Uint8Array(net.m);
  const minW = f.minWeight || 0;
  const minD = f.minDegree || 0;
  const from = f.from ?? -Infinity;
  const to = f.to ?? Infinity;
  let ego = null;
  if (f.ego !== undefined && f.ego !== null && f.ego >= 0) {
    ego = net.neighbours(f.ego);
    ego.add(f.ego);
  }
  const degOK = (i) => !minD || !net.degree || net.degree[i] >= minD;
  let shownEdges = 0;
  for (let k = 0; k < net.m; k++) {
    const a = net.source[k];
    const b = net.target[k];
    if (net.weight[k] < minW) continue;
    if (!degOK(a) || !degOK(b)) continue;
    if (net.first && (net.last[k] < from || net.first[k] > to)) continue;
    if (ego && !(ego.has(a) && ego.has(b))) continue;
    edges[k] = 1;
    nodes[a] = 1;
    nodes[b] = 1;
    shownEdges++;
  }
  // a filter that keeps no link of an account hides it, but never the
  // account the ego network is of
  if (ego && f.ego < net.n) nodes[f.ego] = 1;
  let shownNodes = 0;
  for (let i = 0; i < net.n; i++) shownNodes += nodes[i];
  // nodes without links in the view (a view of one account) stay
  if (net.m === 0) {
    nodes.fill(1);
    shownNodes = net.n;
  }
  return { nodes, edges, shownNodes, shownEdges };
}

// communityList sums the shown accounts per community, largest first:
// [{c, n}] (c -1: no community).
export function communityList(net, nodes) {
  const m = new Map();
  for (let i = 0; i < net.n; i++) {
    if (nodes && !nodes[i]) continue;
    const c = net.community[i];
    m.set(c, (m.get(c) || 0) + (net.view === 'communities' ? net.accounts[i] : 1));
  }
  return [...m.entries()].map(([c, n]) => ({ c, n })).sort((a, b) => b.n - a.n || a.c - b.c);
}

// escapeXML escapes text for an SVG document.
const escapeXML = (s) => String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]);

// toSVG draws the shown part of a view as an SVG document of width w and
// height h: project(i) gives node i's place on screen and radius ([x, y,
// r]), edgeStyle(k) a link's colour, opacity and width, nodeColour(i) a
// node's colour, labels [{i, text}] the labels on screen. What lies
// outside the frame is left out.
export function toSVG(net, { w, h, project, shown, edgeStyle, nodeColour, labels = [], title = '' }) {
  const out = [];
  const f = (v) => (Math.round(v * 10) / 10).toString();
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`);
  if (title) out.push(`<title>${escapeXML(title)}</title>`);
  out.push(`<rect width="${w}" height="${h}" fill="#ffffff"/>`);
  const inside = (x, y, r = 0) => x + r >= 0 && y + r >= 0 && x - r <= w && y - r <= h;
  out.push('<g stroke-linecap="round">');
  for (let k = 0; k < net.m; k++) {
    if (shown && !shown.edges[k]) continue;
    const [x1, y1] = project(net.source[k]);
    const [x2, y2] = project(net.target[k]);
    if (!inside(x1, y1) && !inside(x2, y2)) continue;
    const s = edgeStyle(k);
    if (!s || s.opacity <= 0) continue;
    out.push(`<line x1="${f(x1)}" y1="${f(y1)}" x2="${f(x2)}" y2="${f(y2)}" stroke="${s.colour}" stroke-opacity="${Math.round(s.opacity * 100) / 100}" stroke-width="${f(s.width)}"/>`);
  }
  out.push('</g><g stroke="#ffffff" stroke-width="0.6">');
  for (let i = 0; i < net.n; i++) {
    if (shown && !shown.nodes[i]) continue;
    const [x, y, r] = project(i);
    if (!inside(x, y, r)) continue;
    out.push(`<circle cx="${f(x)}" cy="${f(y)}" r="${f(r)}" fill="${nodeColour(i)}"/>`);
  }
  out.push('</g><g font-family="sans-serif" font-size="12" fill="#1d2733">');
  for (const l of labels) {
    const [x, y, r] = project(l.i);
    out.push(`<text x="${f(x + r + 3)}" y="${f(y + 4)}">${escapeXML(l.text)}</text>`);
  }
  out.push('</g></svg>');
  return out.join('\n');
}
