// The policy's fixed HTTP proxy, end to end: a CONNECT proxy on 127.0.0.1 in front of a TLS
// "platform" on 127.0.0.1. The kiosk resolves and vets the platform's name itself and asks the
// proxy for the vetted address, never the name. The resolver answers with addresses that are not
// loopback, but the only sockets ever opened go to 127.0.0.1: the proxy here does not dial what
// it is asked for, it always tunnels to the local TLS server, and the socket spy fails the test
// on any other destination.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EgressLog } from '../../../electron/services/egress/egress-log.ts';
import { EgressPolicy } from '../../../electron/services/egress/egress-policy.ts';
import { createEgressClient } from '../../../electron/services/egress/http-client.ts';
import type { EgressClient, ResolvedAddress } from '../../../electron/services/egress/http-client.ts';
import { parseProxyServer } from '../../../electron/services/egress/proxy-tunnel.ts';
import { installSocketSpy } from './socket-spy.ts';
import type { SocketSpy } from './socket-spy.ts';
import { makeTestCertificate } from './test-certificate.ts';

const cert = makeTestCertificate(['api.sim.test', 'social.council.example']);

describe('egress through the fixed proxy', () => {
  const platform = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ host: req.headers.host, path: req.url }));
  });
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  const connects: string[] = [];
  let proxyAnswer: 'tunnel' | '407' | '403' | 'garbage' = 'tunnel';
  let platformPort = 0;
  let proxyPort = 0;
  let spy: SocketSpy;
  let log: EgressLog;
  const clients: EgressClient[] = [];

  proxy.on('connect', (req: http.IncomingMessage, client: Socket) => {
    connects.push(req.url ?? '');
    if (proxyAnswer === '407') return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n');
    if (proxyAnswer === '403') return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    if (proxyAnswer === 'garbage') return void client.end('SSH-2.0-OpenSSH_9.2\r\n\r\n');
    const upstream = net.connect({ host: '127.0.0.1', port: platformPort }, () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });

  const table: Record<string, string[]> = {
    'api.sim.test': ['93.184.215.14'],
    'social.council.example': ['10.20.1.5'],
    'intranet.sim.test': ['10.0.0.5'],
    'proxy.corp.example': ['127.0.0.1'],
    'bad-proxy.corp.example': ['169.254.10.1'],
  };
  const asked: string[] = [];
  const resolver = async (host: string): Promise<ResolvedAddress[]> => {
    asked.push(host);
    const answers = table[host];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
  };

  function client(proxyServer: string, policy?: EgressPolicy): EgressClient {
    const c = createEgressClient({
      policy: policy ?? new EgressPolicy({ allowedHosts: ['api.sim.test', 'intranet.sim.test'], allowLoopback: false }),
      log,
      resolver,
      extraCaCertificates: [cert.certPem],
      proxy: parseProxyServer(proxyServer.replace('PORT', String(proxyPort))),
      defaultTimeoutMs: 5000,
    });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    platformPort = (platform.address() as AddressInfo).port;
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    platform.closeAllConnections();
    proxy.closeAllConnections();
    await new Promise((resolve) => platform.close(resolve));
    await new Promise((resolve) => proxy.close(resolve));
  });
  beforeEach(() => {
    connects.length = 0;
    asked.length = 0;
    proxyAnswer = 'tunnel';
    log = new EgressLog();
    spy = installSocketSpy();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    spy.restore();
    expect(spy.violations).toEqual([]);
  });

  it('tunnels to the vetted address, not the name, and still checks TLS against the name', async () => {
    const res = await client('http://127.0.0.1:PORT').request('https://api.sim.test/v2/post/publish/', { requester: 'publish:tiktok' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ host: 'api.sim.test', path: '/v2/post/publish/' });
    expect(connects).toEqual(['93.184.215.14:443']);
    // The only socket the kiosk opened went to the proxy.
    expect(spy.attempts[0]).toEqual({ host: '127.0.0.1', port: String(proxyPort) });
  });

  it('resolves a named proxy and vets its address', async () => {
    const res = await client('proxy.corp.example:PORT').request('https://api.sim.test/hello', { requester: 'publish:tiktok' });
    expect(res.status).toBe(200);
    await res.discard();
    expect(asked).toEqual(['api.sim.test', 'proxy.corp.example']);
  });

  it('refuses a proxy whose address is link-local before connecting, and logs it', async () => {
    await expect(client('bad-proxy.corp.example:PORT').request('https://api.sim.test/hello', { requester: 'publish:tiktok' })).rejects.toMatchObject({
      code: 'egress.address-blocked',
      detail: expect.stringContaining('link-local'),
    });
    expect(spy.attempts).toEqual([]);
    expect(log.entries()).toEqual([expect.objectContaining({ code: 'egress.address-blocked', requester: 'publish:tiktok' })]);
  });

  it('never asks the proxy for a host the allow-list refuses, or for an address in a private range', async () => {
    const c = client('127.0.0.1:PORT');
    await expect(c.request('https://intranet.corp.example/payroll', { requester: 'publish:tiktok' })).rejects.toMatchObject({ code: 'egress.host-not-allowed' });
    await expect(c.request('https://intranet.sim.test/payroll', { requester: 'publish:tiktok' })).rejects.toMatchObject({ code: 'egress.address-blocked' });
    expect(connects).toEqual([]);
    expect(spy.attempts).toEqual([]);
  });

  it('reaches a host in a private range the policy opened, through the proxy', async () => {
    const policy = new EgressPolicy({ allowedHosts: ['social.council.example'], allowLoopback: false, privateRanges: ['10.20.0.0/16'] });
    const res = await client('127.0.0.1:PORT', policy).request('https://social.council.example/api/v1/statuses', { requester: 'publish:mastodon' });
    expect(res.status).toBe(200);
    await res.discard();
    expect(connects).toEqual(['10.20.1.5:443']);
  });

  it.each([
    ['407', 'asked for a password'],
    ['403', 'refused to connect Airlock'],
    ['garbage', 'refused to connect Airlock'],
  ] as const)('explains a proxy that answers %s', async (answer, words) => {
    proxyAnswer = answer;
    await expect(client('127.0.0.1:PORT').request('https://api.sim.test/hello', { requester: 'publish:tiktok' })).rejects.toMatchObject({
      code: 'egress.proxy-refused',
      message: expect.stringContaining(words),
    });
  });

  it('does not use the proxy for loopback simulators in demo mode', async () => {
    const policy = new EgressPolicy({ allowedHosts: [], allowLoopback: true });
    const res = await client('127.0.0.1:PORT', policy).request(`https://127.0.0.1:${platformPort}/hello`, { requester: 'publish:tiktok' }).catch((e: unknown) => e);
    // The certificate names the simulator, not 127.0.0.1, so TLS refuses; what matters is the route.
    expect(res).toMatchObject({ code: 'egress.tls-failed' });
    expect(connects).toEqual([]);
    expect(spy.attempts).toEqual([{ host: '127.0.0.1', port: String(platformPort) }]);
  });
});
