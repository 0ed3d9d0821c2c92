import { copyFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../../electron/services/audit/audit-log.ts';
import { openDatabaseReadOnly } from '../../../../electron/services/audit/read-only-database.ts';
import { openWorkerStore } from '../../../../electron/services/store/store.ts';
import { auditFixture, fill, removeTempDirs, tempDir } from './audit-fixtures.ts';

afterEach(removeTempDirs);

async function count(file: string) {
  const opened = await openDatabaseReadOnly(file);
  try {
    return { how: opened.how, entries: opened.db.prepare('SELECT count(*) FROM audit_log').pluck().get() };
  } finally {
    await opened.close();
  }
}

describe('openDatabaseReadOnly', () => {
  it('reads a cleanly closed database from a copy of its bytes', async () => {
    const { dir, file, store } = await auditFixture(4);
    await store.close();
    expect(await count(file)).toEqual({ how: 'memory-copy', entries: 4 });
    expect(await readdir(dir)).toEqual(['airlock.db']);
  });

  it('reads a database in use in place, seeing what is still only in its -wal', async () => {
    const dir = await tempDir();
    const store = await openWorkerStore(path.join(dir, 'airlock.db'));
    await fill(new AuditLog({ store }), 3);
    expect(await count(path.join(dir, 'airlock.db'))).toEqual({ how: 'in-place', entries: 3 });
    await store.close();
  });

  it('replays a -wal left by a crash in a private copy, adding nothing beside the original', async () => {
    const live = await tempDir();
    const store = await openWorkerStore(path.join(live, 'airlock.db'));
    await fill(new AuditLog({ store }), 3);
    const dir = await tempDir();
    await copyFile(path.join(live, 'airlock.db'), path.join(dir, 'airlock.db'));
    await copyFile(path.join(live, 'airlock.db-wal'), path.join(dir, 'airlock.db-wal'));
    await store.close();
    expect(await count(path.join(dir, 'airlock.db'))).toEqual({ how: 'private-copy', entries: 3 });
    expect((await readdir(dir)).sort()).toEqual(['airlock.db', 'airlock.db-wal']);
  });

  it('refuses a file that is not a database, and a missing one, with a plain error', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'airlock.db'), 'not sqlite'.repeat(20));
    await expect(openDatabaseReadOnly(path.join(dir, 'airlock.db'))).rejects.toMatchObject({ code: 'audit.not-a-database' });
    await expect(openDatabaseReadOnly(path.join(dir, 'other.db'))).rejects.toMatchObject({ code: 'audit.no-database' });
  });
});
