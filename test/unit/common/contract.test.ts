import { describe, expect, it } from 'vitest';
import { contract, eventContract } from '../../../common/contract.ts';
import { isMethodName, METHOD_NAMES, methodChannel } from '../../../common/method-names.ts';

describe('API contract', () => {
  it('lists exactly the methods that have schemas, so the preload allow-list cannot drift', () => {
    expect([...METHOD_NAMES].sort()).toEqual(Object.keys(contract).sort());
  });

  it('recognises only listed method names', () => {
    expect(isMethodName('app.info')).toBe(true);
    expect(isMethodName('app.exec')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
    expect(isMethodName(42)).toBe(false);
  });

  it('gives every method its own namespaced IPC channel', () => {
    const channels = METHOD_NAMES.map(methodChannel);
    expect(new Set(channels).size).toBe(METHOD_NAMES.length);
    for (const channel of channels) expect(channel.startsWith('airlock:')).toBe(true);
  });

  it('rejects unknown argument keys rather than ignoring them', () => {
    expect(contract['app.info'].args.safeParse({ extra: 1 }).success).toBe(false);
    expect(contract['app.ping'].args.safeParse({ nonce: 'x', extra: 1 }).success).toBe(false);
  });

  it('describes the media events the import screen will listen to', () => {
    expect(eventContract['media.inserted'].safeParse({ volumeId: 'v', label: 'STICK', path: '/media/x' }).success).toBe(true);
    expect(eventContract['media.removed'].safeParse({}).success).toBe(false);
  });
});
