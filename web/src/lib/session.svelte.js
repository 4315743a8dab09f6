import { get, post, setCSRF } from './api.js';

// session is who is logged in (null: nobody) and whether the first-run
// setup is still needed.
export const session = $state({ user: null, setup: false, ready: false });

export async function loadSession() {
  try {
    const me = await get('/me');
    setCSRF(me.csrf_token);
    session.user = me.user;
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
  const me = await post('/login', { name, password });
  setCSRF(me.csrf_token);
  session.user = me.user;
  session.setup = false;
}

export async function setup(org, name, password) {
  const me = await post('/setup', { org, name, password });
  setCSRF(me.csrf_token);
  session.user = me.user;
  session.setup = false;
}

export async function logout() {
  try {
    await post('/logout');
  } finally {
    setCSRF('');
    session.user = null;
  }
}

export const can = {
  write: () => ['admin', 'investigator'].includes(session.user?.role),
  admin: () => session.user?.role === 'admin',
};
