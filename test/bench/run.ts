// `npm run bench`: speed and memory figures for importing and sanitising, each printed as a
// ratio against a reference run alongside it (cp, vips), never as an absolute time. It reports
// and exits 0 even when a figure is over its goal; it exits 1 only if a figure could not be
// measured. BENCH_SIZE_MIB (default 1024) sets the size of the large video.
//
// Cache fairness: caches cannot be dropped without root tricks, so every large-file run, the
// reference and the code under test alike, starts with the source warm in the page cache
// (read once, untimed) and with nothing dirty (a global sync, untimed). Both sides then pay
// the same cost: moving the bytes and flushing their own output to disk. Reference and subject
// runs are interleaved, BENCH_REPEATS (default 5) of each, outputs deleted and flushed between
// runs; the fastest run of each side counts (see comparisonRatio in measure.ts), and every
// sample is printed with its spread and the ratio of the medians.
//
// `npm run bench -- --only import-1gib,video-strip` runs just the named benches.

import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { BlobStore } from '../../electron/services/ingest/blob-store.ts';
import { sanitizeImage } from '../../electron/services/sanitize/image.ts';
import { stripMp4Metadata } from '../../electron/services/sanitize/mp4/index.ts';
import { makeSeedVideo, writeBusyPhoto, writePaddedMp4 } from './fixtures.ts';
import { measureUpload } from './upload.ts';
import { measureWorkflow } from './workflow.ts';
import type { Comparison, Figure } from './measure.ts';
import { comparisonRatio,
  copyAndSync,
  describeComparison,
  formatFigure,
  kibToMb,
  median,
  runCommand,
  seconds,
  settleDisk,
  sizeLabel,
  timed,
  warmRead,
  withinGoal,
} from './measure.ts';

const MIB = 1024 * 1024;
const VIPS = '/usr/bin/vips';
const RSS_CHILD = fileURLToPath(new URL('./import-rss-child.ts', import.meta.url));
const RSS_LIMIT_MB = 250;
const LAG_GOAL_MS = 50;
// monitorEventLoopDelay records the whole interval between its timer's ticks, so an idle loop
// reads as the resolution itself; the lag is what comes on top of it.
const LAG_RESOLUTION_MS = 5;

interface BenchContext {
  dir: string;
  sizeMib: number;
  /** The large MP4 (BENCH_SIZE_MIB) and one a quarter of its size, for the RSS growth check. */
  bigVideo: string;
  quarterVideo: string;
  quarterMib: number;
  photo: string;
}

/** A bench over the large-file fixtures, or one that needs only a folder of its own. */
type Bench = { name: string; files: true; measure: (ctx: BenchContext) => Promise<Figure[]> } | { name: string; files: false; measure: (dir: string) => Promise<Figure[]> };

const execFileAsync = promisify(execFile);
let nextRun = 0;

function freshPath(ctx: BenchContext, stem: string): string {
  nextRun += 1;
  return join(ctx.dir, `${stem}-${nextRun}`);
}

/** How many timed runs each side of a large-file figure gets (BENCH_REPEATS, default 5). */
const REPEATS = readRepeats();

/**
 * Times cp+sync and `subject` interleaved, REPEATS times each, every run from the same starting
 * state: nothing dirty (a global sync, untimed), the source warm, the previous output deleted
 * and flushed. The order alternates (ref, subject, subject, ref, …) so slow drift in what the
 * machine is doing falls on both sides alike; the fastest of each side counts, and every sample
 * is kept.
 */
async function interleavedAgainstCopy(ctx: BenchContext, src: string, subject: (dest: string) => Promise<void>): Promise<Comparison> {
  const reference: number[] = [];
  const measured: number[] = [];
  const once = async (side: 'ref' | 'subject'): Promise<void> => {
    const dest = freshPath(ctx, side === 'ref' ? 'cp-out' : 'subject-out');
    await settleDisk();
    await warmRead(src);
    if (side === 'ref') reference.push((await timed(() => copyAndSync(src, dest))).ms);
    else measured.push((await timed(() => subject(dest))).ms);
    await rm(dest, { recursive: true, force: true });
  };
  for (let round = 0; round < REPEATS; round++) {
    const order: Array<'ref' | 'subject'> = round % 2 === 0 ? ['ref', 'subject'] : ['subject', 'ref'];
    for (const side of order) await once(side);
  }
  // The deletes are flushed too, so the next figure does not inherit their write-back.
  await settleDisk();
  return { reference, measured };
}

async function importInto(dataDir: string, src: string): Promise<void> {
  await mkdir(dataDir);
  const store = await BlobStore.open(dataDir);
  await store.importFile(src);
}

