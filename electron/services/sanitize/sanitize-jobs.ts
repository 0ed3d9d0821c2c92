// The sanitising work the import hands to worker threads: one function per job type, shared
// by the worker and by tests, so what runs off the UI thread is exactly what is tested.
import type { SanitizeReport } from '../../../common/sanitize-report.ts';
import { DEFAULT_IMAGE_LIMITS, makeThumbnail, sanitizeImage, type ImageLimits } from './image.ts';
import { describeMp4, stripMp4Metadata } from './mp4/index.ts';

export type SanitizeJob =
  | { op: 'image'; src: string; dest: string; thumbnailDest: string; limits?: ImageLimits }
  | { op: 'video'; src: string; dest: string };

export interface SanitizedMedia {
  kind: 'image' | 'video';
  format: string;
  bytes: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  report: SanitizeReport;
}

export async function runSanitizeJob(job: SanitizeJob): Promise<SanitizedMedia> {
  if (job.op === 'image') {
    const clean = await sanitizeImage(job.src, job.dest, job.limits ?? DEFAULT_IMAGE_LIMITS);
    await makeThumbnail(job.dest, job.thumbnailDest);
    return { kind: 'image', format: clean.format, bytes: clean.bytes, width: clean.width, height: clean.height, durationMs: null, report: clean.report };
  }
  const report = await stripMp4Metadata(job.src, job.dest);
  const facts = await describeMp4(job.dest);
  const findings = report.findings.map((f) => ({ kind: f.kind, text: f.text }));
  return {
    kind: 'video',
    format: report.format,
    bytes: report.outputBytes,
    width: facts.width,
    height: facts.height,
    durationMs: facts.durationMs,
    report: { mediaKind: 'video', findings, warnings: [] },
  };
}
