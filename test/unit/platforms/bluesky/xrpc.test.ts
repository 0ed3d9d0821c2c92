// Bluesky's XRPC plumbing without a network, driven by a scripted stand-in for the egress
// client: resends with backoff and jitter, rate-limit waits, the "already done?" check before a
// resend, session renewal and the stored credential form, and the sentences errors become.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { XrpcError, explainBlueskyFailure, isSessionProblem, isTransient } from '../../../../electron/platforms/bluesky/bluesky-errors.ts';
import type { BlueskyPublishError } from '../../../../electron/platforms/bluesky/bluesky-errors.ts';
import { BlueskySession, SESSION_SEPARATOR, readBlueskyCredentials, writeBlueskyCredentials } from '../../../../electron/platforms/bluesky/bluesky-session.ts';
import { DEFAULT_RETRY, backoffMs, createXrpcTransport, rateLimitWaitMs } from '../../../../electron/platforms/bluesky/bluesky-xrpc.ts';
import type { XrpcTransport } from '../../../../electron/platforms/bluesky/bluesky-xrpc.ts';
import { EgressRefusedError } from '../../../../electron/services/egress/http-client.ts';
import type { EgressClient, EgressRequestInit, EgressResponse } from '../../../../electron/services/egress/http-client.ts';
import type { AccountCredentials } from '../../../../electron/services/vault/vault.ts';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

interface Seen {
  url: URL;
  init: EgressRequestInit;
  body: string;
}

function response(url: URL, status: number, text: string, headers: Record<string, string> = {}): EgressResponse {
  const bytes = Buffer.from(text, 'utf8');
  return {
    status,
    statusMessage: `status ${status}`,
    headers,
    url,
    remoteAddress: '127.0.0.1',
    body: Readable.from([bytes]),
    buffer: async () => bytes,
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
    discard: async () => undefined,
  };
}

/** Answers requests in order from a script; records what was sent, reading stream bodies whole. */
function scripted(answers: Answer[]): EgressClient & { seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    async request(input, init) {
      const url = new URL(String(input));
      let body = '';
      if (init.body instanceof Readable) for await (const chunk of init.body) body += String(chunk);
      else if (init.body !== undefined) body = String(init.body);
      seen.push({ url, init, body });
      const answer = answers.shift();
      if (!answer) throw new Error(`unscripted request ${url.pathname}`);
      if (answer instanceof Error) throw answer;
      return response(url, answer.status, answer.body === undefined ? '' : JSON.stringify(answer.body), answer.headers);
    },
    close() {},
  };
}

const NOW = Date.UTC(2026, 10, 20, 9, 0, 0);

function transport(client: EgressClient, waits: number[] = [], signal = new AbortController().signal): XrpcTransport {
  return createXrpcTransport({
    http: client,
    apiBase: 'https://pds.example.org/',
    signal,
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    clock: () => NOW,
    retry: DEFAULT_RETRY,
  });
}

