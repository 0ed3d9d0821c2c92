// Runs sanitising jobs on a small pool of worker threads. A worker that crashes (a decoder
// fault on a crafted file) fails only its own job and is replaced.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AirlockError, type AirlockErrorValue } from '../../../common/errors.ts';
import type { SanitizedMedia, SanitizeJob } from './sanitize-jobs.ts';

export const SANITIZE_WORKER_URL = new URL('./sanitize-worker.ts', import.meta.url);

type Reply = { id: number; ok: true; value: SanitizedMedia } | { id: number; ok: false; error: AirlockErrorValue };

interface Slot {
  worker: Worker;
  busy: { id: number; resolve: (v: SanitizedMedia) => void; reject: (e: unknown) => void } | null;
}

export class SanitizePool {
  readonly #workerUrl: URL;
  readonly #slots: Slot[] = [];
  readonly #queue: { job: SanitizeJob; resolve: (v: SanitizedMedia) => void; reject: (e: unknown) => void }[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: { size?: number; workerUrl?: URL } = {}) {
    this.#workerUrl = options.workerUrl ?? SANITIZE_WORKER_URL;
    // One core stays with the thread serving the screens.
    const size = options.size ?? Math.max(1, Math.min(2, os.availableParallelism() - 1));
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  run(job: SanitizeJob): Promise<SanitizedMedia> {
    if (this.#closed) return Promise.reject(new AirlockError('sanitize.closed', 'Airlock is shutting down.'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const q of this.#queue.splice(0)) q.reject(new AirlockError('sanitize.closed', 'Airlock is shutting down.'));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  #spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.#workerUrl), busy: null };
    slot.worker.on('message', (reply: Reply) => {
      const busy = slot.busy;
      if (!busy || busy.id !== reply.id) return;
      slot.busy = null;
      if (reply.ok) busy.resolve(reply.value);
      else busy.reject(AirlockError.fromValue(reply.error));
      this.#dispatch();
    });
    const replace = (why: string) => {
      const busy = slot.busy;
      slot.busy = null;
      busy?.reject(new AirlockError('sanitize.crashed', 'This file made the sanitiser fail, so it was not imported.', why));
      if (this.#closed) return;
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots[index] = this.#spawn();
      this.#dispatch();
    };
    slot.worker.on('error', (err) => replace(`worker error: ${err.message}`));
    slot.worker.on('exit', (code) => {
      if (!this.#closed) replace(`worker exited with code ${code}`);
    });
    return slot;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.busy || this.#queue.length === 0) continue;
      const next = this.#queue.shift()!;
      const id = this.#nextId++;
      slot.busy = { id, resolve: next.resolve, reject: next.reject };
      slot.worker.postMessage({ id, job: next.job });
    }
  }
}
