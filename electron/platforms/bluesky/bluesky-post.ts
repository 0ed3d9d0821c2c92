// Turns an Airlock post into an app.bsky.feed.post record: the checks that must pass before any
// byte is uploaded, rich-text facets with UTF-8 byte offsets, the image or video embed, and the
// record key that makes every attempt of one job write the same record.
import { createHash } from 'node:crypto';
import { RichText } from '@atproto/api';
import type { PublishMedia, PublishRequest } from '../adapter.ts';
import type { PostFacts } from '../post-rules.ts';
import { BlueskyPublishError } from './bluesky-errors.ts';
import { checkBluesky } from './rules.ts';

export const POST_COLLECTION = 'app.bsky.feed.post';
/** app.bsky.embed.images: each image blob's maxSize. */
export const MAX_IMAGE_BYTES = 2_000_000;
/** app.bsky.embed.video: the video blob's maxSize. */
export const MAX_VIDEO_BYTES = 300_000_000;
export const MAX_LANGS = 3;

const NOTHING_PUBLISHED = 'Nothing was published.';

// --- Record key ------------------------------------------------------------------------------

const S32 = '234567abcdefghijklmnopqrstuvwxyz';
/** The record key syntax app.bsky.feed.post requires (`key: "tid"`), as @atproto/syntax checks it. */
export const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
// Keys are hashed into one calendar year that is already past: a TID's timestamp is never in the
// future (nothing sorted by key pins the post to the top, no "future TID" rule can trip), while
// 2^10 clock ids times a year of microseconds leave collisions out of reach. Bluesky itself
// orders posts by createdAt, not by record key.
const KEY_EPOCH_US = 1_704_067_200_000_000n; // 2024-01-01T00:00:00Z
const KEY_SPAN_US = 31_536_000_000_000n; // 365 days
// The reference PDS refuses record keys that contain a slur. Only one of its patterns can match
// inside a 13-character key; this is a superset of it, and a key that matches is re-derived.
const REFUSED_KEY = /n[i1loa4][gq]{2}/;

function s32(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = S32[Number(rest & 31n)]! + out;
    rest >>= 5n;
  }
  return out;
}

/**
 * The record key for one (post, account) job: a valid TID computed only from the job's
 * idempotency key, so a retry, a second kiosk process or a restart after a crash all address the
 * same record, and the PDS can hold at most one post per job.
 */
export function recordKeyFor(idempotencyKey: string): string {
  if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0) throw new TypeError('idempotencyKey must be a non-empty string');
  for (let round = 0; ; round++) {
    const digest = createHash('sha256').update(`airlock:bluesky:rkey:v1\0${round}\0${idempotencyKey}`, 'utf8').digest();
    const timestamp = KEY_EPOCH_US + (digest.readBigUInt64BE(0) % KEY_SPAN_US);
    const clockId = BigInt(digest.readUInt16BE(8) & 0x3ff);
    const key = s32(timestamp, 11) + s32(clockId, 2);
    if (!REFUSED_KEY.test(key)) return key;
  }
}

export function postUri(did: string, rkey: string): string {
  return `at://${did}/${POST_COLLECTION}/${rkey}`;
}

/** The post's public address; only ever shown or stored, never fetched by Airlock. */
export function postUrl(handle: string, did: string, rkey: string): string {
  const who = handle && handle !== 'handle.invalid' ? handle : did;
  return `https://bsky.app/profile/${encodeURIComponent(who).replaceAll('%3A', ':')}/post/${rkey}`;
}

// --- Facets ----------------------------------------------------------------------------------

export type FacetFeature =
  | { $type: 'app.bsky.richtext.facet#link'; uri: string }
  | { $type: 'app.bsky.richtext.facet#mention'; did: string }
  | { $type: 'app.bsky.richtext.facet#tag'; tag: string };

export interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: FacetFeature[];
}

export interface DetectedFacets {
  /** Links and tags, ready to send. */
  facets: Facet[];
  /** Mentions whose `did` still holds the handle as written; resolve before sending. */
  mentions: Facet[];
}

/**
 * Finds links, hashtags and @mentions the way the Bluesky app does (its own detector, which does
 * no network), with start and end as UTF-8 byte offsets into the caption.
 */
export function detectFacets(text: string): DetectedFacets {
  const rt = new RichText({ text });
  rt.detectFacetsWithoutResolution();
  const length = Buffer.byteLength(text, 'utf8');
  const facets: Facet[] = [];
  const mentions: Facet[] = [];
  for (const facet of rt.facets ?? []) {
    const { byteStart, byteEnd } = facet.index;
    if (!Number.isInteger(byteStart) || !Number.isInteger(byteEnd) || byteStart < 0 || byteEnd <= byteStart || byteEnd > length) continue;
    const features = facet.features as FacetFeature[];
    const clean: Facet = { index: { byteStart, byteEnd }, features: features.map((f) => ({ ...f })) };
    if (features.some((f) => f.$type === 'app.bsky.richtext.facet#mention')) mentions.push(clean);
    else facets.push(clean);
  }
  facets.sort((a, b) => a.index.byteStart - b.index.byteStart);
  return { facets, mentions };
}

/**
 * Gives each mention the DID its handle resolves to; a handle that does not resolve stays plain
 * text, as in the Bluesky app. Each handle is asked about once.
 */
export async function resolveMentions(detected: DetectedFacets, resolve: (handle: string) => Promise<string | null>): Promise<Facet[]> {
  const dids = new Map<string, string | null>();
  const resolved: Facet[] = [];
  for (const mention of detected.mentions) {
    const feature = mention.features[0] as { did: string };
    const handle = feature.did.toLowerCase();
    if (!dids.has(handle)) dids.set(handle, await resolve(handle));
    const did = dids.get(handle);
    if (did) resolved.push({ index: mention.index, features: [{ $type: 'app.bsky.richtext.facet#mention', did }] });
  }
  return [...detected.facets, ...resolved].sort((a, b) => a.index.byteStart - b.index.byteStart);
}

