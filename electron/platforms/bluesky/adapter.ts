// Publishes a post to Bluesky over plain XRPC through the egress client: session from the app
// password, blobs streamed from the library, then one app.bsky.feed.post record whose key comes
// from the job's idempotency key, so no crash or retry can ever post twice.
//
// Credentials, as stored in the vault (AccountCredentials) for platform 'bluesky':
// - accountId     the account's DID (did:plc:…); it is the createSession identifier, and a session
//                 for any other DID is refused.
// - accessToken   the current session: `<accessJwt>~<refreshJwt>`. Both JWTs are minted and
//                 replaced together, so they are one value; '~' never occurs in a JWT. Any other
//                 value means "no session yet" and a session is opened with the app password.
// - refreshToken  the app password, the long-lived secret IT entered. It plays the refresh
//                 token's role: whenever the session is dead, it opens a new one. It never expires
//                 on its own, so refreshExpiresAt stays unset; revoking it in Bluesky ends the link.
// - expiresAt     when the access JWT expires (its `exp`), for refresh ahead of time and the
//                 token-health view.
// connectBlueskyAccount() below produces exactly this from a handle and an app password.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { EgressClient } from '../../services/egress/http-client.ts';
import type { AccountCredentials } from '../../services/vault/vault.ts';
import type { PlatformAdapter, PublishContext, PublishMedia, PublishRequest, PublishResult } from '../adapter.ts';
import { checkPostForPlatform } from '../post-rules.ts';
import { BlueskyPublishError, XrpcError, explainBlueskyFailure, isTransient } from './bluesky-errors.ts';
import { POST_COLLECTION, detectFacets, embedFor, languagesOf, postRecord, postUri, postUrl, preflight, recordKeyFor, resolveMentions } from './bluesky-post.ts';
import type { BlobRef } from './bluesky-post.ts';
import { APP_PASSWORD_SCOPES, BlueskySession, createSession, jwtClaims, writeBlueskyCredentials } from './bluesky-session.ts';
import { DEFAULT_RETRY, createXrpcTransport, realSleep } from './bluesky-xrpc.ts';
import type { RetryPolicy, Sleep, XrpcTransport } from './bluesky-xrpc.ts';

export { BlueskyPublishError } from './bluesky-errors.ts';
export { recordKeyFor } from './bluesky-post.ts';

