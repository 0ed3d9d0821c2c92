// Finds the Electron executable without triggering electron's download-on-first-use (which
// hangs or fails on machines that cannot reach its download host). Returns null if absent.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const electronDir = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));

export function electronBinary(env = process.env) {
  let relative = 'electron';
  const pathFile = path.join(electronDir, 'path.txt');
  if (existsSync(pathFile)) relative = readFileSync(pathFile, 'utf8').trim();
  else if (!env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  const dist = env.ELECTRON_OVERRIDE_DIST_PATH || path.join(electronDir, 'dist');
  const binary = path.join(dist, relative);
  return existsSync(binary) ? binary : null;
}
