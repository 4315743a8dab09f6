import { untrack } from 'svelte';
import { session } from './session.svelte.js';

// load runs fn now and again whenever the pages are asked to reload (the
// banner's Retry, the server reachable again); its state says whether
// the answer is there (data), failed (error) or awaited (loading), so
// that a page never shows "nothing here" for a request that failed.
export function load(fn) {
  const r = $state({ data: undefined, error: null, loading: true });
  let seq = 0;
  r.run = async () => {
    const my = ++seq;
    r.loading = true;
    try {
      const d = await fn();
      if (my === seq) {
        r.data = d;
        r.error = null;
      }
    } catch (e) {
      if (my === seq) r.error = e;
    } finally {
      if (my === seq) r.loading = false;
    }
  };
  // only a reload request runs it again: what fn reads (filters, other
  // loaders) is read untracked, so that typing in a filter fetches nothing
  $effect(() => {
    session.reload;
    untrack(() => r.run());
  });
  return r;
}
