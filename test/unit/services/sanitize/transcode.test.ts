// Policy media.transcodeVideo: after the strip, the real system ffmpeg re-encodes the video to
// one profile and Airlock strips its output again. Checked with ffprobe: the codec and profile,
// only picture and sound left, no tags; and that a missing ffmpeg refuses with plain words and
// leaves no file behind.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSanitizeJob } from '../../../../electron/services/sanitize/sanitize-jobs.ts';
import { PolicySchema } from '../../../../electron/services/policy/policy.ts';
import { FFPROBE, frameMd5, makeVideo, probeStreamCount, probeTags } from '../../../support/video-fixtures.ts';

const run = promisify(execFile);
let dir: string;
let source: string;

async function streams(file: string): Promise<Array<{ codec_type: string; codec_name: string; profile?: string; pix_fmt?: string; channels?: number }>> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,profile,pix_fmt,channels', '-of', 'json', file]);
  return (JSON.parse(stdout) as { streams: never[] }).streams;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-transcode-'));
  source = await makeVideo(dir, 'source', { audio: true, subtitle: 'North gate', timecode: '01:00:00:00', metadata: { location: '+59.4370+024.7536/', author: 'Jane Fieldofficer' } });
});

describe('video re-encoding (policy media.transcodeVideo)', () => {
  it('is off unless the policy turns it on', () => {
    expect(PolicySchema.parse({ policyVersion: 1 }).media.transcodeVideo).toBe(false);
    expect(PolicySchema.parse({ policyVersion: 1, media: { transcodeVideo: true } }).media.transcodeVideo).toBe(true);
  });

  it('re-encodes to H.264 High and stereo AAC, keeps only picture and sound, and leaves no tags', async () => {
    const stripped = path.join(dir, 'stripped.mp4');
    const encoded = path.join(dir, 'encoded.mp4');
    const plain = await runSanitizeJob({ op: 'video', src: source, dest: stripped });
    const result = await runSanitizeJob({ op: 'video', src: source, dest: encoded, transcode: {} });
    expect(result.report.findings).toContainEqual({ kind: 'transcoded', code: 'video.transcoded', text: expect.stringContaining('H.264 High'), params: { codecs: expect.stringContaining('H.264 High') } });
    expect(plain.report.findings.some((f) => f.kind === 'transcoded')).toBe(false);
    const found = await streams(encoded);
    expect(found).toEqual([
      expect.objectContaining({ codec_type: 'video', codec_name: 'h264', profile: 'High', pix_fmt: 'yuv420p' }),
      expect.objectContaining({ codec_type: 'audio', codec_name: 'aac', channels: 2 }),
    ]);
    expect(await probeStreamCount(encoded)).toBe(2);
    const tags = await probeTags(encoded);
    expect(JSON.stringify(tags)).not.toMatch(/59\.4370|Fieldofficer|Lavf|encoder/i);
    // The pictures were decoded and encoded again, not copied.
    expect(await frameMd5(encoded)).not.toBe(await frameMd5(stripped));
    expect(result.bytes).toBeGreaterThan(0);
    expect(existsSync(`${encoded}.encoded.mp4`)).toBe(false);
    expect(existsSync(`${encoded}.stripped.mp4`)).toBe(false);
  });

  it('refuses in plain words when ffmpeg is not installed, and leaves nothing behind', async () => {
    const dest = path.join(dir, 'missing.mp4');
    await expect(runSanitizeJob({ op: 'video', src: source, dest, transcode: { ffmpeg: path.join(dir, 'no-such-ffmpeg') } })).rejects.toMatchObject({
      code: 'sanitize.transcoder-missing',
      message: expect.stringContaining('Ask IT to install ffmpeg'),
    });
    expect(existsSync(`${dest}.encoded.mp4`)).toBe(false);
    expect(existsSync(`${dest}.stripped.mp4`)).toBe(false);
    expect(existsSync(dest)).toBe(false);
  });
});
