// `npm run check:electron` must fail on an insecure window and pass on Airlock's own sources.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
const script = path.join(projectRoot, 'scripts/check-electron.mjs');

function check(target: string) {
  return spawnSync(process.execPath, [script, target], { cwd: projectRoot, encoding: 'utf8' });
}

describe('Electron security scan gate', () => {
  it('fails on a deliberately insecure window, naming the findings', () => {
    const run = check(path.join(projectRoot, 'test/fixtures/insecure-electron'));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/FAIL\s+CONTEXT_ISOLATION_JS_CHECK/);
    expect(run.stdout).toMatch(/FAIL\s+SANDBOX_JS_CHECK/);
    expect(run.stdout).toMatch(/FAIL\s+WEB_SECURITY_JS_CHECK/);
  });

  it('passes on Airlock\'s Electron sources, with every accepted finding explained', () => {
    const run = check(path.join(projectRoot, 'electron'));
    expect(run.stdout).not.toMatch(/^FAIL/m);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/0 failing/);
  });
});
