import { describe, expect, it } from 'vitest';
import { lockdownSettings } from '../../../electron/main/lockdown-policy.ts';
import { builtInPolicy, type LoadedPolicy } from '../../../electron/services/policy/policy.ts';

// The policy schema has no kioskMode or proxy keys yet; these tests feed them the way a parsed
// policy will carry them once it does, and the shapes a broken file could hold.
function loaded(extra: Record<string, unknown>, source: LoadedPolicy['source'] = 'file'): LoadedPolicy {
  return { policy: { ...builtInPolicy(), ...extra } as LoadedPolicy['policy'], source, path: source === 'file' ? '/etc/airlock/policy.json' : null };
}

describe('lockdownSettings', () => {
  it('is a kiosk with a direct connection when the policy says nothing', () => {
    expect(lockdownSettings(loaded({}), true)).toEqual({ kiosk: true, proxy: { mode: 'direct' } });
    expect(lockdownSettings(loaded({}, 'built-in defaults'), true)).toEqual({ kiosk: true, proxy: { mode: 'direct' } });
    expect(lockdownSettings(loaded({}, 'file'), false).kiosk).toBe(true);
  });

  it('opens a normal window only for an unpackaged developer build without a policy file', () => {
    expect(lockdownSettings(loaded({}, 'built-in defaults'), false).kiosk).toBe(false);
    // Once the schema defaults kioskMode to true, built-in defaults will carry it unasked.
    expect(lockdownSettings(loaded({ kioskMode: true }, 'built-in defaults'), false).kiosk).toBe(false);
    expect(lockdownSettings(loaded({ kioskMode: true }, 'built-in defaults'), true).kiosk).toBe(true);
  });

  it('follows the policy file\'s kioskMode either way', () => {
    expect(lockdownSettings(loaded({ kioskMode: false }), true).kiosk).toBe(false);
    expect(lockdownSettings(loaded({ kioskMode: true }), false).kiosk).toBe(true);
  });

  it.each(['proxy.example.org:3128', 'http://proxy.example.org:8080', '10.20.30.40:3128'])('accepts the fixed proxy %s', (server) => {
    expect(lockdownSettings(loaded({ proxy: { mode: 'fixed', server } }), true).proxy).toEqual({ mode: 'fixed', server });
  });

  it.each([
    ['a non-boolean kioskMode', { kioskMode: 'yes' }, 'kioskMode'],
    ['auto-detection', { proxy: { mode: 'auto_detect' } }, 'proxy'],
    ['a PAC script', { proxy: { mode: 'pac_script', pacScript: 'http://wpad/wpad.dat' } }, 'proxy'],
    ['the system settings', { proxy: { mode: 'system' } }, 'proxy'],
    ['a proxy without a port', { proxy: { mode: 'fixed', server: 'proxy.example.org' } }, 'proxy.server'],
    ['a proxy with credentials', { proxy: { mode: 'fixed', server: 'http://user:pw@proxy.example.org:3128' } }, 'proxy.server'],
    ['a proxy list', { proxy: { mode: 'fixed', server: 'a.example:1;b.example:2' } }, 'proxy.server'],
    ['port 0', { proxy: { mode: 'fixed', server: 'proxy.example.org:0' } }, 'proxy.server'],
    ['a SOCKS proxy (the services could not use it)', { proxy: { mode: 'fixed', server: 'socks5://10.20.30.40:1080' } }, 'proxy.server'],
    ['an https:// proxy scheme', { proxy: { mode: 'fixed', server: 'https://proxy.example.org:443' } }, 'proxy.server'],
    ['an unknown proxy key', { proxy: { mode: 'direct', bypass: '*' } }, 'proxy'],
    ['a string', { proxy: 'direct' }, 'proxy'],
  ])('refuses to start with %s', (_what, extra, path) => {
    expect(() => lockdownSettings(loaded(extra), true)).toThrow(expect.objectContaining({ code: 'policy.invalid', detail: expect.stringContaining(`$.${path}`) }));
  });
});
