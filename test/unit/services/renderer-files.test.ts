import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRendererFile } from '../../../electron/services/renderer-files.ts';

let root: string;
let outside: string;

beforeAll(async () => {
  const base = await mkdtemp(path.join(os.tmpdir(), 'airlock-renderer-'));
  root = path.join(base, 'renderer');
  outside = path.join(base, 'secret.txt');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html>');
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(root, 'assets', 'notes.sh'), 'rm -rf /');
  await writeFile(outside, 'secret');
  await writeFile(path.join(base, 'renderer-evil.html'), 'sibling');
  await symlink(outside, path.join(root, 'assets', 'link.js'));
});

describe('renderer file resolution', () => {
  it('serves index.html for the root and files inside the renderer', async () => {
    expect((await resolveRendererFile(root, '/'))?.file).toBe(path.join(root, 'index.html'));
    expect(await resolveRendererFile(root, '/assets/app.js')).toMatchObject({ contentType: 'text/javascript; charset=utf-8' });
  });

  it('refuses traversal in every spelling', async () => {
    for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%5c..%5csecret.txt', '/../renderer-evil.html']) {
      expect(await resolveRendererFile(root, p)).toBeNull();
    }
  });

  it('refuses links that lead outside, unknown file types, folders and bad encodings', async () => {
    expect(await resolveRendererFile(root, '/assets/link.js')).toBeNull();
    expect(await resolveRendererFile(root, '/assets/notes.sh')).toBeNull();
    expect(await resolveRendererFile(root, '/assets')).toBeNull();
    expect(await resolveRendererFile(root, '/%E0%A4%A')).toBeNull();
    expect(await resolveRendererFile(root, '/index.html%00.js')).toBeNull();
  });
});
