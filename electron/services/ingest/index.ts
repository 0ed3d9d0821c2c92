// The ingest service's public face: scan a mounted stick, classify what is on it, and copy
// accepted files into the content-addressed blob store. Nothing here imports electron.

export { scanVolume } from './scan.ts';
export type { AcceptedFile, RejectedFile, ScanOptions, ScanProgress, ScanResult, ScanTotals, ScanTruncation } from './scan.ts';
export { BlobStore } from './blob-store.ts';
export type { BlobImportOptions, StoredBlob } from './blob-store.ts';
export { classifyFile, sniffFormat, ALLOWED_EXTENSION_LIST, SNIFF_BYTES } from './classify.ts';
export type { Classification, ClassifyOptions, Sniffed, SniffGroup } from './classify.ts';
export { checkEntryName, displaySafeName, extensionOf } from './names.ts';
export type { NameCheck } from './names.ts';
export { DEFAULT_SCAN_LIMITS, MEDIA_KINDS, formatBytes, resolveScanLimits } from './limits.ts';
export type { MediaKind, ScanLimits, ScanLimitsInput } from './limits.ts';
export { STICK_REMOVED_MESSAGE } from './stick-read.ts';
