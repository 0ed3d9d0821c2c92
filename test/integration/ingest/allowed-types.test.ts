// The policy's media.allowedTypes: a kiosk that takes only JPEG photos and captions refuses a
// PNG and a video on the stick with the reason, and accepts the rest; the policy refuses
// unknown or repeated types.
import { mkdtemp, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanSource } from '../../../electron/services/imports/import-session.ts';
import { PolicySchema, policyProblems } from '../../../electron/services/policy/policy.ts';
import { plainPhoto } from '../../support/image-fixtures.ts';
import { makeVideo } from '../../support/video-fixtures.ts';

let stick: string;

beforeAll(async () => {
  stick = await mkdtemp(path.join(os.tmpdir(), 'airlock-types-'));
  await plainPhoto(path.join(stick, 'harbour.jpg'), 'jpeg', 320, 200);
  await plainPhoto(path.join(stick, 'chart.png'), 'png', 320, 200);
  const video = await makeVideo(await mkdtemp(path.join(os.tmpdir(), 'airlock-types-video-')), 'clip', { faststart: true });
  await copyFile(video, path.join(stick, 'clip.mp4'));
  await writeFile(path.join(stick, 'caption.txt'), 'Harbour day in the sun.\n');
});

describe('media.allowedTypes', () => {
  it('accepts every supported type by default', async () => {
    const { scan } = await scanSource(stick, { policy: PolicySchema.parse({ policyVersion: 1, packages: { signatures: 'optional' } }) });
    expect(scan.accepted.map((f) => f.path).sort()).toEqual(['caption.txt', 'chart.png', 'clip.mp4', 'harbour.jpg']);
  });

  it('refuses what the policy leaves out, with a reason staff can act on', async () => {
    const policy = PolicySchema.parse({ policyVersion: 1, packages: { signatures: 'optional' }, media: { allowedTypes: ['jpeg', 'text'] } });
    const { scan } = await scanSource(stick, { policy });
    expect(scan.accepted.map((f) => f.path).sort()).toEqual(['caption.txt', 'harbour.jpg']);
    const rejected = Object.fromEntries(scan.rejected.map((f) => [f.path, f]));
    expect(rejected['chart.png']).toMatchObject({ code: 'ingest.type-not-allowed', reason: expect.stringContaining('does not accept PNG images') });
    expect(rejected['clip.mp4']).toMatchObject({ code: 'ingest.type-not-allowed', reason: expect.stringContaining('It accepts JPEG photos, caption text files') });
  });

  it('refuses unknown, repeated or no types in the policy file', () => {
    const problems = (allowedTypes: unknown) => policyProblems(JSON.stringify({ policyVersion: 1, media: { allowedTypes } })).map((p) => p.path);
    expect(problems(['jpeg', 'gif'])).toEqual(['$.media.allowedTypes[1]']);
    expect(problems(['jpeg', 'jpeg'])).toEqual(['$.media.allowedTypes']);
    expect(problems([])).toEqual(['$.media.allowedTypes']);
  });
});
