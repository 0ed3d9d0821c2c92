// What the publish-through-the-kiosk tests share: unwrapping an API answer, a real clip padded to
// a size that takes several chunks or parts, a clean video seeded into the library as if a
// stick import had accepted it, and a post of it approved by a second person and due now.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PostView } from '../../common/contract.ts';
import type { PlatformId } from '../../common/platforms.ts';
import type { AirlockCore } from '../../electron/services/core.ts';
import { makeVideo } from './video-fixtures.ts';

export async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

/** A real MP4 with a `free` box of `padBytes` after the movie, so it stays valid at any size. */
export async function paddedClip(dir: string, name: string, padBytes: number): Promise<Buffer> {
  const clip = await readFile(await makeVideo(dir, name));
  const pad = Buffer.alloc(padBytes);
  pad.writeUInt32BE(pad.length, 0);
  pad.write('free', 4, 'latin1');
  return Buffer.concat([clip, pad]);
}

/** What a seeded library item says about itself; a 1280×720, 5-second MP4 unless told otherwise. */
export interface SeedFacts {
  kind: 'image' | 'video';
  format: string;
  originalName: string;
  width: number;
  height: number;
  durationMs: number | null;
}

/** A file in the library (already adopted as a blob), as an accepted import records it. */
export async function seedMedia(core: AirlockCore, sha256: string, bytes: number, facts: Partial<SeedFacts> = {}): Promise<string> {
  const f: SeedFacts = { kind: 'video', format: 'mp4', originalName: 'ferry.mp4', width: 1280, height: 720, durationMs: 5000, ...facts };
  const id = `media-${sha256.slice(0, 8)}`;
  const sessionId = `seed-${id}`;
  await core.store.call('imports.begin', { id: sessionId, startedAt: new Date().toISOString(), sourcePath: '/seed', volume: null });
  await core.store.call('imports.commit', {
    sessionId,
    finishedAt: new Date().toISOString(),
    package: null,
    media: [{ id, kind: f.kind, format: f.format, originalSha256: `${sha256.slice(0, 63)}0`, originalName: f.originalName, cleanSha256: sha256, cleanBytes: bytes, thumbnailSha256: null, width: f.width, height: f.height, durationMs: f.durationMs, reportJson: JSON.stringify({ mediaKind: f.kind, findings: [], warnings: [] }), importSessionId: sessionId, createdAt: new Date().toISOString() }],
    posts: [],
    acceptedCount: 1,
    rejectedCount: 0,
    resultJson: '{}',
  });
  return id;
}

/** The video adopted into the library and an approved post of it for `targets`, scheduled for now. */
export async function approvedVideoPost(core: AirlockCore, video: Buffer, o: { caption: string; targets: PlatformId[]; options?: Record<string, unknown> }): Promise<PostView> {
  const temp = path.join(core.blobs.tmpDir, 'clip.mp4');
  await writeFile(temp, video);
  const blob = await core.blobs.adoptFile(temp);
  const approver = await ok<{ id: string }>(core.call('staff.create', { name: 'Bo Approver', role: 'approver', credential: { kind: 'pin', secret: '582914' } }));
  const media = await seedMedia(core, blob.sha256, blob.bytes);
  let post = await ok<PostView>(core.call('posts.create', { caption: o.caption, targets: o.targets, options: o.options ?? {}, media: [{ mediaId: media, altText: 'A ferry leaving' }] }));
  post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
  await ok(core.call('staff.signIn', { staffId: approver.id, secret: '582914' }));
  post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
  return ok<PostView>(core.call('posts.schedule', { id: post.id, version: post.version, at: 'now' }));
}
