// Checks an event before it becomes an entry, and keeps secrets out: an entry is kept for ever
// and exported to sticks, so a token or PIN in it would outlive every rotation. Details are
// redacted (the event is still recorded); the fields entries are filtered by refuse secrets.
import { createHash } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';
import {
  MAX_ACTOR_CHARS,
  MAX_ACTOR_NAME_CHARS,
  MAX_DETAILS_BYTES,
  MAX_KIND_CHARS,
  MAX_SUBJECT_CHARS,
} from './audit-schema.ts';

export const REDACTED = '[redacted]';

/** What the store receives to append: every field already checked, details already redacted. */
export interface AuditAppend {
  at: string;
  actor: string;
  actorName: string;
  kind: string;
  subject: string | null;
  detailsJson: string;
}

export interface AuditEvent {
  /** A staff id, or 'system' for what Airlock does by itself. */
  actor: string;
  /** The person's name as it was at the time, so the log reads right after a rename. */
  actorName: string;
  /** Dotted, lowercase: 'staff.sign-in', 'publish.result', 'egress.blocked'. */
  kind: string;
  /** The post id, import id or account the event is about. */
  subject?: string | null;
  details?: Record<string, unknown>;
}

// Key names are split into words ("accessToken" → access, token) and squeezed ("access_token"
// → accesstoken). A fragment anywhere in the squeezed name is enough; short words must stand
// alone, so "author" and "shipping" are not mistaken for "auth" and "pin".
const SECRET_KEY_FRAGMENTS = ['token', 'password', 'passwd', 'passphrase', 'passcode', 'secret', 'apikey', 'privatekey', 'accesskey', 'authorization', 'credential', 'cookie'];
const SECRET_KEY_WORDS = new Set(['pin', 'pwd', 'otp', 'auth', 'jwt', 'bearer']);

export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const squeezed = words.join('');
  return SECRET_KEY_FRAGMENTS.some((fragment) => squeezed.includes(fragment)) || words.some((word) => SECRET_KEY_WORDS.has(word));
}

type Replacer = (match: string, ...groups: string[]) => string;

function looksLikeBasicCredentials(encoded: string): boolean {
  if (encoded.length % 4 !== 0) return false;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  return /^[^\s:]{1,256}:\S*$/.test(decoded);
}

