// Builds the web console (a React app, issue 12) into console/dist/, served by the gateway at
// /console (api/console.ts). Everything is bundled: no CDN, nothing fetched at run time but the
// gateway's own APIs. Small assets are not inlined as data: URLs, so the page's
// Content-Security-Policy can stay at 'self'.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
});
