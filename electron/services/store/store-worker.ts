// The thread that owns Airlock's database connection. It answers named repository calls from
// Store (store.ts) in the order they came. Calls that arrive while it is busy are committed
// together (group-commit.ts): one flush to disk for many changes, each answered after it.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorValue } from '../../../common/errors.ts';
import { openDatabase, type Db } from './database.ts';
import { MAX_GROUP, runGroup, type StoreCall } from './group-commit.ts';
import { repositoryTable } from './repositories.ts';

const port = parentPort!;
let db: Db;
try {
  db = openDatabase((workerData as { file: string }).file);
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ error: toErrorValue(err) });
  process.exit(1);
}

const waiting: StoreCall[] = [];
let flushing = false;

function flush(): void {
  flushing = false;
  while (waiting.length > 0) {
    for (const reply of runGroup(db, repositoryTable, waiting.splice(0, MAX_GROUP))) port.postMessage(reply);
  }
}

port.on('message', (msg: StoreCall | { close: true }) => {
  if ('close' in msg) {
    flush();
    db.close();
    process.exit(0);
  }
  waiting.push(msg);
  // Every message already delivered is queued before this runs, so they go together.
  if (!flushing) {
    flushing = true;
    setImmediate(flush);
  }
});
