// A linear time axis in UTC, pure: where times fall and where the ticks
// go, at units a reader counts in (hours, days, weeks, months, years).
// Labels are digits and separators only (2024-02-09, 02-09 05:00), so
// they read the same in every language and direction.

const H = 3600000;
const D = 24 * H;

// The steps a tick may take, smallest first: fixed lengths, then
// calendar months and years.
const steps = [
  { ms: H, unit: 'hour', n: 1 },
  { ms: 2 * H, unit: 'hour', n: 2 },
  { ms: 3 * H, unit: 'hour', n: 3 },
  { ms: 6 * H, unit: 'hour', n: 6 },
  { ms: 12 * H, unit: 'hour', n: 12 },
  { ms: D, unit: 'day', n: 1 },
  { ms: 2 * D, unit: 'day', n: 2 },
  { ms: 7 * D, unit: 'week', n: 1 },
  { ms: 14 * D, unit: 'week', n: 2 },
  { ms: 30 * D, unit: 'month', n: 1 },
  { ms: 61 * D, unit: 'month', n: 2 },
  { ms: 91 * D, unit: 'month', n: 3 },
  { ms: 182 * D, unit: 'month', n: 6 },
  { ms: 365 * D, unit: 'year', n: 1 },
  { ms: 2 * 365 * D, unit: 'year', n: 2 },
  { ms: 5 * 365 * D, unit: 'year', n: 5 },
  { ms: 10 * 365 * D, unit: 'year', n: 10 },
  { ms: 20 * 365 * D, unit: 'year', n: 20 },
  { ms: 50 * 365 * D, unit: 'year', n: 50 },
  { ms: 100 * 365 * D, unit: 'year', n: 100 },
];

// bucketOf is the length in ms of a series' buckets: 'hour' or 'day' as
// the server counted them, else the smallest gap between two of its
// starts (at most a day), else a day.
export function bucketOf(series, bucket) {
  if (bucket === 'hour') return H;
  if (bucket === 'day') return D;
  let gap = D;
  for (let i = 1; i < series.length; i++) gap = Math.min(gap, +new Date(series[i].t) - +new Date(series[i - 1].t) || D);
  return gap < D ? H : D;
}

// domain is the time span the axis shows: from the first bucket's start
// to the last one's end; a lone bucket gets one bucket's room either side.
export function domain(series, bucket) {
  if (!series.length) return [0, 1];
  const t0 = +new Date(series[0].t);
  const t1 = +new Date(series[series.length - 1].t) + bucket;
  return series.length === 1 ? [t0 - bucket, t1 + bucket] : [t0, t1];
}

// step chooses the smallest tick step that puts at most max ticks in
// [t0, t1].
export function step(t0, t1, max = 8) {
  const span = t1 - t0;
  return steps.find((s) => span / s.ms <= max) || steps[steps.length - 1];
}

const pad = (n) => String(n).padStart(2, '0');

// first returns the first tick at or after t for step s (UTC): whole hours
// of the step, midnights, Mondays, first days of months, Januaries.
function first(t, s) {
  const d = new Date(t);
  switch (s.unit) {
    case 'hour':
      return Math.ceil(t / s.ms) * s.ms;
    case 'day':
      return Math.ceil(t / D) * D;
    case 'week': {
      const m = Math.ceil(t / D) * D;
      const dow = (new Date(m).getUTCDay() + 6) % 7; // 0 = Monday
      return m + ((7 - dow) % 7) * D;
    }
    case 'month': {
      let y = d.getUTCFullYear();
      let mo = d.getUTCMonth();
      if (Date.UTC(y, mo, 1) < t) mo++;
      mo = Math.ceil(mo / s.n) * s.n;
      y += Math.floor(mo / 12);
      return Date.UTC(y, mo % 12, 1);
    }
    default: {
      let y = d.getUTCFullYear();
      if (Date.UTC(y, 0, 1) < t) y++;
      return Date.UTC(Math.ceil(y / s.n) * s.n, 0, 1);
    }
  }
}

function after(t, s) {
  const d = new Date(t);
  if (s.unit === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + s.n, 1);
  if (s.unit === 'year') return Date.UTC(d.getUTCFullYear() + s.n, 0, 1);
  return t + s.ms;
}

// label names a tick for step s: its hour (with its date at the first tick
// and where the date changes), its date (with the year at the first tick
// and where it changes), its month or its year.
function label(t, s, prev) {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const md = pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
  const p = prev === undefined ? null : new Date(prev);
  switch (s.unit) {
    case 'hour': {
      const hm = pad(d.getUTCHours()) + ':00';
      return !p || p.getUTCDate() !== d.getUTCDate() || p.getUTCMonth() !== d.getUTCMonth() ? md + ' ' + hm : hm;
    }
    case 'day':
    case 'week':
      return !p || p.getUTCFullYear() !== y ? y + '-' + md : md;
    case 'month':
      return y + '-' + pad(d.getUTCMonth() + 1);
    default:
      return String(y);
  }
}

// ticks returns the ticks of [t0, t1]: [{t, label}], at most about max.
export function ticks(t0, t1, max = 8) {
  const s = step(t0, t1, max);
  const out = [];
  for (let t = first(t0, s); t <= t1 && out.length <= max + 1; t = after(t, s)) {
    out.push({ t, label: label(t, s, out.length ? out[out.length - 1].t : undefined) });
  }
  return out;
}

// scale maps a time in [t0, t1] to [x0, x1].
export const scale = (t0, t1, x0, x1) => (t) => x0 + ((+new Date(t) - t0) / (t1 - t0 || 1)) * (x1 - x0);
