import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The build goes into the Go package that embeds it, so that `go build`
// needs no Node. `npm run dev` proxies the API to a running `tahqiq serve`.
export default defineConfig({
  plugins: [svelte()],
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
