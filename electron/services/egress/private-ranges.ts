// Private ranges IT may open in the policy, e.g. the subnet of a self-hosted Mastodon instance or
// of the corporate proxy. Only ranges that are entirely inside RFC 1918, carrier-grade NAT
// (RFC 6598) or unique-local IPv6 (RFC 4193) can be opened; link-local, the cloud metadata
// addresses, loopback, multicast and everything reserved stay closed whatever the policy says,
// because no platform is ever reached there and they are exactly where an attacker aims.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { inspectAddress } from './address-guard.ts';

interface Cidr {
  family: 4 | 6;
  /** Canonical network address. */
  network: string;
  prefix: number;
  bits: bigint;
}

/** The only ranges a policy may open a part of. */
const OPENABLE: ReadonlyArray<readonly [string, number, string]> = [
  ['10.0.0.0', 8, 'RFC 1918'],
  ['172.16.0.0', 12, 'RFC 1918'],
  ['192.168.0.0', 16, 'RFC 1918'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['fc00::', 7, 'unique-local IPv6'],
];

function toBits(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  const [head = '', tail = ''] = address.includes('::') ? address.split('::') : [address, ''];
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function width(family: 4 | 6): bigint {
  return family === 4 ? 32n : 128n;
}

function parseCidr(text: string): Cidr | string {
  const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(text);
  if (!match) return 'must be a network in CIDR form, e.g. 10.20.0.0/16 or fd12:3456::/48';
  const [, raw = '', prefixText = ''] = match;
  const family = isIPv4(raw) ? 4 : isIPv6(raw) ? 6 : 0;
  if (family === 0) return `${raw} is not an IP address in standard form`;
  // IPv6 forms that carry IPv4 (mapped, NAT64, 6to4) would open an IPv4 range by another name.
  if (family === 6 && inspectAddress(raw).embedded) return `${raw} is an IPv6 form of an IPv4 address; write the IPv4 range instead`;
  const prefix = Number(prefixText);
  if (prefix > Number(width(family))) return `/${prefix} is longer than an IPv${family} address`;
  const bits = toBits(family === 6 ? raw.toLowerCase() : raw, family);
  const hostMask = (1n << (width(family) - BigInt(prefix))) - 1n;
  if ((bits & hostMask) !== 0n) return `${text} has bits set after the first ${prefix}; write the network address of the range`;
  return { family, network: family === 6 ? inspectAddress(raw).address : raw, prefix, bits };
}

function inside(range: Cidr, outer: Cidr): boolean {
  if (range.family !== outer.family || range.prefix < outer.prefix) return false;
  const shift = width(outer.family) - BigInt(outer.prefix);
  return range.bits >> shift === outer.bits >> shift;
}

const OPENABLE_CIDRS = OPENABLE.map(([network, prefix, name]) => ({ cidr: parseCidr(`${network}/${prefix}`) as Cidr, name }));

/** Why `text` cannot be opened by a policy, or null when it can. */
export function privateRangeProblem(text: string): string | null {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') return parsed;
  if (OPENABLE_CIDRS.some(({ cidr }) => inside(parsed, cidr))) return null;
  return `${text} is not inside a private range (${OPENABLE.map(([n, p]) => `${n}/${p}`).join(', ')}); link-local, metadata, loopback, multicast and public ranges cannot be opened`;
}

/** The ranges a policy opened, checked once at start; addresses are matched as canonical text. */
export class PrivateRanges {
  readonly list: readonly string[];
  readonly #blocks = new BlockList();

  constructor(ranges: readonly string[]) {
    const canonical: string[] = [];
    for (const text of ranges) {
      const problem = privateRangeProblem(text);
      if (problem !== null) throw new RangeError(problem);
      const cidr = parseCidr(text) as Cidr;
      this.#blocks.addSubnet(cidr.network, cidr.prefix, cidr.family === 4 ? 'ipv4' : 'ipv6');
      canonical.push(`${cidr.network}/${cidr.prefix}`);
    }
    this.list = canonical;
  }

  /** True for an address (not an IPv6 embedding of one) inside an opened range. */
  contains(address: string): boolean {
    const info = inspectAddress(address);
    if (info.family === 0 || info.embedded) return false;
    return this.#blocks.check(info.address, info.family === 4 ? 'ipv4' : 'ipv6');
  }
}
