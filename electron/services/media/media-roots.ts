// Decides which folders count as places where removable volumes appear: the desktop's own
// automount folders per platform, plus the roots IT configures in the policy.
// Matching is by path components, so /media/kiosk2 is never taken to be below /media/kiosk.

import { posix, win32 } from 'node:path';

export type MediaPlatform = NodeJS.Platform;

/** Where the usual automounters (udisks, systemd, Finder) put sticks. Windows uses drive letters. */
export function defaultMediaRoots(platform: MediaPlatform, user: string | undefined): string[] {
  if (platform === 'darwin') return ['/Volumes'];
  if (platform === 'win32') return [];
  // udisks2 mounts at /media/$USER (Debian, Ubuntu) or /run/media/$USER (Fedora, Arch); older
  // setups and hand-written fstab entries use /media/LABEL, which /media covers.
  const safeUser = user !== undefined && user !== '' && !user.includes('/') ? user : undefined;
  return safeUser === undefined ? ['/media', '/run/media'] : ['/media', `/media/${safeUser}`, `/run/media/${safeUser}`];
}

export function pathFlavour(platform: MediaPlatform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

/**
 * Normalises a configured root: absolute, no trailing separator. Returns undefined for roots
 * that cannot work (relative) or would turn every mount on the machine into a "stick" (/ or C:\).
 */
export function normaliseRoot(root: string, platform: MediaPlatform): string | undefined {
  const path = pathFlavour(platform);
  if (root.includes('\0') || !path.isAbsolute(root)) return undefined;
  const clean = stripTrailingSeparator(path.normalize(root), platform);
  if (isFilesystemRoot(clean, platform)) return undefined;
  return clean;
}

/** True if `child` lies strictly below `root` (both absolute and normalised). */
export function isBelowRoot(child: string, root: string, platform: MediaPlatform): boolean {
  const separator = platform === 'win32' ? '\\' : '/';
  // Windows paths compare case-insensitively, as the file system does.
  const [c, r] = platform === 'win32' ? [child.toLowerCase(), root.toLowerCase()] : [child, root];
  const prefix = r.endsWith(separator) ? r : r + separator;
  return c.length > prefix.length && c.startsWith(prefix);
}

/** The root among `roots` that `child` lies below, preferring the deepest (most specific). */
export function rootContaining(child: string, roots: readonly string[], platform: MediaPlatform): string | undefined {
  let best: string | undefined;
  for (const root of roots) {
    if (isBelowRoot(child, root, platform) && (best === undefined || root.length > best.length)) best = root;
  }
  return best;
}

function stripTrailingSeparator(path: string, platform: MediaPlatform): string {
  const separators = platform === 'win32' ? /[\\/]+$/ : /\/+$/;
  const stripped = path.replace(separators, '');
  return stripped === '' ? path : stripped;
}

function isFilesystemRoot(path: string, platform: MediaPlatform): boolean {
  if (platform === 'win32') return /^([a-zA-Z]:)?[\\/]?$/.test(path) || /^\\\\[^\\]+\\[^\\]+$/.test(path);
  return path === '/' || path === '';
}
