// Judges a single file or folder name read from a stick, before anything else looks at it.
// Names that could escape the stick (separators, "..") or mislead a person reading the screen
// (control, bidi and invisible characters) are refused; operating-system clutter is skipped.

export type NameCheck =
  | { verdict: 'ok' }
  | { verdict: 'skip'; code: 'ingest.hidden' | 'ingest.system-file'; reason: string }
  | { verdict: 'refuse'; code: 'ingest.bad-name'; reason: string };

// Folders and files that operating systems and cameras leave on sticks. Matched without
// regard to case because FAT is case-insensitive and Windows writes several spellings.
const SYSTEM_NAMES = new Set(
  [
    '.trashes',
    '.spotlight-v100',
    '.fseventsd',
    'system volume information',
    '$recycle.bin',
    'recycler',
    'recycled',
    '__macosx',
    'thumbs.db',
    'ehthumbs.db',
    'desktop.ini',
  ].map((name) => name.toLowerCase()),
);

// Cc: C0/C1 controls and DEL. Cf: format characters, which include every bidi override,
// embedding and isolate, zero-width space/joiners, the BOM, soft hyphen and Unicode tags.
// Zl/Zp: line and paragraph separators. All of them can make a name display as something
// it is not ("photo<RLO>gpj.exe" shows as "photoexe.jpg").
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

// Fillers that render as blank without being Cf.
const BLANK_LOOKALIKES = /[\u115F\u1160\u3164\uFFA0\u034F\u180B-\u180D\uFE00-\uFE0F]/u;

// A lone UTF-16 surrogate: the name was never text.
const LONE_SURROGATE = /\p{Cs}/u;

const MAX_NAME_UTF8_BYTES = 255;

export function checkEntryName(name: string): NameCheck {
  if (typeof name !== 'string' || name.length === 0) {
    return refuse('This item has no name.');
  }
  if (name === '.' || name === '..') {
    return refuse('This name points outside its folder ("." or "..").');
  }
  if (name.includes('/') || name.includes('\\')) {
    return refuse('The name contains a folder separator (/ or \\), which could point outside the stick.');
  }
  if (name.includes('\0') || INVISIBLE_OR_CONTROL.test(name)) {
    return refuse(
      'The name contains hidden control or direction-changing characters that can disguise what the file really is.',
    );
  }
  if (BLANK_LOOKALIKES.test(name)) {
    return refuse('The name contains invisible characters that can disguise what the file really is.');
  }
  // Node decodes names that are not valid UTF-8 with U+FFFD; such a name no longer opens the
  // same file.
  if (name.includes('\uFFFD') || LONE_SURROGATE.test(name)) {
    return refuse('The name is not valid text. Rename the file on the corporate side and try again.');
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_UTF8_BYTES) {
    return refuse('The name is too long.');
  }
  if (SYSTEM_NAMES.has(name.toLowerCase())) {
    return {
      verdict: 'skip',
      code: 'ingest.system-file',
      reason: 'Left out: this is a system file or folder that Windows or macOS puts on sticks.',
    };
  }
  if (name.startsWith('.')) {
    return {
      verdict: 'skip',
      code: 'ingest.hidden',
      reason: 'Left out: hidden files and folders are never imported.',
    };
  }
  return { verdict: 'ok' };
}

function refuse(reason: string): NameCheck {
  return { verdict: 'refuse', code: 'ingest.bad-name', reason };
}

/**
 * A form of a name that is safe to put on screen: every control or invisible character is
 * shown as an escape such as \u{202E}, so a refused name cannot spoof the list it appears in.
 */
export function displaySafeName(name: string): string {
  let out = '';
  for (const char of name) {
    if (INVISIBLE_OR_CONTROL.test(char) || BLANK_LOOKALIKES.test(char) || char === '\uFFFD' || LONE_SURROGATE.test(char)) {
      out += `\\u{${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`;
    } else {
      out += char;
    }
  }
  return out;
}

/** The text after the last dot, lower-cased; '' when there is none (or only a leading dot). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return '';
  return name.slice(dot + 1).toLowerCase();
}
