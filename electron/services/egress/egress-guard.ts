// The single yes/no for egress: may this request go to this host, on this port, at these
// resolved addresses? Pure functions over an EgressPolicy, so every rule is tested without a
// network; the HTTP client asks them before DNS and again after it, before any socket exists.
import { inspectAddress, matchingRange } from './address-guard.ts';
import type { AddressClass } from './address-guard.ts';
import { canonicaliseHost, isMixedScript, quoteForDetail } from './egress-policy.ts';
import type { EgressPolicy } from './egress-policy.ts';

export type EgressRefusalCode =
  | 'egress.invalid-url'
  | 'egress.scheme-not-allowed'
  | 'egress.plain-http'
  | 'egress.credentials-in-url'
  | 'egress.invalid-host'
  | 'egress.ip-spelling'
  | 'egress.ip-literal'
  | 'egress.host-not-allowed'
  | 'egress.look-alike-host'
  | 'egress.port-not-allowed'
  | 'egress.no-address'
  | 'egress.address-blocked'
  | 'egress.redirect-refused'
  | 'egress.unvetted-socket';

export interface EgressRefusal {
  allowed: false;
  code: EgressRefusalCode;
  /** A sentence for kiosk staff. */
  reason: string;
  /** What IT needs to find the cause; never a URL's query, never a header. */
  detail: string;
  /** Canonical host when known, else a placeholder; safe to log and show. */
  host: string;
  address?: string;
}

export type EgressDecision = { allowed: true } | EgressRefusal;

/** Only this port reaches the internet: platforms speak HTTPS, nothing else is needed. */
export const INTERNET_PORT = 443;

const UNREADABLE_HOST = '(unreadable host)';

export function refusal(code: EgressRefusalCode, host: string, reason: string, detail: string, address?: string): EgressRefusal {
  return address === undefined ? { allowed: false, code, reason, detail, host } : { allowed: false, code, reason, detail, host, address };
}

export type HostCheck =
  | { allowed: true; host: string; literal: { address: string; family: 4 | 6 } | null; entry: string | null }
  | EgressRefusal;

/** Is this host (before DNS) one the kiosk may talk to? */
export function checkHost(rawHost: string, policy: EgressPolicy): HostCheck {
  const name = canonicaliseHost(rawHost);
  if (!name.ok) {
    return name.code === 'egress.ip-spelling'
      ? refusal('egress.ip-spelling', UNREADABLE_HOST, 'Airlock refused to connect to a disguised network address.', name.why)
      : refusal('egress.invalid-host', UNREADABLE_HOST, 'Airlock refused to connect to a server with a malformed name.', name.why);
  }
  if (name.kind === 'ip') {
    const cls = inspectAddress(name.host).class;
    if (policy.allowLoopback && cls === 'loopback') return { allowed: true, host: name.host, literal: { address: name.host, family: name.family }, entry: null };
    return refusal(
      'egress.ip-literal',
      name.host,
      'Airlock refused to connect to a bare network address; it only talks to the named servers of enabled platforms.',
      `IP literal host ${name.host} (${cls}); only loopback literals are allowed, and only in tests and demo mode`,
    );
  }
  const entry = policy.matchHost(name.host);
  if (entry !== null) return { allowed: true, host: name.host, literal: null, entry };
  const imitated = policy.lookAlikeOf(name.host);
  if (imitated !== null) {
    return refusal(
      'egress.look-alike-host',
      name.host,
      `Airlock blocked a connection to a server whose name imitates ${imitated.startsWith('*.') ? `a ${imitated.slice(2)} server` : imitated}.`,
      `${name.host} (${quoteForDetail(name.unicode)}) looks like allowed host ${imitated} but is a different name`,
    );
  }
  if (isMixedScript(name.unicode)) {
    return refusal(
      'egress.look-alike-host',
      name.host,
      'Airlock blocked a connection to a server whose name mixes alphabets to look like another one.',
      `${name.host} (${quoteForDetail(name.unicode)}) mixes scripts within a label and is not on the allow-list`,
    );
  }
  return refusal(
    'egress.host-not-allowed',
    name.host,
    `Airlock blocked a connection to ${name.host} because it is not a server of a platform this kiosk may use.`,
    `${name.host} is not on the egress allow-list (${policy.allowedHosts.length} entries)`,
  );
}

