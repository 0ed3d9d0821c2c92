import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../electron/services/ingest/blob-store.ts';
import { scanVolume } from '../../../electron/services/ingest/scan.ts';
import type { AcceptedFile, RejectedFile, ScanResult } from '../../../electron/services/ingest/scan.ts';
import { makeFatImage, mountReadOnly } from '../../support/fat-image.ts';
import type { FatImage, MountedVolume } from '../../support/fat-image.ts';
import { buildHostileCorpus, fatCases, fatEntriesOf } from '../../support/hostile-corpus.ts';
import type { HostileCase } from '../../support/hostile-corpus.ts';

// Built at collection time so every case becomes its own named test.
const work = await mkdtemp(join(tmpdir(), 'airlock-hostile-'));
const stick = join(work, 'stick');
await mkdir(stick);
const corpus = await buildHostileCorpus(stick);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

type Entry = ({ accepted: true } & AcceptedFile) | ({ accepted: false } & RejectedFile);

function index(result: ScanResult, fold: (path: string) => string = (p) => p): Map<string, Entry> {
  const byPath = new Map<string, Entry>();
  for (const a of result.accepted) byPath.set(fold(a.path), { accepted: true, ...a });
  for (const r of result.rejected) byPath.set(fold(r.path), { accepted: false, ...r });
  return byPath;
}

function expectCase(c: HostileCase, entry: Entry | undefined): void {
  expect(entry, `${c.path} missing from the scan`).toBeDefined();
  if (!entry) return;
  if ('accepted' in c.expect) {
    expect(entry).toMatchObject({ accepted: true, kind: c.expect.kind, ...(c.expect.mime ? { mime: c.expect.mime } : {}) });
    return;
  }
  expect(entry).toMatchObject({ accepted: false, code: c.expect.code });
  if (entry.accepted) return;
  expect(entry.skipped === true).toBe(c.expect.skipped === true);
  if (typeof c.expect.reason === 'string') expect(entry.reason).toBe(c.expect.reason);
  else if (c.expect.reason) expect(entry.reason).toMatch(c.expect.reason);
  // A sentence for staff: capitalised, finished, no error codes or stack traces in it.
  expect(entry.reason).toMatch(/^[A-Z].{10,}\.$/s);
  expect(entry.reason).not.toMatch(/E[A-Z]{3,}|ingest\.|Error|at \//);
}

/** Every item under `dir` with what a write would change. Names as raw bytes: some are not UTF-8. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const visit = async (folder: Buffer): Promise<void> => {
    for (const name of (await readdir(folder, { encoding: 'buffer' })).sort(Buffer.compare)) {
      const child = Buffer.concat([folder, Buffer.from('/'), name]);
      const s = await lstat(child, { bigint: true });
      out.set(child.toString('hex'), [s.mode, s.size, s.mtimeNs, s.ctimeNs, s.ino].join(' '));
      if (s.isDirectory()) await visit(child);
    }
  };
  await visit(Buffer.from(dir));
  return out;
}

describe('the hostile corpus', () => {
  it('has at least 40 cases, and this machine could build all of them', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(40);
    expect(corpus.unavailable).toEqual([]);
  });
});

describe('scanning the hostile corpus on a plain folder', () => {
  let result: ScanResult;
  let entries: Map<string, Entry>;

  beforeAll(async () => {
    result = await scanVolume(stick);
    entries = index(result);
  });

  it.each(corpus.cases.map((c) => [c.path, c.what, c] as const))('%s (%s)', (_path, _what, c) => {
    expectCase(c, entries.get(c.path));
  });

  it('reports nothing the corpus did not plant, and finishes the walk', () => {
    expect([...entries.keys()].sort()).toEqual(corpus.cases.map((c) => c.path).sort());
    expect(result.truncated).toBeUndefined();
  });

  it('scan and import together write nothing outside the data dir', async () => {
    const dataDir = join(work, 'data');
    const stickBefore = await snapshot(stick);
    const workBefore = (await readdir(work)).sort();
    const store = await BlobStore.open(dataDir);

    const again = await scanVolume(stick);
    for (const file of again.accepted) {
      const stored = await store.importFile(join(stick, ...file.path.split('/')), {
        expectedSha256: file.sha256,
        expectedBytes: file.bytes,
      });
      expect((await readFile(stored.path)).equals(await readFile(join(stick, ...file.path.split('/'))))).toBe(true);
    }

    expect(await snapshot(stick)).toEqual(stickBefore);
    expect((await readdir(work)).sort()).toEqual([...workBefore, 'data'].sort());
    expect((await readdir(dataDir)).sort()).toEqual(['blobs', 'tmp']);
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    const blobs = (await readdir(join(dataDir, 'blobs'), { recursive: true })).filter((p) => p.includes('/'));
    expect(blobs).toHaveLength(new Set(again.accepted.map((a) => a.sha256)).size);
  });
});

describe('scanning the hostile corpus on a real FAT stick', () => {
  let image: FatImage;
  let mount: MountedVolume;
  let result: ScanResult;
  let entries: Map<string, Entry>;
  // Names without a long-name entry come back from FAT in upper case.
  const fold = (path: string): string => path.toLowerCase();

  beforeAll(async () => {
    image = await makeFatImage(fatEntriesOf(corpus));
    mount = await mountReadOnly(image);
    result = await scanVolume(mount.dir);
    entries = index(result, fold);
  });

  afterAll(async () => {
    await mount?.unmount();
    await image?.cleanup();
  });

  it('holds most of the corpus', () => {
    expect(fatCases(corpus).length).toBeGreaterThanOrEqual(40);
  });

  it.each(fatCases(corpus).map((c) => [c.path, c.what, c] as const))('%s (%s)', (_path, _what, c) => {
    expectCase(c, entries.get(fold(c.path)));
  });

  it('reports nothing the corpus did not plant', () => {
    expect([...entries.keys()].sort()).toEqual(fatCases(corpus).map((c) => fold(c.path)).sort());
  });
});
