import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../electron/services/ingest/blob-store.ts';

const MiB = 1024 * 1024;
const blobStoreModule = pathToFileURL(join(import.meta.dirname, '../../../electron/services/ingest/blob-store.ts')).href;

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'airlock-crash-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs an import in a separate Node process that kills itself (SIGKILL) once `killAt` bytes are copied. */
function importAndDie(dataDir: string, source: string, killAt: number): Promise<NodeJS.Signals | null> {
  const script = `
    const { BlobStore } = await import(${JSON.stringify(blobStoreModule)});
    const store = await BlobStore.open(${JSON.stringify(dataDir)});
    await store.importFile(${JSON.stringify(source)}, {
      onProgress: (done) => { if (done >= ${killAt}) process.kill(process.pid, 'SIGKILL'); },
    });
    process.exit(3);
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '--eval', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== null) reject(new Error(`child exited with ${code}, expected to be killed: ${stderr}`));
      else resolve(signal);
    });
  });
}

describe('BlobStore after a crash mid-import', () => {
  it('leaves only a temp file (never a blob), which the next open removes before a clean retry', async () => {
    const content = randomBytes(12 * MiB);
    const digest = createHash('sha256').update(content).digest('hex');
    const source = join(work, 'video.mp4');
    await writeFile(source, content);
    const dataDir = join(work, 'data');

    expect(await importAndDie(dataDir, source, 3 * MiB)).toBe('SIGKILL');

    // The dead process left a partial temp file and nothing under blobs/.
    const leftovers = await readdir(join(dataDir, 'tmp'));
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatch(/\.part$/);
    expect((await stat(join(dataDir, 'tmp', leftovers[0]!))).size).toBeLessThan(content.length);
    expect(await readdir(join(dataDir, 'blobs'))).toEqual([]);

    const store = await BlobStore.open(dataDir);
    expect(await readdir(store.tmpDir)).toEqual([]);
    const stored = await store.importFile(source, { expectedSha256: digest });
    expect((await readFile(stored.path)).equals(content)).toBe(true);
  });
});
