import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REDACTED, RedactingLogger, redactSecrets } from '../../../../electron/services/vault/redact.ts';
import type { Logger } from '../../../../electron/services/vault/redact.ts';

const JWT = 'eyJhbGciOiJFUzI1NksifQ.eyJzY29wZSI6ImNvbS5hdHByb3RvLmFjY2VzcyJ9.c2lnbmF0dXJlLWJ5dGVz';

function capture(): { logger: Logger; lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const logger: Logger = {
    debug: (m) => lines.push(['debug', String(m)]),
    info: (m) => lines.push(['info', String(m)]),
    warn: (m) => lines.push(['warn', String(m)]),
    error: (m) => lines.push(['error', String(m)]),
  };
  return { logger, lines };
}

describe('redactSecrets: known secrets', () => {
  it('hides a known secret that is the whole text or sits inside longer text', () => {
    expect(redactSecrets('xk-app-pass-1234', ['xk-app-pass-1234'])).toBe(REDACTED);
    expect(redactSecrets('login with xk-app-pass-1234 failed', ['xk-app-pass-1234'])).toBe(`login with ${REDACTED} failed`);
    expect(redactSecrets('prefixxk-app-pass-1234suffix', ['xk-app-pass-1234'])).toBe(`prefix${REDACTED}suffix`);
  });

  it('hides every occurrence and every known secret', () => {
    expect(redactSecrets('aaaa1 bbbb2 aaaa1', ['aaaa1', 'bbbb2'])).toBe(`${REDACTED} ${REDACTED} ${REDACTED}`);
  });

  it('hides the URL-encoded, JSON-escaped and inspect-escaped spellings of a known secret', () => {
    const secret = 'p@ss "wörd"/&\'x';
    expect(redactSecrets(`cb?v=${encodeURIComponent(secret)}`, [secret])).not.toContain('w%C3%B6rd');
    expect(redactSecrets(`form v=${new URLSearchParams({ v: secret }).toString().slice(2)}`, [secret])).toBe(`form v=${REDACTED}`);
    expect(redactSecrets(JSON.stringify({ note: secret }), [secret])).toBe(`{"note":"${REDACTED}"}`);
    const backslashed = 'back\\slash-1234';
    expect(inspect({ note: backslashed })).toBe("{ note: 'back\\\\slash-1234' }");
    expect(redactSecrets(inspect({ note: backslashed }), [backslashed])).toBe(`{ note: '${REDACTED}' }`);
  });

  it('hides a secret whole even when another known secret is part of it', () => {
    expect(redactSecrets('value abcd-efgh-ijkl here', ['abcd', 'abcd-efgh-ijkl'])).not.toMatch(/efgh|ijkl/);
  });

  it('ignores empty and very short "secrets" that would blank ordinary words', () => {
    expect(redactSecrets('a plain sentence', ['', 'a', 'pl'])).toBe('a plain sentence');
  });
});

