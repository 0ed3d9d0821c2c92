// The shapes the MP4/MOV sanitizer hands back: the box tree it validated, what it removed,
// and the limits that keep a hostile file from costing unbounded time or memory.
import type { FindingParams, SanitizeFindingCode } from '../../../../common/sanitize-report.ts';

const MiB = 1024 * 1024;

export interface Mp4Limits {
  /** The movie header is read whole into memory; anything larger is refused. */
  maxMoovBytes: number;
  /** Each fragment header (`moof`) and the fragment index (`mfra`) is read whole. */
  maxFragmentHeaderBytes: number;
  /** Top-level metadata boxes are read up to this many bytes to describe them; they are dropped either way. */
  maxMetadataScanBytes: number;
  /** Nesting below the file (top level is depth 0). Real files stay under 8. */
  maxDepth: number;
  /** Boxes looked at across the whole file, nested ones included. */
  maxBoxes: number;
}

export const DEFAULT_MP4_LIMITS: Readonly<Mp4Limits> = Object.freeze({
  maxMoovBytes: 64 * MiB,
  maxFragmentHeaderBytes: 16 * MiB,
  maxMetadataScanBytes: 4 * MiB,
  maxDepth: 12,
  maxBoxes: 200_000,
});

export type Mp4Format = 'mp4' | 'quicktime';

/** `faststart`: the movie header sits before the media, so removing bytes from it moves the media. */
export type Mp4Layout = 'faststart' | 'moov-last';

export interface Mp4BoxSummary {
  type: string;
  /** Absolute offset of the box in the file. */
  offset: number;
  size: number;
  headerSize: number;
  /** Extended type of a `uuid` box, as 32 lowercase hex digits. */
  uuid?: string;
  children?: Mp4BoxSummary[];
}

export interface Mp4TrackSummary {
  trackId: number;
  /** Handler type from `mdia/hdlr`: `vide`, `soun`, `meta`, `tmcd`, `text`, ... */
  handler: string;
  sampleCount: number;
  chunkCount: number;
  /** Absolute file offset of the first chunk, or null when the track has none (fragmented files). */
  firstChunkOffset: number | null;
}

export interface Mp4BoxTree {
  fileSize: number;
  format: Mp4Format;
  majorBrand: string | null;
  layout: Mp4Layout;
  fragmented: boolean;
  boxes: Mp4BoxSummary[];
  tracks: Mp4TrackSummary[];
}

export type Mp4FindingKind =
  | 'location'
  | 'author'
  | 'title'
  | 'date'
  | 'device'
  | 'software'
  | 'encoder'
  | 'tag'
  | 'track'
  | 'boxes';

export interface Mp4Finding {
  kind: Mp4FindingKind;
  /** A sentence for kiosk staff, e.g. `Location 59.4370 N, 24.7536 E removed`. */
  text: string;
  /** Which sentence it is, and the values in it, so the renderer can say it in each language. */
  code: SanitizeFindingCode;
  params?: FindingParams;
}

export interface Mp4SanitizeReport {
  format: Mp4Format;
  layout: Mp4Layout;
  fragmented: boolean;
  inputBytes: number;
  outputBytes: number;
  findings: Mp4Finding[];
  /** Boxes taken out of the file, by four-character type (`udta`, `meta`, `uuid`, `trak`, ...). */
  removedBoxes: Record<string, number>;
  /** Tracks other than picture and sound (timed metadata, timecode, subtitles) that were dropped. */
  removedTracks: number;
  /** Creation/modification times in mvhd/tkhd/mdhd that were non-zero and are now 0. */
  clearedTimestamps: number;
  /** How many bytes earlier the media data now starts (chunk offsets were rewritten by this). */
  mediaShiftBytes: number;
}