const importSpeed: Bench = {
  name: 'import-1gib',
  files: true,
  measure: async (ctx) => {
    // BlobStore.open (two mkdirs and a readdir) is inside the timing; it is noise next to 1 GiB.
    const runs = await interleavedAgainstCopy(ctx, ctx.bigVideo, (dest) => importInto(dest, ctx.bigVideo));
    return [
      {
        name: 'import-1gib',
        details: `size=${sizeLabel(ctx.sizeMib)} ${describeComparison('import', runs)}`,
        ratio: comparisonRatio(runs),
        goal: 1.3,
      },
    ];
  },
};

async function childPeakRss(ctx: BenchContext, src: string): Promise<number> {
  const dataDir = freshPath(ctx, 'rss-store');
  try {
    const { stdout } = await execFileAsync(process.execPath, [RSS_CHILD, dataDir, src]);
    const { peakRssKiB } = JSON.parse(stdout) as { peakRssKiB: number };
    return kibToMb(peakRssKiB);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const importMemory: Bench = {
  name: 'import-rss',
  files: true,
  measure: async (ctx) => {
    const smallMb = await childPeakRss(ctx, ctx.quarterVideo);
    const bigMb = await childPeakRss(ctx, ctx.bigVideo);
    const small = sizeLabel(ctx.quarterMib);
    const big = sizeLabel(ctx.sizeMib);
    return [
      {
        name: 'import-rss',
        details: `${small}=${smallMb.toFixed(1)}MB ${big}=${bigMb.toFixed(1)}MB`,
        ratio: bigMb / smallMb,
        goal: 1.2,
      },
      {
        name: 'import-rss-peak',
        details: `${big}=${bigMb.toFixed(1)}MB limit=${RSS_LIMIT_MB}MB`,
        ratio: bigMb / RSS_LIMIT_MB,
        goal: 1,
      },
    ];
  },
};

const imageSanitise: Bench = {
  name: 'image-sanitise',
  files: true,
  measure: async (ctx) => {
    // One untimed run of each first: the figure is steady-state work, not sharp's first call.
    await sanitizeImage(ctx.photo, freshPath(ctx, 'warm.jpg'));
    await runCommand(VIPS, ['copy', ctx.photo, `${freshPath(ctx, 'warm-vips')}.jpg`]);
    const sanitiseRuns: number[] = [];
    const vipsRuns: number[] = [];
    for (let round = 0; round < 3; round++) {
      const clean = `${freshPath(ctx, 'clean')}.jpg`;
      sanitiseRuns.push((await timed(() => sanitizeImage(ctx.photo, clean))).ms);
      const copy = `${freshPath(ctx, 'vips')}.jpg`;
      vipsRuns.push((await timed(() => runCommand(VIPS, ['copy', ctx.photo, copy]))).ms);
    }
    const sanitiseMs = median(sanitiseRuns);
    const vipsMs = median(vipsRuns);
    const { size } = await stat(ctx.photo);
    return [
      {
        name: 'image-sanitise',
        details: `4000x3000 ${(size / 1_000_000).toFixed(1)}MB sanitise=${sanitiseMs.toFixed(0)}ms vips-copy=${vipsMs.toFixed(0)}ms (median of 3)`,
        ratio: sanitiseMs / vipsMs,
        goal: 1.5,
      },
    ];
  },
};

const videoStrip: Bench = {
  name: 'video-strip',
  files: true,
  measure: async (ctx) => {
    // stripMp4Metadata fsyncs its output, so the reference is cp plus sync of the copy too.
    const runs = await interleavedAgainstCopy(ctx, ctx.bigVideo, async (dest) => {
      await stripMp4Metadata(ctx.bigVideo, dest);
    });
    return [
      {
        name: 'video-strip',
        details: `size=${sizeLabel(ctx.sizeMib)} ${describeComparison('strip', runs)}`,
        ratio: comparisonRatio(runs),
        goal: 1.5,
      },
    ];
  },
};

const eventLoopLag: Bench = {
  name: 'event-loop-lag',
  files: true,
  measure: async (ctx) => {
    const dataDir = freshPath(ctx, 'lag-store');
    await settleDisk();
    await warmRead(ctx.bigVideo);
    await mkdir(dataDir);
    const store = await BlobStore.open(dataDir);
    const histogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    histogram.enable();
    let importMs: number;
    try {
      importMs = (await timed(() => store.importFile(ctx.bigVideo))).ms;
    } finally {
      histogram.disable();
      await rm(dataDir, { recursive: true, force: true });
    }
    const lag = (ns: number): number => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
    const p99 = lag(histogram.percentile(99));
    return [
      {
        name: 'event-loop-lag',
        details: `p99=${p99.toFixed(1)}ms (max=${lag(histogram.max).toFixed(1)}ms, ${histogram.count} samples, import of ${sizeLabel(ctx.sizeMib)} in ${seconds(importMs)})`,
        ratio: p99 / LAG_GOAL_MS,
        goal: 1,
      },
    ];
  },
};

const upload: Bench = {
  name: 'upload-1gib',
  files: true,
  measure: (ctx) => measureUpload({ dir: ctx.dir, bigVideo: ctx.bigVideo, sizeMib: ctx.sizeMib, quarterVideo: ctx.quarterVideo, quarterMib: ctx.quarterMib, repeats: Math.min(REPEATS, 3) }),
};

const workflow: Bench = { name: 'workflow', files: false, measure: (dir) => measureWorkflow(dir) };

// The queue screen rendering 10,000 posts in Chromium lives in queue-render.ts, which exports
// `measureQueueRender(dir): Promise<Figure[]>`; it is registered here when that file is present.
const QUEUE_RENDER = new URL('./queue-render.ts', import.meta.url);
const queueRender: Bench = {
  name: 'queue-render',
  files: false,
  measure: async (dir) => {
    const module = (await import(QUEUE_RENDER.href)) as { measureQueueRender: (dir: string) => Promise<Figure[]> };
    return module.measureQueueRender(dir);
  },
};

const BENCHES: Bench[] = [
  imageSanitise,
  importSpeed,
  importMemory,
  videoStrip,
  eventLoopLag,
  upload,
  workflow,
  ...(existsSync(fileURLToPath(QUEUE_RENDER)) ? [queueRender] : []),
];

function readRepeats(): number {
  const raw = process.env.BENCH_REPEATS ?? '5';
  const repeats = Number(raw);
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) {
    throw new RangeError(`BENCH_REPEATS must be a whole number from 1 to 20, not ${JSON.stringify(raw)}`);
  }
  return repeats;
}

function readSizeMib(): number {
  const raw = process.env.BENCH_SIZE_MIB ?? '1024';
  const mib = Number(raw);
  if (!Number.isInteger(mib) || mib < 4 || mib >= 4000) {
    throw new RangeError(`BENCH_SIZE_MIB must be a whole number from 4 to 3999, not ${JSON.stringify(raw)}`);
  }
  return mib;
}

async function buildContext(dir: string, sizeMib: number): Promise<BenchContext> {
  const quarterMib = Math.max(1, Math.floor(sizeMib / 4));
  const seed = await makeSeedVideo(dir);
  const bigVideo = join(dir, `video-${sizeMib}MiB.mp4`);
  const quarterVideo = join(dir, `video-${quarterMib}MiB.mp4`);
  await writePaddedMp4(seed, bigVideo, sizeMib * MIB);
  await writePaddedMp4(seed, quarterVideo, quarterMib * MIB);
  const photo = join(dir, 'photo-12mp.jpg');
  await writeBusyPhoto(photo);
  return { dir, sizeMib, bigVideo, quarterVideo, quarterMib, photo };
}

/** `--only a,b` (or `--only a --only b`): the benches to run; all of them by default. */
function selectBenches(argv: string[]): Bench[] {
  const { values } = parseArgs({ args: argv, options: { only: { type: 'string', multiple: true } }, strict: true });
  const wanted = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (wanted.length === 0) return BENCHES;
  const unknown = wanted.filter((name) => !BENCHES.some((bench) => bench.name === name));
  if (unknown.length > 0) throw new RangeError(`unknown bench ${unknown.join(', ')}; there are: ${BENCHES.map((b) => b.name).join(', ')}`);
  return BENCHES.filter((bench) => wanted.includes(bench.name));
}

async function main(): Promise<number> {
  const benches = selectBenches(process.argv.slice(2));
  const sizeMib = readSizeMib();
  const dir = await mkdtemp(join(tmpdir(), 'airlock-bench-'));
  const removeNow = (): void => rmSync(dir, { recursive: true, force: true });
  const onSignal = (): void => {
    removeNow();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const figures: Figure[] = [];
  const failed: string[] = [];
  try {
    // The large files are built only when a selected bench needs them.
    let ctx: BenchContext | undefined;
    const files = async (): Promise<BenchContext> => {
      if (ctx === undefined) {
        console.log(`bench: building fixtures in ${dir} (large video ${sizeLabel(sizeMib)})`);
        ctx = await buildContext(dir, sizeMib);
      }
      return ctx;
    };
    for (const bench of benches) {
      try {
        const measured = bench.files ? await bench.measure(await files()) : await bench.measure(dir);
        for (const figure of measured) {
          figures.push(figure);
          console.log(formatFigure(figure));
        }
      } catch (err) {
        failed.push(bench.name);
        console.log(`bench ${bench.name}: could not be measured: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const over = figures.filter((figure) => !withinGoal(figure)).map((figure) => figure.name);
  const parts = [`${figures.length} figures`, over.length === 0 ? 'none over goal' : `over goal: ${over.join(', ')}`];
  if (failed.length > 0) parts.push(`not measured: ${failed.join(', ')}`);
  console.log(`bench summary: ${parts.join('; ')}`);
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
