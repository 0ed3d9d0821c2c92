// Bundles the Electron main process (ESM) and the sandboxed preload (a single CommonJS file
// that may only require 'electron') into dist/electron. The browser shell is not included.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { build } from 'vite';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = [
  'electron',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies ?? {}),
];

const common = { configFile: false, logLevel: 'warn', publicDir: false };

await build({
  ...common,
  build: {
    ssr: true,
    outDir: 'dist/electron',
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    rollupOptions: {
      // The workers are entry points of their own: the main process starts them by file name.
      input: {
        main: 'electron/main/main.ts',
        'store-worker': 'electron/services/store/store-worker.ts',
        'sanitize-worker': 'electron/services/sanitize/sanitize-worker.ts',
      },
      external,
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});

await build({
  ...common,
  build: {
    outDir: 'dist/electron',
    emptyOutDir: false,
    target: 'chrome130',
    minify: false,
    lib: { entry: 'electron/preload/preload.ts', formats: ['cjs'], fileName: () => 'preload.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
