// End to end through the one egress client, against simulators on 127.0.0.1 and an injected
// resolver. No test sends traffic beyond 127.0.0.0/8: blocking is proved by the guard refusing
// before connecting, and a spy on net.Socket#connect fails the test (and kills the socket) if
// anything ever tries a non-loopback destination.
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../common/errors.ts';
import { EgressLog } from '../../../electron/services/egress/egress-log.ts';
import { EgressPolicy } from '../../../electron/services/egress/egress-policy.ts';
import {
  EgressRefusedError,
  VettedHttpAgent,
  createEgressClient,
} from '../../../electron/services/egress/http-client.ts';
import type { EgressClient, EgressClientOptions, ResolvedAddress, Resolver } from '../../../electron/services/egress/http-client.ts';
import { installSocketSpy } from './socket-spy.ts';
import type { SocketSpy } from './socket-spy.ts';
import { makeTestCertificate } from './test-certificate.ts';

interface Hit {
  method: string;
  url: string;
  host: string;
  authorization?: string;
  bodyBytes: number;
}

function simulator(hits: Hit[]) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    let bodyBytes = 0;
    for await (const chunk of req) bodyBytes += (chunk as Buffer).length;
    hits.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', bodyBytes, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const path = (req.url ?? '').split('?')[0];
    if (path === '/hello') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, bodyBytes }));
    } else if (path === '/redirect-same') {
      res.writeHead(302, { location: '/hello' }).end();
    } else if (path === '/redirect-other') {
      res.writeHead(302, { location: `http://other.sim.test:${(req.socket.address() as AddressInfo).port}/hello` }).end();
    } else if (path === '/slow') {
      // Never answers: the client's inactivity timeout has to end it.
    } else {
      res.writeHead(404).end();
    }
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A resolver that maps test names to fixed answers and records what it was asked. */
function fakeResolver(table: Record<string, string[] | (() => string[])>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolver = async (host: string): Promise<ResolvedAddress[]> => {
    asked.push(host);
    const entry = table[host];
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const answers = typeof entry === 'function' ? entry() : entry;
    return answers.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
  };
  return Object.assign(resolver, { asked });
}

async function refusedWith(promise: Promise<unknown>, code: string): Promise<EgressRefusedError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EgressRefusedError);
  expect((err as EgressRefusedError).code).toBe(code);
  return err as EgressRefusedError;
}

async function failedWith(promise: Promise<unknown>, code: string): Promise<AirlockError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirlockError);
  expect((err as AirlockError).code).toBe(code);
  return err as AirlockError;
}

const demoPolicy = new EgressPolicy({ allowedHosts: ['api.sim.test', 'other.sim.test', 'open.tiktokapis.com'], allowLoopback: true });
const kioskPolicy = new EgressPolicy({ allowedHosts: ['api.sim.test', 'open.tiktokapis.com'], allowLoopback: false });

