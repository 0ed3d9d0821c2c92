// What kind of network an IP address belongs to, and whether a host string is an IP in disguise.
// The egress guard allows only 'public' (and 'loopback' for simulators), so every range that can
// lead into a LAN, a cloud's metadata service or a tunnel is named here and refused by default.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'metadata'
  | 'multicast'
  | 'unique-local'
  | 'site-local'
  | 'unspecified'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'broadcast'
  | 'discard'
  | 'teredo'
  | 'invalid';

/** How an IPv6 address carries an IPv4 one; the embedded address decides the class. */
export type EmbeddingKind = 'ipv4-mapped' | 'nat64' | '6to4';

export interface AddressInfo {
  class: AddressClass;
  /** 4 or 6; 0 for input that is not an IP address. */
  family: 0 | 4 | 6;
  /** Canonical text (IPv6 compressed, lower case, no zone id); the input itself when invalid. */
  address: string;
  embedded?: { via: EmbeddingKind; address: string };
}

interface RangeRule {
  cls: AddressClass;
  list: BlockList;
  cidr: string;
}

function rules(family: 'ipv4' | 'ipv6', table: ReadonlyArray<readonly [string, number, AddressClass]>): RangeRule[] {
  return table.map(([network, prefix, cls]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { cls, list, cidr: `${network}/${prefix}` };
  });
}

// First match wins, so single metadata addresses come before the range that contains them.
// Cloud metadata endpoints: AWS/Azure/GCP 169.254.169.254, AWS ECS 169.254.170.2, EKS pod
// identity 169.254.170.23, Alibaba 100.100.100.200, Oracle 192.0.0.192, AWS IPv6 fd00:ec2::254/23.
const IPV4_RULES = rules('ipv4', [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.100.100.200', 32, 'metadata'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.169.254', 32, 'metadata'],
  ['169.254.170.2', 32, 'metadata'],
  ['169.254.170.23', 32, 'metadata'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.192', 32, 'metadata'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
]);

