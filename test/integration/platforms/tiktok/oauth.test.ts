import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TIKTOK_PATHS, tiktokCodeChallenge, type TikTokTokenResponse } from '../../../../electron/platforms/tiktok/protocol.ts';
import { startTikTokSimulator, type TikTokSimulator, type TikTokSimulatorOptions } from '../../../../electron/platforms/tiktok/simulator.ts';
import { authorize, authorizeUrl, call, connectAccount, manualClock, postForm } from './driver.ts';

let sim: TikTokSimulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: TikTokSimulatorOptions = {}): Promise<TikTokSimulator> {
  sim = await startTikTokSimulator(options);
  return sim;
}

const REDIRECT = 'http://127.0.0.1:53123/callback/';
const SCOPE = 'user.info.basic,video.publish';

async function exchange(s: TikTokSimulator, fields: Record<string, string>) {
  return postForm(s.origin, TIKTOK_PATHS.token, { client_key: s.clientKey, client_secret: s.clientSecret, grant_type: 'authorization_code', redirect_uri: REDIRECT, ...fields });
}

async function refresh(s: TikTokSimulator, refreshToken: string) {
  return postForm(s.origin, TIKTOK_PATHS.token, { client_key: s.clientKey, client_secret: s.clientSecret, grant_type: 'refresh_token', refresh_token: refreshToken });
}