describe('egress client, end to end on loopback', () => {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => void simulator(hits)(req, res));
  let port = 0;
  let spy: SocketSpy;
  let log: EgressLog;
  const clients: EgressClient[] = [];

  function client(resolver: Resolver, options: Partial<EgressClientOptions> = {}): EgressClient {
    const c = createEgressClient({ policy: demoPolicy, log, resolver, clock: () => Date.UTC(2026, 10, 5), ...options });
    clients.push(c);
    return c;
  }

  const url = (host: string, path = '/hello') => `http://${host}:${port}${path}`;

  beforeAll(async () => {
    port = await listen(server);
  });
  afterAll(async () => {
    await close(server);
  });
  beforeEach(() => {
    hits.length = 0;
    log = new EgressLog();
    spy = installSocketSpy();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    spy.restore();
    expect(spy.violations).toEqual([]);
  });

  it('reaches an allowed simulator name that resolves to loopback, pinned to the vetted IP', async () => {
    const resolver = fakeResolver({ 'api.sim.test': ['127.0.0.1'] });
    const res = await client(resolver).request(url('api.sim.test'), { requester: 'publish:tiktok' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, bodyBytes: 0 });
    expect(res.remoteAddress).toBe('127.0.0.1');
    expect(resolver.asked).toEqual(['api.sim.test']);
    expect(hits).toEqual([{ method: 'GET', url: '/hello', host: `api.sim.test:${port}`, bodyBytes: 0 }]);
    expect(spy.attempts).toEqual([{ host: '127.0.0.1', port: String(port) }]);
    expect(log.entries()).toEqual([]);
  });

  it.each(['10.0.0.5', '169.254.169.254', '192.168.1.1', 'fd00::1', '::ffff:10.0.0.1', '100.64.0.1', 'fe80::1%eth0', '64:ff9b::a00:1', '0.0.0.0'])(
    'refuses an allowed name that resolves to %s before any socket is opened',
    async (address) => {
      const resolver = fakeResolver({ 'api.sim.test': [address] });
      const err = await refusedWith(client(resolver).request(url('api.sim.test'), { requester: 'publish:tiktok' }), 'egress.address-blocked');
      expect(err.message).toContain('Nothing was sent');
      expect(spy.attempts).toEqual([]);
      expect(hits).toEqual([]);
      expect(log.entries()).toEqual([
        expect.objectContaining({ host: 'api.sim.test', port, requester: 'publish:tiktok', code: 'egress.address-blocked', at: '2026-11-05T00:00:00.000Z' }),
      ]);
      expect(log.entries()[0]?.address).toBeDefined();
    },
  );

  it('refuses a name that is not on the list before asking DNS', async () => {
    const resolver = fakeResolver({ 'internal.corp': ['10.1.2.3'] });
    await refusedWith(client(resolver).request('https://internal.corp/api', { requester: 'auth:bluesky' }), 'egress.host-not-allowed');
    expect(resolver.asked).toEqual([]);
    expect(spy.attempts).toEqual([]);
    expect(log.entries()).toMatchObject([{ host: 'internal.corp', port: 443, requester: 'auth:bluesky', code: 'egress.host-not-allowed' }]);
  });

  it('refuses a look-alike name before asking DNS', async () => {
    const resolver = fakeResolver({});
    const err = await refusedWith(client(resolver).request('https://ореn.tiktokapis.com/v2/', { requester: 'publish:tiktok' }), 'egress.look-alike-host');
    expect(err.message).toContain('imitates open.tiktokapis.com');
    expect(resolver.asked).toEqual([]);
  });

  it('does not let a second DNS answer move a later request into the private network (rebinding)', async () => {
    const answers = [['127.0.0.1'], ['10.0.0.1']];
    const resolver = fakeResolver({ 'api.sim.test': () => answers.shift() ?? ['10.0.0.1'] });
    const c = client(resolver);
    const first = await c.request(url('api.sim.test'), { requester: 'publish:tiktok' });
    expect(first.status).toBe(200);
    await first.discard();
    // A pooled keep-alive socket to 127.0.0.1 exists now; the second request must still be judged afresh.
    await refusedWith(c.request(url('api.sim.test'), { requester: 'publish:tiktok' }), 'egress.address-blocked');
    expect(resolver.asked).toEqual(['api.sim.test', 'api.sim.test']);
    expect(hits).toHaveLength(1);
    expect(spy.attempts.map((a) => a.host)).toEqual(['127.0.0.1']);
  });

  it('refuses when any one DNS answer is private, even if another is loopback', async () => {
    const resolver = fakeResolver({ 'api.sim.test': ['127.0.0.1', '10.0.0.1'] });
    const err = await refusedWith(client(resolver).request(url('api.sim.test'), { requester: 'publish:tiktok' }), 'egress.address-blocked');
    expect(err.address).toBe('10.0.0.1');
    expect(spy.attempts).toEqual([]);
  });

  it.each(['0177.0.0.1', '2130706433', '0x7f.1', '127.1', '127.0.0.1.', '%31%32%37.0.0.1'])(
    'refuses the disguised loopback spelling %s although loopback is allowed',
    async (host) => {
      const resolver = fakeResolver({});
      await refusedWith(client(resolver).request(url(host), { requester: 'diagnostics' }), 'egress.ip-spelling');
      expect(spy.attempts).toEqual([]);
      expect(log.entries()[0]?.code).toBe('egress.ip-spelling');
    },
  );

  it('reaches a loopback literal without DNS when loopback is allowed', async () => {
    const resolver = fakeResolver({});
    const res = await client(resolver).request(url('127.0.0.1'), { requester: 'demo:simulator' });
    expect(res.status).toBe(200);
    await res.discard();
    expect(resolver.asked).toEqual([]);
    expect(hits[0]?.host).toBe(`127.0.0.1:${port}`);
  });

  it('refuses loopback altogether under the kiosk policy', async () => {
    const resolver = fakeResolver({ 'api.sim.test': ['127.0.0.1'] });
    const c = client(resolver, { policy: kioskPolicy });
    await refusedWith(c.request(url('api.sim.test'), { requester: 'publish:tiktok' }), 'egress.plain-http');
    await refusedWith(c.request(url('127.0.0.1').replace('http:', 'https:'), { requester: 'publish:tiktok' }), 'egress.ip-literal');
    await refusedWith(c.request('https://api.sim.test/hello', { requester: 'publish:tiktok' }), 'egress.address-blocked');
    expect(spy.attempts).toEqual([]);
  });

  it('refuses a public answer on a non-443 port, and plain http to a public address', async () => {
    const resolver = fakeResolver({ 'api.sim.test': ['93.184.215.14'] });
    const c = client(resolver);
    await refusedWith(c.request(url('api.sim.test'), { requester: 'publish:tiktok' }), 'egress.port-not-allowed');
    await refusedWith(c.request('http://api.sim.test:443/hello', { requester: 'publish:tiktok' }), 'egress.plain-http');
    expect(spy.attempts).toEqual([]);
  });

  it('tries the next vetted address when the first refuses the connection', async () => {
    const resolver = fakeResolver({ 'api.sim.test': ['127.0.0.2', '127.0.0.1'] });
    const res = await client(resolver).request(url('api.sim.test'), { requester: 'publish:tiktok' });
    expect(res.status).toBe(200);
    await res.discard();
    expect(spy.attempts.map((a) => a.host)).toEqual(['127.0.0.2', '127.0.0.1']);
  });

  it('sends Buffer and stream bodies', async () => {
    const c = client(fakeResolver({ 'api.sim.test': ['127.0.0.1'] }));
    const a = await c.request(url('api.sim.test'), { method: 'POST', body: Buffer.alloc(1000, 1), requester: 'publish:tiktok' });
    expect(await a.json()).toEqual({ ok: true, bodyBytes: 1000 });
    const b = await c.request(url('api.sim.test'), { method: 'PUT', body: Readable.from([Buffer.alloc(700), Buffer.alloc(300)]), requester: 'publish:tiktok' });
    expect(await b.json()).toEqual({ ok: true, bodyBytes: 1000 });
  });

  it('destroys a stream body when the request is refused', async () => {
    const body = Readable.from([Buffer.alloc(10)]);
    await refusedWith(client(fakeResolver({})).request('https://internal.corp/', { method: 'PUT', body, requester: 'publish:tiktok' }), 'egress.host-not-allowed');
    expect(body.destroyed).toBe(true);
  });

  it('returns redirects to the caller by default', async () => {
    const res = await client(fakeResolver({ 'api.sim.test': ['127.0.0.1'] })).request(url('api.sim.test', '/redirect-other'), { requester: 'publish:tiktok' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`http://other.sim.test:${port}/hello`);
    await res.discard();
  });

  it('follows same-origin redirects when asked, and refuses to follow to another host', async () => {
    const resolver = fakeResolver({ 'api.sim.test': ['127.0.0.1'], 'other.sim.test': ['127.0.0.1'] });
    const c = client(resolver);
    const res = await c.request(url('api.sim.test', '/redirect-same'), { requester: 'publish:tiktok', redirect: 'follow-same-origin' });
    expect(res.status).toBe(200);
    expect(res.url.pathname).toBe('/hello');
    await res.discard();
    await refusedWith(c.request(url('api.sim.test', '/redirect-other'), { requester: 'publish:tiktok', redirect: 'follow-same-origin' }), 'egress.redirect-refused');
    expect(resolver.asked).not.toContain('other.sim.test');
    expect(log.entries()).toMatchObject([{ host: 'api.sim.test', code: 'egress.redirect-refused' }]);
  });

  it('times out a silent server and honours an abort signal', async () => {
    const c = client(fakeResolver({ 'api.sim.test': ['127.0.0.1'] }));
    await failedWith(c.request(url('api.sim.test', '/slow'), { requester: 'publish:tiktok', timeoutMs: 200 }), 'egress.timeout');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await failedWith(c.request(url('api.sim.test', '/slow'), { requester: 'publish:tiktok', signal: controller.signal }), 'egress.aborted');
  });

  it('does not even ask DNS when the signal is already aborted', async () => {
    const resolver = fakeResolver({ 'api.sim.test': ['127.0.0.1'] });
    await failedWith(client(resolver).request(url('api.sim.test'), { requester: 'publish:tiktok', signal: AbortSignal.abort() }), 'egress.aborted');
    expect(resolver.asked).toEqual([]);
  });

  it('times out a resolver that never answers', async () => {
    const c = client(() => new Promise<never>(() => {}));
    await failedWith(c.request(url('api.sim.test'), { requester: 'publish:tiktok', timeoutMs: 100 }), 'egress.timeout');
    expect(spy.attempts).toEqual([]);
  });

  it('reports a name DNS cannot find without logging it as a refusal', async () => {
    await failedWith(client(fakeResolver({})).request(url('api.sim.test'), { requester: 'publish:tiktok' }), 'egress.dns-failed');
    expect(log.entries()).toEqual([]);
  });

  it('never logs query strings or headers of refused requests', async () => {
    const c = client(fakeResolver({ 'api.sim.test': ['10.0.0.1'] }));
    const headers = { authorization: 'Bearer SECRET-HEADER', cookie: 'sid=SECRET-COOKIE' };
    await refusedWith(c.request('https://internal.corp/x?access_token=SECRET-QUERY', { headers, requester: 'publish:tiktok' }), 'egress.host-not-allowed');
    await refusedWith(c.request(`${url('api.sim.test')}?upload_token=SECRET-QUERY2`, { headers, requester: 'publish:tiktok' }), 'egress.address-blocked');
    await refusedWith(c.request('https://user:SECRET-PASSWORD@api.sim.test/', { requester: 'publish:tiktok' }), 'egress.credentials-in-url');
    const stored = JSON.stringify(log.entries());
    expect(log.entries()).toHaveLength(3);
    expect(stored).not.toMatch(/SECRET/);
  });

  it('requires a requester and refuses caller-set Host headers', async () => {
    const c = client(fakeResolver({ 'api.sim.test': ['127.0.0.1'] }));
    await failedWith(c.request(url('api.sim.test'), {} as never), 'egress.bad-request');
    await failedWith(c.request(url('api.sim.test'), { requester: 'publish:tiktok', headers: { Host: 'intranet.corp' } }), 'egress.bad-request');
    await failedWith(c.request(url('api.sim.test'), { requester: 'publish:tiktok', method: 'CONNECT' }), 'egress.bad-request');
    expect(hits).toEqual([]);
  });

  it('the agent opens no socket for a destination the guard did not vet', async () => {
    const agent = new VettedHttpAgent(demoPolicy);
    const attempt = (options: http.RequestOptions & { airlockVetted?: { address: string; port: number } }) =>
      new Promise<Error>((resolve, reject) => {
        const req = http.request({ ...options, agent }, () => reject(new Error('unexpected response')));
        req.on('error', resolve);
        req.end();
      });
    expect((await attempt({ host: '127.0.0.1', port })).message).toContain('without a vetted destination');
    expect((await attempt({ host: '10.0.0.1', port: 80, airlockVetted: { address: '127.0.0.1', port } })).message).toContain('differs from vetted');
    expect((await attempt({ host: '10.0.0.1', port: 80, airlockVetted: { address: '10.0.0.1', port: 80 } })).message).toContain('private');
    agent.destroy();
    expect(spy.attempts).toEqual([]);
  });
});