const busy = { status: 503, body: { error: 'InternalServerError', message: 'busy' } };
const dropped = () => new AirlockError('egress.connection-failed', 'Airlock could not reach pds.example.org.', 'ECONNRESET');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('XRPC transport', () => {
  it('sends JSON to /xrpc/<nsid> as publish:bluesky with the bearer token', async () => {
    const client = scripted([{ status: 200, body: { ok: true } }]);
    const out = await transport(client).call({ method: 'POST', nsid: 'com.atproto.repo.createRecord', json: { a: 1 }, token: 'jwt' });
    expect(out).toEqual({ ok: true });
    const [sent] = client.seen;
    expect(sent!.url.href).toBe('https://pds.example.org/xrpc/com.atproto.repo.createRecord');
    expect(sent!.init).toMatchObject({ method: 'POST', requester: 'publish:bluesky', headers: { authorization: 'Bearer jwt', 'content-type': 'application/json' } });
    expect(sent!.body).toBe('{"a":1}');
  });

  it('resends after 5xx and dropped connections with growing, jittered waits, reopening the upload each time', async () => {
    const client = scripted([busy, dropped(), { status: 500, body: {} }, { status: 200, body: { blob: 1 } }]);
    const waits: number[] = [];
    let opened = 0;
    const out = await transport(client, waits).call({
      method: 'POST',
      nsid: 'com.atproto.repo.uploadBlob',
      upload: { contentType: 'image/png', bytes: 3, open: () => (opened++, Readable.from([Buffer.from('png')])) },
    });
    expect(out).toEqual({ blob: 1 });
    expect(waits).toEqual([375, 750, 1500]);
    expect(opened).toBe(4);
    expect(client.seen.map((s) => s.body)).toEqual(['png', 'png', 'png', 'png']);
    expect(client.seen[0]!.init.headers).toMatchObject({ 'content-type': 'image/png', 'content-length': '3' });
  });

  it('stops after four attempts and throws the last answer', async () => {
    const waits: number[] = [];
    const err = await rejection(transport(scripted([busy, busy, busy, busy]), waits).call({ method: 'GET', nsid: 'x.y.z' }));
    expect(err).toBeInstanceOf(XrpcError);
    expect(waits).toHaveLength(3);
  });

  it('does not resend a request the server refused, or one the egress guard stopped', async () => {
    const waits: number[] = [];
    const bad = await rejection(transport(scripted([{ status: 400, body: { error: 'InvalidRequest', message: 'nope' } }]), waits).call({ method: 'GET', nsid: 'a.b.c' }));
    expect(bad).toMatchObject({ status: 400, error: 'InvalidRequest', serverMessage: 'nope' });
    const refused = new EgressRefusedError({ allowed: false, code: 'egress.host-not-allowed', host: 'evil.example', reason: 'no', detail: 'no' }, 443);
    expect(await rejection(transport(scripted([refused]), waits).call({ method: 'GET', nsid: 'a.b.c' }))).toBe(refused);
    expect(waits).toEqual([]);
  });

  it('does not resend once the job is cancelled', async () => {
    const controller = new AbortController();
    const client = scripted([busy]);
    const waits: number[] = [];
    const t = transport(client, waits, controller.signal);
    controller.abort();
    expect(await rejection(t.call({ method: 'GET', nsid: 'a.b.c' }))).toBeInstanceOf(XrpcError);
    expect(waits).toEqual([]);
  });

  it('asks whether a lost write already happened before resending it', async () => {
    const client = scripted([dropped()]);
    const out = await transport(client).call({ method: 'POST', nsid: 'com.atproto.repo.createRecord', json: {}, alreadyDone: async () => ({ uri: 'at://done' }) });
    expect(out).toEqual({ uri: 'at://done' });
    expect(client.seen).toHaveLength(1);
  });

  it('waits out a short rate limit and gives up on a long one, keeping the wait', async () => {
    const reset = (s: number) => ({ 'ratelimit-reset': String(NOW / 1000 + s) });
    const waits: number[] = [];
    const short = scripted([{ status: 429, body: { error: 'RateLimitExceeded' }, headers: reset(20) }, { status: 200, body: {} }]);
    await transport(short, waits).call({ method: 'GET', nsid: 'a.b.c' });
    expect(waits).toEqual([20_500]);
    const long = await rejection(transport(scripted([{ status: 429, body: { error: 'RateLimitExceeded' }, headers: reset(3600) }])).call({ method: 'GET', nsid: 'a.b.c' }));
    expect(long).toMatchObject({ status: 429, retryAfterMs: 3_600_000 });
  });

  it('reads the wait from ratelimit-reset (epoch or delta seconds) or retry-after (seconds or date)', () => {
    expect(rateLimitWaitMs({ reset: String(NOW / 1000 + 90) }, NOW)).toBe(90_000);
    expect(rateLimitWaitMs({ reset: '30' }, NOW)).toBe(30_000);
    expect(rateLimitWaitMs({ reset: String(NOW / 1000 - 5) }, NOW)).toBe(0);
    expect(rateLimitWaitMs({ retryAfter: '12' }, NOW)).toBe(12_000);
    expect(rateLimitWaitMs({ retryAfter: new Date(NOW + 60_000).toUTCString() }, NOW)).toBe(60_000);
    expect(rateLimitWaitMs({ retryAfter: 'soon' }, NOW)).toBeUndefined();
    expect(rateLimitWaitMs({}, NOW)).toBeUndefined();
  });

  it('keeps backoff between half and all of an exponential step, capped', () => {
    expect(backoffMs(1, DEFAULT_RETRY, () => 0)).toBe(250);
    expect(backoffMs(1, DEFAULT_RETRY, () => 0.999999)).toBe(500);
    expect(backoffMs(3, DEFAULT_RETRY, () => 0)).toBe(1000);
    expect(backoffMs(20, DEFAULT_RETRY, () => 0.999999)).toBe(8000);
  });

  it('treats a success body that is not JSON as a bad answer, and an empty one as nothing', async () => {
    const client: EgressClient = {
      request: async (input) => response(new URL(String(input)), 200, '<html>'),
      close() {},
    };
    const err = await rejection(createXrpcTransport({ http: client, apiBase: 'https://p.example', signal: new AbortController().signal, sleep: async () => {}, random: () => 0, clock: () => NOW, retry: { ...DEFAULT_RETRY, maxAttempts: 1 } }).call({ method: 'GET', nsid: 'a.b.c' }));
    expect(err).toMatchObject({ code: 'publish.bluesky.bad-response' });
    expect(await transport(scripted([{ status: 200 }])).call({ method: 'POST', nsid: 'a.b.c' })).toBeUndefined();
  });
});

