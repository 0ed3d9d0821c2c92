// The installer configuration, checked as data. electron-builder itself validates it against its
// schema and packages the app with it in test/integration/packaging/.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const config = JSON.parse(readFileSync(new URL('build/electron-builder.json', root), 'utf8')) as Record<string, unknown> & {
  files: string[];
  extraResources: Array<{ from: string; to: string }>;
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
};

describe('build/electron-builder.json', () => {
  it('names the app', () => {
    expect(config.appId).toBe('org.airlock.kiosk');
    expect(config.productName).toBe('Airlock');
  });

  it('flips every fuse the kiosk relies on', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // onlyLoadAppFromAsar and the integrity check need the app inside an asar archive.
    expect(config.asar).toBe(true);
  });

  it('ships the built bundles and the training content, and never the sources, tests, maps or browser shell', () => {
    for (const wanted of ['package.json', 'dist/electron/**/*', 'dist/renderer/**/*', 'assets/demo/**/*']) expect(config.files).toContain(wanted);
    for (const refused of ['!**/*.map', '!electron/host/**', '!electron/platforms/*/simulator*', '!test/**', '!dist/host/**']) expect(config.files).toContain(refused);
    expect(config.files.filter((f) => !f.startsWith('!')).every((f) => f === 'package.json' || f.startsWith('dist/') || f.startsWith('assets/demo/'))).toBe(true);
  });

  it('ships the policy schema and example beside the app for IT, from files that exist', () => {
    expect(config.extraResources).toEqual(
      expect.arrayContaining([
        { from: 'build/policy.schema.json', to: 'policy.schema.json' },
        { from: 'build/policy.example.json', to: 'policy.example.json' },
      ]),
    );
    for (const { from } of config.extraResources) expect(existsSync(new URL(from, root)), from).toBe(true);
  });

  it('builds AppImage and deb, NSIS and dmg, with no auto-update publishing', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.publish).toBeNull();
  });
});
