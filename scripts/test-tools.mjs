// The system programs Airlock's tests use, and the Debian package each comes from. Shared by
// the preflight check and scripts/install-test-deps.sh (which reads `--packages`).
import { existsSync } from 'node:fs';
import path from 'node:path';

export const TEST_TOOLS = [
  { tool: 'chromium', pkg: 'chromium' },
  { tool: 'dbus-run-session', pkg: 'dbus' },
  { tool: 'gnome-keyring-daemon', pkg: 'gnome-keyring' },
  { tool: 'secret-tool', pkg: 'libsecret-tools' },
  { tool: 'fusefat', pkg: 'fusefat' },
  { tool: 'fusermount', pkg: 'fuse' },
  { tool: 'mcopy', pkg: 'mtools' },
  { tool: 'mkfs.vfat', pkg: 'dosfstools' },
  { tool: 'fuse2fs', pkg: 'fuse2fs' },
  { tool: 'exiftool', pkg: 'libimage-exiftool-perl' },
  { tool: 'ffmpeg', pkg: 'ffmpeg' },
  { tool: 'ffprobe', pkg: 'ffmpeg' },
  { tool: 'vips', pkg: 'libvips-tools' },
  { tool: 'Xvfb', pkg: 'xvfb' },
];

const SEARCH = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export function hasTool(tool) {
  return SEARCH.some((dir) => dir && existsSync(path.join(dir, tool)));
}

export function missingTestTools() {
  return TEST_TOOLS.filter((t) => !hasTool(t.tool));
}

if (process.argv[2] === '--packages') console.log([...new Set(TEST_TOOLS.map((t) => t.pkg))].join(' '));
