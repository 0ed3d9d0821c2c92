// The egress allow-list: which host names the kiosk may reach and whether loopback simulators
// count. Names are compared only in one canonical form (lower case, no trailing dot, punycode),
// so case, dots and Unicode tricks cannot slip a host past the list.
import { domainToASCII, domainToUnicode } from 'node:url';
import { AirlockError } from '../../../common/errors.ts';
import { hostSpelling } from './address-guard.ts';
import { PrivateRanges } from './private-ranges.ts';

export type CanonicalHost =
  | { ok: true; kind: 'name'; host: string; unicode: string }
  | { ok: true; kind: 'ip'; host: string; family: 4 | 6 }
  | { ok: false; code: 'egress.invalid-host' | 'egress.ip-spelling'; why: string };

const MAX_HOST_LENGTH = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Printable, bounded echo of untrusted input for IT-facing detail. */
export function quoteForDetail(text: string, max = 80): string {
  const printable = Array.from(text.slice(0, max), (c) => (/[\p{Cc}\p{Cf}\p{Z}]/u.test(c) && c !== ' ' ? `\\u{${c.codePointAt(0)?.toString(16)}}` : c)).join('');
  return JSON.stringify(text.length > max ? `${printable}…` : printable);
}

/**
 * One spelling per host: lower case, one trailing dot removed, IDN converted to punycode by
 * the WHATWG/UTS 46 rules in node:url. IP addresses come back in canonical text; IPv4 written
 * any other way than dotted decimal is refused, as are names that are not plain LDH labels.
 */