describe('redactSecrets: credential shapes', () => {
  it('keeps only scheme, host and path of URLs, dropping token query parameters and user info', () => {
    expect(redactSecrets('GET https://open.tiktokapis.com/v2/post/publish/status/fetch/?access_token=act.abc123&x=1 failed')).toBe(
      'GET https://open.tiktokapis.com/v2/post/publish/status/fetch/ failed',
    );
    expect(redactSecrets('to https://user:hunter22@pds.example/xrpc')).toBe('to https://pds.example/xrpc');
    expect(redactSecrets('graph.facebook.com/v26.0/me/accounts?fb_exchange_token=EAAB123')).not.toContain('EAAB123');
  });

  it('hides access_token=, refresh_token= and client_secret= assignments in query strings and form bodies', () => {
    expect(redactSecrets('access_token=act.secret-1')).toBe(`access_token=${REDACTED}`);
    const body = redactSecrets('body "grant_type=refresh_token&refresh_token=rft.secret-2&client_secret=cs-secret-3&client_key=ck"');
    expect(body).not.toMatch(/secret-2|secret-3/);
    expect(body).toContain('grant_type=refresh_token');
    expect(redactSecrets('(code_verifier=pkce-verifier-4)')).not.toContain('pkce-verifier-4');
  });

  it('hides Authorization headers whatever the scheme, and cookies and API-key headers', () => {
    expect(redactSecrets('Authorization: Bearer act.1234567890abcdef')).toBe(`Authorization: ${REDACTED}`);
    expect(redactSecrets('authorization: DPoP opaque-dpop-token')).toBe(`authorization: ${REDACTED}`);
    expect(redactSecrets('Authorization: OAuth EAABsbCS1iHgBAKZC')).toBe(`Authorization: ${REDACTED}`);
    expect(redactSecrets('Proxy-Authorization: Basic dXNlcjpwYXNz')).toBe(`Proxy-Authorization: ${REDACTED}`);
    expect(redactSecrets('Cookie: sessionid=abc; csrftoken=def')).toBe(`Cookie: ${REDACTED}`);
    expect(redactSecrets('x-api-key: k-123456')).toBe(`x-api-key: ${REDACTED}`);
    expect(redactSecrets('{"headers":{"authorization":"Bearer abc.def","accept":"application/json"}}')).toBe(
      `{"headers":{"authorization":"${REDACTED}","accept":"application/json"}}`,
    );
  });

  it('hides a bearer token wherever it appears', () => {
    expect(redactSecrets('sent Bearer act.0000aaaa to the API')).toBe(`sent Bearer ${REDACTED} to the API`);
  });

  it('hides token, secret and password fields in JSON, keeping the other fields readable', () => {
    const tiktok = '{"access_token":"act.ZZZ","expires_in":86400,"open_id":"-000abc","refresh_token":"rft.YYY","scope":"video.publish"}';
    expect(redactSecrets(tiktok)).toBe(`{"access_token":"${REDACTED}","expires_in":86400,"open_id":"-000abc","refresh_token":"${REDACTED}","scope":"video.publish"}`);
    expect(redactSecrets('{"client_secret": "cs-1", "password":"pw-2", "appPassword":"ap-3"}')).toBe(
      `{"client_secret": "${REDACTED}", "password":"${REDACTED}", "appPassword":"${REDACTED}"}`,
    );
    expect(redactSecrets('{"accessToken":"with \\"escaped\\" quotes","ok":true}')).toBe(`{"accessToken":"${REDACTED}","ok":true}`);
  });

  it('hides quoted token fields as util.inspect and JavaScript print them', () => {
    expect(redactSecrets(`{ accessToken: 'act.abc', refreshJwt: "${JWT.slice(0, 10)}", handle: 'comms.bsky.social' }`)).toBe(
      `{ accessToken: '${REDACTED}', refreshJwt: "${REDACTED}", handle: 'comms.bsky.social' }`,
    );
  });

  it('hides JWTs on their own, in JSON and in headers', () => {
    expect(redactSecrets(`session ${JWT} ok`)).toBe(`session ${REDACTED} ok`);
    expect(redactSecrets(`{"accessJwt":"${JWT}","handle":"a.bsky.social"}`)).toBe(`{"accessJwt":"${REDACTED}","handle":"a.bsky.social"}`);
    expect(redactSecrets(`unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end`)).toBe(`unsigned ${REDACTED} end`);
    expect(redactSecrets(`jwe eyJhbGciOiJSU0EtT0FFUCJ9.a2V5cw.aXY.Y2lwaGVy.dGFn end`)).toBe(`jwe ${REDACTED} end`);
  });

  it('hides a PEM private key block, and a truncated one', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n';
    expect(redactSecrets(`key=${pem}`)).not.toContain('MC4CAQAw');
    expect(redactSecrets(`loaded ${pem} done`)).toBe(`loaded ${REDACTED}\n done`);
    expect(redactSecrets('-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2Vw')).toBe(REDACTED);
  });

  it('leaves ordinary log lines alone', () => {
    for (const line of ['posted video 7300000000 to @comms (id=42)', 'refresh token: expired at 12:00', 'Is the upload done? yes', 'PUBLISH_COMPLETE after 3 polls']) {
      expect(redactSecrets(line)).toBe(line);
    }
  });
});

describe('RedactingLogger', () => {
  it('scrubs format arguments, nested objects and errors before the wrapped logger sees them', () => {
    const { logger, lines } = capture();
    const log = new RedactingLogger(logger, { knownSecrets: ['app-pass-abcd-efgh'] });
    log.info('login as %s with %s', 'comms.bsky.social', 'app-pass-abcd-efgh');
    log.warn('response', { body: { deep: { deeper: { accessJwt: JWT } } } });
    log.error(new Error('refresh failed for app-pass-abcd-efgh'));
    log.debug('headers', { authorization: 'Bearer act.zzz' });
    const text = lines.map(([, line]) => line).join('\n');
    expect(text).not.toMatch(/app-pass-abcd-efgh|eyJhbGci|act\.zzz/);
    expect(lines.map(([level]) => level)).toEqual(['info', 'warn', 'error', 'debug']);
    expect(lines[0]?.[1]).toBe(`login as comms.bsky.social with ${REDACTED}`);
  });

  it('hides secrets remembered later, and shows them again once forgotten', () => {
    const { logger, lines } = capture();
    const log = new RedactingLogger(logger);
    log.remember('opaque-0001');
    log.info('token opaque-0001 loaded');
    log.forget('opaque-0001');
    log.info('value opaque-0001');
    expect(lines.map(([, l]) => l)).toEqual([`token ${REDACTED} loaded`, 'value opaque-0001']);
  });

  it('keeps only the newest secrets once it holds its maximum', () => {
    const { logger, lines } = capture();
    const log = new RedactingLogger(logger, { maxKnownSecrets: 2 });
    log.remember('first-1111');
    log.remember('second-2222');
    log.remember('third-3333');
    log.info('first-1111 second-2222 third-3333');
    expect(lines[0]?.[1]).toBe(`first-1111 ${REDACTED} ${REDACTED}`);
  });
});
