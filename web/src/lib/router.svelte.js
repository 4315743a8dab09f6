// A hash router: #/path?query. Hash URLs keep every page a bookmarkable
// address without server-side routes, and the back button works.

function parse() {
  const h = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = h.split('?');
  return { path, parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

export const route = $state(parse());

window.addEventListener('hashchange', () => {
  Object.assign(route, parse());
});

export function go(path) {
  location.hash = '#' + path;
}

// href builds a link from path segments, encoding each.
export function href(...segs) {
  return '#/' + segs.map((s) => encodeURIComponent(s)).join('/');
}