// --- Credentials and sessions --------------------------------------------------------------

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part(claims)}.c2ln`;
}

const exp = (ms: number) => Math.floor(ms / 1000);
const access1 = jwt({ scope: 'com.atproto.appPass', sub: 'did:plc:alice', exp: exp(NOW + 2 * 3600_000) });
const refresh1 = jwt({ scope: 'com.atproto.refresh', sub: 'did:plc:alice', exp: exp(NOW + 90 * 86_400_000) });
const access2 = jwt({ scope: 'com.atproto.appPass', sub: 'did:plc:alice', exp: exp(NOW + 4 * 3600_000) });
const refresh2 = jwt({ scope: 'com.atproto.refresh', sub: 'did:plc:alice', exp: exp(NOW + 91 * 86_400_000) });
const sessionBody = (a: string, r: string) => ({ accessJwt: a, refreshJwt: r, did: 'did:plc:alice', handle: 'alice.test' });
const me = { status: 200, body: { did: 'did:plc:alice', handle: 'alice.test', active: true } };
const expired = { status: 400, body: { error: 'ExpiredToken', message: 'Token has expired' } };

describe('credentials', () => {
  it('stores the session as "<access>~<refresh>", the app password as refreshToken, and the access expiry', () => {
    const stored = writeBlueskyCredentials({ accessJwt: access1, refreshJwt: refresh1 }, 'abcd-efgh-ijkl-mnop');
    expect(stored).toEqual({ accessToken: `${access1}${SESSION_SEPARATOR}${refresh1}`, refreshToken: 'abcd-efgh-ijkl-mnop', expiresAt: exp(NOW + 2 * 3600_000) * 1000 });
    expect(readBlueskyCredentials(stored)).toEqual({ accessJwt: access1, refreshJwt: refresh1, appPassword: 'abcd-efgh-ijkl-mnop', expiresAt: stored.expiresAt });
  });

  it('reads anything else in accessToken as "no session yet"', () => {
    for (const accessToken of ['none', access1, `${access1}~`, `${access1}~${refresh1}~x`, 'a~b']) {
      expect(readBlueskyCredentials({ accessToken, refreshToken: 'pw' })).toMatchObject({ accessJwt: null, refreshJwt: null, appPassword: 'pw', expiresAt: undefined });
    }
  });
});

function sessionWith(client: EgressClient, stored: AccountCredentials, saved: AccountCredentials[], identifier = 'did:plc:alice'): BlueskySession {
  let current = stored;
  return new BlueskySession({
    transport: transport(client),
    identifier,
    credentials: async () => current,
    saveCredentials: async (c) => {
      saved.push(c);
      current = c;
    },
    clock: () => NOW,
  });
}

describe('BlueskySession', () => {
  const stored = writeBlueskyCredentials({ accessJwt: access1, refreshJwt: refresh1 }, 'app-pass-word');

  it('uses a live session as it is', async () => {
    const client = scripted([me]);
    const saved: AccountCredentials[] = [];
    expect(await sessionWith(client, stored, saved).open()).toEqual({ did: 'did:plc:alice', handle: 'alice.test' });
    expect(client.seen[0]!.init.headers).toMatchObject({ authorization: `Bearer ${access1}` });
    expect(saved).toEqual([]);
  });

  it('refreshes with the refresh JWT on ExpiredToken, saves, then resends with the new token', async () => {
    const client = scripted([expired, { status: 200, body: sessionBody(access2, refresh2) }, me]);
    const saved: AccountCredentials[] = [];
    await sessionWith(client, { ...stored, expiresAt: undefined }, saved).open();
    expect(client.seen.map((s) => [s.url.pathname, s.init.headers?.authorization])).toEqual([
      ['/xrpc/com.atproto.server.getSession', `Bearer ${access1}`],
      ['/xrpc/com.atproto.server.refreshSession', `Bearer ${refresh1}`],
      ['/xrpc/com.atproto.server.getSession', `Bearer ${access2}`],
    ]);
    expect(saved).toEqual([writeBlueskyCredentials({ accessJwt: access2, refreshJwt: refresh2 }, 'app-pass-word')]);
  });

  it('falls back to createSession with the app password when the refresh JWT is dead', async () => {
    const client = scripted([expired, expired, { status: 200, body: sessionBody(access2, refresh2) }, me]);
    const saved: AccountCredentials[] = [];
    await sessionWith(client, { ...stored, expiresAt: undefined }, saved).open();
    expect(client.seen[2]!.url.pathname).toBe('/xrpc/com.atproto.server.createSession');
    expect(JSON.parse(client.seen[2]!.body)).toEqual({ identifier: 'did:plc:alice', password: 'app-pass-word' });
    expect(client.seen[2]!.init.headers).not.toHaveProperty('authorization');
    expect(saved).toHaveLength(1);
  });

  it('refreshes ahead of time when the access JWT is about to expire', async () => {
    const client = scripted([{ status: 200, body: sessionBody(access2, refresh2) }, me]);
    await sessionWith(client, { ...stored, expiresAt: NOW + 60_000 }, []).open();
    expect(client.seen[0]!.url.pathname).toBe('/xrpc/com.atproto.server.refreshSession');
  });

  it('asks for a reconnect when the app password is refused, without quoting it', async () => {
    const client = scripted([{ status: 401, body: { error: 'AuthenticationRequired', message: 'Invalid identifier or password' } }]);
    const err = (await rejection(sessionWith(client, { accessToken: 'none', refreshToken: 'secret-app-pass' }, []).open())) as BlueskyPublishError;
    expect(err.code).toBe('publish.bluesky.reconnect');
    expect(JSON.stringify(err.toValue())).not.toContain('secret-app-pass');
  });

  it('asks for a reconnect when there is neither a session nor an app password', async () => {
    const err = (await rejection(sessionWith(scripted([]), { accessToken: 'none' }, []).open())) as BlueskyPublishError;
    expect(err.code).toBe('publish.bluesky.reconnect');
  });

  it('refuses a session for another DID than the job\'s account', async () => {
    const err = (await rejection(sessionWith(scripted([me]), stored, [], 'did:plc:bob').open())) as BlueskyPublishError;
    expect(err.code).toBe('publish.bluesky.wrong-account');
  });

  it('stops at a deactivated account', async () => {
    const err = (await rejection(sessionWith(scripted([{ status: 200, body: { did: 'did:plc:alice', handle: 'alice.test', active: false, status: 'deactivated' } }]), stored, []).open())) as BlueskyPublishError;
    expect(err.code).toBe('publish.bluesky.account-unavailable');
  });
});

// --- Errors --------------------------------------------------------------------------------

describe('explainBlueskyFailure', () => {
  const x = (status: number, error: string, message = '', wait?: number) => new XrpcError('com.atproto.repo.createRecord', status, error, message, wait);

  it.each([
    [x(400, 'InvalidRequest', 'Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text'), 'publish.bluesky.text-too-long'],
    [x(400, 'InvalidRequest', 'Invalid app.bsky.feed.post record: Missing required key "alt" at $.record.embed.images[0]'), 'publish.bluesky.alt-missing'],
    [x(400, 'InvalidRequest', 'Invalid app.bsky.feed.post record: Blob too big (maximum 2000000, got 2500000) at $.record.embed.images[0].image.size'), 'publish.bluesky.media-too-large'],
    [x(400, 'InvalidRequest', 'Invalid app.bsky.feed.post record: Expected "image/*" (got "video/mp4") at $.record.embed.images[0].image.mimeType'), 'publish.bluesky.media-type'],
    [x(400, 'InvalidRequest', 'Invalid language (got "xx") at $.record.langs[0]'), 'publish.bluesky.language'],
    [x(400, 'InvalidRequest', 'something new'), 'publish.bluesky.rejected'],
    [x(400, 'ExpiredToken'), 'publish.bluesky.reconnect'],
    [x(401, 'AuthenticationRequired'), 'publish.bluesky.reconnect'],
    [x(401, 'AccountTakedown'), 'publish.bluesky.account-unavailable'],
    [x(400, 'RepoDeactivated'), 'publish.bluesky.account-unavailable'],
    [x(502, 'UpstreamFailure'), 'publish.bluesky.unavailable'],
    [x(429, 'RateLimitExceeded', '', 120_000), 'publish.bluesky.rate-limited'],
    [x(413, ''), 'publish.bluesky.media-too-large'],
    [x(404, 'MethodNotImplemented'), 'publish.bluesky.failed'],
    [new AirlockError('egress.timeout', 'pds did not answer'), 'publish.bluesky.unreachable'],
    [new Error('boom'), 'publish.bluesky.failed'],
  ])('maps %s to %s', (input, code) => {
    const err = explainBlueskyFailure(input);
    expect(err.code).toBe(code);
    expect(err.message).not.toMatch(/XRPC|HTTP|InvalidRequest|\$\.record/);
  });

  it('keeps the server\'s words for IT and says when trying later helps', () => {
    const limited = explainBlueskyFailure(x(429, 'RateLimitExceeded', 'Rate Limit Exceeded', 120_000)) as BlueskyPublishError;
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 120_000, message: 'Bluesky asked Airlock to slow down. Airlock will try again in about 2 minutes.' });
    expect(limited.detail).toBe('com.atproto.repo.createRecord: HTTP 429 RateLimitExceeded: Rate Limit Exceeded');
    expect((explainBlueskyFailure(x(400, 'InvalidRequest', 'bad')) as BlueskyPublishError).retryable).toBe(false);
  });

  it('passes the egress guard\'s own refusals through unchanged', () => {
    const refused = new EgressRefusedError({ allowed: false, code: 'egress.host-not-allowed', host: 'x.example', reason: 'Not on the list.', detail: 'd' }, 443);
    expect(explainBlueskyFailure(refused)).toBe(refused);
  });

  it('tells which failures a new session or a resend may cure', () => {
    expect(isSessionProblem(x(400, 'ExpiredToken'))).toBe(true);
    expect(isSessionProblem(x(400, 'InvalidToken'))).toBe(true);
    expect(isSessionProblem(x(401, ''))).toBe(true);
    expect(isSessionProblem(x(401, 'AccountTakedown'))).toBe(false);
    expect(isSessionProblem(x(400, 'InvalidRequest'))).toBe(false);
    expect(isTransient(x(500, ''))).toBe(true);
    expect(isTransient(x(501, ''))).toBe(false);
    expect(isTransient(x(429, ''))).toBe(false);
    expect(isTransient(new AirlockError('egress.aborted', 'cancelled'))).toBe(false);
  });
});
