// The facts platforms check before accepting a video (duration, picture size as displayed),
// read from the movie header of an already validated file: mvhd for the duration, the picture
// track's tkhd for its size and rotation.
import { DEFAULT_MP4_LIMITS, type Mp4Limits } from './mp4-types.ts';
import { childOf, payloadOf, type Mp4Box } from './mp4-box.ts';
import { analyseMp4 } from './mp4-analysis.ts';
import { openFileSource } from './mp4-io.ts';

export interface Mp4Facts {
  durationMs: number | null;
  /** As shown: a phone video stored sideways with a 90° rotation reports its upright size. */
  width: number | null;
  height: number | null;
}

function movieDuration(moov: Mp4Box): number | null {
  const mvhd = childOf(moov, 'mvhd');
  if (!mvhd) return null;
  const p = payloadOf(mvhd);
  const version = p[0];
  const [timescale, duration] = version === 1 && p.length >= 32 ? [p.readUInt32BE(20), Number(p.readBigUInt64BE(24))] : p.length >= 20 ? [p.readUInt32BE(12), p.readUInt32BE(16)] : [0, 0];
  return timescale > 0 ? Math.round((duration / timescale) * 1000) : null;
}

function pictureSize(trak: Mp4Box): { width: number; height: number } | null {
  const tkhd = childOf(trak, 'tkhd');
  if (!tkhd) return null;
  const p = payloadOf(tkhd);
  // After version/flags, times and ids (v0: 20 bytes, v1: 32), 8 reserved, layer, group,
  // volume, 2 reserved, then the 3×3 matrix (36 bytes) and width/height as 16.16 fixed point.
  const matrixAt = (p[0] === 1 ? 36 : 24) + 16;
  const sizeAt = matrixAt + 36;
  if (p.length < sizeAt + 8) return null;
  let width = Math.round(p.readUInt32BE(sizeAt) / 65536);
  let height = Math.round(p.readUInt32BE(sizeAt + 4) / 65536);
  const b = p.readInt32BE(matrixAt + 4);
  if (b !== 0) [width, height] = [height, width];
  return width > 0 && height > 0 ? { width, height } : null;
}

export async function describeMp4(path: string, limits: Mp4Limits = DEFAULT_MP4_LIMITS): Promise<Mp4Facts> {
  const { source, close } = await openFileSource(path);
  try {
    const analysis = await analyseMp4(source, limits);
    const picture = analysis.tracks.find((t) => t.handler === 'vide');
    const size = picture ? pictureSize(picture.trak) : null;
    return { durationMs: movieDuration(analysis.movie.tree), width: size?.width ?? null, height: size?.height ?? null };
  } finally {
    await close();
  }
}
