// A worker thread that decodes and rewrites hostile media, so parsing a crafted file can
// neither stall the thread serving the screens nor share its memory with the rest of Airlock.
import { parentPort } from 'node:worker_threads';
import { toErrorValue } from '../../../common/errors.ts';
import { runSanitizeJob, type SanitizeJob } from './sanitize-jobs.ts';

const port = parentPort!;
port.on('message', (msg: { id: number; job: SanitizeJob }) => {
  runSanitizeJob(msg.job).then(
    (value) => port.postMessage({ id: msg.id, ok: true, value }),
    (err: unknown) => port.postMessage({ id: msg.id, ok: false, error: toErrorValue(err) }),
  );
});
