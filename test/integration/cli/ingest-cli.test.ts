// `airlock scan` and `airlock import` as IT would run them, in a real process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../../electron/services/package/keys.ts';
import { revealingJpeg } from '../../support/image-fixtures.ts';
import { packageFolder } from '../../support/sticks.ts';

const bin = path.resolve(import.meta.dirname, '../../../bin/airlock.mjs');
const keys = generateSigningKeyPair();
let work: string;
let pkg: string;
let policy: string;

function airlock(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const info = await stat(full);
    out.push(`${path.relative(dir, full)} ${info.size} ${info.mtimeMs}`);
  }
  return out.sort();
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'airlock-cli-ingest-'));
  const photo = await revealingJpeg(work, 'photo.jpg');
  pkg = await packageFolder(keys, { author: 'Comms', posts: [{ caption: 'Hello \u202Eworld', targets: ['tiktok'], media: [{ source: photo, path: 'photo.jpg', alt: 'A photo' }] }] });
  policy = path.join(work, 'policy.json');
  await writeFile(policy, JSON.stringify({ policyVersion: 1, packages: { signatures: 'required', trustedKeys: [keys.publicKey.text] } }));
});

describe('airlock scan', () => {
  it('prints accepted and rejected files as JSON and writes nothing anywhere', async () => {
    const before = await snapshot(pkg);
    const dataDir = path.join(work, 'never-created');
    const result = airlock(['scan', pkg, '--json', '--policy', policy], { AIRLOCK_DATA_DIR: dataDir, HOME: path.join(work, 'home-never-created') });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out);
    expect(json.accepted.map((f: { path: string }) => f.path).sort()).toEqual(['manifest.json', 'manifest.sig', 'photo.jpg']);
    expect(json.accepted[0]).toEqual({ path: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), kind: expect.any(String), bytes: expect.any(Number) });
    expect(json.rejected).toEqual([]);
    expect(json.package).toMatchObject({ kind: 'package', status: 'trusted' });
    expect(await snapshot(pkg)).toEqual(before);
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(path.join(work, 'home-never-created'))).toBe(false);
  });

  it('exits 1 and says why when the package is not trusted', async () => {
    const other = path.join(work, 'other-policy.json');
    await writeFile(other, JSON.stringify({ policyVersion: 1, packages: { signatures: 'required', trustedKeys: [generateSigningKeyPair().publicKey.text] } }));
    const result = airlock(['scan', pkg, '--policy', other]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/would be refused/);
  });

  it('rejects bad usage with exit code 2', () => {
    expect(airlock(['scan']).code).toBe(2);
    expect(airlock(['scan', pkg, '--bogus']).code).toBe(2);
  });
});

describe('airlock import', () => {
  it('imports once, refuses a replay, and allows it again for a named administrator', async () => {
    const data = path.join(work, 'data');
    const first = airlock(['import', pkg, '--data', data, '--json', '--policy', policy]);
    expect(first.code).toBe(0);
    const json = JSON.parse(first.out);
    expect(json.imported).toHaveLength(1);
    expect(json.imported[0].report.findings.map((f: { text: string }) => f.text)).toContain('GPS position 51.50 N, 0.12 W removed');
    // The JSON keeps each sentence and adds what the sentence is made of, for translation.
    expect(json.imported[0].report.findings).toContainEqual({ kind: 'location', code: 'image.gps-position', text: 'GPS position 51.50 N, 0.12 W removed', params: { lat: expect.closeTo(51.5, 2), lon: expect.closeTo(-0.12, 2) } });
    expect(json.posts).toHaveLength(1);

    const replay = airlock(['import', pkg, '--data', data, '--json', '--policy', policy]);
    expect(replay.code).toBe(1);
    expect(JSON.parse(replay.out).error.code).toBe('package.replayed');

    const allowed = airlock(['import', pkg, '--data', data, '--policy', policy, '--allow-replay', 'Admin Anna']);
    expect(allowed.code).toBe(0);
    expect(allowed.out).toMatch(/Imported 1 items and 1 draft posts/);
  });

  it('requires --data', () => {
    expect(airlock(['import', pkg]).code).toBe(2);
  });
});
