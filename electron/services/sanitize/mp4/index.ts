// Public face of the MP4/MOV sanitizer: validate a video's box structure and write a copy
// without location, identity, device and time metadata. Run it in a worker thread.

export { inspectMp4, inspectMp4Bytes, stripMp4Metadata, stripMp4MetadataBytes } from './strip-mp4-metadata.ts';
export type { Mp4SanitizeOptions } from './strip-mp4-metadata.ts';
export { DEFAULT_MP4_LIMITS } from './mp4-types.ts';
export type {
  Mp4BoxSummary,
  Mp4BoxTree,
  Mp4Finding,
  Mp4FindingKind,
  Mp4Format,
  Mp4Layout,
  Mp4Limits,
  Mp4SanitizeReport,
  Mp4TrackSummary,
} from './mp4-types.ts';
export { describeMp4 } from './mp4-facts.ts';
export type { Mp4Facts } from './mp4-facts.ts';
