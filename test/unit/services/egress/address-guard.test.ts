import { describe, expect, it } from 'vitest';
import {
  classifyAddress,
  hostSpelling,
  inspectAddress,
  isHostLiteralSpelling,
  matchingRange,
} from '../../../../electron/services/egress/address-guard.ts';
import type { AddressClass } from '../../../../electron/services/egress/address-guard.ts';

// Every special-purpose range with the addresses just inside and just outside each edge.
const IPV4: ReadonlyArray<readonly [string, AddressClass]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.255.255.255', 'unspecified'],
  ['1.0.0.0', 'public'],
  ['1.1.1.1', 'public'],
  ['8.8.8.8', 'public'],
  ['9.255.255.255', 'public'],
  ['10.0.0.0', 'private'],
  ['10.0.0.5', 'private'],
  ['10.255.255.255', 'private'],
  ['11.0.0.0', 'public'],
  ['100.63.255.255', 'public'],
  ['100.64.0.0', 'cgnat'],
  ['100.100.100.200', 'metadata'],
  ['100.127.255.255', 'cgnat'],
  ['100.128.0.0', 'public'],
  ['126.255.255.255', 'public'],
  ['127.0.0.0', 'loopback'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.255', 'loopback'],
  ['128.0.0.0', 'public'],
  ['169.253.255.255', 'public'],
  ['169.254.0.0', 'link-local'],
  ['169.254.169.253', 'link-local'],
  ['169.254.169.254', 'metadata'],
  ['169.254.169.255', 'link-local'],
  ['169.254.170.2', 'metadata'],
  ['169.254.255.255', 'link-local'],
  ['169.255.0.0', 'public'],
  ['172.15.255.255', 'public'],
  ['172.16.0.0', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.0', 'public'],
  ['191.255.255.255', 'public'],
  ['192.0.0.0', 'reserved'],
  ['192.0.0.192', 'metadata'],
  ['192.0.0.255', 'reserved'],
  ['192.0.1.0', 'public'],
  ['192.0.2.0', 'documentation'],
  ['192.0.2.255', 'documentation'],
  ['192.0.3.0', 'public'],
  ['192.88.98.255', 'public'],
  ['192.88.99.0', 'reserved'],
  ['192.88.99.255', 'reserved'],
  ['192.88.100.0', 'public'],
  ['192.167.255.255', 'public'],
  ['192.168.0.0', 'private'],
  ['192.168.1.1', 'private'],
  ['192.168.255.255', 'private'],
  ['192.169.0.0', 'public'],
  ['198.17.255.255', 'public'],
  ['198.18.0.0', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.20.0.0', 'public'],
  ['198.51.99.255', 'public'],
  ['198.51.100.0', 'documentation'],
  ['198.51.100.255', 'documentation'],
  ['198.51.101.0', 'public'],
  ['203.0.112.255', 'public'],
  ['203.0.113.0', 'documentation'],
  ['203.0.113.255', 'documentation'],
  ['203.0.114.0', 'public'],
  ['223.255.255.255', 'public'],
  ['224.0.0.0', 'multicast'],
  ['239.255.255.255', 'multicast'],
  ['240.0.0.0', 'reserved'],
  ['255.255.255.254', 'reserved'],
  ['255.255.255.255', 'broadcast'],
];

const IPV6: ReadonlyArray<readonly [string, AddressClass]> = [
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::2', 'reserved'],
  ['[::1]', 'loopback'],
  ['::1%lo', 'loopback'],
  // IPv4-mapped: judged by the embedded IPv4 address, in dotted and hex spellings.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::FFFF:192.168.1.1', 'private'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:100.64.0.1', 'cgnat'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::ffff:8.8.8.8', 'public'],
  ['0:0:0:0:0:ffff:808:808', 'public'],
  // Deprecated IPv4-compatible and SIIT-translated forms: never a platform, refused.
  ['::127.0.0.1', 'reserved'],
  ['::8.8.8.8', 'reserved'],
  ['::ffff:0:10.0.0.1', 'reserved'],
  // NAT64 well-known prefix: judged by the embedded address.
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['64:ff9b:1::1', 'private'],
  // 6to4: the IPv4 address sits in bits 16-47.
  ['2002:a00:1::', 'private'],
  ['2002:c0a8:101::1', 'private'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:a9fe:a9fe::1', 'metadata'],
  ['2002:808:808::1', 'public'],
  ['100::', 'discard'],
  ['100::ffff:ffff:ffff:ffff', 'discard'],
  ['100:0:0:1::', 'reserved'],
  ['2001::', 'teredo'],
  ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'teredo'],
  ['2001:1::1', 'reserved'],
  ['2001:2::1', 'benchmarking'],
  ['2001:1ff:ffff::', 'reserved'],
  ['2001:200::', 'public'],
  ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', 'public'],
  ['2001:db8::', 'documentation'],
  ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
  ['2001:db9::', 'public'],
  ['3fff::1', 'documentation'],
  ['3fff:fff:ffff::', 'documentation'],
  ['3fff:1000::', 'public'],
  ['1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['2000::', 'public'],
  ['2606:4700:4700::1111', 'public'],
  ['2a03:2880:f12f:83:face:b00c:0:25de', 'public'],
  ['4000::', 'reserved'],
  ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['fc00::', 'unique-local'],
  ['fd00::1', 'unique-local'],
  ['fd00:ec2::254', 'metadata'],
  ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique-local'],
  ['fe00::', 'reserved'],
  ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['fe80::', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['[fe80::1]', 'link-local'],
  ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local'],
  ['fec0::', 'site-local'],
  ['feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'site-local'],
  ['ff00::', 'multicast'],
  ['ff02::1', 'multicast'],
  ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'multicast'],
];

// Anything that is not exactly an IP literal is 'invalid', which the guard refuses.
const INVALID = [
  '',
  'localhost',
  'example.com',
  '0177.0.0.1',
  '127.1',
  '2130706433',
  '0x7f.0.0.1',
  '127.0.0.01',
  '1.2.3.4.5',
  '256.0.0.1',
  ' 10.0.0.1',
  '10.0.0.1 ',
  '10.0.0.1%eth0',
  '::ffff:999.0.0.1',
  '[::1',
  'gggg::1',
  '1:2:3:4:5:6:7:8:9',
];

describe('classifyAddress', () => {
  it.each(IPV4)('classifies IPv4 %s as %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each(IPV6)('classifies IPv6 %s as %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each(INVALID)('treats %j as invalid', (input) => {
    expect(classifyAddress(input)).toBe('invalid');
  });

  it('covers at least 80 addresses with range edges on both sides', () => {
    expect(IPV4.length + IPV6.length + INVALID.length).toBeGreaterThanOrEqual(80);
  });

  it('reports the embedded IPv4 address and how it is carried', () => {
    expect(inspectAddress('::ffff:10.0.0.1')).toEqual({ class: 'private', family: 6, address: '::ffff:a00:1', embedded: { via: 'ipv4-mapped', address: '10.0.0.1' } });
    expect(inspectAddress('64:ff9b::a9fe:a9fe').embedded).toEqual({ via: 'nat64', address: '169.254.169.254' });
    expect(inspectAddress('2002:c0a8:101::1').embedded).toEqual({ via: '6to4', address: '192.168.1.1' });
    expect(inspectAddress('FE80::1%eth0')).toEqual({ class: 'link-local', family: 6, address: 'fe80::1' });
  });

  it('names the range that decided, for IT', () => {
    expect(matchingRange('10.0.0.5')).toBe('10.0.0.0/8');
    expect(matchingRange('169.254.169.254')).toBe('169.254.169.254/32');
    expect(matchingRange('::ffff:192.168.1.1')).toBe('192.168.0.0/16');
    expect(matchingRange('fd00::1')).toBe('fc00::/7');
    expect(matchingRange('8.8.8.8')).toBeNull();
    expect(matchingRange('nonsense')).toBeNull();
  });
});

// Spellings a URL parser turns into an IPv4 address although people read them as something else.
const DISGUISED: ReadonlyArray<readonly [string, string]> = [
  ['2130706433', '127.0.0.1'],
  ['0177.0.0.1', '127.0.0.1'],
  ['0x7f.1', '127.0.0.1'],
  ['0x7F.0.0.1', '127.0.0.1'],
  ['0x7f000001', '127.0.0.1'],
  ['017700000001', '127.0.0.1'],
  ['127.1', '127.0.0.1'],
  ['127.0.1', '127.0.0.1'],
  ['127.0.0.01', '127.0.0.1'],
  ['127.0.0.1.', '127.0.0.1'],
  ['%31%32%37.0.0.1', '127.0.0.1'],
  ['１２７.0.0.1', '127.0.0.1'],
  ['10.0.0.1.', '10.0.0.1'],
  ['0xa.0.0.1', '10.0.0.1'],
  ['167772161', '10.0.0.1'],
  ['3232235777', '192.168.1.1'],
  ['0300.0250.01.01', '192.168.1.1'],
  ['192.168.257', '192.168.1.1'],
  ['2852039166', '169.254.169.254'],
  ['0xA9FEA9FE', '169.254.169.254'],
  ['0', '0.0.0.0'],
];

describe('host spelling', () => {
  it.each(DISGUISED)('refuses %j as a disguised spelling of %s', (raw, means) => {
    expect(hostSpelling(raw)).toEqual({ kind: 'non-canonical-ip', means });
    expect(isHostLiteralSpelling(raw)).toBe(true);
  });

  it.each(DISGUISED)('matches what WHATWG URL parsing makes of %j', (raw, means) => {
    // new URL() silently normalises these, which is why the raw text has to be checked.
    expect(new URL(`https://${raw}/`).hostname).toBe(means);
  });

  it.each(['256.0.0.1', '1.2.3.4.5', 'foo.09', 'example.0x', '4294967296', '[127.0.0.1]', '[fe80::1%25eth0]', '[nonsense]'])(
    'refuses %j, which only looks like an address',
    (raw) => {
      expect(hostSpelling(raw)).toEqual({ kind: 'non-canonical-ip', means: null });
    },
  );

  it.each([
    ['127.0.0.1', '127.0.0.1', 4],
    ['10.0.0.1', '10.0.0.1', 4],
    ['::1', '::1', 6],
    ['[::1]', '::1', 6],
    ['[0:0:0:0:0:0:0:1]', '::1', 6],
    ['::ffff:10.0.0.1', '::ffff:a00:1', 6],
  ] as const)('reads %j as the IP literal %s', (raw, address, family) => {
    expect(hostSpelling(raw)).toEqual({ kind: 'ip', address, family });
  });

  it.each(['example.com', 'open.tiktokapis.com', 'EXAMPLE.com', '1e2.com', '123.example.com', 'a-1.b', 'xn--tiktk-mye.com', 'example.com.'])(
    'reads %j as a name',
    (raw) => {
      expect(hostSpelling(raw)).toEqual({ kind: 'name' });
      expect(isHostLiteralSpelling(raw)).toBe(false);
    },
  );
});
