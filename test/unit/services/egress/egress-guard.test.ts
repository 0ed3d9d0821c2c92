import { describe, expect, it } from 'vitest';
import { checkAddress, checkDestination, checkUrl, rawUrlHost } from '../../../../electron/services/egress/egress-guard.ts';
import type { EgressDecision } from '../../../../electron/services/egress/egress-guard.ts';
import { EgressPolicy } from '../../../../electron/services/egress/egress-policy.ts';

const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:4700:4700::1111';

// The kiosk as shipped: platforms only, no loopback.
const kiosk = new EgressPolicy({ allowedHosts: ['open.tiktokapis.com', '*.tiktokapis.com', 'bsky.social'], allowLoopback: false });
// Tests and demo mode: the same plus simulators on loopback.
const demo = new EgressPolicy({ allowedHosts: ['open.tiktokapis.com', 'api.sim.test'], allowLoopback: true });

function code(decision: EgressDecision): string {
  return decision.allowed ? 'allowed' : decision.code;
}

describe('checkDestination', () => {
  it.each([
    // host, port, addresses, expected
    ['open.tiktokapis.com', 443, PUBLIC_V4, 'allowed'],
    ['open.tiktokapis.com', 443, [PUBLIC_V4, PUBLIC_V6], 'allowed'],
    ['OPEN.TIKTOKAPIS.COM.', 443, PUBLIC_V4, 'allowed'],
    ['open-upload.tiktokapis.com', 443, PUBLIC_V4, 'allowed'],
    ['open.tiktokapis.com', 443, '64:ff9b::5db8:d70e', 'allowed'],
    ['open.tiktokapis.com', 443, '::ffff:93.184.215.14', 'allowed'],
    ['open.tiktokapis.com', 8443, PUBLIC_V4, 'egress.port-not-allowed'],
    ['open.tiktokapis.com', 80, PUBLIC_V4, 'egress.port-not-allowed'],
    ['open.tiktokapis.com', 0, PUBLIC_V4, 'egress.port-not-allowed'],
    ['open.tiktokapis.com', 65536, PUBLIC_V4, 'egress.port-not-allowed'],
    ['open.tiktokapis.com', 443.5, PUBLIC_V4, 'egress.port-not-allowed'],
    ['open.tiktokapis.com', 443, [], 'egress.no-address'],
    // One bad answer among good ones refuses the lot: that is what rebinding looks like.
    ['open.tiktokapis.com', 443, [PUBLIC_V4, '10.0.0.1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['10.0.0.5'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['172.16.0.1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['192.168.1.1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['100.64.0.1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['169.254.169.254'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['169.254.1.1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['127.0.0.1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['0.0.0.0'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['255.255.255.255'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['224.0.0.251'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['192.0.2.10'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['198.18.0.1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['::1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['::'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['fd00::1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['fd00:ec2::254'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['fe80::1%eth0'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['fec0::1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['ff02::1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['::ffff:10.0.0.1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['::ffff:127.0.0.1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['64:ff9b::a9fe:a9fe'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['2002:c0a8:101::1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['2001::1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['2001:db8::1'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['not-an-address'], 'egress.address-blocked'],
    ['open.tiktokapis.com', 443, ['0177.0.0.1'], 'egress.address-blocked'],
    ['internal.corp', 443, PUBLIC_V4, 'egress.host-not-allowed'],
    ['intranet', 443, PUBLIC_V4, 'egress.host-not-allowed'],
    ['tiktokapis.com', 443, PUBLIC_V4, 'egress.host-not-allowed'],
    ['upload.us.tiktokapis.com', 443, PUBLIC_V4, 'egress.host-not-allowed'],
    ['open.tiktokapis.com.evil.com', 443, PUBLIC_V4, 'egress.host-not-allowed'],
    ['ореn.tiktokapis.com', 443, PUBLIC_V4, 'egress.look-alike-host'],
    ['xn--tiktk-mye.com', 443, PUBLIC_V4, 'egress.look-alike-host'],
    [PUBLIC_V4, 443, PUBLIC_V4, 'egress.ip-literal'],
    ['127.0.0.1', 443, '127.0.0.1', 'egress.ip-literal'],
    ['[::1]', 443, '::1', 'egress.ip-literal'],
    ['0177.0.0.1', 443, '127.0.0.1', 'egress.ip-spelling'],
    ['2130706433', 443, '127.0.0.1', 'egress.ip-spelling'],
    ['0xa9fea9fe', 443, '169.254.169.254', 'egress.ip-spelling'],
    ['open.tiktokapis.com/x', 443, PUBLIC_V4, 'egress.invalid-host'],
  ] as const)('kiosk: %s:%s at %j → %s', (host, port, addresses, expected) => {
    expect(code(checkDestination(host, port, addresses, kiosk))).toBe(expected);
  });

  it.each([
    ['api.sim.test', 5555, '127.0.0.1', 'allowed'],
    ['api.sim.test', 5555, ['127.0.0.1', '127.0.0.2'], 'allowed'],
    ['api.sim.test', 5555, '::1', 'allowed'],
    ['api.sim.test', 443, PUBLIC_V4, 'allowed'],
    ['api.sim.test', 5555, PUBLIC_V4, 'egress.port-not-allowed'],
    ['api.sim.test', 5555, ['127.0.0.1', '10.0.0.1'], 'egress.address-blocked'],
    ['api.sim.test', 5555, '::ffff:10.0.0.1', 'egress.address-blocked'],
    ['api.sim.test', 5555, '169.254.169.254', 'egress.address-blocked'],
    ['127.0.0.1', 5555, '127.0.0.1', 'allowed'],
    ['127.9.9.9', 5555, '127.9.9.9', 'allowed'],
    ['[::1]', 5555, '::1', 'allowed'],
    // An IP host resolves to itself; any other pairing means something rewrote the answer.
    ['127.0.0.1', 5555, '10.0.0.1', 'egress.address-blocked'],
    ['127.0.0.1', 5555, '127.0.0.2', 'egress.address-blocked'],
    ['10.0.0.1', 5555, '10.0.0.1', 'egress.ip-literal'],
    [PUBLIC_V4, 443, PUBLIC_V4, 'egress.ip-literal'],
    ['0177.0.0.1', 5555, '127.0.0.1', 'egress.ip-spelling'],
    ['127.1', 5555, '127.0.0.1', 'egress.ip-spelling'],
    ['other.sim.test', 5555, '127.0.0.1', 'egress.host-not-allowed'],
  ] as const)('demo: %s:%s at %j → %s', (host, port, addresses, expected) => {
    expect(code(checkDestination(host, port, addresses, demo))).toBe(expected);
  });

  it('allows plain http only to loopback', () => {
    expect(code(checkDestination('api.sim.test', 5555, '127.0.0.1', demo, { protocol: 'http:' }))).toBe('allowed');
    expect(code(checkDestination('api.sim.test', 443, PUBLIC_V4, demo, { protocol: 'http:' }))).toBe('egress.plain-http');
    expect(code(checkDestination('api.sim.test', 443, PUBLIC_V4, demo, { protocol: 'https:' }))).toBe('allowed');
  });

  it('explains a blocked address in plain words and gives IT the range', () => {
    const decision = checkDestination('open.tiktokapis.com', 443, ['93.184.215.14', '::ffff:192.168.1.1'], kiosk);
    expect(decision).toMatchObject({ allowed: false, code: 'egress.address-blocked', host: 'open.tiktokapis.com', address: '::ffff:c0a8:101' });
    if (decision.allowed) return;
    expect(decision.reason).toMatch(/^Airlock blocked a connection to open\.tiktokapis\.com because it pointed to a private network/);
    expect(decision.detail).toContain('carries IPv4 192.168.1.1 via ipv4-mapped');
    expect(decision.detail).toContain('192.168.0.0/16');
  });

  it('names the platform host a look-alike imitates', () => {
    const decision = checkDestination('ореn.tiktokapis.com', 443, PUBLIC_V4, kiosk);
    expect(decision).toMatchObject({ allowed: false, code: 'egress.look-alike-host' });
    if (!decision.allowed) expect(decision.reason).toBe('Airlock blocked a connection to a server whose name imitates open.tiktokapis.com.');
  });

  it('describes a look-alike under a wildcard entry without showing the star', () => {
    const decision = checkDestination('uplоad.tiktokapis.com', 443, PUBLIC_V4, kiosk);
    expect(decision).toMatchObject({ allowed: false, code: 'egress.look-alike-host' });
    if (!decision.allowed) expect(decision.reason).toBe('Airlock blocked a connection to a server whose name imitates a tiktokapis.com server.');
  });

  it('tells staff that a host is not an enabled platform', () => {
    const decision = checkDestination('internal.corp', 443, '10.1.2.3', kiosk);
    expect(decision).toMatchObject({ allowed: false, code: 'egress.host-not-allowed', host: 'internal.corp' });
    if (!decision.allowed) expect(decision.reason).toContain('not a server of a platform this kiosk may use');
  });
});

describe('checkAddress', () => {
  it('allows public addresses only on 443 and loopback only when the policy allows it', () => {
    expect(code(checkAddress(PUBLIC_V4, 443, kiosk))).toBe('allowed');
    expect(code(checkAddress(PUBLIC_V4, 22, kiosk))).toBe('egress.port-not-allowed');
    expect(code(checkAddress('127.0.0.1', 443, kiosk))).toBe('egress.address-blocked');
    expect(code(checkAddress('127.0.0.1', 9, demo))).toBe('allowed');
    expect(code(checkAddress('10.0.0.1', 443, demo))).toBe('egress.address-blocked');
  });
});

describe('checkUrl', () => {
  it.each([
    ['https://open.tiktokapis.com/v2/post/?x=1', kiosk, 'allowed'],
    ['https://OPEN.tiktokapis.com./v2/', kiosk, 'allowed'],
    ['https://open.tiktokapis.com:443/v2/', kiosk, 'allowed'],
    ['https:open.tiktokapis.com/v2/', kiosk, 'allowed'],
    ['https://open.tiktokapis.com\\@evil.example/', kiosk, 'allowed'],
    ['https://open.tiktokapis.com:8443/', kiosk, 'egress.port-not-allowed'],
    ['http://open.tiktokapis.com/', kiosk, 'egress.plain-http'],
    ['ftp://open.tiktokapis.com/', kiosk, 'egress.scheme-not-allowed'],
    ['file:///etc/passwd', kiosk, 'egress.scheme-not-allowed'],
    ['https://user:secret@open.tiktokapis.com/', kiosk, 'egress.credentials-in-url'],
    ['https://evil.example#@open.tiktokapis.com/', kiosk, 'egress.host-not-allowed'],
    ['https://open.tiktokapis.com%2F@evil.example/', kiosk, 'egress.credentials-in-url'],
    ['https://@evil.example/', kiosk, 'egress.host-not-allowed'],
    ['https://%6fpen.tiktokapis.com/', kiosk, 'egress.invalid-url'],
    ['https://0177.0.0.1/', kiosk, 'egress.ip-spelling'],
    ['https://2130706433/', kiosk, 'egress.ip-spelling'],
    ['https://169.254.169.254/', kiosk, 'egress.ip-literal'],
    ['https://[::1]/', kiosk, 'egress.ip-literal'],
    ['http://127.0.0.1:5555/', demo, 'allowed'],
    ['http://[::1]:5555/', demo, 'allowed'],
    ['http://api.sim.test:5555/', demo, 'allowed'],
    ['http://0177.0.0.1:5555/', demo, 'egress.ip-spelling'],
    ['http://2130706433:5555/', demo, 'egress.ip-spelling'],
    ['http://0x7f.1:5555/', demo, 'egress.ip-spelling'],
    ['http://127.1:5555/', demo, 'egress.ip-spelling'],
    ['http://127.0.0.1.:5555/', demo, 'egress.ip-spelling'],
    ['http://%31%32%37.0.0.1:5555/', demo, 'egress.ip-spelling'],
    ['http://10.0.0.1:5555/', demo, 'egress.ip-literal'],
  ] as const)('%s → %s', (raw, policy, expected) => {
    expect(code(checkUrl(new URL(raw), policy, raw))).toBe(expected);
  });

  it('cannot see a disguised spelling once WHATWG parsing has normalised it, which is why the raw text is checked', () => {
    const url = new URL('http://0177.0.0.1:5555/');
    expect(url.hostname).toBe('127.0.0.1');
    expect(code(checkUrl(url, demo))).toBe('allowed');
    expect(code(checkUrl(url, demo, 'http://0177.0.0.1:5555/'))).toBe('egress.ip-spelling');
  });

  it('finds the host as written in a URL string', () => {
    expect(rawUrlHost('https://user:pw@Open.TikTokAPIs.com:443/a?b#c')).toBe('Open.TikTokAPIs.com');
    expect(rawUrlHost('  http:\\\\0177.0.0.1\\x')).toBe('0177.0.0.1');
    expect(rawUrlHost('http://[::1]:80/')).toBe('[::1]');
    expect(rawUrlHost('https://a.example\t.com/')).toBe('a.example.com');
    expect(rawUrlHost('ftp://a.example/')).toBeNull();
  });
});
