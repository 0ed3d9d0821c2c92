// Timing and reporting for the bench. Every figure is a ratio against a reference run in the
// same process and the same run, so a noisy or slow machine moves both sides alike; nothing
// here compares against an absolute time.

import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Figure {
  name: string;
  details: string;
  ratio: number;
  /** The figure is within its goal when ratio <= goal. */
  goal: number;
}

export function withinGoal(figure: Figure): boolean {
  return Number.isFinite(figure.ratio) && figure.ratio <= figure.goal;
}

export function formatFigure(figure: Figure): string {
  const status = withinGoal(figure) ? 'ok' : 'OVER';
  return `bench ${figure.name}: ${figure.details} ratio=${figure.ratio.toFixed(2)} goal<=${figure.goal} ${status}`;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** Runs a command to completion; rejects with its stderr if it fails. */
export async function runCommand(file: string, args: string[]): Promise<string> {
  const { stdout } = await run(file, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * The reference for every large-file figure: the system's own copy, made durable. `sync FILE`
 * (an fsync of that file) rather than a bare `sync`, because the code under test fsyncs only
 * its own output, and a global sync would also wait for whatever else this shared machine has
 * written, which would flatter the ratio. `--reflink=never` keeps a copy-on-write filesystem
 * from turning the reference into a metadata-only clone.
 */
export async function copyAndSync(src: string, dest: string): Promise<void> {
  await runCommand('cp', ['--reflink=never', src, dest]);
  await runCommand('sync', [dest]);
}

/**
 * Flushes everything dirty, outside any timed section, so write-back left over from building
 * fixtures or from the previous run does not land inside the next measurement.
 */
export async function settleDisk(): Promise<void> {
  await runCommand('sync', []);
}

/** Reads a file once so the next timed run starts from the page cache (see run.ts). */
export async function warmRead(path: string): Promise<void> {
  const discard = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), discard);
}

/** Interleaved timings of a reference and the code under test, in milliseconds, in run order. */
export interface Comparison {
  reference: number[];
  measured: number[];
}

/** Spread of a set of timings: (max - min) / median, as a percentage. */
export function spreadPercent(values: number[]): number {
  return ((Math.max(...values) - Math.min(...values)) / median(values)) * 100;
}

function describeSamples(label: string, values: number[]): string {
  const samples = values.map((ms) => (ms / 1000).toFixed(2)).join(',');
  return `${label}=${seconds(median(values))} [${samples}] spread=${spreadPercent(values).toFixed(0)}%`;
}

/**
 * The figure a comparison is judged by: the fastest measured run over the fastest reference run.
 * On a shared machine other work only ever adds time, and it lands on either side at random
 * (a 2-core machine running tests beside the bench doubled single samples of both); the
 * fastest of several interleaved runs is the best estimate of what each side itself costs.
 * The medians are printed beside it, so a noisy run is visible as such.
 */
export function comparisonRatio(runs: Comparison): number {
  return Math.min(...runs.measured) / Math.min(...runs.reference);
}

/** "import=1.20s [1.18,1.20,1.31] spread=11% cp+sync=1.02s [...] spread=4% (best of 3, interleaved; median ratio 1.18)" */
export function describeComparison(label: string, runs: Comparison, referenceLabel = 'cp+sync'): string {
  const medianRatio = median(runs.measured) / median(runs.reference);
  return `${describeSamples(label, runs.measured)} ${describeSamples(referenceLabel, runs.reference)} (best of ${runs.measured.length}, interleaved; median ratio ${medianRatio.toFixed(2)})`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

/** "1GiB" for whole gibibytes, otherwise "256MiB". */
export function sizeLabel(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}GiB` : `${mib}MiB`;
}

/** MB as 10^6 bytes, from a maxRSS figure in KiB. */
export function kibToMb(kib: number): number {
  return (kib * 1024) / 1_000_000;
}
