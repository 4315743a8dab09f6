import { describe, expect, it } from 'vitest';
import { decodeNetwork, visibility, communityList, toSVG, filterKeys } from './network.js';
import { searchKey } from './format.js';

// encode writes a view as the server does (docs/api.md, "The network
// view"): TQNW, the header's length, the header, padding, the columns.
function encode(head, cols) {
  const parts = [];
  let size = 0;
  const columns = [];
  const te = new TextEncoder();
  for (const [name, type, values] of cols) {
    while (size % 8) {
      parts.push(new Uint8Array(1));
      size++;
    }
    let bytes;
    if (type === 'str') {
      const offs = new Uint32Array(values.length + 1);
      let at = 0;
      values.forEach((s, i) => {
        at += s.length; // UTF-16 code units
        offs[i + 1] = at;
      });
      const text = te.encode(values.join(''));
      bytes = new Uint8Array(offs.byteLength + text.length);
      bytes.set(new Uint8Array(offs.buffer), 0);
      bytes.set(text, offs.byteLength);
    } else {
      const A = { f32: Float32Array, i32: Int32Array, u32: Uint32Array, u8: Uint8Array, f64: Float64Array }[type];
      bytes = new Uint8Array(A.from(values).buffer);
    }
    columns.push({ name, type, offset: size, length: values.length, bytes: bytes.length });
    parts.push(bytes);
    size += bytes.length;
  }
  const h = te.encode(JSON.stringify({ format: 'tahqiq-network', version: 1, ...head, columns }));
  const start = Math.ceil((8 + h.length) / 8) * 8;
  const out = new Uint8Array(start + size);
  out.set(te.encode('TQNW'), 0);
  new DataView(out.buffer).setUint32(4, h.length, true);
  out.set(h, 8);
  let at = start;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}

// four accounts: a triangle of community 0 (one Urdu name) and a pendant
// of community 1, links at three times
const accounts = () =>
  encode(
    { view: 'accounts', nodes: 4, edges: 4, total_edges: 9, total_accounts: 7, types: ['url', 'hashtag'], time_base: 1_700_000_000 },
    [
      ['x', 'f32', [0, 10, 5, 40]],
      ['y', 'f32', [0, 0, 8, 8]],
      ['community', 'i32', [0, 0, 0, 1]],
      ['id', 'str', ['x:1', 'x:2', 'x:3', 'x:4']],
      ['handle', 'str', ['ali', '', 'zainab', '']],
      ['name', 'str', ['علی رضا', 'بلال', '', '']],
      ['degree', 'i32', [3, 2, 2, 1]],
      ['strength', 'f32', [9, 6, 5, 2]],
      ['posts', 'i32', [4, 3, 2, 1]],
      ['source', 'i32', [0, 0, 1, 0]],
      ['target', 'i32', [1, 2, 2, 3]],
      ['weight', 'f32', [5, 4, 2, 2]],
      ['pairs', 'u32', [5, 4, 2, 2]],
      ['types', 'u32', [1, 3, 2, 1]],
      ['flagged', 'u8', [1, 1, 0, 0]],
      ['first', 'i32', [0, 100, 3600, 7200]],
      ['last', 'i32', [50, 200, 3700, 7300]],
    ],
  );

