// build/electron-builder.json, checked by electron-builder itself: the file is loaded and
// validated by the same two functions every `electron-builder` build runs first (app-builder-lib's
// getConfig and validateConfiguration, which apply the scheme.json shipped with it through ajv).
// What a build puts into the app is checked by app-asar.test.ts.
import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const configFile = 'build/electron-builder.json';

type Configuration = Awaited<ReturnType<typeof getConfig>>;

const load = (): Promise<Configuration> => getConfig(root, configFile, null);
const validate = (config: Configuration): Promise<void> => validateConfiguration(config, new DebugLogger(false));

describe('build/electron-builder.json against electron-builder’s own schema', () => {
  it('is accepted as electron-builder loads it for a build', async () => {
    const config = await load();
    // The file was really read: these come from it, not from electron-builder's defaults.
    expect(config.appId).toBe('org.airlock.kiosk');
    expect(config.electronFuses?.onlyLoadAppFromAsar).toBe(true);
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('would refuse a misspelt option, a misspelt fuse or a wrong type, naming it', async () => {
    const unknownOption = { ...(await load()), electronFusez: {} } as Configuration;
    await expect(validate(unknownOption)).rejects.toThrow(/unknown property 'electronFusez'/);

    const config = await load();
    const misspeltFuse = { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } } as Configuration;
    await expect(validate(misspeltFuse)).rejects.toThrow(/electronFuses/);

    const wrongType = { ...(await load()), nsis: { oneClick: 'no' } } as unknown as Configuration;
    await expect(validate(wrongType)).rejects.toThrow(/nsis\.oneClick/);
  });

  it('names icons that exist and are large enough for every target (macOS needs 512 px or more)', async () => {
    const config = await load();
    const icons = new Set([config.linux?.icon, config.win?.icon, config.mac?.icon]);
    expect(icons.size).toBeGreaterThan(0);
    for (const icon of icons) {
      expect(icon, 'every platform names its icon').toEqual(expect.any(String));
      const meta = await sharp(path.join(root, icon!)).metadata();
      expect(meta.format, icon!).toBe('png');
      expect(meta.width, icon!).toBeGreaterThanOrEqual(512);
      expect(meta.height, icon!).toBe(meta.width);
    }
  });
});
