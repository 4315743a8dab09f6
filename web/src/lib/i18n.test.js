import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import en from './messages/en.js';
import ur from './messages/ur.js';

// leaves lists every message of a catalogue as [key, value]; a plural
// ({one, other}) is one message.
function leaves(o, prefix = '') {
  const out = [];
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? prefix + '.' + k : k;
    if (v && typeof v === 'object' && !('other' in v)) out.push(...leaves(v, key));
    else out.push([key, v]);
  }
  return out;
}
const params = (v) => [...new Set((typeof v === 'object' ? Object.values(v).join(' ') : v).match(/\{\w+\}/g) || [])].sort();

describe('catalogues', () => {
  const e = new Map(leaves(en));
  const u = new Map(leaves(ur));
  it('Urdu has every English message and no other', () => {
    expect([...e.keys()].filter((k) => !u.has(k))).toEqual([]);
    expect([...u.keys()].filter((k) => !e.has(k))).toEqual([]);
  });
  it('Urdu messages take the same parameters', () => {
    const differ = [...e.entries()].filter(([k, v]) => JSON.stringify(params(v)) !== JSON.stringify(params(u.get(k))));
    expect(differ.map(([k]) => k)).toEqual([]);
  });
  it('plurals have one and other, and no message is empty', () => {
    for (const m of [e, u]) {
      for (const [k, v] of m) {
        if (typeof v === 'object') expect(Object.keys(v).sort(), k).toEqual(['one', 'other']);
        else expect(String(v).trim(), k).not.toBe('');
      }
    }
  });
  it('Urdu messages are in Urdu', () => {
    // a message with no Arabic-script letter is an untranslated one,
    // except names and symbols kept as written
    const kept = new Set(['common.listSep', 'forensics.a1']);
    const latin = [...u.entries()].filter(([k, v]) => !kept.has(k) && typeof v === 'string' && !/[\u0600-\u06FF]/.test(v) && /[A-Za-z]{3}/.test(v));
    expect(latin.map(([k]) => k)).toEqual([]);
  });
});

// every key the sources name is a message
describe('sources', () => {
  const root = new URL('..', import.meta.url).pathname;
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(svelte|js)$/.test(n) && !n.endsWith('.test.js') && !p.includes('messages')) files.push(p);
    }
  };
  walk(root);
  const e = new Map(leaves(en));
  const has = (k) => e.has(k) || [...e.keys()].some((x) => x.startsWith(k + '.'));
  it('name only known messages', () => {
    const missing = [];
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\b(?:t|tr|parts)\('([\w.-]+)'(?!\s*\+)/g)) if (!has(m[1])) missing.push(f.slice(root.length) + ': ' + m[1]);
    }
    expect(missing).toEqual([]);
  });
  it('cover every value of the enumerations they look up', () => {
    const enums = {
      'nav.': ['datasets', 'coord', 'narratives', 'images', 'alerts', 'audit', 'cases', 'custody', 'jobs', 'admin', 'settings'],
      'images.tier.': ['first', 'same', 'variant', 'linked'],
      'images.transform.': ['original', 'rotate-90', 'rotate-180', 'rotate-270', 'mirror-horizontal', 'mirror-vertical', 'transpose', 'transverse'],
      'role.': ['admin', 'investigator', 'reviewer', 'viewer'],
      'job.kind.': ['import', 'coord', 'audit', 'verify', 'publish', 'capture', 'narratives', 'claims', 'targets'],
      'verdict.': ['false', 'misleading', 'mixed', 'true', 'unproven', 'satire', 'unrated'],
      'narrative.role.': ['original', 'copy', 'repost', 'empty'],
      'signals.name.': ['created_at', 'age_first_days', 'age_last_days', 'posts_total', 'timed_posts', 'active_days', 'posts_per_day', 'max_posts_1h', 'max_posts_24h', 'repost_share', 'reply_share', 'quote_share', 'link_share', 'hour_profile', 'hour_entropy', 'hour_entropy_norm', 'burstiness', 'fast_gap_share', 'clients', 'client_top', 'client_top_share', 'default_handle', 'handle_digits', 'name_digits', 'followers', 'following', 'posts_count', 'follow_ratio', 'followers_min', 'followers_max', 'handles', 'renames', 'names', 'name_changes'],
      'job.state.': ['queued', 'running', 'done', 'failed', 'cancelled'],
      'job.unit.': ['bytes', 'records', 'steps'],
      'post.kind.': ['original', 'repost', 'quote', 'reply', 'service'],
      'share.': ['retweet', 'url', 'domain', 'hashtag', 'mention', 'reply', 'text', 'near-text', 'image', 'post'],
      'itemKind.': ['file', 'post', 'account', 'capture', 'analysis', 'derived'],
      'recState.': ['proposed', 'approved', 'rejected'],
      'taskState.': ['open', 'in_progress', 'done'],
      'severity.': ['error', 'warning', 'info'],
      'source.': ['official', 'agent', 'party_claim', 'observer', 'snapshot'],
      'verify.trustKind.': ['given', 'pinned', 'self'],
      'error.': ['network', 'invalid', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'too_large', 'too_many_requests', 'internal'],
      'datasets.': ['records', 'posts', 'accounts', 'shares', 'files', 'rejects'],
      'dataset.': ['top_hashtags', 'top_urls', 'top_domains', 'top_hashtags_one', 'top_urls_one', 'top_domains_one'],
      'forensics.': ['either', 'turnout', 'share', 'benford_second_digit', 'last_digit', 'last_two_digit_pairs'],
    };
    const missing = [];
    for (const [p, vs] of Object.entries(enums)) for (const v of vs) if (!e.has(p + v)) missing.push(p + v);
    expect(missing).toEqual([]);
  });
});
