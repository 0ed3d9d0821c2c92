// A sanitiser worker that dies on a job whose source is named "crash", as a decoder fault on a
// crafted file would kill a real one; every other job runs the real sanitiser.
import { parentPort } from 'node:worker_threads';
import { toErrorValue } from '../../common/errors.ts';
import { runSanitizeJob, type SanitizeJob } from '../../electron/services/sanitize/sanitize-jobs.ts';

parentPort!.on('message', (msg: { id: number; job: SanitizeJob }) => {
  if (msg.job.src.endsWith('crash')) process.exit(70);
  runSanitizeJob(msg.job).then(
    (value) => parentPort!.postMessage({ id: msg.id, ok: true, value }),
    (err: unknown) => parentPort!.postMessage({ id: msg.id, ok: false, error: toErrorValue(err) }),
  );
});
