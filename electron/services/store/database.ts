// Opens Airlock's SQLite database (better-sqlite3, an N-API build that loads unchanged in Node
// and Electron) with durable settings and brings its schema up to date. Runs on whichever
// thread owns the connection: the store worker in the app, the test's own thread in unit tests.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AirlockError } from '../../../common/errors.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations.ts';

export type Db = Database.Database;

export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw new AirlockError('store.open-failed', 'Airlock could not open its database. Ask IT to check the kiosk.', `${file}: ${(err as Error).message}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a state change is on disk before Airlock acts on it, even across a power cut.
    db.pragma(process.env.AIRLOCK_SYNC_OFF ? 'synchronous = OFF' : 'synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -32000');
    migrate(db, migrations);
    cacheStatements(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  // BEGIN IMMEDIATE takes the write lock before the version is read, so two processes opening
  // a new database at once cannot both run the same migration.
  db.transaction(() => {
    const current = schemaVersion(db);
    if (current > latest) {
      throw new AirlockError(
        'store.too-new',
        'This kiosk\'s data was written by a newer version of Airlock. Ask IT to install that version.',
        `database schema ${current}, this build knows up to ${latest}`,
      );
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  }).immediate();
}

export { LATEST_SCHEMA_VERSION };

/** How many compiled statements a connection keeps; the repositories use far fewer distinct ones. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Compiling SQL costs more than running most of Airlock's queries, and better-sqlite3 compiles
 * on every `prepare`. From here on the connection hands back the compiled statement for SQL it
 * has seen, the least recently used dropped past STATEMENT_CACHE_SIZE. A statement that is busy
 * (an `iterate()` still open) is never handed out twice: that caller gets a fresh one.
 */
function cacheStatements(db: Db): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    const known = cache.get(source);
    if (known && !known.busy) {
      cache.delete(source);
      cache.set(source, known);
      return known;
    }
    const statement = compile(source);
    if (known) return statement;
    cache.set(source, statement);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return statement;
  }) as Db['prepare'];
}
