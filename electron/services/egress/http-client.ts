// The one HTTP client services use. Each request is checked by the egress guard before DNS (host,
// port) and after it (every address), then connects only to the vetted IP, so a second DNS answer
// cannot move it (rebinding), while TLS still verifies the certificate against the host name.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import type { ClientRequest, ClientRequestArgs, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { AirlockError } from '../../../common/errors.ts';
import { inspectAddress } from './address-guard.ts';
import { checkAddress, checkDestination, checkUrl, refusal } from './egress-guard.ts';
import type { EgressRefusal } from './egress-guard.ts';
import { REQUESTER_PATTERN } from './egress-log.ts';
import type { EgressLog } from './egress-log.ts';
import type { EgressPolicy } from './egress-policy.ts';
import { checkProxyAddress, openTunnel } from './proxy-tunnel.ts';
import type { ProxyServer } from './proxy-tunnel.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Host name (canonical, no trailing dot) → its addresses. Injected in tests to map test names. */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

/**
 * The system resolver, asked for the fully qualified name (trailing dot) so that the OS never
 * appends a local search domain and lands on a corporate name.
 */
export const systemResolver: Resolver = async (host) => {
  const answers = await lookup(`${host}.`, { all: true, order: 'verbatim' });
  return answers.map((a) => ({ address: a.address, family: a.family }));
};

export type RequestBody = Buffer | Uint8Array | string | Readable;

export interface EgressRequestInit {
  method?: string;
  headers?: Record<string, string | number | readonly string[]>;
  /** A Readable is consumed and destroyed by the client, also when the request is refused. */
  body?: RequestBody;
  /** Which part of Airlock asks, e.g. `publish:tiktok`; shown in Diagnostics on refusal. */
  requester: string;
  signal?: AbortSignal;
  /** Longest wait with nothing happening: DNS answer, connect, or any byte either way. */
  timeoutMs?: number;
  /**
   * 'manual' (default): a 3xx is returned as is and the caller decides, through request() again.
   * 'follow-same-origin': GET/HEAD redirects to the same scheme, host and port are followed (each
   * hop checked again); a redirect elsewhere is refused and logged.
   */
  redirect?: 'manual' | 'follow-same-origin';
}

export interface EgressResponse {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after same-origin redirects). Holds the query: never log it. */
  url: URL;
  /** The vetted IP the answer came from. */
  remoteAddress: string;
  body: Readable;
  /** Reads the whole body; refuses bodies above `maxBytes` (default 16 MiB). */
  buffer(maxBytes?: number): Promise<Buffer>;
  text(maxBytes?: number): Promise<string>;
  json(maxBytes?: number): Promise<unknown>;
  /** Drains and drops the body so the connection can be reused. */
  discard(): Promise<void>;
}

export interface EgressClient {
  request(url: string | URL, init: EgressRequestInit): Promise<EgressResponse>;
  /** Closes pooled connections. */
  close(): void;
}

export interface EgressClientOptions {
  policy: EgressPolicy;
  log: EgressLog;
  resolver?: Resolver;
  clock?: () => number;
  /** PEM roots trusted in addition to Node's bundled ones: only for simulators with test certificates. */
  extraCaCertificates?: readonly string[];
  defaultTimeoutMs?: number;
  /** The policy's fixed HTTP proxy: https to the platforms goes through it (loopback never does). */
  proxy?: ProxyServer | null;
}

/** A request the egress guard refused; `code` is the guard's code, logged before this is thrown. */
export class EgressRefusedError extends AirlockError {
  readonly host: string;
  readonly port: number | null;
  readonly address: string | undefined;

