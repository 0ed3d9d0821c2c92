import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { MAX_DETAILS_BYTES } from '../../../../electron/services/audit/audit-schema.ts';
import {
  boundedDetailsJson,
  containsSecret,
  isSecretKey,
  prepareAuditAppend,
  redactDetails,
  redactText,
  REDACTED,
} from '../../../../electron/services/audit/audit-redaction.ts';
import { auditFixture, removeTempDirs } from './audit-fixtures.ts';

afterEach(removeTempDirs);

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdGFmZi1hbmEiLCJpYXQiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const TIKTOK_TOKEN = 'act.1a2b3c4d5e6f7g8h9i0jKLMNOPQRSTuvwxyz!1234';
const AT = new Date('2026-11-21T09:00:00.000Z');

describe('secret key names', () => {
  it('recognises the usual spellings of secrets', () => {
    for (const key of ['token', 'accessToken', 'refresh_token', 'ACCESS-TOKEN', 'password', 'newPassword', 'passphrase', 'clientSecret', 'Authorization', 'apiKey', 'x-api-key', 'privateKey', 'cookie', 'Set-Cookie', 'pin', 'pinHash', 'credentials', 'accesstoken']) {
      expect(isSecretKey(key), key).toBe(true);
    }
  });

  it('leaves ordinary names alone, including ones that contain a short secret word', () => {
    for (const key of ['author', 'authorId', 'shipping', 'pinned', 'caption', 'postId', 'keyFingerprint', 'signerFingerprint', 'sha256', 'account', 'platform']) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });
});