// --- Checks before upload --------------------------------------------------------------------

/** `options.language`: one BCP 47 tag or up to three; Bluesky records them as `langs`. */
export function languagesOf(options: Record<string, unknown>): string[] {
  const raw = options.language;
  if (raw === undefined || raw === null || raw === '') return [];
  const list = Array.isArray(raw) ? raw : [raw];
  const tags = list.map((t) => (typeof t === 'string' ? t.trim() : ''));
  const bad = tags.find((t) => !/^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$/.test(t));
  if (bad !== undefined || tags.length > MAX_LANGS) {
    throw new BlueskyPublishError(
      'publish.bluesky.language',
      `Bluesky did not accept the language chosen for the post. Choose up to ${MAX_LANGS} languages and publish again. ${NOTHING_PUBLISHED}`,
      `options.language ${JSON.stringify(raw).slice(0, 80)} is not up to ${MAX_LANGS} BCP 47 tags`,
    );
  }
  return [...new Set(tags)];
}

export function factsOf(request: PublishRequest): PostFacts {
  return {
    caption: request.caption,
    media: request.media.map((m) => ({ kind: m.kind, altText: m.altText, width: m.width, height: m.height, durationMs: m.durationMs, bytes: m.bytes, format: m.format })),
    options: { bluesky: request.options },
  };
}

/**
 * Everything that would make Bluesky refuse the post and can be known without the network, so a
 * doomed post never spends upload time or the account's daily blob quota. Text length is left to
 * the server: its grapheme count is the authority, and the editor's counter already warned.
 */
export function preflight(request: PublishRequest): void {
  const blocking = checkBluesky(factsOf(request)).errors.filter((e) => e.field !== 'caption');
  const first = blocking[0];
  if (first) {
    throw new BlueskyPublishError(`publish.${first.code}`, `${first.message} ${NOTHING_PUBLISHED}`, blocking.map((e) => `${e.field}: ${e.code}`).join('; '));
  }
  if (request.caption.trim() === '' && request.media.length === 0) {
    throw new BlueskyPublishError('publish.bluesky.empty', `The post has no text and no photo or video, so there is nothing to send to Bluesky. ${NOTHING_PUBLISHED}`, 'empty caption and no media');
  }
  request.media.forEach((m, i) => checkMedia(m, i));
  languagesOf(request.options);
}

function checkMedia(m: PublishMedia, i: number): void {
  const which = m.kind === 'image' ? `Photo ${i + 1}` : 'The video';
  const detail = `media.${i}: ${m.kind} ${m.contentType}, ${m.bytes} bytes`;
  if (m.kind === 'image' && !m.contentType.startsWith('image/')) {
    throw new BlueskyPublishError('publish.bluesky.media-type', `${which} is not in a picture format Bluesky accepts. ${NOTHING_PUBLISHED} Ask IT to look at the details.`, detail);
  }
  if (m.kind === 'video' && m.contentType !== 'video/mp4') {
    throw new BlueskyPublishError('publish.bluesky.media-type', `Bluesky only takes videos as MP4. Ask for the video to be exported as MP4. ${NOTHING_PUBLISHED}`, detail);
  }
  const limit = m.kind === 'image' ? MAX_IMAGE_BYTES : MAX_VIDEO_BYTES;
  if (m.bytes > limit) {
    const mb = (limit / 1_000_000).toLocaleString('en');
    throw new BlueskyPublishError('publish.bluesky.media-too-large', `${which} is too large for Bluesky, which takes up to ${mb} MB. ${NOTHING_PUBLISHED}`, `${detail}; the lexicon allows ${limit}`);
  }
}

// --- The record ------------------------------------------------------------------------------

export interface BlobRef {
  $type: 'blob';
  ref: { $link: string };
  mimeType: string;
  size: number;
}

function aspectRatioOf(m: PublishMedia): { aspectRatio: { width: number; height: number } } | Record<string, never> {
  const fine = (n: number | null): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  return fine(m.width) && fine(m.height) ? { aspectRatio: { width: m.width, height: m.height } } : {};
}

export function embedFor(media: readonly PublishMedia[], blobs: readonly BlobRef[]): Record<string, unknown> | undefined {
  if (media.length === 0) return undefined;
  const first = media[0]!;
  if (first.kind === 'video') {
    // The plain path of platform-apis.md §3.5: the MP4 is an ordinary blob in the record and
    // Bluesky processes it after the post appears. The video service (video.bsky.app) would
    // process it first, but needs service-auth tokens and a second host on the egress list.
    const alt = first.altText?.trim() ? { alt: first.altText } : {};
    return { $type: 'app.bsky.embed.video', video: blobs[0], ...alt, ...aspectRatioOf(first) };
  }
  return {
    $type: 'app.bsky.embed.images',
    images: media.map((m, i) => ({ image: blobs[i], alt: m.altText ?? '', ...aspectRatioOf(m) })),
  };
}

export function postRecord(input: { text: string; createdAt: string; facets: Facet[]; langs: string[]; embed: Record<string, unknown> | undefined }): Record<string, unknown> {
  return {
    $type: POST_COLLECTION,
    text: input.text,
    createdAt: input.createdAt,
    ...(input.langs.length > 0 ? { langs: input.langs } : {}),
    ...(input.facets.length > 0 ? { facets: input.facets } : {}),
    ...(input.embed ? { embed: input.embed } : {}),
  };
}
