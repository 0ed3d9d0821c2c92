// The database as the rest of Airlock sees it: named repository calls that return promises.
// In the app the connection lives on a worker thread, so a slow write never stalls the thread
// serving the screens; tests can open it inline on their own thread.
import { Worker } from 'node:worker_threads';
import { AirlockError, type AirlockErrorValue } from '../../../common/errors.ts';
import { openDatabase, type Db } from './database.ts';
import { runGroup, type StoreReply } from './group-commit.ts';
import { repositoryTable, type RepositoryArgs, type RepositoryName, type RepositoryResult } from './repositories.ts';

export interface Store {
  call<K extends RepositoryName>(name: K, args: RepositoryArgs<K>): Promise<RepositoryResult<K>>;
  close(): Promise<void>;
}

export const STORE_WORKER_URL = new URL('./store-worker.ts', import.meta.url);

/** Runs every call on the calling thread, each in its own transaction. For tests and command-line tools. */
export function openInlineStore(file: string): Store {
  const db: Db = openDatabase(file);
  let nextId = 1;
  return {
    call: async (name, args) => {
      // The same transaction and the same error values a worker-hosted store would give.
      const [reply] = runGroup(db, repositoryTable, [{ id: nextId++, name, args }]);
      if (!reply!.ok) throw AirlockError.fromValue(reply!.error);
      return reply!.value as never;
    },
    close: async () => {
      db.close();
    },
  };
}

/** Opens the database on a worker thread; resolves once the schema is up to date. */
export async function openWorkerStore(file: string, workerUrl: URL = STORE_WORKER_URL): Promise<Store> {
  const worker = new Worker(workerUrl, { workerData: { file } });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let failure: Error | null = null;
  let closing: Promise<void> | undefined;

  const failAll = (err: Error) => {
    failure = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    const onMessage = (msg: { ready?: true; error?: AirlockErrorValue }) => {
      worker.off('error', reject);
      if (msg.error) reject(AirlockError.fromValue(msg.error));
      else resolve();
    };
    worker.once('message', onMessage);
    worker.once('error', reject);
  });

  worker.on('message', (reply: StoreReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(AirlockError.fromValue(reply.error));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new AirlockError('store.stopped', 'Airlock\'s database stopped unexpectedly. Restart Airlock.', `store worker exited with code ${code}`)));

  return {
    call: (name, args) => {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ id, name, args });
      });
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        worker.removeAllListeners('exit');
        failure ??= new AirlockError('store.closed', 'Airlock is shutting down.');
        worker.once('exit', () => resolve());
        worker.postMessage({ close: true });
      })),
  };
}
