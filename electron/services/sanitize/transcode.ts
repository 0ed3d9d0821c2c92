// Optional (policy media.transcodeVideo): after the metadata strip, re-encode a video with the
// system's ffmpeg to one known-safe profile — H.264 High (yuv420p) and stereo AAC in MP4, with
// no metadata, chapters or extra streams — so only what ffmpeg itself decoded and re-created
// reaches the library. The result is stripped again by Airlock's own MP4 rewriter, so the
// encoder's own tags do not survive either. ffmpeg runs as a child process with a fixed
// argument list (no shell), reading the stripped copy in the store, never the stick.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { AirlockError } from '../../../common/errors.ts';

/** The picture and sound formats, named the same in every language. */
export const TRANSCODE_CODECS = 'H.264 High, yuv420p, AAC stereo';
export const TRANSCODE_PROFILE = `${TRANSCODE_CODECS}, MP4 with the index first`;

export function transcodeArgs(src: string, dest: string): string[] {
  return [
    '-nostdin', '-hide_banner', '-v', 'error', '-y',
    '-i', src,
    // The first video stream and, if there is one, the first audio stream; nothing else.
    '-map', '0:v:0', '-map', '0:a:0?',
    '-map_metadata', '-1', '-map_chapters', '-1',
    '-c:v', 'libx264', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-preset', 'veryfast', '-crf', '20',
    '-c:a', 'aac', '-b:a', '160k', '-ac', '2',
    '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact',
    '-movflags', '+faststart',
    '-f', 'mp4', dest,
  ];
}

/** Re-encodes `src` into `dest`; refuses with words for staff when ffmpeg is missing or fails. */
export async function transcodeVideo(src: string, dest: string, ffmpeg = 'ffmpeg', timeoutMs = 30 * 60_000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile(ffmpeg, transcodeArgs(src, dest), { timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true, env: { PATH: process.env.PATH ?? '' } }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new AirlockError(
            'sanitize.transcoder-missing',
            "This kiosk's policy asks for videos to be re-encoded, but the video tool is not installed. Ask IT to install ffmpeg or change the policy.",
            `${ffmpeg} was not found (policy media.transcodeVideo is on)`,
          ),
        );
      }
      const detail = String(stderr).split('\n').filter(Boolean).slice(-3).join(' | ').slice(0, 400);
      reject(new AirlockError('sanitize.transcode-failed', 'Airlock could not re-encode this video, so it was not imported. Export it again as an ordinary MP4.', `ffmpeg: ${detail || err.message}`));
    });
  }).catch(async (err: unknown) => {
    await rm(dest, { force: true });
    throw err;
  });
}