// Shapes of credentials in free text. Each keeps the label it matched on, so a reviewer can
// still read "Authorization: Bearer [redacted]" and know what was there.
const SECRET_SHAPES: readonly (readonly [RegExp, Replacer])[] = [
  [/-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|$)/g, () => REDACTED],
  // JWT and JWE: a base64url JSON header, then at least two more dot-separated parts.
  [/\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){2,4}/g, () => REDACTED],
  // A bearer credential is any long run of non-space that is not just a word ("bearer responsibilities").
  [/\b(bearer)(\s+)(?=[^\s"',;]*[0-9_\-.~+/!*=])[^\s"',;]{16,}/gi, (_m, label, space) => `${label}${space}${REDACTED}`],
  [/\b(basic)(\s+)([A-Za-z0-9+/]{8,}={0,2})/gi, (m, label, space, encoded) => (looksLikeBasicCredentials(encoded) ? `${label}${space}${REDACTED}` : m)],
  // Platform and cloud token formats with a recognisable prefix (TikTok, GitHub, Slack, AWS, Google).
  [/\b(?:act|rft|clt)\.[A-Za-z0-9!*._-]{20,}/g, () => REDACTED],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g, () => REDACTED],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, () => REDACTED],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, () => REDACTED],
  [/\bAIza[0-9A-Za-z_-]{35}/g, () => REDACTED],
  // Credentials in a URL: user:password@host, and query parameters named like secrets.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s/@:]+:)[^\s/@]+@/gi, (_m, head) => `${head}${REDACTED}@`],
  [/([?&#;][A-Za-z0-9_.-]*(?:token|secret|password|passwd|api_?key|apikey|code|sig|signature)=)[^&#\s"']+/gi, (_m, head) => `${head}${REDACTED}`],
  // "password: hunter2", "token=abc123" in messages and logs from libraries.
  [
    /\b(password|passwd|passphrase|secret|token|api[_ -]?key|authorization|pin)(\s*[:=]\s*"?)(?!\[redacted\])[^\s"',;&]{4,}/gi,
    (_m, label, sep) => `${label}${sep}${REDACTED}`,
  ],
];

// Every shape at once, case-insensitive: it matches at least wherever one of them would, so
// text it does not match holds no credential and needs no further pass. Most text is like that.
const ANY_SECRET_SHAPE = new RegExp(SECRET_SHAPES.map(([pattern]) => `(?:${pattern.source})`).join('|'), 'i');

/** The text with every credential-shaped part replaced by [redacted]. */
export function redactText(text: string): string {
  if (!ANY_SECRET_SHAPE.test(text)) return text;
  let result = text;
  for (const [pattern, replace] of SECRET_SHAPES) result = result.replace(pattern, replace);
  return result;
}

export function containsSecret(text: string): boolean {
  return redactText(text) !== text;
}

const MAX_DEPTH = 12;

export interface RedactedDetails {
  /** Plain JSON: objects with sorted keys, arrays, strings, finite numbers, booleans, null. */
  value: Record<string, unknown>;
  /** Where something was removed, as dotted paths, for tests and IT. */
  redacted: string[];
}

/**
 * Turns details into plain JSON with secrets replaced by [redacted]: whole values under
 * secret-named keys (booleans and null are kept: they cannot carry a secret), and
 * credential-shaped parts of any string. Values JSON cannot hold become something readable.
 */
export function redactDetails(details: Record<string, unknown> | undefined): RedactedDetails {
  const redacted: string[] = [];
  const seen = new Set<object>();

  const walk = (value: unknown, path: string, depth: number): unknown => {
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string') {
      const clean = redactText(value);
      if (clean !== value) redacted.push(path || '.');
      return clean;
    }
    if (typeof value !== 'object') return null; // undefined, functions, symbols: as JSON would
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
    if (seen.has(value)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[too deep]';
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}[${i}]`, depth + 1) ?? null);
      if (value instanceof Error) return walk({ name: value.name, message: value.message }, path, depth);
      const source = value instanceof Map ? Object.fromEntries(value) : value instanceof Set ? { values: [...value] } : (value as Record<string, unknown>);
      const out: Record<string, unknown> = {};
      for (const rawKey of Object.keys(source).sort()) {
        const item = source[rawKey];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        const key = redactText(rawKey);
        const itemPath = path ? `${path}.${key}` : key;
        if (key !== rawKey) redacted.push(`${path || '.'} (a key)`);
        if (isSecretKey(rawKey) && item !== null && typeof item !== 'boolean' && item !== REDACTED) {
          out[key] = REDACTED;
          redacted.push(itemPath);
        } else {
          out[key] = walk(item, itemPath, depth + 1);
        }
      }
      return out;
    } finally {
      seen.delete(value);
    }
  };

  if (details === undefined) return { value: {}, redacted };
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    throw new AirlockError('audit.bad-event', 'Airlock could not record this action in the audit log.', 'audit details must be an object');
  }
  return { value: walk(details, '', 0) as Record<string, unknown>, redacted };
}

/** JSON with object keys in sorted order, so equal details always read the same. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`)
    .join(',')}}`;
}

/**
 * Details that fit the bound. Oversized details are replaced by their size and SHA-256 (so a
 * full copy kept elsewhere, such as a sanitisation report, can be matched to the entry), plus
 * as many short top-level values as still fit: the event itself is never dropped.
 */
export function boundedDetailsJson(details: Record<string, unknown>): string {
  const full = stableJson(details);
  const bytes = Buffer.byteLength(full, 'utf8');
  if (bytes <= MAX_DETAILS_BYTES) return full;
  const kept: Record<string, unknown> = { _truncated: { bytes, sha256: createHash('sha256').update(full, 'utf8').digest('hex') } };
  for (const [key, value] of Object.entries(details)) {
    const short = value === null || typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value.length <= 200);
    if (!short || key === '_truncated') continue;
    const candidate = { ...kept, [key]: value };
    if (Buffer.byteLength(stableJson(candidate), 'utf8') > MAX_DETAILS_BYTES) break;
    kept[key] = value;
  }
  return stableJson(kept);
}

function badEvent(detail: string): AirlockError {
  return new AirlockError('audit.bad-event', 'Airlock could not record this action in the audit log.', detail);
}

const KIND_PATTERN = /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)+$/;
const CONTROL_CHARS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function checkText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw badEvent(`${field} must be text of 1 to ${max} characters`);
  if (CONTROL_CHARS.test(value)) throw badEvent(`${field} has control or invisible characters`);
  // These fields are what the audit screen filters and shows in its columns; a redacted value
  // there would be misleading, so the event is refused and the caller's bug surfaces.
  if (containsSecret(value)) {
    throw new AirlockError('audit.secret-refused', 'Airlock refused to write a password or token into the audit log.', `${field} looks like a credential`);
  }
  return value;
}

/** Checks an append from any caller, on whichever thread writes the entry. */
export function checkAuditAppend(a: AuditAppend): AuditAppend {
  if (typeof a.at !== 'string' || !ISO_INSTANT.test(a.at)) throw badEvent('at must be an ISO instant such as 2026-11-21T10:00:00.000Z');
  const kind = checkText('kind', a.kind, MAX_KIND_CHARS);
  if (!KIND_PATTERN.test(kind)) throw badEvent(`kind "${kind}" must be dotted lowercase words such as "post.approved"`);
  const subject = a.subject === null || a.subject === undefined ? null : checkText('subject', a.subject, MAX_SUBJECT_CHARS);
  if (typeof a.detailsJson !== 'string' || Buffer.byteLength(a.detailsJson, 'utf8') > MAX_DETAILS_BYTES) throw badEvent('details are missing or too large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(a.detailsJson);
  } catch {
    throw badEvent('details are not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw badEvent('details must be a JSON object');
  // A caller that skipped prepareAuditAppend still cannot write a secret.
  if (redactDetails(parsed as Record<string, unknown>).redacted.length > 0) {
    throw new AirlockError('audit.secret-refused', 'Airlock refused to write a password or token into the audit log.', 'details hold a credential that was not redacted');
  }
  return {
    at: a.at,
    actor: checkText('actor', a.actor, MAX_ACTOR_CHARS),
    actorName: checkText('actorName', a.actorName, MAX_ACTOR_NAME_CHARS),
    kind,
    subject,
    detailsJson: a.detailsJson,
  };
}

/** An event as it will be stored: fields checked, details redacted, serialised and bounded. */
export function prepareAuditAppend(event: AuditEvent, at: Date): AuditAppend & { redacted: string[] } {
  if (event === null || typeof event !== 'object') throw badEvent('an audit event must be an object');
  const { value, redacted } = redactDetails(event.details);
  const append = checkAuditAppend({
    at: at.toISOString(),
    actor: event.actor,
    actorName: event.actorName,
    kind: event.kind,
    subject: event.subject ?? null,
    detailsJson: boundedDetailsJson(value),
  });
  return { ...append, redacted };
}
