import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress, hostSpelling } from '../../../../electron/services/egress/address-guard.ts';
import { checkDestination } from '../../../../electron/services/egress/egress-guard.ts';
import { EgressPolicy, canonicaliseHost } from '../../../../electron/services/egress/egress-policy.ts';

const ALLOWED = ['open.tiktokapis.com', 'bsky.social', 'api.x.com'];
const kiosk = new EgressPolicy({ allowedHosts: ALLOWED, allowLoopback: false });
const demo = new EgressPolicy({ allowedHosts: ALLOWED, allowLoopback: true });

const octet = fc.integer({ min: 0, max: 255 });

/** A random IPv4 address inside network/prefix. */
function inRange(network: string, prefix: number): fc.Arbitrary<string> {
  const base = network.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - prefix);
  return fc.integer({ min: 0, max: size - 1 }).map((offset) => {
    const n = base + offset;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  });
}

const NEVER_REACHABLE = fc.oneof(
  inRange('0.0.0.0', 8),
  inRange('10.0.0.0', 8),
  inRange('100.64.0.0', 10),
  inRange('127.0.0.0', 8),
  inRange('169.254.0.0', 16),
  inRange('172.16.0.0', 12),
  inRange('192.168.0.0', 16),
  inRange('192.0.0.0', 24),
  inRange('198.18.0.0', 15),
  inRange('224.0.0.0', 4),
  inRange('240.0.0.0', 4),
);

// First octets whose whole /8 is ordinary public space.
const PUBLIC_FIRST = [1, 2, 3, 4, 5, 8, 9, 11, 12, 13, 20, 23, 31, 34, 45, 52, 63, 64, 80, 91, 99, 104, 126, 128, 151, 185, 193, 212, 217, 223];
const PUBLIC_V4 = fc.tuple(fc.constantFrom(...PUBLIC_FIRST), octet, octet, octet).map((parts) => parts.join('.'));
const hex16 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const PUBLIC_V6 = fc
  .tuple(fc.integer({ min: 0x2400, max: 0x2dff }), hex16, hex16, hex16, hex16, hex16, hex16, hex16)
  .map(([first, ...rest]) => [first.toString(16), ...rest].join(':'));

describe('egress guard properties', () => {
  it('refuses every private, loopback, link-local and reserved IPv4 address for an allowed host', () => {
    fc.assert(
      fc.property(NEVER_REACHABLE, fc.constantFrom(...ALLOWED), (address, host) => {
        const decision = checkDestination(host, 443, address, kiosk);
        expect(decision).toMatchObject({ allowed: false, code: 'egress.address-blocked' });
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses the same addresses when wrapped in IPv4-mapped, NAT64 or 6to4 IPv6', () => {
    fc.assert(
      fc.property(NEVER_REACHABLE, fc.constantFrom('mapped', 'nat64', '6to4'), (address, form) => {
        const [a, b, c, d] = address.split('.').map(Number) as [number, number, number, number];
        const hi = ((a << 8) | b).toString(16);
        const lo = ((c << 8) | d).toString(16);
        const wrapped = form === 'mapped' ? `::ffff:${address}` : form === 'nat64' ? `64:ff9b::${hi}:${lo}` : `2002:${hi}:${lo}::1`;
        expect(classifyAddress(wrapped)).toBe(classifyAddress(address));
        expect(checkDestination('bsky.social', 443, wrapped, kiosk).allowed).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses private addresses even when mixed with public ones', () => {
    fc.assert(
      fc.property(fc.array(PUBLIC_V4, { maxLength: 4 }), NEVER_REACHABLE, fc.array(PUBLIC_V4, { maxLength: 4 }), (before, bad, after) => {
        expect(checkDestination('api.x.com', 443, [...before, bad, ...after], kiosk)).toMatchObject({ allowed: false, address: bad });
      }),
    );
  });

  it('allows a public address exactly when the host is on the list and the port is 443', () => {
    const hosts = fc.oneof(fc.constantFrom(...ALLOWED, 'OPEN.TIKTOKAPIS.COM.', 'internal.corp', 'evil.example'), fc.domain());
    fc.assert(
      fc.property(hosts, fc.oneof(PUBLIC_V4, PUBLIC_V6), fc.oneof(fc.constant(443), fc.integer({ min: 1, max: 65535 })), (host, address, port) => {
        const canonical = canonicaliseHost(host);
        const listed = canonical.ok && ALLOWED.includes(canonical.host);
        expect(checkDestination(host, port, address, kiosk).allowed).toBe(listed && port === 443);
      }),
      { numRuns: 2000 },
    );
  });

  it('classifies every address in fc00::/7 as unique-local or metadata, and in fe80::/10 as link-local', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0xfc00, max: 0xfdff }), fc.integer({ min: 0xfe80, max: 0xfebf }), hex16, hex16, (ula, ll, x, y) => {
        expect(['unique-local', 'metadata']).toContain(classifyAddress(`${ula.toString(16)}:${x}::${y}`));
        expect(classifyAddress(`${ll.toString(16)}:${x}::${y}%eth0`)).toBe('link-local');
      }),
    );
  });

  it('sees through decimal, octal and hex spellings of any IPv4 address', () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), (parts) => {
        const dotted = parts.join('.');
        const n = parts.reduce((acc, o) => acc * 256 + o, 0);
        const spellings = [String(n), `0x${n.toString(16)}`, parts.map((o) => `0${o.toString(8)}`).join('.'), parts.map((o) => `0x${o.toString(16)}`).join('.'), `${dotted}.`];
        for (const spelling of spellings) {
          expect(hostSpelling(spelling)).toEqual({ kind: 'non-canonical-ip', means: dotted });
          expect(checkDestination(spelling, 443, dotted, demo)).toMatchObject({ allowed: false, code: 'egress.ip-spelling' });
        }
      }),
      { numRuns: 500 },
    );
  });
});
