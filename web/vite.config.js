import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';

// The Nastaliq face is under the SIL Open Font License 1.1, which asks
// that its licence go with every copy: the bundle carries it beside the
// font files.
const fontLicence = {
  name: 'tahqiq-font-licence',
  generateBundle() {
    const text = readFileSync(new URL('./node_modules/@fontsource/noto-nastaliq-urdu/LICENSE', import.meta.url), 'utf8');
    this.emitFile({ type: 'asset', fileName: 'assets/NotoNastaliqUrdu-OFL.txt', source: 'Noto Nastaliq Urdu (the woff2 files noto-nastaliq-urdu-arabic-*-normal in this directory), from @fontsource/noto-nastaliq-urdu 5.3.0:\n\n' + text });
  },
};

// The build goes into the Go package that embeds it, so that `go build`
// needs no Node. `npm run dev` proxies the API to a running `tahqiq serve`.
export default defineConfig({
  plugins: [svelte(), fontLicence],
  base: '/',
  build: {
    outDir: '../internal/webui/dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': process.env.TAHQIQ_API || 'http://127.0.0.1:8080' },
  },
  test: { environment: 'node', include: ['src/**/*.test.js'] },
});
