// Connected-account tokens stay out of log lines and audit details: the tokens each platform
// issues (TikTok's act./rft. tokens with their `!`, Mastodon's opaque strings, Bluesky's JWT
// pair), in the shapes they travel in (token answers, form bodies, inspected objects, callback
// URLs), whether the logger was told about them by the vault or only recognises their shape.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { oauthErrorText } from '../../../../electron/services/accounts/oauth-client.ts';
import { prepareAuditAppend, redactDetails } from '../../../../electron/services/audit/audit-redaction.ts';
import { TrainingSecretStore } from '../../../../electron/services/vault/memory-secret-store.ts';
import { RedactingLogger, type Logger } from '../../../../electron/services/vault/redact.ts';
import { Vault } from '../../../../electron/services/vault/vault.ts';

const TIKTOK_ACCESS = 'act.1f9b2c7d5e3a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6!7.va';
const TIKTOK_REFRESH = 'rft.9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f!7.va';
const MASTODON_TOKEN = 'Zq3vX0b8KpL2mN7rT5wY1cE4hJ6gF9dS2aQ8uI0oPl3';
const BLUESKY_ACCESS = 'eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ.eyJzY29wZSI6ImNvbS5hdHByb3RvLmFwcFBhc3MiLCJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJl';
const APP_PASSWORD = 'abcd-efgh-ijkl-mnop';
const ALL = [TIKTOK_ACCESS, TIKTOK_REFRESH, MASTODON_TOKEN, BLUESKY_ACCESS, APP_PASSWORD];

function collectingLogger(): { lines: string[]; inner: Logger } {
  const lines: string[] = [];
  const push = (m?: unknown) => lines.push(String(m));
  return { lines, inner: { debug: push, info: push, warn: push, error: push } };
}

const leaks = (text: string) => ALL.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)) || text.includes(new URLSearchParams({ v: s }).toString().slice(2)));

describe('log lines', () => {
  it('hide every token the vault handled, in every shape it travels in', async () => {
    const { lines, inner } = collectingLogger();
    const logger = new RedactingLogger(inner);
    const vault = new Vault(new TrainingSecretStore(), { onDidUseSecret: (s) => logger.remember(s) });
    await vault.saveAccountCredentials('tiktok', 'open-1', { accessToken: TIKTOK_ACCESS, refreshToken: TIKTOK_REFRESH, expiresAt: 1 });
    await vault.saveAccountCredentials('mastodon', '1001', { accessToken: MASTODON_TOKEN });
    await vault.saveAccountCredentials('bluesky', 'did:plc:abc', { accessToken: `${BLUESKY_ACCESS}~${BLUESKY_ACCESS}`, refreshToken: APP_PASSWORD });

    logger.info('token answer %s', JSON.stringify({ access_token: TIKTOK_ACCESS, refresh_token: TIKTOK_REFRESH, open_id: 'open-1', expires_in: 7200 }));
    logger.info(`POST /v2/oauth/token/ body: ${new URLSearchParams({ grant_type: 'refresh_token', refresh_token: TIKTOK_REFRESH }).toString()}`);
    logger.warn('Mastodon refused', { headers: { authorization: `Bearer ${MASTODON_TOKEN}` } });
    logger.error(new Error(`verify_credentials failed for ${MASTODON_TOKEN}`));
    logger.debug(inspect(await vault.loadAccountCredentials('bluesky', 'did:plc:abc')));
    logger.info(`stored ${MASTODON_TOKEN.slice(0, 4)} and then ${APP_PASSWORD}`);

    expect(lines).toHaveLength(6);
    expect(leaks(lines.join('\n'))).toEqual([]);
    expect(lines.join('\n')).toContain('[redacted]');
    // What is not secret stays readable.
    expect(lines[0]).toContain('open-1');
    expect(lines[2]).toContain('Mastodon refused');
  });

  it('hide tokens nobody told the logger about where they sit in a credential-shaped place, and JWTs anywhere', () => {
    const { lines, inner } = collectingLogger();
    const logger = new RedactingLogger(inner);
    logger.info(`Authorization: Bearer ${TIKTOK_ACCESS}`, `refresh_token=${TIKTOK_REFRESH}`, `session ${BLUESKY_ACCESS}`);
    logger.info(`callback http://127.0.0.1:5000/callback/?code=abc*1!v2&state=s`);
    expect(leaks(lines.join('\n'))).toEqual([]);
    expect(lines[1]).not.toContain('abc*1!v2');
  });
});

describe('audit details', () => {
  it('never keep a token under a token-like name or inside a text', () => {
    const { value, redacted } = redactDetails({
      platform: 'tiktok',
      account: 'Harbour City (@harbourcity)',
      accessToken: MASTODON_TOKEN,
      credentials: { refreshToken: TIKTOK_REFRESH },
      detail: `refresh answered HTTP 400 with Bearer ${MASTODON_TOKEN} and ${TIKTOK_ACCESS}`,
      response: JSON.stringify({ access_token: TIKTOK_ACCESS }),
      session: BLUESKY_ACCESS,
      appPassword: APP_PASSWORD,
    });
    expect(leaks(JSON.stringify(value))).toEqual([]);
    expect(value).toMatchObject({ platform: 'tiktok', account: 'Harbour City (@harbourcity)' });
    expect(redacted.length).toBeGreaterThanOrEqual(6);
  });

  it('keep the readable part of what the account service records about a refused sign-in', () => {
    const detail = oauthErrorText({ status: 400, body: { error: 'invalid_request', error_description: 'Code verifier or code challenge is invalid.', log_id: '20261122abc' } });
    const entry = prepareAuditAppend({ actor: 's1', actorName: 'Ada', kind: 'account.connect-failed', subject: 'tiktok', details: { platform: 'tiktok', code: 'accounts.platform-refused', detail } }, new Date(0));
    expect(JSON.parse(entry.detailsJson)).toMatchObject({ detail: 'HTTP 400 error=invalid_request "Code verifier or code challenge is invalid." log_id=20261122abc' });
    expect(entry.redacted).toEqual([]);
  });
});
