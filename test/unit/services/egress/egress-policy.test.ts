import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import {
  EgressPolicy,
  canonicaliseHost,
  isMixedScript,
  scriptsOfLabel,
  skeleton,
} from '../../../../electron/services/egress/egress-policy.ts';
import type { EgressPolicyOptions } from '../../../../electron/services/egress/egress-policy.ts';

describe('host canonicalisation', () => {
  it.each([
    ['open.tiktokapis.com', 'open.tiktokapis.com'],
    ['OPEN.TikTokAPIs.COM', 'open.tiktokapis.com'],
    ['open.tiktokapis.com.', 'open.tiktokapis.com'],
    ['OPEN.TIKTOKAPIS.COM.', 'open.tiktokapis.com'],
    ['ＯＰＥＮ.tiktokapis.com', 'open.tiktokapis.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['BÜCHER.de', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['faß.de', 'xn--fa-hia.de'],
    // Cyrillic "о": a different name, so it can never equal an ASCII entry on the list.
    ['tiktоk.com', 'xn--tiktk-mye.com'],
    ['1e2.com', '1e2.com'],
  ])('canonicalises %j to %s', (raw, host) => {
    expect(canonicaliseHost(raw)).toMatchObject({ ok: true, kind: 'name', host });
  });

  it('keeps the Unicode form for look-alike checks', () => {
    expect(canonicaliseHost('xn--tiktk-mye.com')).toEqual({ ok: true, kind: 'name', host: 'xn--tiktk-mye.com', unicode: 'tiktоk.com' });
  });

  it.each([
    '',
    'open.tiktokapis.com..',
    '.',
    '.example.com',
    'a..b.com',
    'a_b.com',
    '-a.com',
    'a-.com',
    'xn--a.com',
    'a b.com',
    'exa\u0000mple.com',
    '*.example.com',
    'example.com/path',
    'user@example.com',
    'ex%41mple.com',
    'example.com:443',
    'example.com?x',
    `${'a'.repeat(64)}.com`,
    `${'abcdefghi.'.repeat(26)}com`,
  ])('refuses the malformed name %j', (raw) => {
    expect(canonicaliseHost(raw)).toMatchObject({ ok: false, code: 'egress.invalid-host' });
  });

  it.each(['0177.0.0.1', '2130706433', '0x7f.1', '127.1', '127.0.0.1.', '10.0.0.1.'])('refuses the disguised IP %j', (raw) => {
    expect(canonicaliseHost(raw)).toMatchObject({ ok: false, code: 'egress.ip-spelling' });
  });

  it.each([
    ['127.0.0.1', '127.0.0.1', 4],
    ['[::1]', '::1', 6],
    ['::FFFF:10.0.0.1', '::ffff:a00:1', 6],
  ] as const)('returns IP literal %j canonically', (raw, host, family) => {
    expect(canonicaliseHost(raw)).toEqual({ ok: true, kind: 'ip', host, family });
  });
});

describe('look-alike detection', () => {
  it('sees mixed scripts inside one label', () => {
    expect(scriptsOfLabel('tiktоk')).toEqual(['Latin', 'Cyrillic']);
    expect(isMixedScript('tiktоk.com')).toBe(true);
    expect(isMixedScript('ореn.tiktokapis.com')).toBe(true);
    expect(isMixedScript('αpi.x.com')).toBe(true);
  });

  it('accepts single-script and normal CJK labels', () => {
    expect(isMixedScript('bücher.de')).toBe(false);
    expect(isMixedScript('пример.рф')).toBe(false);
    expect(isMixedScript('日本語テスト.jp')).toBe(false);
    expect(isMixedScript('open.tiktokapis.com')).toBe(false);
  });

  it('folds look-alike letters and accents to a Latin skeleton', () => {
    expect(skeleton('tiktоk.com')).toBe('tiktok.com');
    expect(skeleton('аррӏе.com')).toBe('apple.com');
    expect(skeleton('tíktók.com')).toBe('tiktok.com');
  });
});

function policy(options: Partial<EgressPolicyOptions> = {}): EgressPolicy {
  return new EgressPolicy({ allowedHosts: ['open.tiktokapis.com', '*.tiktokapis.com', 'apple.com', 'bsky.social'], allowLoopback: false, ...options });
}

function refusal(options: EgressPolicyOptions): AirlockError {
  try {
    new EgressPolicy(options);
  } catch (err) {
    expect(err).toBeInstanceOf(AirlockError);
    return err as AirlockError;
  }
  throw new Error('expected the policy to be refused');
}

describe('EgressPolicy', () => {
  it('matches canonical names exactly', () => {
    const p = policy();
    expect(p.matchHost('open.tiktokapis.com')).toBe('open.tiktokapis.com');
    expect(p.matchHost('bsky.social')).toBe('bsky.social');
    expect(p.matchHost('evil.bsky.social')).toBeNull();
    expect(p.matchHost('bsky.social.evil.com')).toBeNull();
    expect(p.matchHost('internal.corp')).toBeNull();
  });

  it('stores entries canonically whatever IT typed', () => {
    const p = new EgressPolicy({ allowedHosts: ['API.Example.COM.', 'bücher.de'], allowLoopback: false });
    expect(p.allowedHosts).toEqual(['api.example.com', 'xn--bcher-kva.de']);
    expect(p.matchHost('api.example.com')).toBe('api.example.com');
  });

  it('lets a wildcard cover exactly one extra label', () => {
    const p = policy();
    expect(p.matchHost('open-upload.tiktokapis.com')).toBe('*.tiktokapis.com');
    expect(p.matchHost('tiktokapis.com')).toBeNull();
    expect(p.matchHost('upload.us.tiktokapis.com')).toBeNull();
    expect(p.matchHost('xtiktokapis.com')).toBeNull();
  });

  it('names the allowed host a look-alike imitates', () => {
    const p = policy();
    expect(p.lookAlikeOf(canonical('ореn.tiktokapis.com'))).toBe('open.tiktokapis.com');
    expect(p.lookAlikeOf(canonical('аррӏе.com'))).toBe('apple.com');
    expect(p.lookAlikeOf(canonical('bsky.sоcial'))).toBe('bsky.social');
    expect(p.matchHost(canonical('uplоad.tiktokapis.com'))).toBeNull(); // wildcards cover ASCII labels only
    expect(p.lookAlikeOf(canonical('uplоad.tiktokapis.com'))).toBe('*.tiktokapis.com');
    expect(p.lookAlikeOf(canonical('upload.tiktоkapis.com'))).toBe('*.tiktokapis.com');
    expect(p.lookAlikeOf('internal.corp')).toBeNull();
  });

  it.each([
    [{ allowedHosts: ['*.com'], allowLoopback: false }, 'two labels'],
    [{ allowedHosts: ['localhost'], allowLoopback: true }, 'two labels'],
    [{ allowedHosts: ['10.0.0.1'], allowLoopback: false }, 'IP address'],
    [{ allowedHosts: ['[::1]'], allowLoopback: true }, 'IP address'],
    [{ allowedHosts: ['0177.0.0.1'], allowLoopback: false }, 'non-standard spelling'],
    [{ allowedHosts: ['*.*.example.com'], allowLoopback: false }, 'valid host name'],
    [{ allowedHosts: ['api.*.example.com'], allowLoopback: false }, 'valid host name'],
    [{ allowedHosts: ['tiktоk.com'], allowLoopback: false }, 'mixes alphabets'],
    [{ allowedHosts: ['https://open.tiktokapis.com/'], allowLoopback: false }, 'not part of a host name'],
    [{ allowedHosts: [42 as unknown as string], allowLoopback: false }, 'not a string'],
    [{ allowedHosts: Array.from({ length: 257 }, (_, i) => `h${i}.example.com`), allowLoopback: false }, 'at most 256'],
    [{ allowedHosts: [], allowLoopback: 'yes' as unknown as boolean }, 'allowLoopback'],
    [{ allowedHosts: [], allowLoopback: false, allowPrivate: true as unknown as false }, 'allowPrivate must be false'],
  ] as const)('refuses a policy %#', (options, detail) => {
    const err = refusal(options as EgressPolicyOptions);
    expect(err.code).toBe('egress.policy-invalid');
    expect(err.detail).toContain(detail);
  });

  it('accepts allowPrivate: false and exposes it as always false', () => {
    const p = new EgressPolicy({ allowedHosts: [], allowLoopback: true, allowPrivate: false });
    expect(p.allowPrivate).toBe(false);
    expect(p.allowLoopback).toBe(true);
  });
});

function canonical(raw: string): string {
  const c = canonicaliseHost(raw);
  if (!c.ok) throw new Error(`fixture ${raw} is not a host`);
  return c.host;
}
