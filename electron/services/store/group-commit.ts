// Group commit for the store's thread. Calls that arrive together share one transaction, so
// they share one flush to disk (synchronous = FULL makes every COMMIT wait for the disk), and
// each caller hears back only after that COMMIT. Inside the shared transaction every call runs
// in a savepoint of its own: a call that throws is undone alone and the others still count.
// If the database itself fails (disk full, I/O error, a constraint checked at COMMIT), the
// shared transaction is rolled back and every call runs again alone, so each one gets its own
// true answer and nothing is ever half-written.
import { toErrorValue, type AirlockErrorValue } from '../../../common/errors.ts';
import type { Db } from './database.ts';

export interface StoreCall {
  id: number;
  name: string;
  args: unknown;
}

export type StoreReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: AirlockErrorValue };

export type Repository = (db: Db, args: unknown) => unknown;

/** The most calls one transaction takes; more wait for the next one. */
export const MAX_GROUP = 256;

/** An error from SQLite rather than from a repository's own checks: the transaction may be gone. */
function isDatabaseFault(err: unknown): boolean {
  return typeof (err as { code?: unknown } | null)?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_');
}

function lookup(repositories: Readonly<Record<string, Repository>>, name: string): Repository {
  const repository = Object.hasOwn(repositories, name) ? repositories[name] : undefined;
  if (!repository) throw new Error(`unknown repository call ${String(name)}`);
  return repository;
}

/**
 * One call in its own transaction, or in a savepoint when the group's transaction is open; and
 * whether SQLite itself failed. (Written out rather than db.transaction(), which builds a new
 * wrapper on every use: a measurable cost at thousands of calls a second.)
 */
function runOne(db: Db, repositories: Readonly<Record<string, Repository>>, call: StoreCall): { reply: StoreReply; fault: boolean } {
  const nested = db.inTransaction;
  try {
    const repository = lookup(repositories, call.name);
    db.prepare(nested ? 'SAVEPOINT airlock_call' : 'BEGIN IMMEDIATE').run();
    let value: unknown;
    try {
      value = repository(db, call.args);
      db.prepare(nested ? 'RELEASE airlock_call' : 'COMMIT').run();
    } catch (err) {
      if (db.inTransaction) {
        if (nested) {
          db.prepare('ROLLBACK TO airlock_call').run();
          db.prepare('RELEASE airlock_call').run();
        } else db.prepare('ROLLBACK').run();
      }
      throw err;
    }
    return { reply: { id: call.id, ok: true, value }, fault: false };
  } catch (err) {
    return { reply: { id: call.id, ok: false, error: toErrorValue(err) }, fault: isDatabaseFault(err) };
  }
}

/**
 * Runs `calls` in order and returns one reply per call, in the same order. Every reply describes
 * a committed state: when this returns, the changes of the calls answered `ok` are on disk.
 */
export function runGroup(db: Db, repositories: Readonly<Record<string, Repository>>, calls: readonly StoreCall[]): StoreReply[] {
  const alone = () => calls.map((call) => runOne(db, repositories, call).reply);
  if (calls.length === 1) return alone();
  try {
    db.prepare('BEGIN IMMEDIATE').run();
  } catch {
    return alone();
  }
  const replies: StoreReply[] = [];
  for (const call of calls) {
    const { reply, fault } = runOne(db, repositories, call);
    // SQLite may have rolled back more than the call's savepoint, even the whole transaction.
    if (fault || !db.inTransaction) return again(db, alone);
    replies.push(reply);
  }
  try {
    db.prepare('COMMIT').run();
  } catch {
    return again(db, alone);
  }
  return replies;
}

/** Drops the shared transaction and runs every call again, each in its own transaction. */
function again(db: Db, alone: () => StoreReply[]): StoreReply[] {
  if (db.inTransaction) db.prepare('ROLLBACK').run();
  return alone();
}
