// Keeps secrets out of logs: every line is scrubbed of the secrets Airlock knows it holds and of
// anything shaped like a credential (bearer tokens, Authorization headers, token fields, JWTs,
// private keys). Builds on the egress log's scrubber so both logs hide the same things.
import { formatWithOptions, inspect } from 'node:util';
import { redactSecrets as redactTransportSecrets } from '../egress/egress-log.ts';

export const REDACTED = '[redacted]';
/** Shorter strings are not real tokens, and hiding every occurrence of them would blank ordinary words. */
export const MIN_KNOWN_SECRET_LENGTH = 4;

// Field names that carry a credential in JSON, query strings, form bodies and inspected objects.
const SECRET_NAME = String.raw`[\w$.-]*?(?:token|secret|passw(?:or)?d|pwd|jwt|verifier|api[_-]?key|apikey|credential|private[_-]?key|signature)[\w$.-]*`;

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
// Two or three base64url parts starting with `eyJ` (`{"`): JWS and JWT, signed or not; five for JWE.
const JWT = /\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){1,3}/g;
const JSON_FIELD = new RegExp(String.raw`("${SECRET_NAME}")(\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi');
// `accessToken: 'abc'` as printed by util.inspect, YAML or JavaScript source; only quoted values,
// so a sentence such as "refresh token: expired" stays readable.
const QUOTED_FIELD = new RegExp(String.raw`(^|[^\w$"'-])(${SECRET_NAME})(\s*:\s*)(['"\`])(?:(?!\4)[^\\]|\\.)*\4`, 'gi');
// `refresh_token=abc` anywhere, including inside a quoted form body where the egress scrubber's
// "start of word" rule does not apply.
const ASSIGNMENT = new RegExp(String.raw`(^|[^\w$-])(${SECRET_NAME})=(?!\[redacted\])[^&\s"',;)}\]]+`, 'gi');
const HEADER = /\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-csrf-token)(["']?\s*[:=]\s*["']?)[^"'\r\n]+/gi;

/**
 * Replaces known secrets (and their URL-, JSON- and inspect-escaped spellings) and anything shaped
 * like a credential with `[redacted]`. URLs keep only scheme, host and path.
 */
export function redactSecrets(text: string, knownSecrets: Iterable<string> = []): string {
  let out = String(text);
  for (const spelling of spellingsOf(knownSecrets)) out = out.replaceAll(spelling, REDACTED);
  out = out
    .replace(PEM_PRIVATE_KEY, REDACTED)
    .replace(JWT, REDACTED)
    .replace(JSON_FIELD, `$1$2"${REDACTED}"`)
    .replace(QUOTED_FIELD, `$1$2$3$4${REDACTED}$4`)
    .replace(HEADER, `$1$2${REDACTED}`)
    .replace(ASSIGNMENT, `$1$2=${REDACTED}`);
  // Last, because its bearer and key=value rules do not stop at a closing quote: run first, they
  // would swallow the quote that the field rules above rely on.
  return redactTransportSecrets(out);
}

function spellingsOf(knownSecrets: Iterable<string>): string[] {
  const spellings = new Set<string>();
  for (const secret of knownSecrets) {
    if (typeof secret !== 'string' || secret.length < MIN_KNOWN_SECRET_LENGTH) continue;
    spellings.add(secret);
    spellings.add(JSON.stringify(secret).slice(1, -1));
    spellings.add(inspect(secret).slice(1, -1));
    try {
      spellings.add(encodeURIComponent(secret));
      spellings.add(new URLSearchParams({ v: secret }).toString().slice(2));
    } catch {
      // Unpaired surrogates cannot be URL-encoded, so that spelling cannot occur either.
    }
  }
  // Longest first, so a secret that contains another is hidden whole rather than in pieces.
  return [...spellings].filter((s) => s.length >= MIN_KNOWN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

export interface Logger {
  debug(message?: unknown, ...args: unknown[]): void;
  info(message?: unknown, ...args: unknown[]): void;
  warn(message?: unknown, ...args: unknown[]): void;
  error(message?: unknown, ...args: unknown[]): void;
}

export interface RedactingLoggerOptions {
  knownSecrets?: Iterable<string>;
  /** The oldest remembered secrets are forgotten beyond this many. Default 1000. */
  maxKnownSecrets?: number;
}

/**
 * Formats each call to one line of text (objects and errors included, so nothing escapes through
 * a nested property) and scrubs it before the wrapped logger sees it.
 */
export class RedactingLogger implements Logger {
  readonly #inner: Logger;
  readonly #known = new Set<string>();
  readonly #max: number;

  constructor(inner: Logger, options: RedactingLoggerOptions = {}) {
    this.#inner = inner;
    this.#max = options.maxKnownSecrets ?? 1000;
    for (const secret of options.knownSecrets ?? []) this.remember(secret);
  }

  /** Adds a secret that must never appear in a line, such as a token just loaded from the vault. */
  remember(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_KNOWN_SECRET_LENGTH) return;
    this.#known.delete(secret);
    this.#known.add(secret);
    while (this.#known.size > this.#max) {
      const oldest = this.#known.values().next().value;
      if (oldest === undefined) break;
      this.#known.delete(oldest);
    }
  }

  forget(secret: string): void {
    this.#known.delete(secret);
  }

  redact(text: string): string {
    return redactSecrets(text, this.#known);
  }

  debug(message?: unknown, ...args: unknown[]): void {
    this.#inner.debug(this.#line(message, args));
  }

  info(message?: unknown, ...args: unknown[]): void {
    this.#inner.info(this.#line(message, args));
  }

  warn(message?: unknown, ...args: unknown[]): void {
    this.#inner.warn(this.#line(message, args));
  }

  error(message?: unknown, ...args: unknown[]): void {
    this.#inner.error(this.#line(message, args));
  }

  #line(message: unknown, args: unknown[]): string {
    return this.redact(formatWithOptions({ depth: 6, breakLength: Infinity, colors: false }, message, ...args));
  }
}
