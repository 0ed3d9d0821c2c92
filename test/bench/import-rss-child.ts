// Runs one BlobStore import in a process of its own and prints its peak RSS, so the figure is
// the import's footprint alone, not whatever the bench process has accumulated.
// Usage: node import-rss-child.ts DATA_DIR SOURCE_FILE  ->  {"peakRssKiB":…,"maxRssKiB":…,"bytes":…}

import { readFileSync } from 'node:fs';
import { BlobStore } from '../../electron/services/ingest/blob-store.ts';

const [dataDir, source] = process.argv.slice(2);
if (dataDir === undefined || source === undefined) {
  console.error('usage: import-rss-child.ts DATA_DIR SOURCE_FILE');
  process.exit(2);
}

/**
 * On Linux, getrusage's maxRSS survives fork+exec: a child of a 250 MB parent reports at least
 * 250 MB however little it uses. VmHWM is the peak of this process's own address space, reset
 * at exec, so it is used where it exists; elsewhere maxRSS (KiB on every platform) is honest.
 */
function peakRssKiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]);
  } catch {
    // No procfs (macOS, Windows): fall through to getrusage.
  }
  return process.resourceUsage().maxRSS;
}

const store = await BlobStore.open(dataDir);
const stored = await store.importFile(source);
console.log(JSON.stringify({ peakRssKiB: peakRssKiB(), maxRssKiB: process.resourceUsage().maxRSS, bytes: stored.bytes }));
