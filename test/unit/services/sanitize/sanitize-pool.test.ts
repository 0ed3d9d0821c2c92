import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { SanitizePool } from '../../../../electron/services/sanitize/sanitize-pool.ts';
import { plainPhoto } from '../../../support/image-fixtures.ts';

const crashingWorker = new URL('../../../support/crashing-sanitize-worker.ts', import.meta.url);

describe('sanitiser worker pool', () => {
  it('cleans a photo on a worker thread', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-pool-'));
    await plainPhoto(path.join(dir, 'a.png'), 'png', 64, 48);
    const pool = new SanitizePool({ size: 1 });
    try {
      const result = await pool.run({ op: 'image', src: path.join(dir, 'a.png'), dest: path.join(dir, 'clean.png'), thumbnailDest: path.join(dir, 'thumb.webp') });
      expect(result).toMatchObject({ kind: 'image', format: 'png', width: 64, height: 48 });
    } finally {
      await pool.close();
    }
  });

  it('fails only the job whose worker died, and keeps working with a fresh worker', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-pool-'));
    await plainPhoto(path.join(dir, 'b.png'), 'png', 32, 32);
    const pool = new SanitizePool({ size: 1, workerUrl: crashingWorker });
    try {
      const crashed = await pool.run({ op: 'video', src: path.join(dir, 'crash'), dest: path.join(dir, 'x.mp4') }).catch((e: unknown) => e);
      expect(crashed).toBeInstanceOf(AirlockError);
      expect((crashed as AirlockError).code).toBe('sanitize.crashed');
      const after = await pool.run({ op: 'image', src: path.join(dir, 'b.png'), dest: path.join(dir, 'clean-b.png'), thumbnailDest: path.join(dir, 'thumb-b.webp') });
      expect(after.kind).toBe('image');
    } finally {
      await pool.close();
    }
  });

  it('refuses work once closed', async () => {
    const pool = new SanitizePool({ size: 1 });
    await pool.close();
    await expect(pool.run({ op: 'video', src: 'x', dest: 'y' })).rejects.toMatchObject({ code: 'sanitize.closed' });
  });
});
