// Entries recorded while an earlier write is still on its way are written together (the store's
// group commit, group-commit.ts, on its worker thread as in the app); the log must look exactly
// as if each had been written on its own: every entry, in call order, chained.
import { afterEach, describe, expect, it } from 'vitest';
import { auditFixture, removeTempDirs, STAFF } from './audit-fixtures.ts';

afterEach(removeTempDirs);

describe('audit log group commit', () => {
  it('keeps every entry of a burst, in call order, with an intact chain', async () => {
    const { log, store } = await auditFixture(0, 'worker');
    const burst = Array.from({ length: 450 }, (_, i) => log.append({ ...STAFF.ana, kind: 'post.edited', subject: `post-${i}`, details: { n: i } }));
    const entries = await Promise.all(burst);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(entries.map((e) => e.details.n)).toEqual(Array.from({ length: 450 }, (_, i) => i));
    const page = await log.list({ limit: 500 });
    expect(page.total).toBe(450);
    expect(page.entries.at(-1)).toMatchObject({ seq: 1, subject: 'post-0' });
    expect(await log.verify()).toMatchObject({ ok: true, entries: 450 });
    await store.close();
  });

  it('refuses a bad entry in a burst on its own and keeps the rest', async () => {
    const { log, store } = await auditFixture(0, 'worker');
    const results = await Promise.allSettled([
      log.append({ ...STAFF.ben, kind: 'post.edited', subject: 'post-1', details: {} }),
      log.append({ ...STAFF.ben, kind: 'post.edited', subject: 'Bearer abcdefghijklmnopqrstuvwxyz0123456789', details: {} }),
      log.append({ ...STAFF.ben, kind: 'post.approved', subject: 'post-1', details: {} }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await log.list({ limit: 10 })).entries.map((e) => e.kind)).toEqual(['post.approved', 'post.edited']);
    expect(await log.verify()).toMatchObject({ ok: true, entries: 2 });
    await store.close();
  });
});
