// Every way an MP4/MOV can be refused, as an AirlockError with a stable code and a sentence
// staff can act on. The detail names the box and offset so IT can reproduce the decision.

import { AirlockError } from '../../../../common/errors.ts';

export function notVideo(detail: string): AirlockError {
  return new AirlockError(
    'media.mp4-not-video',
    'This file is not an MP4 or MOV video, even though its name may say so. It was not imported.',
    detail,
  );
}

export function malformed(detail: string): AirlockError {
  return new AirlockError(
    'media.mp4-malformed',
    'This video file is damaged or not a normal video, so it was not imported.',
    detail,
  );
}

export function tooComplex(detail: string): AirlockError {
  return new AirlockError(
    'media.mp4-too-complex',
    'This video file is built in an unusually complex way that Airlock does not accept. Export it again from the editing app and retry.',
    detail,
  );
}

export function unsupported(detail: string): AirlockError {
  return new AirlockError(
    'media.mp4-unsupported',
    'This video uses a file layout Airlock cannot safely clean. Export it again as a normal MP4 and retry.',
    detail,
  );
}

export function noMedia(detail: string): AirlockError {
  return new AirlockError('media.mp4-no-media', 'This video file contains no picture or sound.', detail);
}

export function readFailed(detail: string): AirlockError {
  return new AirlockError(
    'media.mp4-read-failed',
    'Airlock could not read this video file. Nothing was imported.',
    detail,
  );
}

export function writeFailed(detail: string): AirlockError {
  return new AirlockError(
    'media.mp4-write-failed',
    'Airlock could not write the cleaned copy of this video (the disk may be full). Nothing was imported.',
    detail,
  );
}

/** Offsets in details are decimal so they match what `inspectMp4` and hex dumps with -d show. */
export function at(type: string, offset: number): string {
  return `box ${printableType(type)} at offset ${offset}`;
}

/** Box types come from the file; keep them from putting control characters into logs. */
export function printableType(type: string): string {
  let out = '';
  for (const ch of type) {
    const code = ch.charCodeAt(0);
    out += code >= 0x20 && code < 0x7f ? ch : code === 0xa9 ? '©' : `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return `'${out}'`;
}
