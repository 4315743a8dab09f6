// Display helpers, pure: every function takes the language and time zone
// it formats for (lib/i18n.svelte.js passes the user's). Numbers keep
// Latin digits in every language the UI has; times are shown in the
// user's zone and carry their UTC form for exact citation.

const nfs = new Map();
function nf(lang) {
  let f = nfs.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'ur' ? 'ur-PK' : lang || 'en', { numberingSystem: 'latn' });
    nfs.set(lang, f);
  }
  return f;
}

export const num = (n, lang = 'en') => (n === undefined || n === null || n === '' ? '' : nf(lang).format(n));

// utc is a time as "2024-02-08 10:11:12 UTC" (to the second).
export function utc(t) {
  if (!t && t !== 0) return '';
  const d = new Date(t);
  if (isNaN(d)) return String(t);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
}

const dtfs = new Map();
function dtf(zone) {
  let f = dtfs.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset',
      });
    } catch {
      f = null; // an unknown zone: UTC
    }
    dtfs.set(zone, f);
  }
  return f;
}

// local is a time in zone as "2024-02-08 15:11:12 UTC+5" (ISO order, to
// the second, with the zone's offset), or utc(t) when zone is UTC,
// empty or unknown.
export function local(t, zone) {
  if (!t && t !== 0) return '';
  const d = new Date(t);
  if (isNaN(d)) return String(t);
  if (!zone || zone === 'UTC' || zone === 'Etc/UTC') return utc(d);
  const f = dtf(zone);
  if (!f) return utc(d);
  const p = {};
  for (const x of f.formatToParts(d)) p[x.type] = x.value;
  const off = (p.timeZoneName || 'GMT').replace(/^GMT/, 'UTC');
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${off === 'UTC' ? 'UTC+0' : off}`;
}

export function bytes(n) {
  if (n === undefined || n === null) return '';
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

// Right-to-left scripts and the languages written in them.
const rtlLangs = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ku-arab', 'pa-arab', 'ps', 'sd', 'ug', 'ur', 'yi']);
const rtlChar = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/gu;
const ltrChar = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u0900-\u0DFF\u0E00-\u0FFF\u3040-\u9FFF]/gu;

// langDir is the direction of a language tag, or '' when unknown.
export function langDir(lang) {
  if (!lang) return '';
  const l = String(lang).toLowerCase();
  if (rtlLangs.has(l) || rtlLangs.has(l.split('-')[0])) return 'rtl';
  if (/^(und|zxx|qme|qht|art)/.test(l)) return '';
  return 'ltr';
}

// textDir is the direction to lay a piece of user text out in: its
// language's, where the platform gave one; else the direction of most
// of its letters, mentions, hashtags and links left out (an Urdu post
// that starts with @handle or NA-56 is still Urdu). Text without letters
// gets '' (the reader's).
export function textDir(s, lang) {
  const d = langDir(lang);
  if (d) return d;
  if (!s) return '';
  const t = String(s).replace(/https?:\/\/\S+|[@#][\p{L}\p{N}_]+/gu, ' ');
  const r = (t.match(rtlChar) || []).length;
  const l = (t.match(ltrChar) || []).length;
  if (!r && !l) return '';
  return r > l ? 'rtl' : 'ltr';
}

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

// noteLines splits a signed note (a checkpoint) into lines of tokens, so
// that each token is shown isolated: a signature that starts with "/4"
// stays "/4…" beside an organisation's Urdu name.
export function noteLines(text) {
  return String(text || '')
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => line.split(' '));
}

// searchKey folds a name, handle or id for searching, as tahqiq folds
// text for comparing it (internal/textnorm Fold): NFKC, lower case, no
// "@" in front, without tatweel, zero-width and bidirectional controls
// and harakat, Arabic letter forms to the Urdu ones (ي ى ئ → ی, ك → ک,
// ه ە ھ ۀ ۂ → ہ, آ أ إ ٱ → ا, ؤ → و), Arabic-Indic digits to 0-9. So
// "علي" finds "علی رضا", and "ذمل" the name written "ذمـــــــــل".
export function searchKey(s) {
  if (!s) return '';
  let out = '';
  for (const ch of String(s).normalize('NFKC').toLowerCase()) {
    const r = ch.codePointAt(0);
    if (r === 0x0640 || (r >= 0x200b && r <= 0x200f) || r === 0xfeff || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)) continue;
    if ((r >= 0x064b && r <= 0x065f) || r === 0x0670 || (r >= 0x06d6 && r <= 0x06dc) || (r >= 0x06df && r <= 0x06e4) ||
      r === 0x06e7 || r === 0x06e8 || (r >= 0x06ea && r <= 0x06ed) || (r >= 0x0610 && r <= 0x061a)) continue;
    if (r === 0x064a || r === 0x0649 || r === 0x0626) out += '\u06cc';
    else if (r === 0x0643) out += '\u06a9';
    else if (r === 0x0647 || r === 0x06d5 || r === 0x06be || r === 0x06c0 || r === 0x06c2) out += '\u06c1';
    else if (r === 0x0622 || r === 0x0623 || r === 0x0625 || r === 0x0671) out += '\u0627';
    else if (r === 0x0624) out += '\u0648';
    else if (r === 0x06d3) out += '\u06cc\u06d2';
    else if (r >= 0x0660 && r <= 0x0669) out += String.fromCharCode(48 + r - 0x0660);
    else if (r >= 0x06f0 && r <= 0x06f9) out += String.fromCharCode(48 + r - 0x06f0);
    else out += ch;
  }
  return out.replace(/^@/, '').trim();
}

// accountMatches reports whether a run's account (a node of the graph:
// id, label, handle, name) is what q, folded by searchKey, looks for: a
// part of its handle, name or UID.
export function accountMatches(n, q) {
  const k = searchKey(q);
  if (!k) return true;
  return [n.handle, n.name, n.id, n.label].some((x) => x && searchKey(x).includes(k));
}

// accountLabel is how people know an account, as the run's files label it
// (coord.AccountName.Label): "@handle", else its name, else its UID.
export const accountLabel = (a) => (a.handle ? '@' + a.handle : a.name || a.uid || a.id || '');
