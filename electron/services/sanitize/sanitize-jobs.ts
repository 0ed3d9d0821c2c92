// The sanitising work the import hands to worker threads: one function per job type, shared
// by the worker and by tests, so what runs off the UI thread is exactly what is tested.
import { finding, type SanitizeFinding, type SanitizeReport } from '../../../common/sanitize-report.ts';
import { DEFAULT_IMAGE_LIMITS, makeThumbnail, sanitizeImage, type ImageLimits } from './image.ts';
import { rm } from 'node:fs/promises';
import { describeMp4, stripMp4Metadata } from './mp4/index.ts';
import type { Mp4Finding } from './mp4/mp4-types.ts';
import { TRANSCODE_CODECS, TRANSCODE_PROFILE, transcodeVideo } from './transcode.ts';

export type SanitizeJob =
  | { op: 'image'; src: string; dest: string; thumbnailDest: string; limits?: ImageLimits }
  | { op: 'video'; src: string; dest: string; transcode?: { ffmpeg?: string } };

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
  if (!job.transcode) {
    const report = await stripMp4Metadata(job.src, job.dest);
    return videoResult(job.dest, report.format, report.outputBytes, report.findings.map(reportFinding));
  }
  // Strip, re-encode, strip again: ffmpeg reads only a clean copy, and nothing it writes is trusted.
  const stripped = `${job.dest}.stripped.mp4`;
  const encoded = `${job.dest}.encoded.mp4`;
  try {
    const first = await stripMp4Metadata(job.src, stripped);
    await transcodeVideo(stripped, encoded, job.transcode.ffmpeg);
    const again = await stripMp4Metadata(encoded, job.dest);
    const findings = [...first.findings.map(reportFinding), finding('transcoded', 'video.transcoded', `Re-encoded to ${TRANSCODE_PROFILE}, as the kiosk policy asks`, { codecs: TRANSCODE_CODECS })];
    return videoResult(job.dest, again.format, again.outputBytes, findings);
  } finally {
    await Promise.all([rm(stripped, { force: true }), rm(encoded, { force: true })]);
  }
}

const reportFinding = (f: Mp4Finding): SanitizeFinding => finding(f.kind, f.code, f.text, f.params);

async function videoResult(file: string, format: string, bytes: number, findings: SanitizeFinding[]): Promise<SanitizedMedia> {
  const facts = await describeMp4(file);
  return {
    kind: 'video',
    format,
    bytes,
    width: facts.width,
    height: facts.height,
    durationMs: facts.durationMs,
    report: { mediaKind: 'video', findings, warnings: [] },
  };
}