describe('decodeNetwork', () => {
  it('reads the columns in place, strings by their UTF-16 offsets', () => {
    const n = decodeNetwork(accounts());
    expect(n.view).toBe('accounts');
    expect([n.n, n.m, n.head.total_edges]).toEqual([4, 4, 9]);
    expect(n.ids).toEqual(['x:1', 'x:2', 'x:3', 'x:4']);
    expect(n.x instanceof Float32Array && n.source instanceof Int32Array).toBe(true);
    // labels as the graph route's (coord.AccountName.Label): @handle, else the name, else the id
    expect([0, 1, 2, 3].map((i) => n.label(i))).toEqual(['@ali', 'بلال', '@zainab', 'x:4']);
    expect(n.indexOf('x:3')).toBe(2);
    expect(n.indexOf('x:9')).toBe(-1);
    expect(n.edgeIndexOf('x:1|x:3')).toBe(1);
    expect(n.edge(1)).toEqual({
      id: 'x:1|x:3', index: 1, source: 'x:1', target: 'x:3', weight: 4, pairs: 4, types: ['hashtag', 'url'], flagged: true,
      first: '2023-11-14T22:15:00Z', last: '2023-11-14T22:16:40Z',
    });
    expect(n.timeRange()).toEqual([1_700_000_000, 1_700_007_300]);
    expect([...n.neighbours(0)].sort()).toEqual([1, 2, 3]);
  });
  it('gives the tables\' filters each account folded: handle, Urdu name typed with the Arabic yeh, id', () => {
    const n = decodeNetwork(accounts());
    const find = (q) => filterKeys(n).flatMap((k, i) => (k.includes(searchKey(q)) ? [n.ids[i]] : []));
    expect(find('@ALI')).toEqual(['x:1']);
    expect(find('علي')).toEqual(['x:1']);
    expect(find('x:4')).toEqual(['x:4']);
    expect(find('بلال')).toEqual(['x:2']);
    expect(find('nobody')).toEqual([]);
    expect(filterKeys(n)).toBe(filterKeys(n)); // made once
  });
  it('refuses what is not a view', () => {
    expect(() => decodeNetwork(new TextEncoder().encode('{"nodes":[]}').buffer)).toThrow(/TQNW/);
  });
  it('reads a communities view', () => {
    const n = decodeNetwork(
      encode({ view: 'communities', nodes: 2, edges: 1, total_edges: 9, total_accounts: 7, communities: 2, types: [] }, [
        ['x', 'f32', [0, 1]],
        ['y', 'f32', [0, 1]],
        ['community', 'i32', [3, 8]],
        ['accounts', 'i32', [5, 2]],
        ['links', 'i32', [7, 1]],
        ['inside', 'f32', [20, 1]],
        ['top', 'str', ['x:1', 'x:9']],
        ['top_label', 'str', ['ali', '']],
        ['source', 'i32', [0]],
        ['target', 'i32', [1]],
        ['weight', 'f32', [3]],
        ['links_between', 'i32', [2]],
      ]),
    );
    expect(n.view).toBe('communities');
    expect(n.ids).toEqual(['3', '8']);
    expect(n.maxSize).toBe(5);
    expect(communityList(n)).toEqual([{ c: 3, n: 5 }, { c: 8, n: 2 }]);
  });
});

describe('visibility', () => {
  const n = decodeNetwork(accounts());
  const keep = (f) => {
    const v = visibility(n, f);
    return [[...v.nodes].join(''), [...v.edges].join(''), v.shownNodes, v.shownEdges];
  };
  it.each([
    ['nothing', {}, ['1111', '1111', 4, 4]],
    ['weight at least 4', { minWeight: 4 }, ['1110', '1100', 3, 2]],
    ['degree at least 2 (the pendant goes)', { minDegree: 2 }, ['1110', '1110', 3, 3]],
    ['active in the first hour', { from: 1_700_000_000, to: 1_700_000_300 }, ['1110', '1100', 3, 2]],
    ['ego network of the pendant', { ego: 3 }, ['1001', '0001', 2, 1]],
    ['ego network of x:2 (the triangle)', { ego: 1 }, ['1110', '1110', 3, 3]],
    ['ego network and weight', { ego: 3, minWeight: 4 }, ['0001', '0000', 1, 0]],
  ])('%s', (_, f, want) => expect(keep(f)).toEqual(want));
  it('sums shown accounts per community', () => {
    expect(communityList(n, visibility(n, { minWeight: 4 }).nodes)).toEqual([{ c: 0, n: 3 }]);
  });
});

describe('toSVG', () => {
  it('draws the shown links, nodes and labels, escaped, and leaves out what lies off the frame', () => {
    const n = decodeNetwork(accounts());
    const svg = toSVG(n, {
      w: 100, h: 50,
      shown: visibility(n, { minWeight: 3 }),
      project: (i) => [n.x[i] * 2, n.y[i] * 2, 3],
      edgeStyle: () => ({ colour: '#123456', opacity: 0.5, width: 2 }),
      nodeColour: () => '#abcdef',
      labels: [{ i: 0, text: 'علی <&> "رضا"' }],
      title: 'run & view',
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"')).toBe(true);
    expect(svg).toContain('<title>run &amp; view</title>');
    expect((svg.match(/<line /g) || []).length).toBe(2); // weights 5 and 4
    expect((svg.match(/<circle /g) || []).length).toBe(3);
    expect(svg).toContain('stroke-opacity="0.5"');
    expect(svg).toContain('علی &lt;&amp;&gt; &quot;رضا&quot;');
  });
});
