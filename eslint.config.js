// Lint for Airlock. Beyond style, it enforces the process boundaries of the design: only
// electron/main and electron/preload may import 'electron'; the renderer and common/ import no
// Node module; services never reach into the shells; the packaged main never imports the host.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules.filter((m) => !m.startsWith('_')), ...builtinModules.map((m) => `node:${m}`)];

const electronOnlyInShell = {
  name: 'electron',
  message: 'Only electron/main and electron/preload may import electron; services stay runnable under plain Node.',
};
const noNodeInRenderer = nodeBuiltins.map((name) => ({
  name,
  message: 'The renderer runs sandboxed in a browser; it reaches Airlock only through window.airlock.',
}));
const into = (folder, message) => ({ regex: `(^|/)${folder}(/|$)`, message });

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test/artifacts/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // These modules exist to find control, invisible and combining characters in hostile
    // input; the rules that guard against such characters appearing by accident do not apply.
    files: ['electron/services/sanitize/**/*.ts', 'electron/services/ingest/**/*.ts', 'electron/services/package/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-control-regex': 'off', 'no-misleading-character-class': 'off' },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell, ...noNodeInRenderer],
          patterns: [
            into('electron', 'The renderer must not import Airlock\'s Node side; use window.airlock via api/client.ts.'),
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['electron/host/bridge.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell, ...noNodeInRenderer.map((p) => ({ ...p, message: 'common/ runs on every side; it may not use Node modules.' }))],
          patterns: [
            into('electron', 'common/ is shared by every side and may not import from electron/.'),
            into('renderer', 'common/ is shared by every side and may not import from renderer/.'),
            { regex: '^react', message: 'common/ may not depend on React.' },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/services/**/*.ts', 'electron/platforms/**/*.ts', 'electron/cli/**/*.ts', 'electron/host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            into('main', 'Services and tools must not depend on the Electron shell.'),
            into('preload', 'Services and tools must not depend on the Electron preload.'),
            into('renderer', 'Node code must not import renderer code.'),
          ],
        },
      ],
    },
  },
  {
    files: ['electron/services/**/*.ts', 'electron/platforms/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            into('main', 'Services must not depend on the Electron shell.'),
            into('preload', 'Services must not depend on the Electron preload.'),
            into('host', 'Services must not depend on the browser shell.'),
            into('cli', 'Services must not depend on the command line.'),
            into('renderer', 'Services must not import renderer code.'),
          ],
        },
      ],
    },
  },
  {
    files: ['electron/services/**/*.ts', 'electron/platforms/**/*.ts'],
    // The egress client is the one place allowed raw sockets; platform simulators are loopback
    // servers used only in tests and training mode. Flat config replaces earlier rule options,
    // so the layering patterns are repeated here.
    ignores: ['electron/services/egress/**', 'electron/platforms/*/simulator*.ts', 'electron/platforms/*/simulator/**'],
    rules: (() => {
      const egressOnly = 'Services and platforms reach the network only through createEgressClient (electron/services/egress/http-client.ts), which checks every destination after DNS.';
      const modules = ['http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'dns/promises'];
      const rawNetwork = [...modules, ...modules.map((m) => `node:${m}`)].map((name) => ({ name, message: egressOnly }));
      const moduleRe = '/^(node:)?(https?|http2|net|tls|dgram|dns(\\u002Fpromises)?)$|^undici/';
      return {
        'no-restricted-imports': [
          'error',
          {
            paths: [electronOnlyInShell, ...rawNetwork],
            patterns: [
              into('main', 'Services must not depend on the Electron shell.'),
              into('preload', 'Services must not depend on the Electron preload.'),
              into('host', 'Services must not depend on the browser shell.'),
              into('cli', 'Services must not depend on the command line.'),
              into('renderer', 'Services must not import renderer code.'),
              { regex: '^undici(/|$)', message: egressOnly },
            ],
          },
        ],
        'no-restricted-globals': ['error', ...['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest'].map((name) => ({ name, message: egressOnly }))],
        'no-restricted-syntax': [
          'error',
          { selector: `ImportExpression[source.value=${moduleRe}]`, message: egressOnly },
          { selector: `CallExpression[callee.name='require'][arguments.0.value=${moduleRe}]`, message: egressOnly },
        ],
      };
    })(),
  },
  {
    files: ['electron/main/**/*.ts', 'electron/preload/**/*.ts'],
    ignores: ['electron/main/app-cli.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            into('host', 'The browser shell is never part of the packaged app; the Electron shell must not import it.'),
            into('cli', 'The Electron shell must not import the command line (IT\'s kiosk commands come in through app-cli.ts only).'),
            into('renderer', 'The main process must not import renderer code.'),
          ],
        },
      ],
    },
  },
  {
    // The installed app's own commands: IT's kiosk tools, never the packer or the browser shell.
    files: ['electron/main/app-cli.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            into('host', 'The browser shell is never part of the packaged app.'),
            { regex: '(^|/)cli/(main|serve)\\.ts$', message: 'The development command and the browser shell are not part of the kiosk app.' },
            { regex: '(^|/)cli/commands/(keygen|pack|verify|ingest)\\.ts$', message: 'Corporate-side and import tools are not part of the kiosk app.' },
            into('renderer', 'The main process must not import renderer code.'),
          ],
        },
      ],
    },
  },
);
