// The thread that owns Airlock's database connection. It answers named repository calls from
// Store (store.ts) one at a time, in order, so writes are serialised without extra locking.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorValue } from '../../../common/errors.ts';
import { openDatabase, type Db } from './database.ts';
import { repositories, type RepositoryName } from './repositories.ts';

const port = parentPort!;
let db: Db;
try {
  db = openDatabase((workerData as { file: string }).file);
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ error: toErrorValue(err) });
  process.exit(1);
}

port.on('message', (msg: { id: number; name: RepositoryName; args: unknown } | { close: true }) => {
  if ('close' in msg) {
    db.close();
    process.exit(0);
  }
  try {
    const repository = repositories[msg.name] as ((db: Db, args: unknown) => unknown) | undefined;
    if (!repository) throw new Error(`unknown repository call ${String(msg.name)}`);
    port.postMessage({ id: msg.id, ok: true, value: repository(db, msg.args) });
  } catch (err) {
    port.postMessage({ id: msg.id, ok: false, error: toErrorValue(err) });
  }
});
