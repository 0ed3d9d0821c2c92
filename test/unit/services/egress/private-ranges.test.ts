// Which private ranges a policy may open, and that opening one never opens more than it says:
// not the metadata addresses inside it, not other ports, not IPv6 disguises of its addresses.
import { describe, expect, it } from 'vitest';
import { checkAddress } from '../../../../electron/services/egress/egress-guard.ts';
import { EgressPolicy } from '../../../../electron/services/egress/egress-policy.ts';
import { PrivateRanges, privateRangeProblem } from '../../../../electron/services/egress/private-ranges.ts';

describe('privateRangeProblem', () => {
  it.each(['10.0.0.0/8', '10.20.0.0/16', '172.16.0.0/12', '172.31.255.0/24', '192.168.10.0/24', '192.168.10.7/32', '100.64.0.0/10', '100.96.0.0/12', 'fc00::/7', 'fd12:3456::/48', 'FD12:3456::/48'])(
    'accepts %s',
    (range) => {
      expect(privateRangeProblem(range)).toBeNull();
    },
  );

  it.each([
    ['169.254.0.0/16', 'not inside a private range'],
    ['169.254.169.254/32', 'not inside a private range'],
    ['127.0.0.0/8', 'not inside a private range'],
    ['0.0.0.0/0', 'not inside a private range'],
    ['8.8.8.0/24', 'not inside a private range'],
    ['100.0.0.0/9', 'not inside a private range'],
    ['172.0.0.0/8', 'not inside a private range'],
    ['224.0.0.0/4', 'not inside a private range'],
    ['fe80::/10', 'not inside a private range'],
    ['::/0', 'not inside a private range'],
    ['::ffff:10.0.0.0/104', 'IPv6 form of an IPv4 address'],
    ['64:ff9b::a00:0/120', 'IPv6 form of an IPv4 address'],
    ['10.0.0.5/8', 'write the network address'],
    ['10.0.0.0/33', 'longer than an IPv4 address'],
    ['10.0.0.0', 'CIDR form'],
    ['010.0.0.0/8', 'not an IP address in standard form'],
    ['intranet.corp/16', 'CIDR form'],
    ['', 'CIDR form'],
  ])('refuses %s', (range, why) => {
    expect(privateRangeProblem(range)).toContain(why);
  });

  it('matches addresses inside the opened ranges only, and never an IPv6 embedding of one', () => {
    const ranges = new PrivateRanges(['10.20.0.0/16', 'fd12:3456::/48']);
    expect(ranges.list).toEqual(['10.20.0.0/16', 'fd12:3456::/48']);
    expect(ranges.contains('10.20.255.1')).toBe(true);
    expect(ranges.contains('10.21.0.1')).toBe(false);
    expect(ranges.contains('fd12:3456:0:1::5')).toBe(true);
    expect(ranges.contains('fd12:3457::5')).toBe(false);
    expect(ranges.contains('::ffff:10.20.0.1')).toBe(false);
    expect(ranges.contains('not an address')).toBe(false);
    expect(() => new PrivateRanges(['169.254.0.0/16'])).toThrow(RangeError);
  });
});

describe('the guard with private ranges opened by the policy', () => {
  const policy = new EgressPolicy({ allowedHosts: ['social.council.example'], allowLoopback: false, privateRanges: ['10.20.0.0/16', '100.64.0.0/10', 'fd12:3456::/48'] });
  const closed = new EgressPolicy({ allowedHosts: ['social.council.example'], allowLoopback: false });

  it('allows an address in an opened range on 443, and nowhere else', () => {
    expect(checkAddress('10.20.1.5', 443, policy)).toEqual({ allowed: true });
    expect(checkAddress('fd12:3456::10', 443, policy)).toEqual({ allowed: true });
    expect(checkAddress('100.70.0.1', 443, policy)).toEqual({ allowed: true });
    expect(checkAddress('10.20.1.5', 8443, policy)).toMatchObject({ allowed: false, code: 'egress.port-not-allowed' });
    expect(checkAddress('10.21.1.5', 443, policy)).toMatchObject({ allowed: false, code: 'egress.address-blocked' });
    expect(checkAddress('192.168.1.1', 443, policy)).toMatchObject({ allowed: false, code: 'egress.address-blocked' });
    expect(checkAddress('10.20.1.5', 443, closed)).toMatchObject({ allowed: false, code: 'egress.address-blocked' });
  });

  it('keeps the metadata address inside an opened range closed, and IPv6 disguises too', () => {
    expect(checkAddress('100.100.100.200', 443, policy)).toMatchObject({ allowed: false, code: 'egress.address-blocked', detail: expect.stringContaining('metadata') });
    expect(checkAddress('::ffff:10.20.1.5', 443, policy)).toMatchObject({ allowed: false, code: 'egress.address-blocked' });
    expect(checkAddress('64:ff9b::a14:105', 443, policy)).toMatchObject({ allowed: false, code: 'egress.address-blocked' });
  });

  it('refuses a policy that tries to open a range outside the private ones', () => {
    expect(() => new EgressPolicy({ allowedHosts: [], allowLoopback: false, privateRanges: ['169.254.0.0/16'] })).toThrow(expect.objectContaining({ code: 'egress.policy-invalid' }));
  });
});
