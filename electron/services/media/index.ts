// The media service's public face: watch for USB sticks coming and going, and say which stick
// each one is. It reports only; scanning and importing belong to ingest.

export { VolumeWatcher, DEFAULT_POLL_INTERVAL_MS, formatVolumeSerial, nodeVolumeFs } from './volume-watcher.ts';
export type { MediaLog, PollTimers, VolumeFs, VolumeListener, VolumeWatcherOptions } from './volume-watcher.ts';
export {
  fatIdentity,
  parseFatBootSector,
  readFatVolumeInfo,
  resolveLinuxIdentity,
  usbSerialFromById,
  volumeIdFor,
} from './volume-identity.ts';
export type { DiskLinkFs, FatVolumeInfo, IdentityResolver, Volume, VolumeIdentity } from './volume-identity.ts';
export { decodeMountField, parseMountLine, parseMountTable } from './mount-table.ts';
export type { MountEntry } from './mount-table.ts';
export { defaultMediaRoots, isBelowRoot, normaliseRoot, rootContaining } from './media-roots.ts';
export type { MediaPlatform } from './media-roots.ts';
export { ejectCommands, ejectVolume } from './eject.ts';
export type { CommandRunner } from './eject.ts';
