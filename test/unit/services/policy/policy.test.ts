import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { generateSigningKeyPair } from '../../../../electron/services/package/keys.ts';
import { defaultPolicyPath, loadPolicy, policyProblems, summarisePolicy } from '../../../../electron/services/policy/policy.ts';
import { policyJsonSchemaText } from '../../../../electron/services/policy/policy-schema.ts';

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
        packages: { signatures: 'optional', trustedKeys: [generateSigningKeyPair().publicKey.text] },
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

  it('refuses a trusted key that is not a key, naming where it is', () => {
    expect(policyProblems(JSON.stringify({ policyVersion: 1, packages: { trustedKeys: ['airlock-ed25519 AAAA'] } }))).toEqual([
      { path: '$.packages.trustedKeys[0]', message: expect.stringContaining('is not an Airlock public key') },
    ]);
  });

  it('takes extra hosts and private ranges for self-hosted servers, and names each bad one', () => {
    const ok = { policyVersion: 1, network: { extraHosts: ['social.council.example', '*.media.council.example'], allowedPrivateRanges: ['10.20.0.0/16', 'fd12:3456::/48'] } };
    expect(policyProblems(JSON.stringify(ok))).toEqual([]);
    expect(policyProblems(JSON.stringify({ policyVersion: 1, network: { extraHosts: ['intranet', 'tiktоk.com', '10.0.0.5'], allowedPrivateRanges: ['169.254.0.0/16', '10.0.0.5/8'] } }))).toEqual([
      { path: '$.network.extraHosts[0]', message: expect.stringContaining('at least two labels') },
      { path: '$.network.extraHosts[1]', message: expect.stringContaining('mixes alphabets') },
      { path: '$.network.extraHosts[2]', message: expect.stringContaining('IP address') },
      { path: '$.network.allowedPrivateRanges[0]', message: expect.stringContaining('cannot be opened') },
      { path: '$.network.allowedPrivateRanges[1]', message: expect.stringContaining('network address') },
    ]);
  });

  it('takes only an HTTP proxy, which both the windows and the services can use', () => {
    expect(policyProblems(JSON.stringify({ policyVersion: 1, proxy: { mode: 'fixed', server: 'http://proxy.corp.example:3128' } }))).toEqual([]);
    expect(policyProblems(JSON.stringify({ policyVersion: 1, proxy: { mode: 'fixed', server: 'socks5://proxy.corp.example:1080' } }))).toEqual([
      { path: '$.proxy.server', message: expect.stringContaining('HTTP proxy') },
    ]);
  });

  it('names unknown settings by their JSON path and warns what a typo could do', () => {
    expect(policyProblems(JSON.stringify({ policyVersion: 1, approval: { twoPersn: false } }))).toEqual([
      { path: '$.approval.twoPersn', message: expect.stringContaining('silently weaken') },
    ]);
  });

  it('publishes a JSON Schema generated from the same rules, and an example that follows them', async () => {
    const { readFile } = await import('node:fs/promises');
    const schemaFile = new URL('../../../../build/policy.schema.json', import.meta.url);
    expect(await readFile(schemaFile, 'utf8')).toBe(policyJsonSchemaText());
    const example = await readFile(new URL('../../../../build/policy.example.json', import.meta.url), 'utf8');
    expect(policyProblems(example)).toEqual([]);
  });

  it('knows where IT puts the file on each system', () => {
    expect(defaultPolicyPath('linux')).toBe('/etc/airlock/policy.json');
    expect(defaultPolicyPath('darwin')).toBe('/Library/Application Support/Airlock/policy.json');
    expect(defaultPolicyPath('win32')).toMatch(/Airlock\\policy\.json$/);
  });
});