export function canonicaliseHost(raw: string): CanonicalHost {
  if (raw.length === 0 || raw.length > 1024) return { ok: false, code: 'egress.invalid-host', why: 'empty or absurdly long host' };
  const spelling = hostSpelling(raw);
  if (spelling.kind === 'ip') return { ok: true, kind: 'ip', host: spelling.address, family: spelling.family };
  if (spelling.kind === 'non-canonical-ip') {
    const means = spelling.means ? ` (a URL parser reads it as ${spelling.means})` : ' (not a valid IPv4 address)';
    return { ok: false, code: 'egress.ip-spelling', why: `${quoteForDetail(raw)} is an IP address in a non-standard spelling${means}` };
  }
  // URL syntax characters and percent-escapes have no place in a host name; the URL parser
  // would quietly cut or decode them, so they are refused rather than interpreted.
  if (/[\s/\\?#@:%[\]]/u.test(raw)) return { ok: false, code: 'egress.invalid-host', why: `${quoteForDetail(raw)} contains characters that are not part of a host name` };
  let ascii = domainToASCII(raw);
  if (ascii.endsWith('.')) ascii = ascii.slice(0, -1);
  const labels = ascii.split('.');
  if (ascii === '' || ascii.length > MAX_HOST_LENGTH || !labels.every((label) => LABEL.test(label))) {
    return { ok: false, code: 'egress.invalid-host', why: `${quoteForDetail(raw)} is not a valid host name` };
  }
  return { ok: true, kind: 'name', host: ascii, unicode: domainToUnicode(ascii) };
}

// Scripts that share letter shapes with Latin. Chinese, Japanese and Korean mixes are normal
// and count as one script, as Unicode's "highly restrictive" profile (UTS 39) allows.
const SCRIPTS: ReadonlyArray<readonly [string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Coptic', /\p{Script=Coptic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['CJK', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u],
];

/** Scripts used by the letters of one label; digits and hyphens belong to none. */
export function scriptsOfLabel(label: string): string[] {
  const found = new Set<string>();
  for (const char of label) {
    if (!/\p{L}/u.test(char)) continue;
    const script = SCRIPTS.find(([, re]) => re.test(char));
    found.add(script ? script[0] : 'Other');
  }
  return [...found];
}

/** True when some label mixes scripts, the usual shape of a look-alike ("tiktоk" with a Cyrillic о). */
export function isMixedScript(unicodeHost: string): boolean {
  return unicodeHost.split('.').some((label) => {
    const scripts = scriptsOfLabel(label);
    return scripts.length > 1 && !(scripts.length === 2 && scripts.includes('Latin') && scripts.includes('CJK'));
  });
}

// Common letters that render like Latin ones. Not the whole UTS 39 confusables table: it only
// has to tell staff *which* allowed host a refused name imitates; refusal never depends on it.
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a', е: 'e', һ: 'h', і: 'i', ј: 'j', к: 'k', ӏ: 'l', о: 'o', р: 'p', ԛ: 'q', ѕ: 's',
  у: 'y', х: 'x', ԝ: 'w', ь: 'b', с: 'c', ԁ: 'd', ɡ: 'g', ı: 'i', ɑ: 'a', ȷ: 'j', ո: 'n', ս: 'u', օ: 'o',
  հ: 'h', ց: 'g', զ: 'q', α: 'a', γ: 'y', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
};

/** A rough visual skeleton: accents dropped, look-alike letters folded to Latin. */
export function skeleton(unicodeHost: string): string {
  const bare = unicodeHost.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return Array.from(bare, (c) => CONFUSABLES[c] ?? c).join('');
}

export interface EgressPolicyOptions {
  /**
   * Exact host names, or `*.example.com` for exactly one extra label (needed for regional upload
   * hosts and per-user servers). A wildcard never matches the bare suffix or deeper names, and
   * needs at least two labels after the star.
   */
  allowedHosts: readonly string[];
  /** For tests and demo mode only: lets simulators on 127.0.0.0/8 or ::1 be reached on any port. */
  allowLoopback: boolean;
  /** Private networks as a whole can never be allowed; the type says so, and the constructor checks it. */
  allowPrivate?: false;
  /**
   * Parts of RFC 1918, carrier-grade NAT or unique-local IPv6 that IT opened in the policy (CIDR),
   * e.g. where a self-hosted instance lives. Reached only on 443 and only for allow-listed names.
   */
  privateRanges?: readonly string[];
}

const MAX_ENTRIES = 256;

function invalidPolicy(detail: string): AirlockError {
  return new AirlockError(
    'egress.policy-invalid',
    'The kiosk network settings are not valid, so Airlock will not go online. Ask IT to check the policy.',
    detail,
  );
}

/** Why `entry` cannot be an allow-list entry (exact name or `*.name`), or null when it can. */
export function allowListEntryProblem(entry: string): string | null {
  try {
    canonicalEntry(entry);
    return null;
  } catch (err) {
    return err instanceof AirlockError ? (err.detail ?? err.message) : String(err);
  }
}

function canonicalEntry(entry: string): { kind: 'exact' | 'wildcard'; host: string } {
  if (typeof entry !== 'string') throw invalidPolicy(`allowed host ${String(entry)} is not a string`);
  const wildcard = entry.startsWith('*.');
  const name = canonicaliseHost(wildcard ? entry.slice(2) : entry);
  if (!name.ok) throw invalidPolicy(`allowed host ${quoteForDetail(entry)}: ${name.why}`);
  if (name.kind === 'ip') throw invalidPolicy(`allowed host ${quoteForDetail(entry)} is an IP address; the allow-list holds host names only`);
  if (name.host.includes('*')) throw invalidPolicy(`allowed host ${quoteForDetail(entry)}: only a leading "*." is supported`);
  if (name.host.split('.').length < 2) {
    throw invalidPolicy(`allowed host ${quoteForDetail(entry)} needs at least two labels${wildcard ? ' after "*."' : ''} (single-label names get local search domains)`);
  }
  if (isMixedScript(name.unicode)) throw invalidPolicy(`allowed host ${quoteForDetail(entry)} mixes alphabets in one label (${name.unicode})`);
  return { kind: wildcard ? 'wildcard' : 'exact', host: name.host };
}

export class EgressPolicy {
  readonly allowLoopback: boolean;
  readonly allowPrivate = false as const;
  readonly privateRanges: PrivateRanges;
  readonly #exact: ReadonlySet<string>;
  /** Suffixes of `*.suffix` entries, canonical, without the star. */
  readonly #wildcards: readonly string[];

  constructor(options: EgressPolicyOptions) {
    if ((options.allowPrivate as unknown) !== undefined && (options.allowPrivate as unknown) !== false) {
      throw invalidPolicy('allowPrivate must be false: private, link-local and metadata ranges are never reachable from the kiosk');
    }
    if (typeof options.allowLoopback !== 'boolean') throw invalidPolicy('allowLoopback must be true or false');
    if (!Array.isArray(options.allowedHosts) || options.allowedHosts.length > MAX_ENTRIES) {
      throw invalidPolicy(`allowedHosts must be a list of at most ${MAX_ENTRIES} host names`);
    }
    const exact = new Set<string>();
    const wildcards = new Set<string>();
    for (const entry of options.allowedHosts) {
      const parsed = canonicalEntry(entry);
      (parsed.kind === 'exact' ? exact : wildcards).add(parsed.host);
    }
    if (options.privateRanges !== undefined && (!Array.isArray(options.privateRanges) || options.privateRanges.length > MAX_ENTRIES)) {
      throw invalidPolicy(`privateRanges must be a list of at most ${MAX_ENTRIES} networks`);
    }
    try {
      this.privateRanges = new PrivateRanges(options.privateRanges ?? []);
    } catch (err) {
      throw invalidPolicy(`allowed private range: ${(err as Error).message}`);
    }
    this.allowLoopback = options.allowLoopback;
    this.#exact = exact;
    this.#wildcards = [...wildcards];
  }

  /** The list as IT should see it in Diagnostics, canonical and sorted. */
  get allowedHosts(): string[] {
    return [...this.#exact, ...this.#wildcards.map((suffix) => `*.${suffix}`)].sort();
  }

  /** The entry that allows a canonical host name, or null. Callers canonicalise first. */
  matchHost(canonicalHost: string): string | null {
    if (this.#exact.has(canonicalHost)) return canonicalHost;
    const dot = canonicalHost.indexOf('.');
    if (dot <= 0) return null;
    // A wildcard stands in for the platform's own ASCII server names; an IDN label under it
    // is never a real upload host and is treated as a look-alike instead.
    if (canonicalHost.startsWith('xn--')) return null;
    const suffix = canonicalHost.slice(dot + 1);
    return this.#wildcards.includes(suffix) ? `*.${suffix}` : null;
  }

  /** The allowed entry a refused name imitates (same skeleton, different name), or null. */
  lookAlikeOf(canonicalHost: string): string | null {
    const target = skeleton(domainToUnicode(canonicalHost));
    for (const entry of this.#exact) {
      if (entry !== canonicalHost && skeleton(domainToUnicode(entry)) === target) return entry;
    }
    const dot = target.indexOf('.');
    if (dot > 0) {
      const suffix = target.slice(dot + 1);
      const entry = this.#wildcards.find((w) => skeleton(domainToUnicode(w)) === suffix);
      if (entry && this.matchHost(canonicalHost) === null) return `*.${entry}`;
    }
    return null;
  }
}
