import { get, post, put, setCSRF, setHooks } from './api.js';
import { usePreferences } from './i18n.svelte.js';

// session is who is logged in (null: nobody), whether the first-run setup
// is still needed, and what the last requests found: the server out of
// reach (offline), or a login that ended (expired: shown on the login
// page, which brings the user back where it was). reload counts the
// times the pages were asked to load again (the banner's Retry).
export const session = $state({ user: null, setup: false, ready: false, offline: false, expired: false, reload: 0, notice: '', pickedLang: '' });

let probe = null;
setHooks({
  network(ok) {
    if (ok) {
      if (session.offline) {
        session.offline = false;
        clearInterval(probe);
        probe = null;
        session.reload++;
      }
      return;
    }
    session.offline = true;
    // keep asking, so that the banner goes once the server is back
    if (!probe) probe = setInterval(() => get('/setup').catch(() => {}), 5000);
  },
  unauthorized() {
    if (!session.user) return;
    setCSRF('');
    session.user = null;
    session.expired = true;
  },
});

// retry asks every page to load again now.
export function retry() {
  get('/setup')
    .then(() => session.reload++)
    .catch(() => {});
}

function signedIn(me) {
  setCSRF(me.csrf_token);
  const p = me.preferences || {};
  // a language chosen on the login page becomes the user's, unless the
  // user has one on the server already
  if (!p.lang && session.pickedLang) {
    p.lang = session.pickedLang;
    put('/me/preferences', { lang: p.lang, time_zone: p.time_zone || '' }).catch(() => {});
  }
  usePreferences(p);
  session.user = me.user;
  session.setup = false;
  session.expired = false;
  session.notice = '';
  session.pickedLang = '';
}

export async function loadSession() {
  try {
    signedIn(await get('/me'));
  } catch (err) {
    if (err.status !== 401) throw err;
    session.user = null;
    const s = await get('/setup');
    session.setup = s.needed;
  } finally {
    session.ready = true;
  }
}

export async function login(name, password) {
  signedIn(await post('/login', { name, password }));
}

export async function setup(org, name, password) {
  signedIn(await post('/setup', { org, name, password }));
}

export async function logout() {
  try {
    await post('/logout');
  } finally {
    setCSRF('');
    session.user = null;
    session.expired = false;
  }
}

// savePreferences stores the user's language and zone ('' = the browser's).
export async function savePreferences(p) {
  const out = await put('/me/preferences', p);
  usePreferences(out);
  return out;
}

export const can = {
  write: () => ['admin', 'investigator'].includes(session.user?.role),
  admin: () => session.user?.role === 'admin',
};
