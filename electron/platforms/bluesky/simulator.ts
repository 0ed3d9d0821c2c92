// A protocol-faithful Bluesky PDS (AT Protocol XRPC) on 127.0.0.1 for tests and the training
// demo: app-password sessions with access and refresh JWTs (refresh rotates, deleteSession ends
// it), content-addressed blob uploads hashed as they stream, and the repo methods Airlock calls
// (createRecord, putRecord, getRecord, listRecords) with record keys and the lexicon checks the
// real server applies to posts (300 graphemes, alt text on every image, blob size and type).
// Errors use the XRPC envelope {"error","message"} (../shared/platform-apis.md §3). Never a real host.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BodyTooLarge, drain, readSmallBody } from '../simulator-body.ts';
import { jsonObject, listenOnLoopback, stopServer } from '../simulator-server.ts';

export interface BlueskySimAccount {
  did: string;
  handle: string;
  /** The app password IT would create; sessions opened with it carry the app-password scope. */
  appPassword: string;
  /** The account's main password; its sessions carry the full-access scope. */
  password?: string;
}

export interface BlueskySimulatorOptions {
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clock?: () => number;
  accounts: BlueskySimAccount[];
  /** Access JWT lifetime; the reference PDS uses two hours. */
  accessSeconds?: number;
  /** Refresh JWT lifetime; the reference PDS uses 90 days. */
  refreshSeconds?: number;
  /** Largest blob uploadBlob takes (the PDS's blob upload limit). */
  maxBlobBytes?: number;
}

export interface BlueskySession {
  accessJwt: string;
  refreshJwt: string;
  did: string;
  handle: string;
}

export interface BlueskyStoredRecord {
  uri: string;
  cid: string;
  did: string;
  collection: string;
  rkey: string;
  value: Record<string, unknown>;
  indexedAt: string;
}

export interface BlueskyFeedPost {
  uri: string;
  did: string;
  handle: string;
  text: string;
  createdAt: string;
  /** Alt text of each image (or the video's), in order. */
  alts: string[];
  /** Bytes of every blob the post embeds. */
  sizeBytes: number;
}

export interface BlueskySimulator {
  origin: string;
  /** Opens an app-password session as createSession would, for connecting a demo account. */
  issueSession(did: string): BlueskySession;
  /** Every record in every repo, oldest first (read-only copies). */
  records(): BlueskyStoredRecord[];
  /** The app.bsky.feed.post records, newest first: what the demo's audience would see. */
  feed(): BlueskyFeedPost[];
  /** XRPC method names called, in order; queries and bodies are never recorded. */
  calls(): string[];
  stop(): Promise<void>;
}

const POST = 'app.bsky.feed.post';
const APP_PASS_SCOPE = 'com.atproto.appPass';
const ACCESS_SCOPE = 'com.atproto.access';
const REFRESH_SCOPE = 'com.atproto.refresh';
const MAX_TEXT_GRAPHEMES = 300;
const MAX_TEXT_BYTES = 3000;
const MAX_IMAGE_BYTES = 2_000_000;
const MAX_VIDEO_BYTES = 100_000_000;
const MAX_IMAGES = 4;
const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
const RKEY_PATTERN = /^[A-Za-z0-9.\-_:~]{1,512}$/;
const S32 = '234567abcdefghijklmnopqrstuvwxyz';

class XrpcFault extends Error {
  readonly status: number;
  readonly error: string;
  constructor(status: number, error: string, message: string) {
    super(message);
    this.status = status;
    this.error = error;
  }
}

const invalid = (message: string) => new XrpcFault(400, 'InvalidRequest', message);
const invalidPost = (message: string) => invalid(`Invalid ${POST} record: ${message}`);

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += 'abcdefghijklmnopqrstuvwxyz234567'[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += 'abcdefghijklmnopqrstuvwxyz234567'[(value << (5 - bits)) & 31];
  return out;
}

/** CIDv1 over a SHA-256 digest, base32 multibase: codec 0x55 (raw) for blobs, 0x71 (dag-cbor) for records. */
function cidOf(digest: Buffer, codec: 0x55 | 0x71): string {
  return `b${base32(Buffer.concat([Buffer.from([0x01, codec, 0x12, 0x20]), digest]))}`;
}

