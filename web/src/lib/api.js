// The API client: JSON in and out, the CSRF token on every change, errors
// as ApiError with the server's code and message (docs/api.md).

const base = '/api/v1';
let csrf = '';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function setCSRF(token) {
  csrf = token || '';
}

// hooks tell the session what requests found: the server unreachable or
// reachable again (network), a request refused for want of a login
// (unauthorized: the session expired or was ended elsewhere).
const hooks = { network: () => {}, unauthorized: () => {} };
export function setHooks(h) {
  Object.assign(hooks, h);
}

// Paths whose 401 is an answer, not a lost session.
const loginPaths = new Set(['/login', '/setup', '/me', '/me/password', '/logout']);

async function errorOf(res) {
  let code = 'http_' + res.status;
  let message = res.statusText || 'request failed';
  try {
    const j = await res.json();
    if (j && j.error) {
      code = j.error.code;
      message = j.error.message;
    }
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(res.status, code, message);
}

// request sends one request. body: undefined, a plain object (sent as
// JSON), or a Blob/FormData sent as is.
// signal, when given, aborts it (an AbortError is thrown as is).
export async function request(method, path, body, headers = {}, signal = undefined) {
  const h = { ...headers };
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof FormData)) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) h['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(base + path, { method, headers: h, body: payload, credentials: 'same-origin', signal });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    hooks.network(false);
    throw new ApiError(0, 'network', 'the server cannot be reached');
  }
  hooks.network(true);
  if (!res.ok) {
    const e = await errorOf(res);
    if (res.status === 401 && !loginPaths.has(path.split('?')[0])) hooks.unauthorized(e);
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      hooks.network(false);
      e.code = 'network';
    }
    throw e;
  }
  if (res.status === 204 || method === 'HEAD') return res;
  const ct = res.headers.get('Content-Type') || '';
  if (ct.startsWith('application/vnd.tahqiq.network')) return res.arrayBuffer(); // typed columns (lib/network.js)
  return ct.includes('application/json') ? res.json() : res.text();
}

export const get = (p, signal) => request('GET', p, undefined, {}, signal);
export const post = (p, b) => request('POST', p, b === undefined ? {} : b);
export const patch = (p, b) => request('PATCH', p, b);
export const put = (p, b) => request('PUT', p, b);
export const del = (p) => request('DELETE', p);

// q builds a query string from the defined, non-empty values.
export function q(params) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) s.set(k, String(v));
  }
  const t = s.toString();
  return t ? '?' + t : '';
}

export const enc = encodeURIComponent;

// fileURL is a link to a file served by the API (same origin: the session
// cookie goes with it).
export const fileURL = (p) => base + p;

const chunkSize = 8 << 20;

// upload sends a file in parts of 8 MiB (POST then PATCH at Upload-Offset).
// A part that fails is retried from the offset the server holds, so a
// dropped connection or a server restart loses nothing; an upload started
// earlier for the same file (name, size, date) is resumed.
export async function upload(file, onProgress = () => {}, signal) {
  const key = `tahqiq-upload:${file.name}:${file.size}:${file.lastModified}`;
  let up = null;
  const saved = localStorage.getItem(key);
  if (saved) {
    try {
      up = await get('/uploads/' + enc(saved));
    } catch {
      up = null;
    }
  }
  if (!up) {
    up = await request('POST', '/uploads' + q({ name: file.name }), new Blob([]), { 'Upload-Length': String(file.size) });
    localStorage.setItem(key, up.id);
  }
  let offset = up.offset;
  let failures = 0;
  onProgress(offset, file.size);
  while (offset < file.size) {
    if (signal && signal.aborted) throw new ApiError(0, 'cancelled', 'upload cancelled');
    const end = Math.min(offset + chunkSize, file.size);
    try {
      up = await request('PATCH', '/uploads/' + enc(up.id), file.slice(offset, end), {
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
      });
      offset = up.offset;
      failures = 0;
    } catch (err) {
      if (err.status && err.status !== 409 && err.status < 500) throw err;
      if (++failures > 5) throw err;
      await new Promise((r) => setTimeout(r, 500 * failures));
      const cur = await get('/uploads/' + enc(up.id));
      offset = cur.offset;
    }
    onProgress(offset, file.size);
  }
  localStorage.removeItem(key);
  return up;
}

// waitJob polls a job until it ends; onUpdate sees every state.
export async function waitJob(job, onUpdate = () => {}, signal) {
  let j = job;
  onUpdate(j);
  let delay = 250;
  while (j.state === 'queued' || j.state === 'running') {
    await new Promise((r) => setTimeout(r, delay));
    if (signal && signal.aborted) return j;
    delay = Math.min(delay * 1.5, 2000);
    try {
      j = await get('/jobs/' + enc(j.id));
    } catch (err) {
      // the job goes on on the server: keep asking while it cannot be reached
      if (err.code !== 'network') throw err;
      delay = 3000;
      continue;
    }
    onUpdate(j);
  }
  if (j.state === 'failed' || j.state === 'cancelled') {
    // the job's own status line shows its error: callers show it once
    const e = new ApiError(0, (j.error && j.error.code) || j.state, (j.error && j.error.message) || 'job ' + j.state);
    e.job = j;
    throw e;
  }
  return j;
}
