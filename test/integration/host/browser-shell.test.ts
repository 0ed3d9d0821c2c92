import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestShell, type TestShell } from '../../support/shell.ts';

let t: TestShell;

beforeAll(async () => {
  t = await startTestShell({ policy: { policyVersion: 1, kioskName: 'Test kiosk', platforms: ['tiktok', 'bluesky'] } });
});
afterAll(async () => t?.stop());

/** A raw request, so tests can send what a browser would refuse to (bad Host headers). */
function request(pathname: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: t.shell.port, path: pathname, method: init.method ?? 'GET', headers: { host: `127.0.0.1:${t.shell.port}`, ...init.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const api = (method: string, body: unknown, headers: Record<string, string> = {}) =>
  request(`/_airlock/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secret}`, ...headers },
    body: JSON.stringify(body),
  });

describe('browser shell', () => {
  it('listens on 127.0.0.1 only and prints an address carrying the key in the fragment', () => {
    expect(t.shell.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#key=[A-Za-z0-9_-]{43}$/);
  });

  it('serves the renderer with the bridge injected and a strict CSP', async () => {
    const res = await request('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('<script src="/_airlock/bridge.js"></script>');
    expect(res.body.indexOf('bridge.js')).toBeLessThan(res.body.indexOf('type="module"'));
  });

  it('answers an API call made with the key', async () => {
    const res = await api('policy.summary', {});
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, value: { kioskName: 'Test kiosk', enabledPlatforms: ['tiktok', 'bluesky'] } });
  });

  it('refuses a call without the key, or with a wrong one, and runs nothing', async () => {
    let emitted = 0;
    const stop = t.core.events.subscribe(() => emitted++);
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${t.secret}x`, t.secret, `bearer ${t.secret}`]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization) headers.authorization = authorization;
      const res = await request('/_airlock/api/app.ping', { method: 'POST', headers, body: '{"nonce":"n"}' });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'api.unauthorised' } });
    }
    stop();
    expect(emitted).toBe(0);
  });

  it('refuses requests addressed to another host name (DNS rebinding) or from another origin', async () => {
    const rebound = await request('/_airlock/api/app.info', {
      method: 'POST',
      headers: { host: `attacker.example:${t.shell.port}`, 'content-type': 'application/json', authorization: `Bearer ${t.secret}` },
      body: '{}',
    });
    expect(rebound.status).toBe(403);
    expect((await request('/', { headers: { host: `localhost:${t.shell.port}` } })).status).toBe(403);
    const crossOrigin = await api('app.info', {}, { origin: 'https://attacker.example' });
    expect(crossOrigin.status).toBe(403);
  });

  it('reports an unknown method and bad arguments as clear errors', async () => {
    expect(JSON.parse((await api('system.shutdown', {})).body)).toMatchObject({ ok: false, error: { code: 'api.unknown-method' } });
    expect(JSON.parse((await api('app.ping', { nonce: 5 })).body)).toMatchObject({ ok: false, error: { code: 'api.bad-arguments' } });
    expect(JSON.parse((await api('app.ping', { nonce: 'a'.repeat(65) })).body)).toMatchObject({ ok: false, error: { code: 'api.bad-arguments' } });
  });

  it('refuses malformed, oversized, non-JSON and wrong-verb requests', async () => {
    const auth = { authorization: `Bearer ${t.secret}` };
    expect((await request('/_airlock/api/app.info', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{' })).status).toBe(400);
    expect((await request('/_airlock/api/app.info', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await request('/_airlock/api/app.info', { method: 'GET', headers: auth })).status).toBe(405);
    const big = `{"nonce":"${'x'.repeat(2 * 1024 * 1024)}"}`;
    expect((await request('/_airlock/api/app.ping', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: big })).status).toBe(413);
    expect((await request('/index.html', { method: 'DELETE' })).status).toBe(405);
  });

  it('does not serve files outside the renderer', async () => {
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/assets/../../../etc/passwd']) {
      expect((await request(p)).status).toBe(404);
    }
  });

  it('streams events to a client holding the key, and not to one without it', async () => {
    expect((await request('/_airlock/events')).status).toBe(401);
    const received = new Promise<string>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: t.shell.port, path: '/_airlock/events', headers: { authorization: `Bearer ${t.secret}` } },
        (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream');
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes('"nonce":"stream-check"')) {
              req.destroy();
              resolve(text);
            } else if (text.startsWith(': connected')) {
              void api('app.ping', { nonce: 'stream-check' });
            }
          });
        },
      );
      req.on('error', (err) => (err.message.includes('aborted') ? undefined : reject(err)));
    });
    const text = await received;
    expect(text).toContain('event: app.pinged');
    expect(text).toMatch(/data: \{"name":"app.pinged","payload":\{"nonce":"stream-check"/);
  });
});