function graphemes(text: string): number {
  let n = 0;
  for (const _ of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)) n++;
  return n;
}

interface Blob {
  cid: string;
  mimeType: string;
  size: number;
  did: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The blob refs a post embeds, checked against the lexicon and the repo's uploads. */
function checkBlobRef(value: unknown, at: string, accept: 'image' | 'video', max: number, blobs: Map<string, Blob>, did: string): Blob {
  if (!isObject(value) || value.$type !== 'blob' || !isObject(value.ref) || typeof value.ref.$link !== 'string') throw invalidPost(`Expected blob at ${at}`);
  const size = value.size;
  const mimeType = value.mimeType;
  if (typeof mimeType !== 'string' || !mimeType.startsWith(`${accept}/`)) throw invalidPost(`Expected "${accept}/*" (got "${String(mimeType)}") at ${at}.mimeType`);
  if (typeof size !== 'number' || size > max) throw invalidPost(`Blob too big (maximum ${max}, got ${String(size)}) at ${at}.size`);
  const blob = blobs.get(value.ref.$link);
  if (!blob || blob.did !== did) throw new XrpcFault(400, 'InvalidRequest', `Could not find blob: ${value.ref.$link}`);
  if (blob.size !== size || blob.mimeType !== mimeType) throw invalid(`Referenced Mimetype or Size does not match stored blob. Expected: ${blob.mimeType}, ${blob.size}`);
  return blob;
}

/** The checks the reference PDS makes on app.bsky.feed.post; returns the blobs it embeds. */
function validatePost(record: Record<string, unknown>, blobs: Map<string, Blob>, did: string): Blob[] {
  if (record.$type !== POST) throw invalid(`Invalid $type: must be ${POST}, got ${String(record.$type)}`);
  if (typeof record.text !== 'string') throw invalidPost('Missing required key "text" at $.record');
  if (typeof record.createdAt !== 'string' || Number.isNaN(Date.parse(record.createdAt))) throw invalidPost('Invalid datetime at $.record.createdAt');
  const count = graphemes(record.text);
  if (count > MAX_TEXT_GRAPHEMES) throw invalidPost(`grapheme too big (maximum ${MAX_TEXT_GRAPHEMES}, got ${count}) at $.record.text`);
  const bytes = Buffer.byteLength(record.text, 'utf8');
  if (bytes > MAX_TEXT_BYTES) throw invalidPost(`string too big (maximum ${MAX_TEXT_BYTES}, got ${bytes}) at $.record.text`);
  if (record.langs !== undefined) {
    if (!Array.isArray(record.langs) || record.langs.length > 3) throw invalidPost('Array too long (maximum 3) at $.record.langs');
    record.langs.forEach((l, i) => {
      if (typeof l !== 'string' || !/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/.test(l)) throw invalid(`Invalid language (got ${JSON.stringify(l)}) at $.record.langs[${i}]`);
    });
  }
  const embed = record.embed;
  if (embed === undefined) return [];
  if (!isObject(embed)) throw invalidPost('Expected object at $.record.embed');
  if (embed.$type === 'app.bsky.embed.images') {
    const images = embed.images;
    if (!Array.isArray(images) || images.length === 0) throw invalidPost('Missing required key "images" at $.record.embed');
    if (images.length > MAX_IMAGES) throw invalidPost(`Array too long (maximum ${MAX_IMAGES}, got ${images.length}) at $.record.embed.images`);
    return images.map((image: unknown, i) => {
      const at = `$.record.embed.images[${i}]`;
      if (!isObject(image)) throw invalidPost(`Expected object at ${at}`);
      if (!('image' in image)) throw invalidPost(`Missing required key "image" at ${at}`);
      if (!('alt' in image)) throw invalidPost(`Missing required key "alt" at ${at}`);
      if (typeof image.alt !== 'string') throw invalidPost(`Expected string at ${at}.alt`);
      return checkBlobRef(image.image, `${at}.image`, 'image', MAX_IMAGE_BYTES, blobs, did);
    });
  }
  if (embed.$type === 'app.bsky.embed.video') {
    if (embed.alt !== undefined && typeof embed.alt !== 'string') throw invalidPost('Expected string at $.record.embed.alt');
    return [checkBlobRef(embed.video, '$.record.embed.video', 'video', MAX_VIDEO_BYTES, blobs, did)];
  }
  throw invalidPost(`Unsupported embed type ${JSON.stringify(String(embed.$type)).slice(0, 100)} at $.record.embed`);
}

export async function startBlueskySimulator(options: BlueskySimulatorOptions): Promise<BlueskySimulator> {
  const clock = options.clock ?? Date.now;
  const accessSeconds = options.accessSeconds ?? 2 * 60 * 60;
  const refreshSeconds = options.refreshSeconds ?? 90 * 24 * 60 * 60;
  const maxBlobBytes = options.maxBlobBytes ?? MAX_VIDEO_BYTES;
  const signingKey = randomBytes(32);
  const accounts = options.accounts.map((a) => ({ ...a }));
  /** Refresh JWT ids still valid, with the scope of their session: a refresh or deleteSession uses one up. */
  const liveRefresh = new Map<string, string>();
  const blobs = new Map<string, Blob>();
  const repo: BlueskyStoredRecord[] = [];
  const called: string[] = [];
  let tidClock = 0;

  const byIdentifier = (id: string) => accounts.find((a) => a.did === id || a.handle.toLowerCase() === id.toLowerCase().replace(/^@/, ''));

  function sign(header: object, payload: object): string {
    const body = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${body}.${createHmac('sha256', signingKey).update(body).digest('base64url')}`;
  }

  function mint(did: string, scope: string): BlueskySession {
    const account = accounts.find((a) => a.did === did);
    if (!account) throw new Error(`no simulated Bluesky account ${did}`);
    const now = Math.floor(clock() / 1000);
    const jti = randomBytes(16).toString('base64url');
    liveRefresh.set(jti, scope);
    return {
      accessJwt: sign({ typ: 'at+jwt', alg: 'HS256' }, { scope, sub: did, aud: 'did:web:pds.training', iat: now, exp: now + accessSeconds }),
      refreshJwt: sign({ typ: 'refresh+jwt', alg: 'HS256' }, { scope: REFRESH_SCOPE, sub: did, aud: 'did:web:pds.training', jti, iat: now, exp: now + refreshSeconds }),
      did,
      handle: account.handle,
    };
  }

  /** The bearer token's claims, or the PDS's error for a missing, forged or expired one. */
  function bearer(req: IncomingMessage, want: 'access' | 'refresh'): { sub: string; scope: string; jti?: string } {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) throw new XrpcFault(401, 'AuthMissing', 'Authentication Required');
    const [h, p, s] = auth.slice(7).trim().split('.');
    const expected = createHmac('sha256', signingKey).update(`${h}.${p}`).digest();
    const given = Buffer.from(s ?? '', 'base64url');
    if (!h || !p || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new XrpcFault(400, 'InvalidToken', 'Token could not be verified');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { sub: string; scope: string; exp: number; jti?: string };
    if (claims.exp * 1000 <= clock()) throw new XrpcFault(400, 'ExpiredToken', 'Token has expired');
    const isRefresh = claims.scope === REFRESH_SCOPE;
    if (want === 'refresh' && (!isRefresh || !claims.jti || !liveRefresh.has(claims.jti))) throw new XrpcFault(400, 'ExpiredToken', 'Token has been revoked');
    if (want === 'access' && isRefresh) throw new XrpcFault(400, 'InvalidToken', 'Bad token scope');
    return claims;
  }

  function nextTid(): string {
    // Microseconds since the epoch, strictly increasing, and a clock id: 13 base32-sortable chars.
    tidClock = Math.max(tidClock + 1, clock() * 1000);
    let n = (BigInt(tidClock) << 10n) | BigInt(randomBytes(2).readUInt16BE() & 0x3ff);
    let out = '';
    for (let i = 0; i < 13; i++) {
      out = S32[Number(n & 31n)] + out;
      n >>= 5n;
    }
    return out;
  }

  function ownRepo(body: Record<string, unknown>, did: string): void {
    const wanted = typeof body.repo === 'string' ? byIdentifier(body.repo) : undefined;
    if (!wanted) throw invalid(`Could not find repo: ${String(body.repo).slice(0, 100)}`);
    if (wanted.did !== did) throw new XrpcFault(401, 'AuthRequired', 'Invalid repo');
  }

  function checkRkey(collection: string, rkey: string): void {
    if (!RKEY_PATTERN.test(rkey) || rkey === '.' || rkey === '..') throw invalid(`Invalid record key: ${rkey.slice(0, 100)}`);
    if (collection === POST && !TID_PATTERN.test(rkey)) throw invalid(`Invalid record key for ${POST}: must be a TID`);
  }

  function write(did: string, body: Record<string, unknown>, replace: boolean): { uri: string; cid: string } {
    ownRepo(body, did);
    const collection = body.collection;
    if (typeof collection !== 'string' || !/^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+){2,}$/.test(collection)) throw invalid('Invalid collection');
    if (!isObject(body.record)) throw invalid('Missing required key "record" at $');
    const record = body.record;
    const rkey = typeof body.rkey === 'string' ? body.rkey : replace ? '' : nextTid();
    checkRkey(collection, rkey);
    if (collection === POST && body.validate !== false) validatePost(record, blobs, did);
    const uri = `at://${did}/${collection}/${rkey}`;
    const at = repo.findIndex((r) => r.uri === uri);
    // The reference PDS answers a createRecord to a taken key with a bare 500.
    if (at >= 0 && !replace) throw new XrpcFault(500, 'InternalServerError', 'Internal Server Error');
    const cid = cidOf(createHash('sha256').update(JSON.stringify(record)).digest(), 0x71);
    const stored: BlueskyStoredRecord = { uri, cid, did, collection, rkey, value: structuredClone(record), indexedAt: new Date(clock()).toISOString() };
    if (at >= 0) repo[at] = stored;
    else repo.push(stored);
    return { uri, cid };
  }

  async function uploadBlob(req: IncomingMessage, did: string): Promise<unknown> {
    const mimeType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!mimeType) throw invalid('Request encoding (Content-Type) required but not provided');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBlobBytes) throw new XrpcFault(413, 'PayloadTooLarge', 'request entity too large');
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBlobBytes) throw new XrpcFault(413, 'PayloadTooLarge', 'request entity too large');
      hash.update(chunk);
    }
    const cid = cidOf(hash.digest(), 0x55);
    blobs.set(cid, { cid, mimeType, size, did });
    return { blob: { $type: 'blob', ref: { $link: cid }, mimeType, size } };
  }

  function getRecord(query: URLSearchParams): unknown {
    const who = byIdentifier(query.get('repo') ?? '');
    if (!who) throw invalid(`Could not find repo: ${String(query.get('repo')).slice(0, 100)}`);
    const uri = `at://${who.did}/${query.get('collection') ?? ''}/${query.get('rkey') ?? ''}`;
    const found = repo.find((r) => r.uri === uri);
    if (!found) throw new XrpcFault(400, 'RecordNotFound', `Could not locate record: ${uri}`);
    return { uri: found.uri, cid: found.cid, value: found.value };
  }

  function listRecords(query: URLSearchParams): unknown {
    const who = byIdentifier(query.get('repo') ?? '');
    if (!who) throw invalid(`Could not find repo: ${String(query.get('repo')).slice(0, 100)}`);
    const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50) || 50));
    const cursor = query.get('cursor');
    let rows = repo.filter((r) => r.did === who.did && r.collection === query.get('collection'));
    rows.sort((a, b) => (a.rkey < b.rkey ? 1 : a.rkey > b.rkey ? -1 : 0));
    if (query.get('reverse') === 'true') rows.reverse();
    if (cursor) rows = rows.filter((r) => (query.get('reverse') === 'true' ? r.rkey > cursor : r.rkey < cursor));
    const page = rows.slice(0, limit);
    return { records: page.map((r) => ({ uri: r.uri, cid: r.cid, value: r.value })), ...(rows.length > limit ? { cursor: page.at(-1)!.rkey } : {}) };
  }

  async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const body = jsonObject(await readSmallBody(req));
    if (!body) throw invalid('Request body is not a JSON object');
    return body;
  }

  async function route(req: IncomingMessage, url: URL): Promise<unknown> {
    const nsid = url.pathname.replace(/^\/xrpc\//, '');
    const post = req.method === 'POST';
    switch (nsid) {
      case 'com.atproto.server.describeServer':
        return { did: 'did:web:pds.training', availableUserDomains: ['.bsky.training'], inviteCodeRequired: true };
      case 'com.atproto.server.createSession': {
        if (!post) break;
        const body = await jsonBody(req);
        const account = typeof body.identifier === 'string' ? byIdentifier(body.identifier) : undefined;
        const password = typeof body.password === 'string' ? body.password : '';
        if (!account || (password !== account.appPassword && password !== account.password)) throw new XrpcFault(401, 'AuthenticationRequired', 'Invalid identifier or password');
        const session = mint(account.did, password === account.appPassword ? APP_PASS_SCOPE : ACCESS_SCOPE);
        return { ...session, active: true };
      }
      case 'com.atproto.server.refreshSession': {
        if (!post) break;
        const claims = bearer(req, 'refresh');
        // Rotation: the old refresh JWT is used up, and the new session keeps the old one's scope.
        const scope = liveRefresh.get(claims.jti!)!;
        liveRefresh.delete(claims.jti!);
        return { ...mint(claims.sub, scope), active: true };
      }
      case 'com.atproto.server.deleteSession': {
        if (!post) break;
        liveRefresh.delete(bearer(req, 'refresh').jti!);
        return undefined;
      }
      case 'com.atproto.server.getSession': {
        const { sub } = bearer(req, 'access');
        const account = accounts.find((a) => a.did === sub)!;
        return { did: account.did, handle: account.handle, active: true };
      }
      case 'com.atproto.identity.resolveHandle': {
        const account = byIdentifier(url.searchParams.get('handle') ?? '');
        if (!account || !url.searchParams.get('handle')) throw invalid('Unable to resolve handle');
        return { did: account.did };
      }
      case 'com.atproto.repo.uploadBlob':
        if (!post) break;
        return uploadBlob(req, bearer(req, 'access').sub);
      case 'com.atproto.repo.createRecord':
      case 'com.atproto.repo.putRecord': {
        if (!post) break;
        const { sub } = bearer(req, 'access');
        return write(sub, await jsonBody(req), nsid === 'com.atproto.repo.putRecord');
      }
      case 'com.atproto.repo.getRecord':
        return getRecord(url.searchParams);
      case 'com.atproto.repo.listRecords':
        return listRecords(url.searchParams);
      default:
        throw new XrpcFault(501, 'MethodNotImplemented', 'Method Not Implemented');
    }
    throw invalid(`Incorrect HTTP method (${String(req.method)}) expected ${post ? 'GET' : 'POST'}`);
  }

  function send(res: ServerResponse, status: number, body: unknown): void {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith('/xrpc/')) {
      void drain(req).then(() => send(res, 404, { error: 'NotFound', message: 'Not Found' }));
      return;
    }
    called.push(url.pathname.slice('/xrpc/'.length));
    route(req, url).then(
      (out) => send(res, 200, out),
      async (err: unknown) => {
        await drain(req).catch(() => undefined);
        if (err instanceof XrpcFault) send(res, err.status, { error: err.error, message: err.message });
        else if (err instanceof BodyTooLarge) send(res, 413, { error: 'PayloadTooLarge', message: 'request entity too large' });
        else send(res, 500, { error: 'InternalServerError', message: 'Internal Server Error' });
      },
    );
  });
  const origin = await listenOnLoopback(server, options.port ?? 0);

  return {
    origin,
    issueSession: (did) => mint(did, APP_PASS_SCOPE),
    records: () => repo.map((r) => structuredClone(r)),
    feed: () =>
      repo
        .filter((r) => r.collection === POST)
        .map((r) => {
          const embed = isObject(r.value.embed) ? r.value.embed : {};
          const images = Array.isArray(embed.images) ? (embed.images as Record<string, unknown>[]) : [];
          const refs = [...images.map((i) => i.image), ...(embed.video ? [embed.video] : [])] as { size?: number }[];
          return {
            uri: r.uri,
            did: r.did,
            handle: accounts.find((a) => a.did === r.did)?.handle ?? r.did,
            text: String(r.value.text),
            createdAt: r.indexedAt,
            alts: [...images.map((i) => String(i.alt)), ...(typeof embed.alt === 'string' ? [embed.alt] : [])],
            sizeBytes: refs.reduce((n, b) => n + (b.size ?? 0), 0),
          };
        })
        .reverse(),
    calls: () => [...called],
    stop: () => stopServer(server),
  };
}