describe('TikTok simulator: authorization code with PKCE', () => {
  it('exchanges a code for a flat token response when the challenge is the hex SHA-256 of the verifier', async () => {
    const s = await start();
    const tokens = await connectAccount(s, SCOPE);
    expect(Object.keys(tokens).sort()).toEqual(['access_token', 'expires_in', 'open_id', 'refresh_expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(tokens).toMatchObject({ open_id: '-000sim-open-id-1', scope: SCOPE, expires_in: 7200, refresh_expires_in: 15_552_000, token_type: 'Bearer' });
  });

  it('issues codes with * and ! that only work once properly URL-decoded, and only once', async () => {
    const s = await start();
    const verifier = randomBytes(40).toString('base64url');
    const res = await fetch(authorizeUrl(s, { scope: SCOPE, redirectUri: REDIRECT, challenge: tiktokCodeChallenge(verifier) }), { redirect: 'manual' });
    const location = res.headers.get('location')!;
    // A client that copies the raw query value sends %21 where TikTok meant "!".
    const raw = /[?&]code=([^&]+)/.exec(location)![1]!;
    const code = new URL(location).searchParams.get('code')!;
    expect(code).toMatch(/[*!]/);
    expect(raw).not.toBe(code);
    expect((await exchange(s, { code: raw, code_verifier: verifier })).body.error).toBe('invalid_grant');
    expect((await exchange(s, { code, code_verifier: verifier })).status).toBe(200);
    const again = await exchange(s, { code, code_verifier: verifier });
    expect([again.status, again.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('refuses an RFC 7636 base64url challenge with TikTok\'s exact error', async () => {
    const s = await start();
    const verifier = randomBytes(40).toString('base64url');
    const base64url = createHash('sha256').update(verifier).digest('base64url');
    const code = await authorize(s, { scope: SCOPE, redirectUri: REDIRECT, challenge: base64url });
    const res = await exchange(s, { code, code_verifier: verifier });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', error_description: 'Code verifier or code challenge is invalid.' });
    expect(res.body.log_id).toEqual(expect.any(String));
  });

  it('refuses a verifier outside the RFC alphabet or length, even with a matching challenge', async () => {
    const s = await start();
    const verifier = 'short';
    const code = await authorize(s, { scope: SCOPE, redirectUri: REDIRECT, challenge: tiktokCodeChallenge(verifier) });
    expect((await exchange(s, { code, code_verifier: verifier })).body.error).toBe('invalid_request');
  });

  it('requires client_secret even for a desktop app, and refuses a wrong one', async () => {
    const s = await start();
    const verifier = randomBytes(40).toString('base64url');
    const code = await authorize(s, { scope: SCOPE, redirectUri: REDIRECT, challenge: tiktokCodeChallenge(verifier) });
    const missing = await postForm(s.origin, TIKTOK_PATHS.token, { client_key: s.clientKey, code, grant_type: 'authorization_code', redirect_uri: REDIRECT, code_verifier: verifier });
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
    const wrong = await exchange(s, { code, code_verifier: verifier, client_secret: 'guess' });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'invalid_client']);
  });

  it('requires the exact redirect_uri at the token endpoint', async () => {
    const s = await start();
    const verifier = randomBytes(40).toString('base64url');
    const code = await authorize(s, { scope: SCOPE, redirectUri: REDIRECT, challenge: tiktokCodeChallenge(verifier) });
    const res = await exchange(s, { code, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:53124/callback/' });
    expect(res.body.error).toBe('invalid_grant');
  });

  it('accepts any port on a wildcard registration but never redirects to an unregistered URI', async () => {
    const s = await start({ redirectUris: ['http://127.0.0.1:*/callback/'] });
    await authorize(s, { scope: SCOPE, redirectUri: 'http://127.0.0.1:40001/callback/' });
    for (const redirectUri of ['http://127.0.0.1:40001/other/', 'http://localhost:40001/callback/', 'http://127.0.0.1/callback/', 'https://evil.example/callback/']) {
      const res = await fetch(authorizeUrl(s, { scope: SCOPE, redirectUri }), { redirect: 'manual' });
      expect(res.status, redirectUri).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('refuses to start with a redirect URI that breaks the desktop rules', async () => {
    await expect(startTikTokSimulator({ redirectUris: ['http://127.0.0.1/callback/'] })).rejects.toThrow(/redirect URI/);
    await expect(startTikTokSimulator({ redirectUris: ['http://127.0.0.1:8080/cb?x=1'] })).rejects.toThrow(/redirect URI/);
  });

  it('redirects back with access_denied and the state when the user does not consent', async () => {
    const s = await start();
    s.signInAs(null);
    const res = await fetch(authorizeUrl(s, { scope: SCOPE, redirectUri: REDIRECT, state: 'xyz' }), { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('xyz');
  });

  it('grants only the scopes the user ticked', async () => {
    const s = await start({ accounts: [{ grantedScopes: ['user.info.basic', 'video.upload'] }] });
    const tokens = await connectAccount(s, 'user.info.basic,video.publish,video.upload');
    expect(tokens.scope).toBe('user.info.basic,video.upload');
    expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, tokens.access_token)).body.error.code).toBe('scope_not_authorized');
  });
});

describe('TikTok simulator: token expiry and rotating refresh tokens', () => {
  it('expires the access token after expires_in, and a refresh brings a working one', async () => {
    const clock = manualClock();
    const s = await start({ clock, tokenLifetimes: { accessSeconds: 86_400, refreshSeconds: 31_536_000 } });
    const tokens = await connectAccount(s);
    expect([tokens.expires_in, tokens.refresh_expires_in]).toEqual([86_400, 31_536_000]);
    expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, tokens.access_token)).status).toBe(200);
    clock.advance(86_400 * 1000);
    const expired = await call(s.origin, TIKTOK_PATHS.creatorInfo, tokens.access_token);
    expect([expired.status, expired.body.error.code]).toEqual([401, 'access_token_invalid']);
    const renewed = await refresh(s, tokens.refresh_token);
    expect(renewed.status).toBe(200);
    expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, String(renewed.body.access_token))).status).toBe(200);
  });

  it('rotates the refresh token: the old one is refused once a new one is issued, the newest keeps working', async () => {
    const s = await start();
    const first = await connectAccount(s);
    const second = (await refresh(s, first.refresh_token)).body as unknown as TikTokTokenResponse;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.open_id).toBe(first.open_id);
    expect(second.scope).toBe(first.scope);
    const reused = await refresh(s, first.refresh_token);
    expect([reused.status, reused.body.error]).toEqual([400, 'invalid_grant']);
    const third = await refresh(s, second.refresh_token);
    expect(third.status).toBe(200);
  });

  it('refuses a refresh token after refresh_expires_in', async () => {
    const clock = manualClock();
    const s = await start({ clock, tokenLifetimes: { accessSeconds: 60, refreshSeconds: 3600 } });
    const tokens = await connectAccount(s);
    clock.advance(3600 * 1000);
    expect((await refresh(s, tokens.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('revoke ends access and refresh tokens of the grant', async () => {
    const s = await start();
    const tokens = await connectAccount(s);
    const res = await postForm(s.origin, TIKTOK_PATHS.revoke, { client_key: s.clientKey, client_secret: s.clientSecret, token: tokens.access_token });
    expect(res.status).toBe(200);
    expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, tokens.access_token)).body.error.code).toBe('access_token_invalid');
    expect((await refresh(s, tokens.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('shows why to save a refresh answer first: a refresh whose answer was lost has already rotated the old token', async () => {
    const s = await start();
    const tokens = await connectAccount(s);
    s.injectFault({ kind: 'drop-connection', endpoint: 'token', when: 'after-processing' });
    await expect(refresh(s, tokens.refresh_token)).rejects.toThrow();
    expect((await refresh(s, tokens.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('takes the token request only as a form', async () => {
    const s = await start();
    const res = await fetch(`${s.origin}${TIKTOK_PATHS.token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});