function portIsValid(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function portRefusal(host: string, port: number, why: string, address?: string): EgressRefusal {
  return refusal('egress.port-not-allowed', host, `Airlock blocked a connection to ${host} on an unusual network port.`, `port ${port}: ${why}`, address);
}

/** Before DNS: the port is plausible. Without loopback simulators only 443 can ever pass. */
export function checkPort(host: string, port: number, policy: EgressPolicy): EgressDecision {
  if (!portIsValid(port)) return portRefusal(host, port, 'not a valid TCP port');
  if (port !== INTERNET_PORT && !policy.allowLoopback) return portRefusal(host, port, `only ${INTERNET_PORT} is allowed`);
  return { allowed: true };
}

const CLASS_WORDS: Readonly<Record<AddressClass, string>> = {
  public: 'a public address',
  loopback: 'this computer (loopback)',
  private: 'a private network',
  cgnat: 'a carrier-grade NAT network',
  'link-local': 'a link-local network',
  metadata: 'a cloud metadata service',
  multicast: 'a multicast group',
  'unique-local': 'a private IPv6 network',
  'site-local': 'a site-local IPv6 network',
  unspecified: 'an unspecified address',
  reserved: 'a reserved range',
  documentation: 'a documentation-only range',
  benchmarking: 'a benchmarking range',
  broadcast: 'the broadcast address',
  discard: 'the IPv6 discard range',
  teredo: 'a Teredo tunnel',
  invalid: 'nothing valid',
};

/** Classes a policy can open parts of (see private-ranges.ts); metadata addresses never. */
const OPENABLE_CLASSES: ReadonlySet<AddressClass> = new Set(['private', 'cgnat', 'unique-local']);

/**
 * One resolved address: public addresses on port 443, addresses in private ranges the policy
 * opened on port 443, loopback (any port) when the policy runs simulators; every other range is
 * refused whatever the port.
 */
export function checkAddress(address: string, port: number, policy: EgressPolicy, host = '(address)'): EgressDecision {
  if (!portIsValid(port)) return portRefusal(host, port, 'not a valid TCP port');
  const info = inspectAddress(address);
  const shown = info.family === 0 ? quoteForDetail(address, 60) : info.address;
  if (info.class === 'public') {
    return port === INTERNET_PORT ? { allowed: true } : portRefusal(host, port, `only ${INTERNET_PORT} is allowed on public addresses`, shown);
  }
  if (info.class === 'loopback' && policy.allowLoopback) return { allowed: true };
  if (OPENABLE_CLASSES.has(info.class) && policy.privateRanges.contains(info.address)) {
    return port === INTERNET_PORT ? { allowed: true } : portRefusal(host, port, `only ${INTERNET_PORT} is allowed, also in private ranges the policy opened`, shown);
  }
  const range = matchingRange(address);
  const via = info.embedded ? ` (carries IPv4 ${info.embedded.address} via ${info.embedded.via})` : '';
  return refusal(
    'egress.address-blocked',
    host,
    `Airlock blocked a connection to ${host} because it pointed to ${CLASS_WORDS[info.class]}, not the internet. Nothing was sent. Ask IT to check the kiosk's network.`,
    `${host} resolved to ${shown}${via}: ${info.class}${range ? ` (${range})` : ''}${info.class === 'loopback' ? '; loopback is allowed only in tests and demo mode' : ''}`,
    shown,
  );
}

export interface DestinationOptions {
  /** 'http:' is only for loopback simulators: every address must then be loopback. */
  protocol?: 'http:' | 'https:';
}

/**
 * The full rule after DNS: the host is on the allow-list (or a loopback literal when allowed),
 * and EVERY resolved address is acceptable for the port — one private answer among public ones
 * refuses the whole request, because that is what split-horizon DNS and rebinding look like.
 */
export function checkDestination(
  host: string,
  port: number,
  resolvedAddress: string | readonly string[],
  policy: EgressPolicy,
  options: DestinationOptions = {},
): EgressDecision {
  const hostCheck = checkHost(host, policy);
  if (!hostCheck.allowed) return hostCheck;
  const name = hostCheck.host;
  const ported = checkPort(name, port, policy);
  if (!ported.allowed) return ported;
  const addresses: readonly string[] = typeof resolvedAddress === 'string' ? [resolvedAddress] : resolvedAddress;
  if (addresses.length === 0) {
    return refusal('egress.no-address', name, `Airlock could not find an internet address for ${name}.`, `${name}: DNS returned no addresses`);
  }
  for (const address of addresses) {
    if (hostCheck.literal && inspectAddress(address).address !== hostCheck.literal.address) {
      return refusal(
        'egress.address-blocked',
        name,
        'Airlock stopped a connection whose address changed after it was checked. Nothing was sent.',
        `IP literal host ${name} paired with a different address ${quoteForDetail(address, 60)}`,
        address,
      );
    }
    const decision = checkAddress(address, port, policy, name);
    if (!decision.allowed) return decision;
    if (options.protocol === 'http:' && inspectAddress(address).class !== 'loopback') {
      return refusal(
        'egress.plain-http',
        name,
        `Airlock refused an unencrypted connection to ${name}. Platforms are reached only over https.`,
        `http: to ${inspectAddress(address).address}; plain http is allowed only to loopback simulators`,
        inspectAddress(address).address,
      );
    }
  }
  return { allowed: true };
}

export type UrlCheck =
  | { allowed: true; host: string; port: number; literal: { address: string; family: 4 | 6 } | null }
  | EgressRefusal;

/** The host part of a URL string as written, before the WHATWG parser normalises it. */
export function rawUrlHost(input: string): string | null {
  // WHATWG strips leading/trailing C0 controls and spaces and removes tabs and newlines, and
  // treats any run of / or \ after a special scheme as the start of the authority.
  // eslint-disable-next-line no-control-regex
  const cleaned = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  const match = /^https?:[/\\]*([^/\\?#]*)/i.exec(cleaned);
  if (!match) return null;
  const authority = match[1] ?? '';
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (hostAndPort.startsWith('[')) {
    const end = hostAndPort.indexOf(']');
    return end < 0 ? hostAndPort : hostAndPort.slice(0, end + 1);
  }
  const colon = hostAndPort.indexOf(':');
  return colon < 0 ? hostAndPort : hostAndPort.slice(0, colon);
}

/**
 * Before DNS: scheme, credentials, IP spellings and the host and port rules. `raw` is the URL
 * text as the caller wrote it; when given, the host in it must mean exactly what the parsed URL
 * says, so no parser difference can smuggle a disguised address through.
 */
export function checkUrl(url: URL, policy: EgressPolicy, raw?: string): UrlCheck {
  const shownHost = canonicaliseHost(url.hostname);
  const hostForLog = shownHost.ok ? shownHost.host : UNREADABLE_HOST;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refusal('egress.scheme-not-allowed', hostForLog, 'Airlock refused a connection that is not a secure web address.', `scheme ${quoteForDetail(url.protocol, 20)} is not allowed`);
  }
  if (url.protocol === 'http:' && !policy.allowLoopback) {
    return refusal('egress.plain-http', hostForLog, `Airlock refused an unencrypted connection to ${hostForLog}. Platforms are reached only over https.`, 'http: is allowed only to loopback simulators in tests and demo mode');
  }
  if (url.username !== '' || url.password !== '') {
    return refusal('egress.credentials-in-url', hostForLog, 'Airlock refused a web address with a user name or password written into it.', `credentials in the URL for ${hostForLog} (not logged)`);
  }
  if (raw !== undefined) {
    const rawHost = rawUrlHost(raw);
    if (rawHost === null) return refusal('egress.invalid-url', hostForLog, 'Airlock refused a web address it could not read unambiguously.', 'the host part of the URL could not be located');
    const written = canonicaliseHost(rawHost);
    if (!written.ok && written.code === 'egress.ip-spelling') {
      return refusal('egress.ip-spelling', hostForLog, 'Airlock refused to connect to a disguised network address.', written.why);
    }
    if (!written.ok || !shownHost.ok || written.host !== shownHost.host) {
      return refusal('egress.invalid-url', hostForLog, 'Airlock refused a web address it could not read unambiguously.', `host as written ${quoteForDetail(rawHost)} differs from the parsed host ${quoteForDetail(url.hostname)}`);
    }
  }
  const hostCheck = checkHost(url.hostname, policy);
  if (!hostCheck.allowed) return hostCheck;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const ported = checkPort(hostCheck.host, port, policy);
  if (!ported.allowed) return ported;
  return { allowed: true, host: hostCheck.host, port, literal: hostCheck.literal };
}
