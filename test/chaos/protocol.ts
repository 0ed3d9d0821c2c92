// What the chaos runner (the parent) and its worker processes (the children it kills) say to
// each other, plus the small pieces both need: a seeded random source and the caption marker
// that ties a post in Airlock's database to the posts on the simulated TikTok feed.

/** Tokens the parent got from the simulator for this start of the worker (see README.md). */
export interface WorkerTokens {
  openId: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  refreshExpiresAt: number;
  scopes: string[];
}

export interface WorkerVideo {
  /** A prepared file outside the data dir; the worker copies it into the library. */
  file: string;
  sha256: string;
  bytes: number;
}

export interface WorkerConfig {
  dataDir: string;
  /** work: workflow steps while publishing runs; recover: only let the publisher finish. */
  mode: 'work' | 'recover';
  seed: number;
  /** Caption markers of this start's new posts begin with this (unique per run, trial and start). */
  markerPrefix: string;
  apiBase: string;
  tokens: WorkerTokens;
  videos: WorkerVideo[];
  /** Workflow steps in work mode. */
  steps: number;
  /** Longest wait for the store to go quiet before the worker gives up and reports. */
  quiesceMs: number;
  /** The publisher's tick interval and the adapter's status poll interval. */
  publisherIntervalMs: number;
  publishPollMs: number;
}

export const CONFIG_ENV = 'AIRLOCK_CHAOS_WORKER';
/** Set (to 1) for a worker started ahead of time: it loads its code, says `loaded`, then reads its config as one line on stdin. */
export const WARM_ENV = 'AIRLOCK_CHAOS_WARM';

export type WorkflowOp = 'create' | 'edit' | 'submit' | 'approve' | 'schedule' | 'cancel';

/** One JSON line on the worker's stdout. Written synchronously (a pipe), so a line is out before the next step. */
export type WorkerMessage =
  | { t: 'loaded' }
  | { t: 'ready'; ms: number; recovered: number }
  | { t: 'setup'; step: string }
  | { t: 'begin'; n: number; op: WorkflowOp; marker: string; postId: string | null }
  | { t: 'ack'; n: number; op: WorkflowOp; marker: string; postId: string; state: string; version: number; scheduleAt: string | null }
  | { t: 'refused'; n: number; op: WorkflowOp; marker: string; postId: string | null; code: string; message: string }
  | { t: 'progress'; postId: string; phase: string; bytesDone: number; bytesTotal: number }
  | { t: 'post'; postId: string; state: string }
  | { t: 'clock'; offsetMs: number }
  | { t: 'steps-done' }
  | { t: 'summary'; quiescent: boolean; waitedMs: number; clockOffsetMs: number; open: { publishing: number; queued: number; running: number; due: number } };

export function send(message: WorkerMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function rng(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
  };
}

export interface Random {
  /** In [0, 1). */
  next(): number;
  /** In [lo, hi], both included. */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** Every chaos caption starts with its marker and a space: `chaos-<run>-t<trial>-s<start>-p<n>`. */
export function markerOf(caption: string): string | null {
  const m = /^(chaos-[a-z0-9]+-t\d+-s\d+-p\d+)(?:\s|$)/.exec(caption);
  return m?.[1] ?? null;
}

export const ADMIN = { name: 'Ada Chaos', pin: '493817' };
export const APPROVER = { name: 'Bo Chaos', pin: '582914' };