describe('egress client over TLS to a pinned loopback address', () => {
  const good = makeTestCertificate(['api.sim.test']);
  const wrongName = makeTestCertificate(['other.sim.test']);
  const hits: Hit[] = [];
  const goodServer = https.createServer({ key: good.keyPem, cert: good.certPem }, (req, res) => void simulator(hits)(req, res));
  const wrongServer = https.createServer({ key: wrongName.keyPem, cert: wrongName.certPem }, (req, res) => void simulator(hits)(req, res));
  let goodPort = 0;
  let wrongPort = 0;
  let spy: SocketSpy;
  const clients: EgressClient[] = [];
  const resolver = fakeResolver({ 'api.sim.test': ['127.0.0.1'] });

  function client(ca: string[]): EgressClient {
    const c = createEgressClient({ policy: demoPolicy, log: new EgressLog(), resolver, extraCaCertificates: ca });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    goodPort = await listen(goodServer);
    wrongPort = await listen(wrongServer);
  });
  afterAll(async () => {
    await close(goodServer);
    await close(wrongServer);
  });
  beforeEach(() => {
    spy = installSocketSpy();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    spy.restore();
    expect(spy.violations).toEqual([]);
  });

  it('verifies the certificate against the host name although the socket goes to 127.0.0.1', async () => {
    const res = await client([good.certPem]).request(`https://api.sim.test:${goodPort}/hello`, { requester: 'publish:tiktok' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, bodyBytes: 0 });
    expect(spy.attempts).toEqual([{ host: '127.0.0.1', port: String(goodPort) }]);
  });

  it('refuses a certificate issued for another name at the same address', async () => {
    const err = await failedWith(
      client([good.certPem, wrongName.certPem]).request(`https://api.sim.test:${wrongPort}/hello`, { requester: 'publish:tiktok' }),
      'egress.tls-failed',
    );
    expect(err.detail).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it('refuses a certificate nobody trusts', async () => {
    await failedWith(client([]).request(`https://api.sim.test:${goodPort}/hello`, { requester: 'publish:tiktok' }), 'egress.tls-failed');
  });
});
