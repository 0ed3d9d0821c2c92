// The fixed HTTP proxy of the policy, for Airlock's services. A tunnel is asked for with CONNECT
// to the *vetted IP address* of the platform host, never its name: the kiosk resolves and checks
// the name itself, so neither a rebinding DNS answer nor the proxy's own resolver can move the
// connection somewhere the guard did not approve. TLS then runs inside the tunnel and verifies
// the certificate against the host name, as without a proxy.
import net from 'node:net';
import type { Socket } from 'node:net';
import { AirlockError } from '../../../common/errors.ts';
import { inspectAddress, matchingRange } from './address-guard.ts';
import type { AddressClass } from './address-guard.ts';
import { refusal } from './egress-guard.ts';
import type { EgressRefusal } from './egress-guard.ts';
import { canonicaliseHost } from './egress-policy.ts';

export interface ProxyServer {
  /** Canonical host name or IP address. */
  host: string;
  port: number;
}

/** `host:port` or `http://host:port` from the policy (already validated by its schema). */
export function parseProxyServer(server: string): ProxyServer {
  const text = server.replace(/^http:\/\//i, '');
  const colon = text.lastIndexOf(':');
  const name = canonicaliseHost(text.slice(0, colon));
  const port = Number(text.slice(colon + 1));
  if (colon <= 0 || !name.ok || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AirlockError('egress.policy-invalid', 'The kiosk network settings are not valid, so Airlock will not go online. Ask IT to check the policy.', `proxy server ${JSON.stringify(server)} is not host:port`);
  }
  return { host: name.host, port };
}

/**
 * IT names the proxy, so it may sit in a private range or on this machine (a local
 * authenticating relay); never in link-local, metadata, multicast or reserved space.
 */
const PROXY_CLASSES: ReadonlySet<AddressClass> = new Set(['public', 'private', 'cgnat', 'unique-local', 'loopback']);

export function checkProxyAddress(proxy: ProxyServer, address: string): EgressRefusal | null {
  const info = inspectAddress(address);
  if (PROXY_CLASSES.has(info.class) && !info.embedded) return null;
  const range = matchingRange(address);
  return refusal(
    'egress.address-blocked',
    proxy.host,
    "Airlock did not use the kiosk's proxy, because its address is in a range no proxy belongs in. Nothing was sent. Ask IT to check the policy.",
    `proxy ${proxy.host}:${proxy.port} resolved to ${info.family === 0 ? JSON.stringify(address.slice(0, 60)) : info.address}: ${info.class}${range ? ` (${range})` : ''}`,
    info.family === 0 ? undefined : info.address,
  );
}

const MAX_REPLY_HEAD = 16 * 1024;

function proxyError(code: string, message: string, detail: string): AirlockError {
  return new AirlockError(code, message, detail);
}

/**
 * Connects to the proxy at `proxyAddress` (already vetted) and asks it for a tunnel to
 * `target`. Resolves with the raw socket once the proxy answered 200; any other answer, a
 * closed connection or silence for `timeoutMs` is an error and the socket is destroyed.
 */
export function openTunnel(proxy: ProxyServer, proxyAddress: string, target: { address: string; port: number }, timeoutMs: number): Promise<Socket> {
  const authority = `${net.isIPv6(target.address) ? `[${target.address}]` : target.address}:${target.port}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxyAddress, port: proxy.port });
    let head = Buffer.alloc(0);
    let settled = false;
    const where = `proxy ${proxy.host} (${proxyAddress}:${proxy.port}), CONNECT ${authority}`;
    const fail = (err: AirlockError): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(proxyError('egress.timeout', "The kiosk's proxy did not answer in time. Check the kiosk's network and try again.", `${where}: no answer for ${timeoutMs} ms`)));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      fail(proxyError('egress.connection-failed', "Airlock could not reach the kiosk's proxy. Check the kiosk's network and try again.", `${where}: ${err.code ?? ''} ${err.message}`)),
    );
    socket.once('close', () => fail(proxyError('egress.connection-failed', "The kiosk's proxy closed the connection. Check the kiosk's network and try again.", `${where}: closed before answering`)));
    socket.once('connect', () => socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_REPLY_HEAD) fail(proxyError('egress.proxy-refused', "The kiosk's proxy sent an answer Airlock could not read.", `${where}: reply head over ${MAX_REPLY_HEAD} bytes`));
        return;
      }
      socket.off('data', onData);
      socket.pause();
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      if (status !== 200) {
        const printable = statusLine.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
        fail(
          status === 407
            ? proxyError('egress.proxy-refused', "The kiosk's proxy asked for a password. Ask IT to let the kiosk through the proxy without one.", `${where}: ${printable}`)
            : proxyError('egress.proxy-refused', "The kiosk's proxy refused to connect Airlock to the platform. Ask IT to check the proxy.", `${where}: ${printable}`),
        );
        return;
      }
      settled = true;
      socket.setTimeout(0);
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      // From here the TLS socket wrapping this one reports failures to the request; this keeps
      // an error arriving before it is wrapped from being thrown out of the event loop.
      socket.on('error', () => socket.destroy());
      const rest = head.subarray(end + 4);
      // A proxy has nothing to say before the server does; bytes here would be injected.
      if (rest.length > 0) {
        socket.destroy();
        reject(proxyError('egress.proxy-refused', "The kiosk's proxy sent an answer Airlock could not read.", `${where}: ${rest.length} unexpected bytes after the proxy's reply`));
        return;
      }
      resolve(socket);
    };
    socket.on('data', onData);
  });
}
