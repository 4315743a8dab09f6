// The network view's renderer: WebGL 2, no library. Positions come with
// the data (laid out on the server), so the browser only draws: links as
// instanced quads, nodes as point sprites, labels on a 2D canvas above.
// Panning and zooming change two uniforms and draw again; filters and
// selections rewrite the colour buffers (a few bytes a link), nothing is
// laid out or indexed here. Picking is a scan of the projected positions
// on click (a few milliseconds for 100,000 links): a node under the
// pointer wins, else the nearest link within a few pixels.

import { textDir } from './format.js';

// links: 1-pixel lines for the many (one draw of the visible ones,
// through an index buffer), quads for the few drawn wider (the selection,
// the links between communities). SwiftShader, the software WebGL of a
// server without a GPU, is slow with instanced quads: 20,000 of them took
// 20 times as long as lines.
const LINE_VS = `#version 300 es
layout(location=0) in vec2 a_pos;
layout(location=1) in vec4 a_color;
uniform vec2 u_center;
uniform float u_scale;
uniform vec2 u_half;
out vec4 v_color;
void main() {
  gl_Position = vec4((a_pos - u_center) * u_scale / u_half, 0.0, 1.0);
  v_color = vec4(a_color.rgb * a_color.a, a_color.a);
}`;

const QUAD_VS = `#version 300 es
layout(location=0) in vec2 a_self;
layout(location=1) in vec2 a_other;
layout(location=2) in float a_side;
layout(location=3) in float a_width;
layout(location=4) in vec4 a_color;
uniform vec2 u_center;
uniform float u_scale;
uniform vec2 u_half;
uniform float u_widthScale;
out vec4 v_color;
void main() {
  vec2 p0 = (a_self - u_center) * u_scale;
  vec2 p1 = (a_other - u_center) * u_scale;
  vec2 d = p1 - p0;
  float len = length(d);
  vec2 n = len > 0.0 ? vec2(-d.y, d.x) / len : vec2(0.0, 1.0);
  vec2 p = p0 + n * a_side * a_width * u_widthScale * 0.5;
  gl_Position = vec4(p / u_half, 0.0, 1.0);
  v_color = vec4(a_color.rgb * a_color.a, a_color.a);
}`;

const EDGE_FS = `#version 300 es
precision mediump float;
in vec4 v_color;
out vec4 o;
void main() { o = v_color; }`;

const NODE_VS = `#version 300 es
layout(location=0) in vec2 a_pos;
layout(location=1) in vec4 a_color;
layout(location=2) in float a_size;
uniform vec2 u_center;
uniform float u_scale;
uniform vec2 u_half;
uniform float u_sizeScale;
uniform float u_maxPoint;
out vec4 v_color;
out float v_size;
void main() {
  vec2 p = (a_pos - u_center) * u_scale;
  gl_Position = vec4(p / u_half, 0.0, 1.0);
  float s = min(a_size * u_sizeScale, u_maxPoint);
  gl_PointSize = s;
  v_size = s;
  v_color = a_color;
}`;

const NODE_FS = `#version 300 es
precision mediump float;
in vec4 v_color;
in float v_size;
out vec4 o;
void main() {
  if (v_size < 0.5) discard;
  vec2 c = gl_PointCoord * 2.0 - 1.0;
  float r = length(c);
  if (r > 1.0) discard;
  float ring = 1.0 - 2.0 / max(v_size, 2.0);
  vec3 col = r > ring ? mix(v_color.rgb, vec3(1.0), 0.75) : v_color.rgb;
  float aa = clamp((1.0 - r) * v_size * 0.5, 0.0, 1.0) * v_color.a;
  o = vec4(col * aa, aa);
}`;

// compile starts a program; ready() says when it is linked (without
// waiting for it where the browser compiles in parallel: a compile in
// software can take a tenth of a second).
function compile(gl, vs, fs, par) {
  const p = gl.createProgram();
  const shaders = [];
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const sh = gl.createShader(type);
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    gl.attachShader(p, sh);
    shaders.push(sh);
  }
  gl.linkProgram(p);
  const prog = { p, u: null };
  prog.ready = () => {
    if (prog.u) return true;
    if (par && !gl.getProgramParameter(p, par.COMPLETION_STATUS_KHR)) return false;
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) {
      throw new Error('program: ' + gl.getProgramInfoLog(p) + shaders.map((sh) => gl.getShaderInfoLog(sh)).join(' '));
    }
    const u = {};
    const n = gl.getProgramParameter(p, gl.ACTIVE_UNIFORMS);
    for (let i = 0; i < n; i++) {
      const name = gl.getActiveUniform(p, i).name;
      u[name] = gl.getUniformLocation(p, name);
    }
    prog.u = u;
    return true;
  };
  return prog;
}

