import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is built once and loaded by both shells: from app://airlock/ in Electron and
// from http://127.0.0.1 in the browser shell, so every asset URL is relative.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    // No inline scripts or styles: the CSP allows only files from the renderer itself.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // One bundle read from the local disk, never downloaded: its size is not a loading concern.
    chunkSizeWarningLimit: 1024,
  },
});
