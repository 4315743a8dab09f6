// Writes ../internal/webui/dist/SOURCE: the SHA-256 of the sources the
// bundle was built from, so that a Go test can tell when web/src changed
// without a rebuild (internal/webui TestBuiltFromSources).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('.', import.meta.url).pathname;
const files = [];
const walk = (d) => {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(relative(root, p));
  }
};
walk(join(root, 'src'));
files.push('index.html', 'vite.config.js', 'package-lock.json');
files.sort();
const h = createHash('sha256');
for (const f of files) {
  h.update(f + '\n' + createHash('sha256').update(readFileSync(join(root, f))).digest('hex') + '\n');
}
writeFileSync(join(root, '../internal/webui/dist/SOURCE'), h.digest('hex') + '\n');
