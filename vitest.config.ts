import { defineConfig } from 'vitest/config';

// One runner for every automated test: unit, integration and end-to-end.
// The closing summary line is printed by test/reporter.ts in a runner-neutral form.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['node_modules/**', 'test/fixtures/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/reporter.ts'],
  },
});