  constructor(refused: EgressRefusal, port: number | null) {
    super(refused.code, refused.reason, refused.detail);
    this.name = 'EgressRefusedError';
    this.host = refused.host;
    this.port = port;
    this.address = refused.address;
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
/** Errors that happen before any byte is sent, so the next vetted address may be tried. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

interface VettedTarget {
  address: string;
  port: number;
}

/** The vetted destination rides along in the request options down to createConnection. */
type GatedOptions = ClientRequestArgs & { airlockVetted?: VettedTarget; airlockTimeoutMs?: number };

/** Opens a raw stream to a vetted target through the proxy, or null to connect directly. */
export type Tunneller = (target: VettedTarget, timeoutMs: number) => Promise<Duplex> | null;

class UnvettedSocketError extends Error {
  readonly refusal: EgressRefusal;

  constructor(refused: EgressRefusal) {
    super(refused.detail);
    this.name = 'UnvettedSocketError';
    this.refusal = refused;
  }
}

class EgressTimeoutError extends Error {
  constructor(ms: number) {
    super(`no activity for ${ms} ms`);
    this.name = 'EgressTimeoutError';
  }
}

/**
 * The last gate before a socket exists: whatever path led here, the agent connects only to the
 * IP the guard vetted for this request, and that IP must still pass the address rules.
 */
function gate(policy: EgressPolicy, options: GatedOptions): UnvettedSocketError | null {
  const vetted = options.airlockVetted;
  const unvetted = (why: string, address?: string) =>
    new UnvettedSocketError(
      refusal('egress.unvetted-socket', '(socket)', 'Airlock stopped a connection that had not been checked. Nothing was sent. Ask IT to look at the details.', why, address),
    );
  if (!vetted) return unvetted('connection requested without a vetted destination');
  if (options.socketPath !== undefined) return unvetted('unix socket paths are not egress destinations');
  if (options.host !== vetted.address || Number(options.port) !== vetted.port) {
    return unvetted(`connection to ${String(options.host)}:${String(options.port)} differs from vetted ${vetted.address}:${vetted.port}`, vetted.address);
  }
  const decision = checkAddress(vetted.address, vetted.port, policy);
  if (!decision.allowed) return new UnvettedSocketError(decision);
  return null;
}

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

function gatedCreateConnection(
  policy: EgressPolicy,
  options: ClientRequestArgs,
  callback: ConnectionCallback | undefined,
  create: (options: ClientRequestArgs, callback?: ConnectionCallback) => Duplex | null | undefined,
): Duplex | null | undefined {
  const refused = gate(policy, options);
  if (refused) {
    // The agent turns a callback error into the request's 'error' event; no socket was made.
    if (callback) (callback as (err: Error) => void)(refused);
    return undefined;
  }
  return create(options, callback);
}

/** Exported for tests of the last gate; services use createEgressClient. */
export class VettedHttpAgent extends http.Agent {
  readonly #policy: EgressPolicy;

  constructor(policy: EgressPolicy, options: http.AgentOptions = {}) {
    super(options);
    this.#policy = policy;
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectionCallback): Duplex | null | undefined {
    return gatedCreateConnection(this.#policy, options, callback, (o, cb) => super.createConnection(o, cb));
  }
}

/** Exported for tests of the last gate; services use createEgressClient. */
export class VettedHttpsAgent extends https.Agent {
  readonly #policy: EgressPolicy;
  readonly #tunnel: Tunneller | null;

  constructor(policy: EgressPolicy, options: https.AgentOptions = {}, tunnel: Tunneller | null = null) {
    super(options);
    this.#policy = policy;
    this.#tunnel = tunnel;
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectionCallback): Duplex | null | undefined {
    return gatedCreateConnection(this.#policy, options, callback, (o, cb) => {
      const gated = o as GatedOptions;
      const pending = this.#tunnel && gated.airlockVetted ? this.#tunnel(gated.airlockVetted, gated.airlockTimeoutMs ?? DEFAULT_TIMEOUT_MS) : null;
      if (pending === null) return super.createConnection(o, cb);
      // TLS runs inside the proxy's tunnel, still verified against the platform's host name.
      pending.then(
        (socket) => {
          let tlsSocket: Duplex | null | undefined;
          try {
            tlsSocket = super.createConnection({ ...o, socket } as ClientRequestArgs);
          } catch (err) {
            socket.destroy();
            cb?.(err as Error, undefined as unknown as Duplex);
            return;
          }
          if (tlsSocket) cb?.(null, tlsSocket);
        },
        (err: unknown) => cb?.(err as Error, undefined as unknown as Duplex),
      );
      return undefined;
    });
  }
}

/** The socket must never resolve a name itself: it only ever gets a vetted IP. */
const refuseLookup: LookupFunction = (hostname, _options, callback) => {
  const err = Object.assign(new Error(`egress: unvetted DNS lookup of ${hostname} refused`), { code: 'EGRESS_UNVETTED_LOOKUP' });
  (callback as (err: NodeJS.ErrnoException) => void)(err);
};

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

function isTlsFailure(err: unknown): boolean {
  const code = errorCode(err);
  return code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME/.test(code);
}

/** `where` says which step failed for IT: "DNS" or the vetted "address:port". */
function failure(err: unknown, host: string, where: string): AirlockError {
  if (err instanceof AirlockError) return err;
  const detail = `${host} (${where}): ${errorCode(err) || (err as Error)?.name || 'error'} ${(err as Error)?.message ?? String(err)}`;
  if (err instanceof EgressTimeoutError) return new AirlockError('egress.timeout', `${host} did not answer in time. Check the kiosk's internet connection and try again.`, detail);
  if ((err as Error)?.name === 'AbortError' || errorCode(err) === 'ABORT_ERR') return new AirlockError('egress.aborted', `The connection to ${host} was cancelled.`, detail);
  if (isTlsFailure(err)) {
    return new AirlockError(
      'egress.tls-failed',
      `Airlock could not confirm it was really talking to ${host}, so it stopped. Ask IT to check the kiosk's clock and network.`,
      detail,
    );
  }
  return new AirlockError('egress.connection-failed', `Airlock could not reach ${host}. Check the kiosk's internet connection and try again.`, detail);
}

function portOf(url: URL): number | null {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : null;
}

function isReplayable(body: RequestBody | undefined): boolean {
  return !(body instanceof Readable);
}

function wrapResponse(res: IncomingMessage, url: URL, remoteAddress: string): EgressResponse {
  const buffer = async (maxBytes = DEFAULT_MAX_BODY): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.destroy();
        throw new AirlockError('egress.response-too-large', `${url.hostname} sent a far larger answer than expected, so Airlock stopped reading it.`, `response body over ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  };
  return {
    status: res.statusCode ?? 0,
    statusMessage: res.statusMessage ?? '',
    headers: res.headers,
    url,
    remoteAddress,
    body: res,
    buffer,
    text: async (maxBytes) => (await buffer(maxBytes)).toString('utf8'),
    json: async (maxBytes) => {
      const text = (await buffer(maxBytes)).toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new AirlockError('egress.bad-json', `${url.hostname} sent an answer Airlock could not read.`, `invalid JSON (${(err as Error).message})`);
      }
    },
    discard: async () => {
      res.resume();
      if (res.complete || res.readableEnded) return;
      await new Promise<void>((resolve) => {
        res.once('end', resolve);
        res.once('close', resolve);
      });
    },
  };
}

function requestHeaders(init: EgressRequestInit, hostHeader: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    const key = name.toLowerCase();
    // The Host header must name the host the allow-list approved, not some other virtual host.
    if (key === 'host') throw new AirlockError('egress.bad-request', 'Airlock could not send this request.', 'callers may not set the Host header');
    headers[key] = typeof value === 'number' ? String(value) : (value as string | string[]);
  }
  headers.host = hostHeader;
  const body = init.body;
  if (body !== undefined && !(body instanceof Readable) && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  }
  return headers;
}

export function createEgressClient(options: EgressClientOptions): EgressClient {
  const { policy, log } = options;
  const resolver = options.resolver ?? systemResolver;
  const clock = options.clock ?? Date.now;
  const defaultTimeout = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ca = options.extraCaCertificates?.length ? [...tls.rootCertificates, ...options.extraCaCertificates] : undefined;
  // Our own agents, never the global ones, so no proxy settings or other module's agent options
  // apply; they pool connections per vetted IP and TLS server name.
  const httpAgent = new VettedHttpAgent(policy, { keepAlive: true, maxSockets: 8 });
  const proxy = options.proxy ?? null;
  const tunnel: Tunneller | null = proxy
    ? (target, timeoutMs) => (inspectAddress(target.address).class === 'loopback' ? null : tunnelThroughProxy(proxy, target, timeoutMs))
    : null;
  const httpsAgent = new VettedHttpsAgent(policy, { keepAlive: true, maxSockets: 8, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) }, tunnel);

  /** The proxy's name is resolved and checked like any destination, on every new tunnel. */
  async function tunnelThroughProxy(server: ProxyServer, target: VettedTarget, timeoutMs: number): Promise<Duplex> {
    const literal = net.isIP(server.host) !== 0;
    const addresses = literal ? [server.host] : await resolve(server.host, timeoutMs, undefined);
    if (addresses.length === 0) throw new AirlockError('egress.dns-failed', "Airlock could not find the kiosk's proxy. Ask IT to check the policy.", `proxy ${server.host}: DNS returned no addresses`);
    for (const address of addresses) {
      const refused = checkProxyAddress(server, address);
      if (refused) throw new UnvettedSocketError(refused);
    }
    return openTunnel(server, addresses[0]!, target, timeoutMs);
  }

  function refuse(refused: EgressRefusal, port: number | null, requester: string, body?: RequestBody): EgressRefusedError {
    log.record({
      at: clock(),
      host: refused.host,
      port,
      ...(refused.address === undefined ? {} : { address: refused.address }),
      requester,
      code: refused.code,
      reason: refused.reason,
      detail: refused.detail,
    });
    if (body instanceof Readable) body.destroy();
    return new EgressRefusedError(refused, port);
  }

  async function resolve(host: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const answers = await Promise.race([
        resolver(host),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new EgressTimeoutError(timeoutMs)), timeoutMs);
          onAbort = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
      return Array.isArray(answers) ? answers.map((a: ResolvedAddress) => String(a?.address)) : [];
    } catch (err) {
      if (err instanceof EgressTimeoutError || (err as Error)?.name === 'AbortError') throw failure(err, host, 'DNS');
      throw new AirlockError('egress.dns-failed', `Airlock could not find ${host} on the internet. Check the kiosk's internet connection.`, `${host}: ${errorCode(err) || (err as Error)?.message || String(err)}`);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  function attempt(url: URL, host: string, port: number, address: string, literal: boolean, init: EgressRequestInit, timeoutMs: number): Promise<IncomingMessage> {
    const isHttps = url.protocol === 'https:';
    const hostName = literal ? url.hostname : host;
    const hostHeader = port === (isHttps ? 443 : 80) ? hostName : `${hostName}:${port}`;
    const request: https.RequestOptions & GatedOptions = {
      agent: isHttps ? httpsAgent : httpAgent,
      host: address,
      port,
      method: init.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      headers: requestHeaders(init, hostHeader),
      lookup: refuseLookup,
      airlockVetted: { address, port },
      airlockTimeoutMs: timeoutMs,
      ...(init.signal ? { signal: init.signal } : {}),
      // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED in the environment cannot switch checks off;
      // the certificate is checked against the host name although the socket goes to an IP.
      ...(isHttps ? { rejectUnauthorized: true, ...(literal ? {} : { servername: host }) } : {}),
    };
    return new Promise((resolvePromise, reject) => {
      let answered = false;
      let req: ClientRequest;
      try {
        req = (isHttps ? https : http).request(request);
      } catch (err) {
        reject(err);
        return;
      }
      req.setTimeout(timeoutMs, () => req.destroy(new EgressTimeoutError(timeoutMs)));
      req.on('error', (err) => {
        // After the answer started, the response stream carries the error to whoever reads it.
        if (!answered) reject(err);
      });
      req.once('response', (res) => {
        answered = true;
        resolvePromise(res);
      });
      const body = init.body;
      if (body instanceof Readable) {
        body.once('error', (err) => req.destroy(err));
        body.pipe(req);
      } else if (body === undefined) {
        req.end();
      } else {
        req.end(body);
      }
    });
  }

  async function send(url: URL, rawText: string | undefined, init: EgressRequestInit, timeoutMs: number, requester: string): Promise<EgressResponse> {
    const checked = checkUrl(url, policy, rawText);
    if (!checked.allowed) throw refuse(checked, portOf(url), requester, init.body);
    const { host, port, literal } = checked;
    if (init.signal?.aborted) throw failure(Object.assign(new Error('aborted before DNS'), { name: 'AbortError' }), host, 'DNS');
    const addresses = literal ? [literal.address] : await resolve(host, timeoutMs, init.signal);
    const decision = checkDestination(host, port, addresses, policy, { protocol: url.protocol as 'http:' | 'https:' });
    if (!decision.allowed) throw refuse(decision, port, requester, init.body);

    const candidates = isReplayable(init.body) ? addresses : addresses.slice(0, 1);
    let lastError: unknown;
    let lastAddress = '';
    for (const address of candidates) {
      lastAddress = address;
      try {
        const res = await attempt(url, host, port, address, literal !== null, init, timeoutMs);
        return wrapResponse(res, url, address);
      } catch (err) {
        if (err instanceof UnvettedSocketError) throw refuse({ ...err.refusal, host }, port, requester, init.body);
        if (err instanceof AirlockError) throw err;
        lastError = err;
        if (!CONNECT_FAILURES.has(errorCode(err))) break;
      }
    }
    if (init.body instanceof Readable) init.body.destroy();
    throw failure(lastError, host, `${lastAddress}:${port}`);
  }

  async function request(input: string | URL, init: EgressRequestInit): Promise<EgressResponse> {
    const requester = typeof init?.requester === 'string' && REQUESTER_PATTERN.test(init.requester) ? init.requester : null;
    if (requester === null) {
      throw new AirlockError('egress.bad-request', 'Airlock could not send this request.', 'every egress request must name its requester, e.g. "publish:tiktok"');
    }
    const method = (init.method ?? 'GET').toUpperCase();
    if (!METHODS.has(method)) throw new AirlockError('egress.bad-request', 'Airlock could not send this request.', `HTTP method ${JSON.stringify(method).slice(0, 20)} is not allowed`);
    const timeoutMs = init.timeoutMs ?? defaultTimeout;
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : new URL(input.href);
    } catch {
      // The unparseable text may hold secrets, so none of it is logged.
      throw refuse(refusal('egress.invalid-url', '(unreadable host)', 'Airlock refused a web address it could not read.', 'URL could not be parsed (not logged)'), null, requester, init.body);
    }
    const rawText = typeof input === 'string' ? input : undefined;
    let current = await send(url, rawText, { ...init, method }, timeoutMs, requester);
    for (let hop = 0; init.redirect === 'follow-same-origin' && REDIRECTS.has(current.status) && (method === 'GET' || method === 'HEAD'); hop++) {
      const location = current.headers.location;
      let next: URL;
      try {
        next = new URL(location ?? '', current.url);
      } catch {
        return current;
      }
      if (location === undefined) return current;
      if (next.origin !== current.url.origin) {
        await current.discard();
        const from = current.url.hostname;
        throw refuse(
          refusal('egress.redirect-refused', from, `${from} tried to send Airlock on to another server; Airlock did not follow.`, `${current.status} redirect from ${current.url.origin} to ${next.origin} (cross-origin redirects are never followed)`),
          portOf(current.url),
          requester,
        );
      }
      if (hop >= MAX_REDIRECTS) {
        await current.discard();
        throw new AirlockError('egress.too-many-redirects', `${current.url.hostname} kept redirecting, so Airlock stopped.`, `more than ${MAX_REDIRECTS} redirects`);
      }
      await current.discard();
      current = await send(next, undefined, { ...init, method, body: undefined }, timeoutMs, requester);
    }
    return current;
  }

  return {
    request,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
