// The interface language and time zone. Every string the UI shows comes
// from a catalogue (lib/messages/*.js) through t(); numbers and times
// through num() and when() here, which read the user's language and zone.
// Both are per-user settings stored on the server (PUT
// /api/v1/me/preferences); empty means the browser's own. Before login
// (and until the server answers) the last choice made on this browser is
// used, then the browser's.
import en from './messages/en.js';
import ur from './messages/ur.js';
import * as f from './format.js';

export const catalogues = { en, ur };
export const languages = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'ur', name: 'اردو', dir: 'rtl' },
];

export function browserLang() {
  const ls = (typeof navigator !== 'undefined' && (navigator.languages || [navigator.language])) || [];
  for (const l of ls) {
    const base = String(l || '').toLowerCase().split('-')[0];
    if (catalogues[base]) return base;
  }
  return 'en';
}

export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function saved(key) {
  try {
    return localStorage.getItem(key) || '';
  } catch {
    return '';
  }
}

// locale: chosen* are the user's settings ('' = the browser's); lang and
// zone what is in force.
export const locale = $state({ chosenLang: '', chosenZone: '', lang: 'en', zone: 'UTC' });

export function dir() {
  return languages.find((l) => l.code === locale.lang)?.dir || 'ltr';
}

function resolve() {
  const lang = locale.chosenLang && catalogues[locale.chosenLang] ? locale.chosenLang : browserLang();
  let zone = locale.chosenZone || browserZone();
  if (!f.local(0, zone)) zone = 'UTC';
  locale.lang = lang;
  locale.zone = zone;
  if (typeof document !== 'undefined') {
    document.documentElement.lang = lang;
    document.documentElement.dir = dir();
    document.title = catalogues[lang].app?.title || 'tahqiq';
  }
}

// usePreferences applies the user's stored preferences ({lang, time_zone}).
export function usePreferences(p) {
  locale.chosenLang = (p && p.lang) || '';
  locale.chosenZone = (p && p.time_zone) || '';
  try {
    localStorage.setItem('tahqiq-lang', locale.chosenLang);
    localStorage.setItem('tahqiq-zone', locale.chosenZone);
  } catch {
    // private mode: the server keeps them
  }
  resolve();
}

locale.chosenLang = saved('tahqiq-lang');
locale.chosenZone = saved('tahqiq-zone');
resolve();


function lookup(lang, key) {
  let v = catalogues[lang];
  for (const p of key.split('.')) {
    if (v === undefined || v === null) return undefined;
    v = v[p];
  }
  return v;
}

const plurals = new Map();
function plural(lang, n) {
  let p = plurals.get(lang);
  if (!p) {
    p = new Intl.PluralRules(lang);
    plurals.set(lang, p);
  }
  return p.select(n);
}

// t returns the message key in the user's language (English where the
// catalogue lacks it), with {name} replaced by params.name (numbers
// formatted for the language). A message given as {one, other} is
// chosen by params.n.
export function t(key, params = {}) {
  const lang = locale.lang;
  let m = lookup(lang, key);
  if (m === undefined) m = lookup('en', key);
  if (m === undefined) return key;
  if (typeof m === 'object') {
    const n = params.n ?? 0;
    m = m[plural(lang, Number(n))] ?? m.other;
  }
  return String(m).replace(/\{(\w+)\}/g, (all, k) => {
    const v = params[k];
    if (v === undefined || v === null) return all;
    return typeof v === 'number' ? f.num(v, lang) : String(v);
  });
}

// parts splits a message around its {slots} for markup: [{text}|{slot}].
export function parts(key, params = {}) {
  const s = t(key, params);
  const out = [];
  const re = /\{(\w+)\}/g;
  let last = 0;
  let m;
  while ((m = re.exec(s))) {
    if (m.index > last) out.push({ text: s.slice(last, m.index) });
    out.push({ slot: m[1] });
    last = re.lastIndex;
  }
  if (last < s.length) out.push({ text: s.slice(last) });
  return out;
}

// has reports whether key is a message (of English, the complete one).
export const has = (key) => lookup('en', key) !== undefined;

export const num = (n) => f.num(n, locale.lang);
export const when = (t) => f.local(t, locale.zone);
export const utc = f.utc;

// errorText is what the user reads for a failed request: the reason in
// the user's language, and the server's own words (English) after it.
export function errorText(e) {
  if (!e) return '';
  const code = e.code || 'internal';
  const head = has('error.' + code) ? t('error.' + code) : t('error.failed');
  if (code === 'network') return head;
  return e.message && e.message !== head ? head + ' ' + e.message : head;
}

// person names a user that a record or log entry names, from the "users"
// of the answer that carried it (GET /cases/{id}, /items/{id}, /log:
// casework.People): the name of a user of your organisation, "a user of
// ORG" for another organisation's (whose names are not yours to see), the
// ID when the answer says nothing of it.
export function person(users, id) {
  if (!id) return '';
  if (id === 'system') return t('people.system');
  const p = users?.[id];
  if (!p) return id;
  if (p.name) return p.name;
  if (p.withheld) return p.org ? t('people.withheld', { org: p.org }) : t('people.withheldUnknown');
  return id;
}
