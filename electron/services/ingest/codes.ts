// Every code the ingest scan and copy can give a refused file, a stopped scan or a failed
// import. The renderer says each in the staff's language by its code; a test checks that both
// catalogues hold every one and that the ingest code uses no other.
export const INGEST_CODES = [
  'ingest.bad-manifest',
  'ingest.bad-name',
  'ingest.bad-text',
  'ingest.cancelled',
  'ingest.changed',
  'ingest.disk-full',
  'ingest.empty',
  'ingest.extension-mismatch',
  'ingest.extension-not-allowed',
  'ingest.hard-link',
  'ingest.hash-mismatch',
  'ingest.heic-unsupported',
  'ingest.hidden',
  'ingest.misplaced-package-file',
  'ingest.not-a-folder',
  'ingest.program',
  'ingest.read-failed',
  'ingest.special-file',
  'ingest.symlink',
  'ingest.system-file',
  'ingest.too-deep',
  'ingest.too-large',
  'ingest.too-many-entries',
  'ingest.too-many-files',
  'ingest.too-much-data',
  'ingest.type-not-allowed',
  'ingest.unreadable',
  'ingest.unrecognised',
  'ingest.vanished',
  'ingest.write-failed',
] as const;
export type IngestCode = (typeof INGEST_CODES)[number];

/** Values a refusal's sentence needs, e.g. `{ bytes: 5_000_000, limit: 4_000_000 }` for `ingest.too-large`. */
export type IngestParams = Record<string, string | number>;