// hexRGB turns #rrggbb into [r, g, b] bytes.
export function hexRGB(h) {
  const v = parseInt(h.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

const FADED = hexRGB('#dde1e6');
const SELECTED_EDGE = hexRGB('#d2691e');
const NEAR_EDGE = hexRGB('#36506e');
const CROSS_EDGE = hexRGB('#7d8794');

export class NetRenderer {
  // box: the element to draw in; opts: colour(community) -> '#rrggbb',
  // label(node) -> text, onClick({node} | {edge} | {}), font, onFrame.
  constructor(box, opts) {
    this.box = box;
    this.opts = opts;
    this.canvas = document.createElement('canvas');
    this.labels = document.createElement('canvas');
    for (const c of [this.canvas, this.labels]) {
      c.style.transformOrigin = '0 0';
      c.style.position = 'absolute';
      c.style.inset = '0';
      c.style.width = '100%';
      c.style.height = '100%';
      box.appendChild(c);
    }
    this.labels.style.pointerEvents = 'none';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.labels.setAttribute('aria-hidden', 'true');
    // preserveDrawingBuffer: a large view is drawn over several frames
    const gl = this.canvas.getContext('webgl2', { antialias: !!opts.antialias, premultipliedAlpha: true, alpha: false, preserveDrawingBuffer: true });
    if (!gl) throw new Error('webgl2');
    this.gl = gl;
    // the labels' canvas is drawn by the CPU (willReadFrequently): a canvas
    // drawn by the GPU would wait, in software WebGL, for the links' frame
    // to finish before taking its next command, and block the page
    this.ctx = this.labels.getContext('2d', { willReadFrequently: true });
    this.programs();
    this.maxPoint = gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE)[1] || 64;
    this.frames = 0; // frames the view changed in (drawn, or its picture moved)
    this.draws = 0; // frames drawn
    this.firstFrame = 0;
    this.cam = { cx: 0, cy: 0, scale: 1 };
    this.fitScale = 1;
    this.net = null;
    this.state = {};
    this.anim = null;
    this.pending = false;
    this.drawn = []; // labels of the last frame: [{i, text}]
    this.w = 1;
    this.h = 1;
    this.dpr = 1;
    this.commColours = new Map();
    this.resize();
    this.ro = new ResizeObserver(() => {
      this.resize();
      this.render();
    });
    this.ro.observe(box);
    this.bindInput();
  }

  programs() {
    const par = this.gl.getExtension('KHR_parallel_shader_compile');
    this.lineProg = compile(this.gl, LINE_VS, EDGE_FS, par);
    this.quadProg = compile(this.gl, QUAD_VS, EDGE_FS, par);
    this.nodeProg = compile(this.gl, NODE_VS, NODE_FS, par);
    // without the parallel-compile extension, the first question about a
    // program waits for its compile: ask it now, one program a task, while
    // the view downloads, not in the task of the first frame
    if (!par) {
      const progs = [this.lineProg, this.nodeProg, this.quadProg];
      const next = () => {
        const p = progs.shift();
        if (!p || this.gl.isContextLost()) return;
        try {
          p.ready();
        } catch {
          return; // draw() reports it
        }
        setTimeout(next, 0);
      };
      setTimeout(next, 0);
    }
  }

  colour(c) {
    let v = this.commColours.get(c);
    if (!v) {
      v = hexRGB(this.opts.colour(c));
      this.commColours.set(c, v);
    }
    return v;
  }

  resize() {
    const r = this.box.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    this.w = Math.max(1, Math.round(r.width));
    this.h = Math.max(1, Math.round(r.height));
    for (const c of [this.canvas, this.labels]) {
      c.width = Math.round(this.w * this.dpr);
      c.height = Math.round(this.h * this.dpr);
    }
    if (this.net && !this.userMoved) this.fit(false);
  }

  // setData uploads a view (a Net of lib/network.js) and fits it.
  setData(net) {
    const gl = this.gl;
    this.net = net;
    this.userMoved = false;
    this.firstFrame = 0; // of this view
    this.labelWidth = new Float32Array(net.n).fill(-1);
    // nodes drawn small first, so that large ones lie on top; labels
    // offered largest first
    this.order = Int32Array.from({ length: net.n }, (_, i) => i).sort((a, b) => net.size[a] - net.size[b]);
    this.byImportance = this.order.slice().reverse();
    this.rank = new Int32Array(net.n);
    for (let j = 0; j < net.n; j++) this.rank[this.order[j]] = j;
    this.hover = -1;
    const pos = new Float32Array(2 * net.n);
    for (let i = 0; i < net.n; i++) {
      pos[2 * i] = net.x[this.order[i]];
      pos[2 * i + 1] = net.y[this.order[i]];
    }
    const ends = new Float32Array(4 * net.m);
    for (let k = 0; k < net.m; k++) {
      const a = net.source[k];
      const b = net.target[k];
      ends[4 * k] = net.x[a];
      ends[4 * k + 1] = net.y[a];
      ends[4 * k + 2] = net.x[b];
      ends[4 * k + 3] = net.y[b];
    }
    this.free();
    const buf = (data, usage = gl.STATIC_DRAW, target = gl.ARRAY_BUFFER) => {
      const b = gl.createBuffer();
      gl.bindBuffer(target, b);
      gl.bufferData(target, data, usage);
      return b;
    };
    this.nodeColors = new Uint8Array(4 * net.n);
    this.nodeSizes = new Float32Array(net.n);
    // each node's colour (its community's) and size, each link's weight
    // share, once per view: a restyle reads them
    this.rgb = new Uint8Array(3 * net.n);
    this.baseSize = new Float32Array(net.n);
    for (let i = 0; i < net.n; i++) {
      const c = this.colour(net.community[i]);
      this.rgb[3 * i] = c[0];
      this.rgb[3 * i + 1] = c[1];
      this.rgb[3 * i + 2] = c[2];
      const sz = Math.sqrt(net.size[i] / net.maxSize);
      this.baseSize[i] = net.view === 'communities' ? 6 + 34 * sz : 3 + 11 * sz;
    }
    this.wshare = new Float32Array(net.m);
    for (let k = 0; k < net.m; k++) this.wshare[k] = Math.sqrt(net.weight[k] / net.maxWeight);
    // a link's style: its colour and opacity, and its width in pixels (0:
    // hidden, 1: a line, more: a quad)
    this.edgeColors = new Uint8Array(4 * net.m);
    this.edgeWidths = new Float32Array(net.m);
    this.lineColors = new Uint8Array(8 * net.m);
    this.lineIndex = new Uint32Array(2 * net.m);
    this.lines = 0;
    this.quads = 0;
    this.b = {
      ends: buf(ends),
      lcol: buf(this.lineColors, gl.DYNAMIC_DRAW),
      lidx: buf(this.lineIndex, gl.DYNAMIC_DRAW, gl.ELEMENT_ARRAY_BUFFER),
      quad: gl.createBuffer(),
      qcol: gl.createBuffer(),
      pos: buf(pos),
      ncol: buf(this.nodeColors, gl.DYNAMIC_DRAW),
      nsize: buf(this.nodeSizes, gl.DYNAMIC_DRAW),
    };
    const attr = (loc, b, size, type, norm, stride = 0, offset = 0) => {
      gl.bindBuffer(gl.ARRAY_BUFFER, b);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, type, norm, stride, offset);
    };
    this.lineVAO = gl.createVertexArray();
    gl.bindVertexArray(this.lineVAO);
    attr(0, this.b.ends, 2, gl.FLOAT, false);
    attr(1, this.b.lcol, 4, gl.UNSIGNED_BYTE, true);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.b.lidx);
    this.quadVAO = gl.createVertexArray();
    gl.bindVertexArray(this.quadVAO);
    attr(0, this.b.quad, 2, gl.FLOAT, false, 24, 0);
    attr(1, this.b.quad, 2, gl.FLOAT, false, 24, 8);
    attr(2, this.b.quad, 1, gl.FLOAT, false, 24, 16);
    attr(3, this.b.quad, 1, gl.FLOAT, false, 24, 20);
    attr(4, this.b.qcol, 4, gl.UNSIGNED_BYTE, true);
    this.nodeVAO = gl.createVertexArray();
    gl.bindVertexArray(this.nodeVAO);
    attr(0, this.b.pos, 2, gl.FLOAT, false);
    attr(1, this.b.ncol, 4, gl.UNSIGNED_BYTE, true);
    attr(2, this.b.nsize, 1, gl.FLOAT, false);
    gl.bindVertexArray(null);
    this.fit(false);
  }

  free() {
    const gl = this.gl;
    if (this.b) for (const b of Object.values(this.b)) gl.deleteBuffer(b);
    for (const v of [this.lineVAO, this.quadVAO, this.nodeVAO]) if (v) gl.deleteVertexArray(v);
    this.b = null;
    this.lineVAO = this.quadVAO = this.nodeVAO = null;
  }

  // setState restyles: shown {nodes, edges} masks, the selected node and
  // link, a community brought forward, the node under the pointer.
  setState(st) {
    this.state = st;
    const net = this.net;
    if (!net) return;
    const shown = st.shown;
    const sel = st.node ?? -1;
    const selE = st.edge ?? -1;
    const hc = st.community ?? null;
    let near = null;
    if (sel >= 0) near = net.neighbours(sel);
    this.near = near;
    const ends = selE >= 0 ? [net.source[selE], net.target[selE]] : null;
    const focus = sel >= 0 || selE >= 0 || hc !== null;
    const isComm = net.view === 'communities';
    // nodes
    const ns = this.nodeSizes;
    const nc = this.nodeColors;
    const rgb = this.rgb;
    const com = net.community;
    for (let j = 0; j < net.n; j++) {
      const i = this.order[j];
      ns[j] = !shown || shown.nodes[i] ? this.baseSize[i] : 0;
      let lit = true;
      if (sel >= 0) lit = i === sel || near.has(i);
      else if (ends) lit = i === ends[0] || i === ends[1];
      else if (hc !== null) lit = com[i] === hc;
      if (lit || !focus) {
        nc[4 * j] = rgb[3 * i];
        nc[4 * j + 1] = rgb[3 * i + 1];
        nc[4 * j + 2] = rgb[3 * i + 2];
      } else {
        nc[4 * j] = FADED[0];
        nc[4 * j + 1] = FADED[1];
        nc[4 * j + 2] = FADED[2];
      }
      nc[4 * j + 3] = 255;
      if (focus && (i === sel || (ends && (i === ends[0] || i === ends[1])))) ns[j] = Math.max(ns[j], 10);
    }
    // links
    const ec = this.edgeColors;
    const ew = this.edgeWidths;
    const src = net.source;
    const dst = net.target;
    const flagged = !isComm && net.flagged;
    const sh = shown && shown.edges;
    for (let k = 0; k < net.m; k++) {
      const a = src[k];
      const b = dst[k];
      const w = this.wshare[k];
      // between communities the width tells the summed weight; the many
      // light ones stay lines (a quad costs far more in software WebGL)
      let width = isComm ? 1 + 10 * w : 1;
      if (width < 2) width = 1;
      let r, g, bl, alpha;
      if (!isComm && com[a] === com[b] && com[a] >= 0) {
        r = rgb[3 * a];
        g = rgb[3 * a + 1];
        bl = rgb[3 * a + 2];
        alpha = 0.3 + 0.55 * w;
      } else {
        r = CROSS_EDGE[0];
        g = CROSS_EDGE[1];
        bl = CROSS_EDGE[2];
        alpha = isComm ? 0.45 : 0.18 + 0.5 * w;
      }
      if (flagged && !flagged[k]) alpha *= 0.45;
      if (focus) {
        if (k === selE) {
          [r, g, bl] = SELECTED_EDGE;
          alpha = 1;
          width = Math.max(width, 4);
        } else if (sel >= 0) {
          if (a === sel || b === sel) {
            [r, g, bl] = NEAR_EDGE;
            alpha = 0.9;
            width = Math.max(width, 1.5 + 2 * w);
          } else alpha = 0.04;
        } else if (ends) alpha = 0.05;
        else if (hc !== null && !(com[a] === hc && com[b] === hc)) alpha = 0.05;
      }
      if (sh && !sh[k]) width = 0;
      ec[4 * k] = r;
      ec[4 * k + 1] = g;
      ec[4 * k + 2] = bl;
      ec[4 * k + 3] = Math.round(alpha * 255);
      ew[k] = width;
    }
    this.uploadLinks();
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.b.ncol);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, nc);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.b.nsize);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, ns);
    this.render();
  }

  // uploadLinks writes the links' styles to the GPU: the lines' colours
  // and the index of those drawn as lines, the quads of the wider ones.
  uploadLinks() {
    const gl = this.gl;
    const net = this.net;
    const ec = this.edgeColors;
    const ew = this.edgeWidths;
    const lc = this.lineColors;
    const li = this.lineIndex;
    let lines = 0;
    let quads = 0;
    for (let k = 0; k < net.m; k++) {
      const o = 8 * k;
      const e = 4 * k;
      lc[o] = lc[o + 4] = ec[e];
      lc[o + 1] = lc[o + 5] = ec[e + 1];
      lc[o + 2] = lc[o + 6] = ec[e + 2];
      lc[o + 3] = lc[o + 7] = ec[e + 3];
      if (ew[k] <= 0 || ec[4 * k + 3] === 0) continue;
      if (ew[k] > 1) quads++;
      else {
        li[2 * lines] = 2 * k;
        li[2 * lines + 1] = 2 * k + 1;
        lines++;
      }
    }
    // a quad: two triangles, six corners of (self, other, side, width)
    const qv = new Float32Array(36 * quads);
    const qc = new Uint8Array(24 * quads);
    let q = 0;
    for (let k = 0; k < net.m && q < quads; k++) {
      if (ew[k] <= 1 || ec[4 * k + 3] === 0) continue;
      const a = net.source[k];
      const b = net.target[k];
      const corners = [[a, b, 1], [a, b, -1], [b, a, -1], [a, b, -1], [b, a, -1], [b, a, 1]];
      for (let c = 0; c < 6; c++) {
        const [s0, o0, side] = corners[c];
        const o = 6 * (6 * q + c);
        qv[o] = net.x[s0];
        qv[o + 1] = net.y[s0];
        qv[o + 2] = net.x[o0];
        qv[o + 3] = net.y[o0];
        qv[o + 4] = side;
        qv[o + 5] = ew[k];
        qc.set(ec.subarray(4 * k, 4 * k + 4), 4 * (6 * q + c));
      }
      q++;
    }
    this.lines = lines;
    this.quads = quads;
    // what software WebGL draws in well under a frame (about 16 ms)
    this.heavy = lines + 8 * quads + net.n / 4 > 8000;
    this.chunk = 4000;
    this.progress = 0;
    this.slow = false;
    this.drawGap = 0;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.b.lcol);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, lc);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.b.lidx);
    gl.bufferSubData(gl.ELEMENT_ARRAY_BUFFER, 0, li, 0, 2 * lines);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.b.quad);
    gl.bufferData(gl.ARRAY_BUFFER, qv, gl.DYNAMIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.b.qcol);
    gl.bufferData(gl.ARRAY_BUFFER, qc, gl.DYNAMIC_DRAW);
  }

  // zoom is how far the view is zoomed in from the fitted one.
  zoom() {
    return this.cam.scale / this.fitScale;
  }

  // bounds of the nodes of mask (null: every node), or of the shown ones
  // when mask is undefined.
  bounds(mask) {
    const net = this.net;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const m = mask === undefined ? this.state.shown?.nodes : mask;
    for (let i = 0; i < net.n; i++) {
      if (m && !m[i]) continue;
      x0 = Math.min(x0, net.x[i]);
      x1 = Math.max(x1, net.x[i]);
      y0 = Math.min(y0, net.y[i]);
      y1 = Math.max(y1, net.y[i]);
    }
    if (x0 === Infinity) return mask === null ? [-1, -1, 1, 1] : this.bounds(null);
    return [x0, y0, x1, y1];
  }

  // fit frames the shown nodes (or those of mask); fitScale is the scale
  // at which every node of the view fits.
  fit(animated = true, mask = undefined) {
    if (!this.net) return;
    const pad = 24;
    const scaleFor = ([x0, y0, x1, y1]) => Math.min((this.w - 2 * pad) / Math.max(x1 - x0, 1e-6), (this.h - 2 * pad) / Math.max(y1 - y0, 1e-6));
    this.fitScale = Math.max(scaleFor(this.bounds(null)), 1e-9);
    const b = this.bounds(mask);
    const scale = Math.min(Math.max(scaleFor(b), this.fitScale * 0.5), this.fitScale * 40);
    if (mask !== undefined) this.userMoved = true;
    this.moveTo({ cx: (b[0] + b[2]) / 2, cy: (b[1] + b[3]) / 2, scale }, animated);
  }

  // moveTo sets the camera, in about a quarter of a second when animated.
  moveTo(to, animated = true) {
    if (!animated) {
      this.anim = null;
      Object.assign(this.cam, to);
      this.changed();
      return;
    }
    const from = { ...this.cam };
    const t0 = performance.now();
    this.anim = { from, to, t0, ms: 280 };
    this.changed();
  }

  // zoomBy zooms by f about the point (px, py) of the view (its centre
  // when not given).
  zoomBy(f, px = this.w / 2, py = this.h / 2, animated = false) {
    const c = this.anim ? this.anim.to : this.cam;
    const gx = c.cx + (px - this.w / 2) / c.scale;
    const gy = c.cy - (py - this.h / 2) / c.scale;
    const scale = Math.min(Math.max(c.scale * f, this.fitScale * 0.2), this.fitScale * 400);
    this.userMoved = true;
    this.moveTo({ scale, cx: gx - (px - this.w / 2) / scale, cy: gy + (py - this.h / 2) / scale }, animated);
  }

  // focusNode centres node i and zooms in to it.
  focusNode(i, zoom = 8) {
    if (!this.net || i < 0) return;
    this.userMoved = true;
    this.moveTo({ cx: this.net.x[i], cy: this.net.y[i], scale: Math.max(this.cam.scale, this.fitScale * zoom) });
  }

  // project gives node i on screen: CSS pixels from the view's top left,
  // and its radius.
  project(i) {
    const c = this.cam;
    const size = this.nodeSizes[this.rank[i]];
    return [this.w / 2 + (this.net.x[i] - c.cx) * c.scale, this.h / 2 - (this.net.y[i] - c.cy) * c.scale, (size * this.sizeScale()) / 2];
  }

  sizeScale() {
    return Math.min(Math.max(Math.pow(this.zoom(), 0.5), 0.6), 5);
  }

  widthScale() {
    return Math.min(Math.max(Math.pow(this.zoom(), 0.3), 0.7), 3);
  }

  // render draws the view again on the next animation frame (a change of
  // data, style or size); changed asks for a frame after the camera moved.
  // A large view (heavy) does not draw every frame while it moves: it
  // moves the picture last drawn (a CSS transform of both canvases, which
  // the compositor applies at once) and draws again, sharp, when the
  // movement pauses. Small views draw every frame.
  render() {
    this.wantFull = true;
    this.schedule();
  }

  changed() {
    this.schedule();
  }

  schedule() {
    if (this.pending || !this.net) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.tick();
    });
  }

  tick() {
    if (this.anim) {
      const a = this.anim;
      const t = Math.min(1, (performance.now() - a.t0) / a.ms);
      const e = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
      this.cam.cx = a.from.cx + (a.to.cx - a.from.cx) * e;
      this.cam.cy = a.from.cy + (a.to.cy - a.from.cy) * e;
      this.cam.scale = a.from.scale * Math.pow(a.to.scale / a.from.scale, e);
      if (t >= 1) {
        this.anim = null;
        if (this.heavy) this.wantFull = true;
      } else this.schedule();
    }
    if (this.progress < this.lines && !this.wantFull && this.drawnCam && this.sameCam()) {
      // the rest of a picture drawn over several frames; a chunk that
      // took long makes the next one smaller
      const now = performance.now();
      const dt = now - this.lastChunk;
      if (dt > 120) this.chunk = Math.max(1000, Math.floor(this.chunk / 2));
      else if (dt < 50) this.chunk = Math.min(100000, Math.floor(this.chunk * 1.5));
      this.draw(false);
      return;
    }
    const moving = !this.wantFull;
    if (this.wantFull || !(this.heavy || this.slow) || !this.drawnCam) {
      // a view drawn every frame that cannot keep 40 frames a second on
      // this machine moves as a picture from now on
      const now = performance.now();
      if (moving && this.lastDraw && now - this.lastDraw < 200) {
        this.drawGap = this.drawGap ? 0.7 * this.drawGap + 0.3 * (now - this.lastDraw) : now - this.lastDraw;
        if (this.drawGap > 25) this.slow = true;
      }
      this.lastDraw = now;
      this.draw();
      return;
    }
    this.moveDrawn();
    this.frames++;
    if (this.opts.onFrame) this.opts.onFrame(this.frames);
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.render(), 150);
  }

  sameCam() {
    const d = this.drawnCam;
    const c = this.cam;
    return d.cx === c.cx && d.cy === c.cy && d.scale === c.scale;
  }

  // moveDrawn places the last picture where the camera now puts it.
  moveDrawn() {
    const d = this.drawnCam;
    const c = this.cam;
    const k = c.scale / d.scale;
    const tx = this.w / 2 - (k * this.w) / 2 + (d.cx - c.cx) * c.scale;
    const ty = this.h / 2 - (k * this.h) / 2 - (d.cy - c.cy) * c.scale;
    const tr = `translate(${tx}px, ${ty}px) scale(${k})`;
    for (const cv of [this.canvas, this.labels]) cv.style.transform = tr;
  }

  // draw draws the view: from the start (fresh), or the next chunk of a
  // large view's links. A view of many links is drawn over several frames,
  // heaviest links first (a browser without a GPU waits, on its main
  // thread, for each frame's picture: a frame of 100,000 links would hold
  // the page for seconds); the nodes are drawn over every chunk.
  draw(fresh = true) {
    const gl = this.gl;
    const net = this.net;
    if (!net || gl.isContextLost()) return;
    if (![this.lineProg, this.quadProg, this.nodeProg].every((p) => p.ready())) {
      this.schedule(); // still compiling: the next frame
      return;
    }
    this.wantFull = false;
    clearTimeout(this.settle);
    const c = this.cam;
    const dpr = this.dpr;
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    if (fresh) {
      gl.clearColor(1, 1, 1, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      this.progress = 0;
    }
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    const half = [this.canvas.width / 2, this.canvas.height / 2];
    const set = (prog) => {
      gl.useProgram(prog.p);
      gl.uniform2f(prog.u.u_center, c.cx, c.cy);
      gl.uniform1f(prog.u.u_scale, c.scale * dpr);
      gl.uniform2f(prog.u.u_half, half[0], half[1]);
    };
    const from = this.progress;
    const count = this.heavy ? Math.min(this.lines - from, this.chunk) : this.lines - from;
    if (count > 0) {
      set(this.lineProg);
      gl.bindVertexArray(this.lineVAO);
      gl.drawElements(gl.LINES, 2 * count, gl.UNSIGNED_INT, 8 * from);
    }
    this.progress = from + count;
    if (this.quads && this.progress >= this.lines) {
      set(this.quadProg);
      gl.uniform1f(this.quadProg.u.u_widthScale, this.widthScale() * dpr);
      gl.bindVertexArray(this.quadVAO);
      gl.drawArrays(gl.TRIANGLES, 0, 6 * this.quads);
    }
    set(this.nodeProg);
    gl.uniform1f(this.nodeProg.u.u_sizeScale, this.sizeScale() * dpr);
    gl.uniform1f(this.nodeProg.u.u_maxPoint, this.maxPoint);
    gl.bindVertexArray(this.nodeVAO);
    gl.drawArrays(gl.POINTS, 0, net.n);
    gl.bindVertexArray(null);
    if (fresh) {
      this.drawLabels();
      this.drawnCam = { ...c };
      for (const cv of [this.canvas, this.labels]) cv.style.transform = '';
      this.frames++;
      if (!this.firstFrame) this.firstFrame = performance.now();
      if (this.opts.onFrame) this.opts.onFrame(this.frames);
    }
    this.draws++;
    this.lastChunk = performance.now();
    if (this.progress < this.lines) this.schedule();
  }

  // drawLabels writes the names of the largest nodes on screen that do
  // not overlap, those of the selection always.
  drawLabels() {
    const ctx = this.ctx;
    const net = this.net;
    const dpr = this.dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.w, this.h);
    this.drawn = [];
    const st = this.state;
    const shown = st.shown;
    const sel = st.node ?? -1;
    const selE = st.edge ?? -1;
    const cell = 12;
    const cols = Math.ceil(this.w / cell) + 1;
    const rows = Math.ceil(this.h / cell) + 1;
    const used = new Uint8Array(cols * rows);
    ctx.font = this.opts.font || '12px sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left'; // beside the node, whatever the page's direction
    ctx.lineWidth = 3;
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    ctx.fillStyle = '#1d2733';
    const minPx = net.view === 'communities' ? 0 : 9;
    const tryLabel = (i, force) => {
      if (shown && !shown.nodes[i]) return false;
      const [x, y, r] = this.project(i);
      if (x < -50 || y < -10 || x > this.w + 10 || y > this.h + 10) return false;
      if (!force && 2 * r < minPx) return false;
      const text = this.opts.label(i);
      if (!text) return false;
      let w = this.labelWidth[i];
      if (w < 0) {
        w = ctx.measureText(text).width;
        this.labelWidth[i] = w;
      }
      const lx = x + r + 3;
      const c0 = Math.max(0, Math.floor((x - r) / cell));
      const c1 = Math.min(cols - 1, Math.floor((lx + w) / cell));
      const r0 = Math.max(0, Math.floor((y - 8) / cell));
      const r1 = Math.min(rows - 1, Math.floor((y + 8) / cell));
      if (!force) {
        for (let rr = r0; rr <= r1; rr++) for (let cc = c0; cc <= c1; cc++) if (used[rr * cols + cc]) return false;
      }
      for (let rr = r0; rr <= r1; rr++) for (let cc = c0; cc <= c1; cc++) used[rr * cols + cc] = 1;
      ctx.direction = textDir(text) === 'rtl' ? 'rtl' : 'ltr'; // an Urdu name reads right to left
      ctx.strokeText(text, lx, y);
      ctx.fillText(text, lx, y);
      this.drawn.push({ i, text });
      return true;
    };
    if (sel >= 0) tryLabel(sel, true);
    if (selE >= 0) {
      tryLabel(net.source[selE], true);
      tryLabel(net.target[selE], true);
    }
    if (this.hover >= 0) tryLabel(this.hover, true);
    const focus = sel >= 0 || selE >= 0;
    const near = sel >= 0 ? this.near : null;
    const max = 160;
    for (let j = 0; j < net.n && this.drawn.length < max; j++) {
      const i = this.byImportance[j];
      if (focus && !(near && near.has(i))) continue;
      if (st.community !== null && st.community !== undefined && net.community[i] !== st.community) continue;
      tryLabel(i, false);
    }
  }

  // pick returns what lies under (px, py): {node}, {edge} or {}.
  pick(px, py) {
    const net = this.net;
    if (!net) return {};
    const shown = this.state.shown;
    const c = this.cam;
    const sx = (i) => this.w / 2 + (net.x[i] - c.cx) * c.scale;
    const sy = (i) => this.h / 2 - (net.y[i] - c.cy) * c.scale;
    const ss = this.sizeScale();
    let best = -1;
    let bd = Infinity;
    for (let j = net.n - 1; j >= 0; j--) {
      const i = this.order[j];
      if (shown && !shown.nodes[i]) continue;
      const r = (this.nodeSizes[j] * ss) / 2;
      const d = Math.hypot(sx(i) - px, sy(i) - py);
      if (d <= r + 1 && d < bd) {
        bd = d;
        best = i;
      }
    }
    if (best >= 0) return { node: best };
    const ws = this.widthScale();
    let be = -1;
    let bde = Infinity;
    for (let k = 0; k < net.m; k++) {
      if (shown && !shown.edges[k]) continue;
      const a = net.source[k];
      const b = net.target[k];
      const ax = sx(a), ay = sy(a), bx = sx(b), by = sy(b);
      const dx = bx - ax, dy = by - ay;
      const l = dx * dx + dy * dy;
      const t = l ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l)) : 0;
      const d = Math.hypot(px - ax - t * dx, py - ay - t * dy);
      const tol = Math.max(4, (this.edgeWidths[k] * ws) / 2 + 2);
      if (d <= tol && d < bde) {
        bde = d;
        be = k;
      }
    }
    return be >= 0 ? { edge: be } : {};
  }

  bindInput() {
    const el = this.canvas;
    el.style.touchAction = 'none';
    const pointers = new Map();
    let down = null;
    let pinch = null;
    let hoverPending = false;
    const local = (e) => {
      const r = el.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    el.addEventListener('pointerdown', (e) => {
      try {
        el.setPointerCapture(e.pointerId);
      } catch {
        // a pointer the browser does not track (a synthetic one)
      }
      const [x, y] = local(e);
      pointers.set(e.pointerId, [x, y]);
      if (pointers.size === 1) down = { x, y, cam: { ...this.cam }, t: performance.now(), moved: false };
      else if (pointers.size === 2) {
        const [p, q] = [...pointers.values()];
        pinch = { d: Math.hypot(p[0] - q[0], p[1] - q[1]), scale: this.cam.scale };
        down = null;
      }
    });
    el.addEventListener('pointermove', (e) => {
      const [x, y] = local(e);
      if (pointers.has(e.pointerId)) pointers.set(e.pointerId, [x, y]);
      if (pinch && pointers.size === 2) {
        const [p, q] = [...pointers.values()];
        const d = Math.hypot(p[0] - q[0], p[1] - q[1]);
        const f = (pinch.scale * d) / pinch.d / this.cam.scale;
        this.zoomBy(f, (p[0] + q[0]) / 2, (p[1] + q[1]) / 2);
        return;
      }
      if (down) {
        const dx = x - down.x;
        const dy = y - down.y;
        if (!down.moved && Math.hypot(dx, dy) < 4) return;
        down.moved = true;
        this.anim = null;
        this.userMoved = true;
        this.cam.cx = down.cam.cx - dx / this.cam.scale;
        this.cam.cy = down.cam.cy + dy / this.cam.scale;
        this.changed();
        return;
      }
      if (!hoverPending && this.net) {
        hoverPending = true;
        requestAnimationFrame(() => {
          hoverPending = false;
          if (!this.net) return;
          const hit = this.pick(x, y);
          el.style.cursor = hit.node !== undefined || hit.edge !== undefined ? 'pointer' : '';
          const h = hit.node ?? -1;
          if (h !== this.hover) {
            this.hover = h;
            // only the labels change: no link is drawn again
            if (this.drawnCam && this.sameCam() && !this.anim) this.drawLabels();
          }
        });
      }
    });
    const up = (e) => {
      const [x, y] = local(e);
      pointers.delete(e.pointerId);
      if (pointers.size < 2) pinch = null;
      if (down && !down.moved && e.type === 'pointerup') this.opts.onClick(this.pick(x, y));
      down = null;
    };
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', up);
    el.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const [x, y] = local(e);
        const unit = e.deltaMode === 1 ? 0.05 : e.deltaMode === 2 ? 0.5 : 0.0015;
        this.zoomBy(Math.exp(-e.deltaY * unit), x, y);
      },
      { passive: false },
    );
    el.addEventListener('dblclick', (e) => {
      const [x, y] = local(e);
      this.zoomBy(2, x, y, true);
    });
    el.addEventListener('webglcontextlost', (e) => e.preventDefault());
    el.addEventListener('webglcontextrestored', () => {
      this.programs();
      if (this.net) {
        const net = this.net;
        this.b = null;
        this.setData(net);
        this.setState(this.state);
      }
    });
  }

  // image returns the view as drawn (links, nodes and labels) on a white
  // 2D canvas, for a PNG.
  image() {
    if (!this.drawnCam || !this.sameCam()) this.draw(true);
    while (this.progress < this.lines) this.draw(false);
    const out = document.createElement('canvas');
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const ctx = out.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(this.canvas, 0, 0);
    ctx.drawImage(this.labels, 0, 0);
    return out;
  }

  destroy() {
    this.ro.disconnect();
    this.free();
    const lose = this.gl.getExtension('WEBGL_lose_context');
    if (lose) lose.loseContext();
    this.canvas.remove();
    this.labels.remove();
    this.net = null;
  }
}
