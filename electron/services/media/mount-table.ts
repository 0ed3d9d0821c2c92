// Reads the Linux mount table (/proc/self/mounts) into plain records. The kernel writes one
// mount per line and escapes the four characters that would break that format as octal.
// Parsing is total: a line that does not look like a mount is skipped, never an error.

export interface MountEntry {
  /** What was mounted: a device such as /dev/sdb1, or a FUSE program name such as fusefat. */
  source: string;
  /** Absolute path the volume is mounted on, with escapes decoded. */
  mountPoint: string;
  fsType: string;
  options: string[];
  readOnly: boolean;
}

// The kernel only escapes space, tab, newline and backslash (as \040 \011 \012 \134), but any
// three-digit octal escape up to \377 is decoded so an odd writer cannot smuggle a raw backslash.
const OCTAL_ESCAPE = /\\([0-3][0-7]{2})/g;

export function decodeMountField(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(OCTAL_ESCAPE, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses the text of /proc/self/mounts (or /proc/mounts, /etc/mtab: same format). */
export function parseMountTable(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  let start = 0;
  // Walking by index instead of split('\n') keeps a table of many thousand mounts (container
  // hosts) to one pass without an intermediate array of lines.
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const entry = parseMountLine(text.slice(start, end));
    if (entry) entries.push(entry);
    start = end + 1;
  }
  return entries;
}

export function parseMountLine(line: string): MountEntry | undefined {
  const fields = line.trim().split(/[ \t]+/);
  if (fields.length < 3) return undefined;
  const [rawSource, rawMountPoint, rawFsType, rawOptions = ''] = fields as [string, string, string, string?];
  const mountPoint = decodeMountField(rawMountPoint);
  // Only absolute mount points are real; anything else is a corrupt or foreign line.
  if (!mountPoint.startsWith('/') || rawFsType === '') return undefined;
  const options = rawOptions === '' ? [] : rawOptions.split(',');
  return {
    source: decodeMountField(rawSource),
    mountPoint,
    fsType: decodeMountField(rawFsType),
    options,
    readOnly: options.includes('ro'),
  };
}
