// Opens Airlock's database for checking without changing the kiosk's files: a verify run by IT
// must not be what alters the evidence. SQLite's own read-only mode still creates -wal and -shm
// files next to a WAL database, so this avoids SQLite touching the folder wherever it can.
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AirlockError } from '../../../common/errors.ts';
import type { Db } from '../store/database.ts';

/** Above this a database is opened in place instead of copied into memory. */
const MEMORY_COPY_MAX_BYTES = 512 * 1024 * 1024;
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface ReadOnlyDatabase {
  readonly db: Db;
  /**
   * memory-copy: the file's bytes, read once (nothing in the folder is touched);
   * in-place: SQLite read-only on the file, used when Airlock is running and its -wal and -shm
   * already exist (or when the file is too large to copy, where SQLite may add them);
   * private-copy: a crash left a -wal without its -shm, so the pair is copied to a temporary
   * folder where SQLite may replay it.
   */
  readonly how: 'memory-copy' | 'in-place' | 'private-copy';
  close(): Promise<void>;
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function cannotOpen(file: string, err: unknown): AirlockError {
  if (err instanceof AirlockError) return err;
  return new AirlockError('audit.open-failed', `Airlock cannot read the database ${file}.`, err instanceof Error ? err.message : String(err));
}

export async function openDatabaseReadOnly(file: string): Promise<ReadOnlyDatabase> {
  let size: number | null;
  let walSize: number | null;
  let shmSize: number | null;
  try {
    [size, walSize, shmSize] = await Promise.all([sizeOf(file), sizeOf(`${file}-wal`), sizeOf(`${file}-shm`)]);
  } catch (err) {
    throw cannotOpen(file, err);
  }
  if (size === null) throw new AirlockError('audit.no-database', `There is no Airlock database at ${file}.`, 'Give the folder Airlock keeps its data in with --data.');

  // A running Airlock always has both -wal and -shm; SQLite reads those safely in place and
  // adds no file. Without a -shm nobody is writing, so a copy cannot tear.
  const running = walSize !== null && shmSize !== null;
  try {
    if (!running && !walSize && size <= MEMORY_COPY_MAX_BYTES) {
      // With no -wal to replay, the file alone is the whole committed database.
      const bytes = await readFile(file);
      if (bytes.length < 100 || !bytes.subarray(0, 16).equals(SQLITE_MAGIC)) {
        throw new AirlockError('audit.not-a-database', `${file} is not an Airlock database.`, 'The file does not start with the SQLite header.');
      }
      // Header bytes 18-19 say "WAL"; an in-memory copy cannot be in WAL mode, and with no
      // -wal the rollback-journal reading of the same pages is identical.
      bytes[18] = 1;
      bytes[19] = 1;
      const db = new Database(bytes, { readonly: true });
      return { db, how: 'memory-copy', close: async () => void db.close() };
    }
    if (running || !walSize) {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      return { db, how: 'in-place', close: async () => void db.close() };
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-audit-'));
    try {
      const copy = path.join(dir, 'airlock.db');
      await copyFile(file, copy);
      await copyFile(`${file}-wal`, `${copy}-wal`);
      const db = new Database(copy, { fileMustExist: true });
      db.pragma('query_only = ON');
      return {
        db,
        how: 'private-copy',
        close: async () => {
          db.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  } catch (err) {
    throw cannotOpen(file, err);
  }
}
