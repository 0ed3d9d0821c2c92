// Airlock's version, read from package.json once. Both shells and the CLI report the same string.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function airlockVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