// Only 2000::/3 is global unicast; anything outside it that is not named here is 'reserved'.
// Teredo is refused outright: it tunnels over UDP to an IPv4 host hidden in the address, and no
// platform API is reached that way.
const IPV6_RULES = rules('ipv6', [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::ffff:0:0:0', 96, 'reserved'],
  ['::', 96, 'reserved'],
  ['64:ff9b:1::', 48, 'private'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
  ['2001::', 32, 'teredo'],
  ['2001:2::', 48, 'benchmarking'],
  ['2001::', 23, 'reserved'],
  ['fd00:ec2::254', 128, 'metadata'],
  ['fd00:ec2::23', 128, 'metadata'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
  ['2000::', 3, 'public'],
]);

function classifyIPv4(address: string): AddressClass {
  for (const rule of IPV4_RULES) if (rule.list.check(address, 'ipv4')) return rule.cls;
  return 'public';
}

/** Strips the URL brackets and the zone id (`fe80::1%eth0`): the zone picks an interface, not a range. */
function stripDecoration(input: string): string {
  let text = input;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone > 0 && text.includes(':')) text = text.slice(0, zone);
  return text;
}

/**
 * Canonical IPv6 text via the WHATWG serialiser (compressed, lower case, dotted tails turned into
 * hex), then its 16 bytes. Only called on input that net.isIPv6 accepted.
 */
function ipv6Bytes(address: string): { canonical: string; bytes: Uint8Array } {
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return { canonical, bytes };
}

function embeddedIPv4(bytes: Uint8Array, offset: number): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join('.');
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
const NAT64_PREFIX = [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];

/** Full answer: class, family, canonical text and any IPv4 address carried inside an IPv6 one. */
export function inspectAddress(input: string): AddressInfo {
  const text = stripDecoration(input);
  if (isIPv4(text)) return { class: classifyIPv4(text), family: 4, address: text };
  if (!isIPv6(text) || text.includes('%')) return { class: 'invalid', family: 0, address: input };

  const { canonical, bytes } = ipv6Bytes(text);
  // An IPv6 form that carries an IPv4 address reaches that IPv4 host (the OS or a NAT64/6to4
  // gateway translates it), so it must be judged as that IPv4 address.
  let via: EmbeddingKind | null = null;
  let inner = '';
  if (startsWith(bytes, MAPPED_PREFIX)) {
    via = 'ipv4-mapped';
    inner = embeddedIPv4(bytes, 12);
  } else if (startsWith(bytes, NAT64_PREFIX)) {
    via = 'nat64';
    inner = embeddedIPv4(bytes, 12);
  } else if (bytes[0] === 0x20 && bytes[1] === 0x02) {
    via = '6to4';
    inner = embeddedIPv4(bytes, 2);
  }
  if (via) return { class: classifyIPv4(inner), family: 6, address: canonical, embedded: { via, address: inner } };

  for (const rule of IPV6_RULES) if (rule.list.check(canonical, 'ipv6')) return { class: rule.cls, family: 6, address: canonical };
  return { class: 'reserved', family: 6, address: canonical };
}

/** The network class of an IP address; anything that is not a valid IP literal is 'invalid'. */
export function classifyAddress(ip: string): AddressClass {
  return inspectAddress(ip).class;
}

/** The CIDR rule that decided an address, for IT-facing detail ("10.0.0.5 is in 10.0.0.0/8"). */
export function matchingRange(ip: string): string | null {
  const info = inspectAddress(ip);
  if (info.family === 0) return null;
  const address = info.embedded?.address ?? info.address;
  const family = info.embedded || info.family === 4 ? 'ipv4' : 'ipv6';
  const table = family === 'ipv4' ? IPV4_RULES : IPV6_RULES;
  return table.find((rule) => rule.list.check(address, family))?.cidr ?? null;
}

export type HostSpelling =
  | { kind: 'name' }
  | { kind: 'ip'; address: string; family: 4 | 6 }
  /** An IPv4 address written so that a URL parser reads it differently from how people do. */
  | { kind: 'non-canonical-ip'; means: string | null };

/**
 * WHATWG's "ends in a number" test: a host whose last label is all digits or 0x-hex is parsed
 * as an IPv4 address in any of its legacy spellings (2130706433, 0177.0.0.1, 0x7f.1, 127.1).
 */
function endsInNumber(host: string): boolean {
  const labels = host.split('.');
  if (labels.length > 1 && labels.at(-1) === '') labels.pop();
  const last = labels.at(-1) ?? '';
  return /^[0-9]+$/.test(last) || /^0x[0-9a-f]*$/i.test(last);
}

/**
 * How a raw host string (as typed in a URL or passed by a caller) should be read. Only the
 * dotted-decimal form of IPv4 and valid IPv6 count as IP literals; every other spelling that a
 * URL parser would still turn into an IPv4 address (decimal, octal, hex, short, trailing dot,
 * percent-encoded or full-width digits) is 'non-canonical-ip' and refused.
 */
export function hostSpelling(rawHost: string): HostSpelling {
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost;
  if (host !== rawHost) {
    if (!isIPv6(host) || host.includes('%')) return { kind: 'non-canonical-ip', means: null };
    return { kind: 'ip', address: inspectAddress(host).address, family: 6 };
  }
  if (isIPv6(host)) return { kind: 'ip', address: inspectAddress(host).address, family: 6 };
  if (isIPv4(host)) return { kind: 'ip', address: host, family: 4 };
  // domainToASCII runs the WHATWG host parser (percent-decoding, UTS 46 mapping, IPv4 parsing),
  // so it shows what a URL built from this host would actually connect to.
  const parsed = domainToASCII(host);
  if (isIPv4(parsed)) return { kind: 'non-canonical-ip', means: parsed };
  if (endsInNumber(host) || (parsed !== '' && endsInNumber(parsed))) return { kind: 'non-canonical-ip', means: null };
  return { kind: 'name' };
}

/** True when a host is an IP address in any spelling, so it must never be treated as a name. */
export function isHostLiteralSpelling(rawHost: string): boolean {
  return hostSpelling(rawHost).kind !== 'name';
}