describe('secret shapes in text', () => {
  it.each([
    ['a JWT', `session ${JWT} expired`],
    ['a bearer token', 'Authorization: Bearer 4f9a8c7e6d5b4a3f2e1d0c9b8a7f6e5d'],
    ['basic credentials', 'header Basic YWRtaW46aHVudGVyMg=='],
    ['a TikTok access token', `token ${TIKTOK_TOKEN}`],
    ['a GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['an AWS key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['a PEM private key', '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIB\n-----END PRIVATE KEY-----'],
    ['a password in a URL', 'https://comms:hunter22@pds.example/xrpc'],
    ['a token in a query string', 'https://open.tiktokapis.com/v2/x?access_token=abc123def456&x=1'],
    ['an OAuth code in a query string', 'https://kiosk.local/cb?code=Zx81-aa&state=1'],
    ['a labelled password', 'login failed: password=hunter22'],
  ])('redacts %s', (_name, text) => {
    const clean = redactText(text);
    expect(clean).toContain(REDACTED);
    expect(containsSecret(text)).toBe(true);
    for (const secret of [JWT, '4f9a8c7e6d5b4a3f2e1d0c9b8a7f6e5d', 'YWRtaW46aHVudGVyMg==', TIKTOK_TOKEN, 'hunter22', 'abc123def456', 'Zx81-aa', 'MC4CAQAwBQYDK2VwBCIEIB']) {
      expect(clean).not.toContain(secret);
    }
    // Redacting twice changes nothing more.
    expect(redactText(clean)).toBe(clean);
  });

  it('keeps ordinary text, hashes and fingerprints readable', () => {
    for (const text of [
      'Basic information about opening hours',
      'The bearer of this card may enter',
      'Bearer responsibilities are listed below',
      'a'.repeat(64),
      'SHA256:Pq0Wm3oYQ0m8v1vK6kG3rXy0Yt3f1m3G6wq8kq9x2mQ',
      'https://open.tiktokapis.com/v2/post/publish/status/fetch/',
      'Caption with #hashtags and @mentions',
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });
});

describe('redactDetails', () => {
  it('replaces values under secret keys and secret-shaped strings anywhere, keeping the rest', () => {
    const { value, redacted } = redactDetails({
      account: '@council',
      accessToken: TIKTOK_TOKEN,
      nested: { request: { headers: { authorization: 'Bearer x', accept: 'application/json' } }, pin: 1234, tokenPresent: true },
      errors: [`upstream said: invalid_token ${JWT}`],
    });
    expect(value).toEqual({
      accessToken: REDACTED,
      account: '@council',
      errors: [`upstream said: invalid_token ${REDACTED}`],
      nested: { pin: REDACTED, request: { headers: { accept: 'application/json', authorization: REDACTED } }, tokenPresent: true },
    });
    expect(redacted.sort()).toEqual(['accessToken', 'errors[0]', 'nested.pin', 'nested.request.headers.authorization']);
  });

  it('turns values JSON cannot hold into something readable, without following cycles', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const { value } = redactDetails({
      when: new Date('2026-11-21T09:00:00.000Z'),
      bytes: new Uint8Array(10),
      big: 10n,
      nan: Number.NaN,
      gone: undefined,
      fn: () => 1,
      error: new Error(`failed with ${JWT}`),
      loop,
    });
    expect(value).toEqual({
      big: '10',
      bytes: '[10 bytes]',
      error: { message: `failed with ${REDACTED}`, name: 'Error' },
      loop: { name: 'loop', self: '[circular]' },
      nan: null,
      when: '2026-11-21T09:00:00.000Z',
    });
  });

  it('bounds the size of details but keeps the event and a fingerprint of what was cut', () => {
    const json = boundedDetailsJson({ mediaId: 'm1', findings: Array.from({ length: 2000 }, (_, i) => `finding ${i}`) });
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    const parsed = JSON.parse(json) as { mediaId: string; _truncated: { bytes: number; sha256: string } };
    expect(parsed.mediaId).toBe('m1');
    expect(parsed._truncated.bytes).toBeGreaterThan(MAX_DETAILS_BYTES);
    expect(parsed._truncated.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('prepareAuditAppend', () => {
  it('refuses a credential in a field the audit screen shows and filters by', () => {
    const base = { actor: 'staff-ana', actorName: 'Ana Costa', kind: 'publish.attempt' };
    for (const event of [
      { ...base, subject: TIKTOK_TOKEN },
      { ...base, actorName: `Bearer ${'a1'.repeat(12)}` },
      { ...base, actor: JWT },
    ]) {
      expect(() => prepareAuditAppend(event, AT)).toThrow(expect.objectContaining({ code: 'audit.secret-refused' }));
    }
  });

  it('refuses malformed events with a plain error', () => {
    const base = { actor: 'staff-ana', actorName: 'Ana Costa', kind: 'post.edited' };
    for (const event of [{ ...base, kind: 'Edited' }, { ...base, actor: '' }, { ...base, actorName: 'Ana\u202eCosta' }, { ...base, details: [] as unknown as Record<string, unknown> }]) {
      expect(() => prepareAuditAppend(event, AT)).toThrow(AirlockError);
    }
  });
});

describe('AuditLog.append keeps secrets out of the database', () => {
  it('stores redacted details, and no byte of the token reaches the SQLite file', async () => {
    const { file, store, log } = await auditFixture(0);
    const entry = await log.append({
      actor: 'system',
      actorName: 'Airlock',
      kind: 'publish.result',
      subject: 'post-1',
      details: { platform: 'tiktok', accessToken: TIKTOK_TOKEN, response: `401 for Bearer ${TIKTOK_TOKEN}` },
    });
    expect(entry.details).toEqual({ accessToken: REDACTED, platform: 'tiktok', response: `401 for Bearer ${REDACTED}` });
    await store.close();
    const raw = new Database(file, { readonly: true });
    const stored = raw.prepare(`SELECT details_json FROM audit_log`).pluck().all() as string[];
    raw.close();
    expect(stored.join('')).not.toContain(TIKTOK_TOKEN.slice(4));
  });

  it('refuses, on the store side too, details that a caller did not redact', async () => {
    const { store } = await auditFixture(0);
    await expect(
      store.call('audit.append', { at: AT.toISOString(), actor: 'system', actorName: 'Airlock', kind: 'publish.result', subject: null, detailsJson: JSON.stringify({ password: 'hunter22' }) }),
    ).rejects.toMatchObject({ code: 'audit.secret-refused' });
    expect(await store.call('audit.head', {})).toBeNull();
    await store.close();
  });
});
