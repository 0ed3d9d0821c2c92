// Cleans caption text from a stick before anyone sees or publishes it: Unicode NFC, hidden
// direction overrides, zero-width and control characters removed (each counted for the
// report), and look-alike words flagged for a person to check rather than silently changed.

import type { CAPTION_SCRIPTS, FindingParams, SanitizeFindingCode } from '../../../common/sanitize-report.ts';

export interface CaptionFinding {
  kind: 'bidi' | 'invisible' | 'control' | 'tag' | 'variation' | 'normalised' | 'line-breaks';
  count: number;
  text: string;
  /** `caption.<kind>` in SANITIZE_FINDING_CODES, so the renderer can say it in each language. */
  code: SanitizeFindingCode & `caption.${CaptionFinding['kind']}`;
  params?: FindingParams;
}

export interface CaptionWarning {
  kind: 'mixed-script' | 'private-use';
  text: string;
  code: SanitizeFindingCode & `caption.${CaptionWarning['kind']}`;
  params: FindingParams;
}

export interface CleanCaption {
  text: string;
  findings: CaptionFinding[];
  warnings: CaptionWarning[];
}

const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
const INVISIBLE = /[\u200B\u2060-\u2064\uFEFF\u180E\u00AD\u034F\u115F\u1160\u3164\uFFA0\u17B4\u17B5]/u;
const TAG = /[\u{E0000}-\u{E007F}]/u;
const SUPPLEMENTARY_VARIATION = /[\u{E0100}-\u{E01EF}]/u;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const PICTOGRAPHIC = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F\u20E3]/u;
const PICTOGRAPH_START = /\p{Extended_Pictographic}/u;
const LETTER_OR_MARK = /[\p{L}\p{M}]/u;
const LATIN = /\p{Script=Latin}/u;
const BLACK_FLAG = '\u{1F3F4}';
const CANCEL_TAG = '\u{E007F}';
const PRIVATE_USE = /[\p{Co}]/u;

const SCRIPTS: ReadonlyArray<[(typeof CAPTION_SCRIPTS)[number], RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Index of the end of a valid emoji tag sequence (🏴 + tag letters + cancel tag, as used for
 * the flags of Scotland, Wales and England) starting at `i`, or -1. Tag characters anywhere
 * else can smuggle invisible text and are removed.
 */
function tagSequenceEnd(chars: string[], i: number): number {
  if (chars[i] !== BLACK_FLAG) return -1;
  let j = i + 1;
  while (j < chars.length && TAG.test(chars[j]!) && chars[j] !== CANCEL_TAG) j++;
  return j > i + 1 && chars[j] === CANCEL_TAG ? j : -1;
}

export function cleanCaption(input: string): CleanCaption {
  const counts = { bidi: 0, invisible: 0, control: 0, tag: 0, variation: 0, lineBreaks: 0 };
  const normalised = input.normalize('NFC');
  const chars = Array.from(normalised);
  const out: string[] = [];

  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const prev = chars[i - 1] ?? '';
    const next = chars[i + 1] ?? '';
    const flagEnd = tagSequenceEnd(chars, i);
    if (flagEnd > 0) {
      out.push(...chars.slice(i, flagEnd + 1));
      i = flagEnd;
      continue;
    }
    if (ch === '\r') {
      if (next !== '\n') out.push('\n');
      continue;
    }
    if (ch === '\u2028' || ch === '\u2029') {
      counts.lineBreaks++;
      out.push('\n');
      continue;
    }
    if (ch === '\t') {
      out.push(' ');
      continue;
    }
    if (BIDI.test(ch)) {
      counts.bidi++;
      continue;
    }
    if (ch === '\u200D') {
      // Zero-width joiner builds emoji such as 👩‍💻 and family groups; keep it only there.
      if (PICTOGRAPHIC.test(prev) && PICTOGRAPH_START.test(next)) out.push(ch);
      else counts.invisible++;
      continue;
    }
    if (ch === '\u200C') {
      // Zero-width non-joiner is spelling in Persian and several Indic scripts; keep it there.
      if (LETTER_OR_MARK.test(prev) && LETTER_OR_MARK.test(next) && !LATIN.test(prev) && !LATIN.test(next)) out.push(ch);
      else counts.invisible++;
      continue;
    }
    if (INVISIBLE.test(ch)) {
      counts.invisible++;
      continue;
    }
    if (TAG.test(ch)) {
      counts.tag++;
      continue;
    }
    if (SUPPLEMENTARY_VARIATION.test(ch)) {
      counts.variation++;
      continue;
    }
    if (CONTROL.test(ch)) {
      counts.control++;
      continue;
    }
    out.push(ch);
  }

  // Removing a character can bring a letter and a combining mark together: normalise again.
  const text = out.join('').normalize('NFC');
  const findings: CaptionFinding[] = [];
  if (normalised !== input) findings.push({ kind: 'normalised', code: 'caption.normalised', count: 1, text: 'Accented letters were stored in an unusual form and have been normalised' });
  if (counts.bidi) findings.push({ kind: 'bidi', code: 'caption.bidi', count: counts.bidi, params: { count: counts.bidi }, text: `${plural(counts.bidi, 'text-direction control character', 'text-direction control characters')} removed` });
  if (counts.invisible) findings.push({ kind: 'invisible', code: 'caption.invisible', count: counts.invisible, params: { count: counts.invisible }, text: `${plural(counts.invisible, 'invisible character', 'invisible characters')} removed` });
  if (counts.tag) findings.push({ kind: 'tag', code: 'caption.tag', count: counts.tag, params: { count: counts.tag }, text: `${plural(counts.tag, 'hidden tag character', 'hidden tag characters')} removed (these can carry invisible text)` });
  if (counts.variation) findings.push({ kind: 'variation', code: 'caption.variation', count: counts.variation, params: { count: counts.variation }, text: `${plural(counts.variation, 'hidden variation selector', 'hidden variation selectors')} removed` });
  if (counts.control) findings.push({ kind: 'control', code: 'caption.control', count: counts.control, params: { count: counts.control }, text: `${plural(counts.control, 'control character', 'control characters')} removed` });
  if (counts.lineBreaks) findings.push({ kind: 'line-breaks', code: 'caption.line-breaks', count: counts.lineBreaks, params: { count: counts.lineBreaks }, text: `${plural(counts.lineBreaks, 'unusual line break', 'unusual line breaks')} replaced with a normal one` });

  return { text, findings, warnings: lookAlikeWarnings(text) };
}

/** Words that mix Latin with Cyrillic, Greek or similar letters, such as "Тallinn" with a Cyrillic Т. */
export function lookAlikeWarnings(text: string): CaptionWarning[] {
  const warnings: CaptionWarning[] = [];
  const seen = new Set<string>();
  for (const word of text.match(/[\p{L}\p{M}\p{Nd}]+/gu) ?? []) {
    if (seen.has(word)) continue;
    seen.add(word);
    const scripts = SCRIPTS.filter(([, re]) => re.test(word)).map(([name]) => name);
    if (scripts.length > 1) {
      warnings.push({ kind: 'mixed-script', code: 'caption.mixed-script', params: { word, scripts }, text: `The word “${word}” mixes ${scripts.join(' and ')} letters, so it may be a look-alike. Check it before publishing.` });
    }
  }
  const privateUse = Array.from(text).filter((c) => PRIVATE_USE.test(c)).length;
  if (privateUse > 0) {
    warnings.push({ kind: 'private-use', code: 'caption.private-use', params: { count: privateUse }, text: `${plural(privateUse, 'character', 'characters')} from a private range will show differently on each device. Check the caption.` });
  }
  return warnings;
}
