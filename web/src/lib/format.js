// Display helpers. Numbers and times are shown in the reader's locale;
// times also keep their UTC form in a title for exact citation.

const nf = new Intl.NumberFormat();

export const num = (n) => (n === undefined || n === null ? '' : nf.format(n));

export function time(t) {
  if (!t) return '';
  const d = new Date(t);
  if (isNaN(d)) return String(t);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
}

export function bytes(n) {
  if (n < 1024) return n + ' B';
  const u = ['KiB', 'MiB', 'GiB', 'TiB'];
  let i = -1;
  do {
    n /= 1024;
    i++;
  } while (n >= 1024 && i < u.length - 1);
  return n.toFixed(n < 10 ? 1 : 0) + ' ' + u[i];
}

export const short = (h, n = 12) => (h ? String(h).slice(0, n) : '');

// palette returns a colour for a community number as #rrggbb (the graph's
// WebGL renderer reads hex, not hsl): distinct hues spread by the golden
// angle, so neighbouring numbers differ. Negative: no community, grey.
export function palette(i) {
  if (i === undefined || i === null || i < 0) return '#9aa1ab';
  const h = (i * 137.508) % 360;
  const s = 0.62;
  const l = i % 2 ? 0.42 : 0.52;
  const f = (n) => {
    const k = (n + h / 30) % 12;
    const c = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * c).toString(16).padStart(2, '0');
  };
  return '#' + f(0) + f(8) + f(4);
}

// digitDiff marks the digits of b that differ from a, aligned from the
// right (units under units), for the side-by-side form view. Digits of b
// with no counterpart in a (a digit inserted) are marked; when b is shorter
// than a (a digit dropped) every digit of b is marked, since no position
// lines up any more.
export function digitDiff(a, b) {
  const sa = a === undefined || a === null ? '' : String(a);
  const sb = b === undefined || b === null ? '' : String(b);
  if (sa === '') return [...sb].map((ch) => ({ ch, diff: false }));
  const dropped = sb.length < sa.length;
  return [...sb].map((ch, i) => {
    const ca = sa[sa.length - (sb.length - i)];
    return { ch, diff: dropped || ca !== ch };
  });
}
