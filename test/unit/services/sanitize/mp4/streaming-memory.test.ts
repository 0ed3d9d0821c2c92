// The sanitizer must clean videos far larger than the memory it may use: media data is copied
// through a fixed buffer. A 320 MiB file (mostly a sparse hole inside mdat) is cleaned in a
// separate Node process whose peak memory is then compared with the file size.

import { execFile } from 'node:child_process';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkOffsets, decodeProblems, firstBox, frameMd5, makeVideo } from '../../../../support/video-fixtures.ts';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const EXTRA = 320 * MiB;
const moduleUrl = new URL('../../../../../electron/services/sanitize/mp4/index.ts', import.meta.url);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-mp4-big-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stripMp4Metadata memory use', () => {
  it('cleans a 320 MiB faststart video with memory bounded well below the file size', async () => {
    const small = await readFile(await makeVideo(dir, 'seed', { faststart: true, metadata: { location: '+59.4370+024.7536/', title: 'Big' } }));
    const mdat = firstBox(small, 'mdat');
    expect(mdat.offset + mdat.size).toBe(small.length);
    // Same file, but mdat grows by a sparse hole at its end: nothing references the extra bytes.
    const big = join(dir, 'big.mp4');
    const header = Buffer.from(small.subarray(0, mdat.offset + 8));
    header.writeUInt32BE(mdat.size + EXTRA, mdat.offset);
    const handle = await open(big, 'w');
    await handle.write(header, 0, header.length, 0);
    await handle.write(small, mdat.offset + 8, mdat.size - 8, mdat.offset + 8);
    await handle.truncate(small.length + EXTRA);
    await handle.close();

    const script = join(dir, 'run.mjs');
    await writeFile(
      script,
      `import { stripMp4Metadata } from ${JSON.stringify(fileURLToPath(moduleUrl))};\n` +
        `const report = await stripMp4Metadata(process.argv[2], process.argv[3]);\n` +
        `process.stdout.write(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, report }));\n`,
    );
    const dest = join(dir, 'big.clean.mp4');
    const { stdout } = await run(process.execPath, [script, big, dest], { timeout: 120_000 });
    const { maxRssKiB, report } = JSON.parse(stdout) as { maxRssKiB: number; report: { mediaShiftBytes: number; outputBytes: number } };

    expect((await stat(dest)).size).toBe(report.outputBytes);
    expect(report.outputBytes).toBeGreaterThan(EXTRA);
    expect(report.mediaShiftBytes).toBeGreaterThan(0);
    expect(maxRssKiB * 1024).toBeLessThan(160 * MiB);

    const head = Buffer.alloc(64 * 1024);
    const destHandle = await open(dest, 'r');
    await destHandle.read(head, 0, head.length, 0);
    await destHandle.close();
    expect(chunkOffsets(head)).toEqual(chunkOffsets(small).map((o) => o - report.mediaShiftBytes));
    expect(await decodeProblems(dest)).toBe('');
    expect(await frameMd5(dest)).toBe(await frameMd5(big));
  }, 120_000);
});