export interface BlueskyAdapterOptions {
  /** Injected in tests so backoff and rate-limit waits take no time. */
  sleep?: Sleep;
  /** Jitter source in [0, 1). */
  random?: () => number;
  clock?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Longest silence on one request (egress inactivity timeout). */
  timeoutMs?: number;
  /** Bytes read from the clean file at a time; memory per upload stays near this. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 256 * 1024;

interface Runtime {
  sleep: Sleep;
  random: () => number;
  clock: () => number;
  retry: RetryPolicy;
  timeoutMs: number | undefined;
  chunkBytes: number;
}

function runtimeOf(options: BlueskyAdapterOptions): Runtime {
  return {
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    clock: options.clock ?? Date.now,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    timeoutMs: options.timeoutMs,
    chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
  };
}

function transportFor(http: EgressClient, apiBase: string, signal: AbortSignal, rt: Runtime): XrpcTransport {
  return createXrpcTransport({
    http,
    apiBase,
    signal,
    sleep: rt.sleep,
    random: rt.random,
    clock: rt.clock,
    retry: rt.retry,
    ...(rt.timeoutMs === undefined ? {} : { timeoutMs: rt.timeoutMs }),
  });
}

function sessionFor(context: PublishContext, rt: Runtime): BlueskySession {
  return new BlueskySession({
    transport: transportFor(context.http, context.account.apiBase, context.signal, rt),
    identifier: context.account.accountId,
    credentials: context.credentials,
    saveCredentials: context.saveCredentials,
    clock: rt.clock,
  });
}

function cancelled(stage: 'before' | 'during'): BlueskyPublishError {
  return stage === 'before'
    ? new BlueskyPublishError('publish.bluesky.cancelled', 'Publishing to Bluesky was stopped before the post was created. Nothing was published.', 'aborted before createRecord')
    : new BlueskyPublishError('publish.bluesky.cancelled', 'Publishing to Bluesky was stopped. Airlock will check whether the post went out before trying again.', 'aborted while talking to Bluesky');
}

interface StoredRecord {
  uri: string;
  cid: string;
}

async function findPost(session: BlueskySession, did: string, rkey: string): Promise<StoredRecord | null> {
  const nsid = 'com.atproto.repo.getRecord';
  try {
    // Authenticated, so an entryway such as bsky.social routes the read to the account's own PDS
    // and "not found" really means the repo has no such record.
    const found = await session.call<{ uri?: unknown; cid?: unknown }>({ method: 'GET', nsid, query: { repo: did, collection: POST_COLLECTION, rkey } });
    if (typeof found?.uri !== 'string' || typeof found.cid !== 'string') {
      throw new BlueskyPublishError('publish.bluesky.bad-response', 'Bluesky sent an answer Airlock could not read. Ask IT to look at the details.', `${nsid}: answer lacks uri or cid`, { retryable: true });
    }
    return { uri: found.uri, cid: found.cid };
  } catch (err) {
    if (err instanceof XrpcError && err.error === 'RecordNotFound') return null;
    throw err;
  }
}

async function resolveHandle(session: BlueskySession, handle: string): Promise<string | null> {
  try {
    const out = await session.call<{ did?: unknown }>({ method: 'GET', nsid: 'com.atproto.identity.resolveHandle', query: { handle } });
    return typeof out?.did === 'string' && out.did.startsWith('did:') ? out.did : null;
  } catch (err) {
    // HandleNotFound, or InvalidRequest "Unable to resolve handle": the mention stays plain text.
    if (err instanceof XrpcError && err.status === 400) return null;
    throw err;
  }
}

/** The clean file as a stream of `chunkBytes` pieces, telling `onSent` how far the consumer got. */
function fileBody(path: string, chunkBytes: number, onSent: (bytes: number) => void): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    const file = createReadStream(path, { highWaterMark: chunkBytes });
    let sent = 0;
    try {
      for await (const chunk of file) {
        yield chunk as Buffer;
        sent += (chunk as Buffer).length;
        onSent(sent);
      }
    } finally {
      file.destroy();
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

// The library's clean file must be the one the post was approved with; a size that changed means
// someone or something touched it, and Bluesky would get different bytes than staff reviewed.
async function checkFiles(media: readonly PublishMedia[]): Promise<void> {
  for (const [i, m] of media.entries()) {
    let size: number;
    try {
      size = (await stat(m.path)).size;
    } catch (err) {
      throw new BlueskyPublishError('publish.bluesky.file-unreadable', 'Airlock could not read a photo or video of this post from its library. Nothing was published. Ask IT to look at the details.', `media.${i}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (size !== m.bytes) {
      throw new BlueskyPublishError('publish.bluesky.file-unreadable', 'A photo or video of this post changed in the library after it was approved. Nothing was published. Ask IT to look at the details.', `media.${i}: ${size} bytes on disk, ${m.bytes} expected`);
    }
  }
}

function blobFrom(out: unknown, m: PublishMedia, i: number): BlobRef {
  const blob = (out as { blob?: Partial<BlobRef> } | undefined)?.blob;
  const link = blob?.ref?.$link;
  if (!blob || typeof link !== 'string' || typeof blob.mimeType !== 'string' || blob.size !== m.bytes) {
    throw new BlueskyPublishError('publish.bluesky.bad-response', 'Bluesky did not confirm a photo or video upload as expected. Nothing was published. Ask IT to look at the details.', `com.atproto.repo.uploadBlob media.${i}: answer lacks a blob ref, or its size is not ${m.bytes}`, { retryable: true });
  }
  return { $type: 'blob', ref: { $link: link }, mimeType: blob.mimeType, size: blob.size };
}

async function uploadAll(session: BlueskySession, request: PublishRequest, context: PublishContext, rt: Runtime): Promise<BlobRef[]> {
  const bytesTotal = request.media.reduce((sum, m) => sum + m.bytes, 0);
  let before = 0;
  const blobs: BlobRef[] = [];
  for (const [i, m] of request.media.entries()) {
    const report = (sent: number) => context.onProgress({ phase: 'uploading', bytesDone: before + sent, bytesTotal });
    report(0);
    const out = await session.call<unknown>({
      method: 'POST',
      nsid: 'com.atproto.repo.uploadBlob',
      // uploadBlob is content-addressed: resending the same bytes yields the same blob.
      upload: { contentType: m.contentType, bytes: m.bytes, open: () => fileBody(m.path, rt.chunkBytes, report) },
    });
    blobs.push(blobFrom(out, m, i));
    before += m.bytes;
  }
  return blobs;
}

function resultFor(handle: string, did: string, rkey: string, uri: string): PublishResult {
  return { remoteId: uri, url: postUrl(handle, did, rkey), outcome: 'published' };
}

async function publish(request: PublishRequest, context: PublishContext, rt: Runtime): Promise<PublishResult> {
  preflight(request);
  const session = sessionFor(context, rt);
  const { did, handle } = await session.open();
  const rkey = recordKeyFor(request.idempotencyKey);

  // An earlier attempt may have created the post and then lost its answer or crashed: then this
  // is the result, and nothing is uploaded again.
  const earlier = await findPost(session, did, rkey);
  if (earlier) return resultFor(handle, did, rkey, earlier.uri);
  await checkFiles(request.media);

  const facets = await resolveMentions(detectFacets(request.caption), (h) => resolveHandle(session, h));
  const langs = languagesOf(request.options);
  const blobs = await uploadAll(session, request, context, rt);
  const bytesTotal = request.media.reduce((sum, m) => sum + m.bytes, 0);
  context.onProgress({ phase: 'creating', bytesDone: bytesTotal, bytesTotal });
  if (context.signal.aborted) throw cancelled('before');

  const record = postRecord({ text: request.caption, createdAt: new Date(rt.clock()).toISOString(), facets, langs, embed: embedFor(request.media, blobs) });
  const lookUp = () => findPost(session, did, rkey).then((found) => found ?? undefined);
  let created: { uri?: unknown };
  try {
    created = await session.call<{ uri?: unknown }>({
      method: 'POST',
      nsid: 'com.atproto.repo.createRecord',
      json: { repo: did, collection: POST_COLLECTION, rkey, record },
      // Resending to a taken key fails (the reference PDS answers 500), so before each resend
      // Airlock asks whether the lost attempt already wrote the record.
      alreadyDone: lookUp,
    });
  } catch (err) {
    if (isTransient(err) || (err instanceof XrpcError && err.status === 429)) {
      const found = await lookUp().catch(() => undefined);
      if (found) return resultFor(handle, did, rkey, found.uri);
    }
    throw err;
  }
  const uri = postUri(did, rkey);
  if (created?.uri !== uri) {
    throw new BlueskyPublishError('publish.bluesky.bad-response', 'Bluesky answered the post with an address Airlock did not expect. Ask IT to check the account in the Bluesky app.', `com.atproto.repo.createRecord: expected ${uri}, got ${String(created?.uri).slice(0, 200)}`);
  }
  return resultFor(handle, did, rkey, uri);
}

async function reconcile(request: PublishRequest, context: PublishContext, rt: Runtime): Promise<PublishResult | null> {
  const session = sessionFor(context, rt);
  const { did, handle } = await session.open();
  const rkey = recordKeyFor(request.idempotencyKey);
  const found = await findPost(session, did, rkey);
  return found ? resultFor(handle, did, rkey, found.uri) : null;
}

async function explained<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (signal.aborted && !(err instanceof BlueskyPublishError && err.code === 'publish.bluesky.cancelled')) throw cancelled('during');
    throw explainBlueskyFailure(err);
  }
}

export function createBlueskyAdapter(options: BlueskyAdapterOptions = {}): PlatformAdapter {
  const rt = runtimeOf(options);
  return {
    platform: 'bluesky',
    check: (facts) => checkPostForPlatform('bluesky', facts),
    publish: (request, context) => explained(context.signal, () => publish(request, context, rt)),
    reconcile: (request, context) => explained(context.signal, () => reconcile(request, context, rt)),
  };
}

export interface ConnectBlueskyInput {
  http: EgressClient;
  /** The account's PDS or entryway, e.g. https://bsky.social. */
  apiBase: string;
  /** Handle (or DID) as IT typed it. */
  identifier: string;
  appPassword: string;
  signal?: AbortSignal;
  options?: BlueskyAdapterOptions;
}

export interface ConnectedBlueskyAccount {
  /** Use as the accountId when saving the credentials. */
  did: string;
  handle: string;
  credentials: AccountCredentials;
}

/**
 * Checks an app password by opening a session with it, and returns the credentials to store
 * under the account's DID. The account's main password is refused: it could change the account
 * itself, while an app password can be revoked on its own.
 */
export async function connectBlueskyAccount(input: ConnectBlueskyInput): Promise<ConnectedBlueskyAccount> {
  const rt = runtimeOf(input.options ?? {});
  const signal = input.signal ?? new AbortController().signal;
  const transport = transportFor(input.http, input.apiBase, signal, rt);
  return explained(signal, async () => {
    const session = await createSession(transport, input.identifier, input.appPassword);
    const scope = jwtClaims(session.accessJwt).scope;
    if (scope === undefined || !APP_PASSWORD_SCOPES.has(scope)) {
      // The session was opened with the main password; end it rather than leave it lying about.
      await transport.call({ method: 'POST', nsid: 'com.atproto.server.deleteSession', token: session.refreshJwt }).catch(() => undefined);
      throw new BlueskyPublishError(
        'publish.bluesky.not-app-password',
        'That is the account\'s main password. Create an app password in the Bluesky app (Settings, Privacy and security, App passwords) and enter that instead.',
        `createSession scope ${String(scope)}; expected an app-password scope`,
      );
    }
    return { did: session.did, handle: session.handle, credentials: writeBlueskyCredentials(session, input.appPassword) };
  });
}
