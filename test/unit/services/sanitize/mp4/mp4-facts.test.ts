import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeMp4 } from '../../../../../electron/services/sanitize/mp4/index.ts';
import { makeVideo } from '../../../../support/video-fixtures.ts';

describe('video facts for the platform rules', () => {
  it('reads duration and picture size from the movie header', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-mp4-facts-'));
    const clip = await makeVideo(dir, 'two-seconds', { seconds: 2, audio: true });
    expect(await describeMp4(clip)).toEqual({ durationMs: 2000, width: 160, height: 120 });
  });

  it('reports a phone video stored sideways at its upright size', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-mp4-facts-'));
    const { execFileSync } = await import('node:child_process');
    const clip = await makeVideo(dir, 'flat', { seconds: 1 });
    const turned = path.join(dir, 'turned.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', turned]);
    expect(await describeMp4(turned)).toMatchObject({ width: 120, height: 160 });
  });
});
