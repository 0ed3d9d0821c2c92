import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/main.ts';
import type { CliIO } from '../../../electron/cli/command.ts';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(projectRoot, 'bin/airlock.mjs');

function captureIO(): CliIO & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => (out += t), err: (t) => (err += t), cwd: projectRoot, env: {}, stdout: () => out, stderr: () => err };
}

describe('airlock command', () => {
  it('prints its version', async () => {
    const io = captureIO();
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.stdout().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('rejects an unknown command with usage and exit code 2', async () => {
    const io = captureIO();
    expect(await runCli(['format-c'], io)).toBe(2);
    expect(io.stderr()).toContain('unknown command "format-c"');
    expect(io.stderr()).toContain('Usage: airlock <command>');
  });

  it('rejects bad serve options without starting anything', async () => {
    for (const args of [['--port', 'eighty'], ['--port', '70000'], ['--bogus']]) {
      const io = captureIO();
      expect(await runCli(['serve', ...args], io)).toBe(2);
      expect(io.stderr()).toMatch(/--port|bogus/);
    }
  });

  it('`airlock serve --no-open` prints a loopback address that answers, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--no-open', '--port', '0', '--policy', '/nonexistent/policy.json'], {
      cwd: projectRoot,
      env: { ...process.env, DISPLAY: '' },
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /browser shell: (http:\/\/127\.0\.0\.1:\d+\/#key=\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`serve exited early (${code}): ${output}`)));
    });
    const { origin, hash } = new URL(url);
    const key = hash.replace('#key=', '');
    const response = await fetch(`${origin}/_airlock/api/app.info`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: '{}',
    });
    expect(await response.json()).toMatchObject({ ok: true, value: { shell: 'browser' } });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('`airlock serve` refuses a broken policy file with a plain message and exit code 1', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-cli-'));
    await writeFile(path.join(dir, 'policy.json'), '{"policyVersion": 1, "platforms": ["friendster"]}');
    const io = captureIO();
    expect(await runCli(['serve', '--no-open', '--policy', path.join(dir, 'policy.json')], io)).toBe(1);
    expect(io.stderr()).toContain('policy file has settings Airlock does not accept');
    expect(io.stderr()).toContain('platforms');
  });
});

describe('airlock policy check', () => {
  it('accepts the published example and explains each problem of a broken policy with its JSON path', async () => {
    const ok = captureIO();
    expect(await runCli(['policy', 'check', 'build/policy.example.json'], ok)).toBe(0);
    expect(ok.stdout()).toContain('valid.');

    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-policy-check-'));
    const bad = path.join(dir, 'policy.json');
    await writeFile(bad, JSON.stringify({ policyVersion: 1, platforms: ['tiktok', 'myspace'], idleLockMinutes: 0, approval: { twoPersn: false } }));
    const io = captureIO();
    expect(await runCli(['policy', 'check', bad], io)).toBe(1);
    expect(io.stdout()).toContain('3 problems');
    expect(io.stdout()).toMatch(/\$\.platforms\[1\]: /);
    expect(io.stdout()).toMatch(/\$\.idleLockMinutes: /);
    expect(io.stdout()).toMatch(/\$\.approval\.twoPersn: unknown setting/);
    expect(await runCli(['policy', 'lint', bad], captureIO())).toBe(2);
  });
});
