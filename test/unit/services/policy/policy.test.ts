import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { defaultPolicyPath, loadPolicy, summarisePolicy } from '../../../../electron/services/policy/policy.ts';

async function policyFile(content: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-policy-'));
  const file = path.join(dir, 'policy.json');
  await writeFile(file, content);
  return file;
}

async function refusal(file: string): Promise<AirlockError> {
  const err = await loadPolicy(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirlockError);
  return err as AirlockError;
}

describe('managed policy', () => {
  it('uses built-in defaults when no policy file exists', async () => {
    const loaded = await loadPolicy(path.join(os.tmpdir(), 'no-such-airlock-policy.json'));
    expect(loaded.source).toBe('built-in defaults');
    expect(summarisePolicy(loaded)).toMatchObject({ twoPersonApproval: true, signedPackages: 'required', enabledPlatforms: ['tiktok'] });
  });

  it('reads and summarises a valid policy', async () => {
    const file = await policyFile(
      JSON.stringify({
        policyVersion: 1,
        organisation: 'City of Tartu',
        kioskName: 'Press office kiosk',
        platforms: ['tiktok', 'bluesky'],
        approval: { twoPerson: false },
        packages: { signatures: 'optional', trustedKeys: ['airlock-ed25519 AAAA'] },
        idleLockMinutes: 3,
        language: 'et',
      }),
    );
    const summary = summarisePolicy(await loadPolicy(file));
    expect(summary).toEqual({
      source: 'file',
      path: file,
      organisation: 'City of Tartu',
      kioskName: 'Press office kiosk',
      enabledPlatforms: ['tiktok', 'bluesky'],
      twoPersonApproval: false,
      signedPackages: 'optional',
      trustedKeyCount: 1,
      idleLockMinutes: 3,
      language: 'et',
      trainingMode: false,
    });
  });

  it('refuses a damaged file instead of falling back to defaults', async () => {
    const err = await refusal(await policyFile('{"policyVersion": 1,'));
    expect(err.code).toBe('policy.malformed');
    expect(err.message).toMatch(/will not start/);
  });

  it('refuses unknown settings and names them for IT', async () => {
    const err = await refusal(await policyFile(JSON.stringify({ policyVersion: 1, allowEverything: true })));
    expect(err.code).toBe('policy.invalid');
    expect(err.detail).toMatch(/allowEverything/);
  });

  it('refuses unknown platforms and out-of-range values', async () => {
    expect((await refusal(await policyFile(JSON.stringify({ policyVersion: 1, platforms: ['myspace'] })))).detail).toMatch(/platforms/);
    expect((await refusal(await policyFile(JSON.stringify({ policyVersion: 1, idleLockMinutes: 0 })))).detail).toMatch(/idleLockMinutes/);
    expect((await refusal(await policyFile(JSON.stringify({ policyVersion: 2 })))).detail).toMatch(/policyVersion/);
  });

  it('refuses an absurdly large file before parsing it', async () => {
    const err = await refusal(await policyFile(`{"policyVersion":1,"organisation":"${'x'.repeat(300_000)}"}`));
    expect(err.code).toBe('policy.too-large');
  });

  it('knows where IT puts the file on each system', () => {
    expect(defaultPolicyPath('linux')).toBe('/etc/airlock/policy.json');
    expect(defaultPolicyPath('darwin')).toBe('/Library/Application Support/Airlock/policy.json');
    expect(defaultPolicyPath('win32')).toMatch(/Airlock\\policy\.json$/);
  });
});
