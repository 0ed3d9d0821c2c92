// The import capability through the core's API, as the screens use it: sticks under a watched
// media root, scan and import by volume id only, progress events, eject, and the start-up sweep.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AirlockEvent, ScanView } from '../../../common/contract.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import type { MountedVolume } from '../../support/fat-image.ts';
import { revealingJpeg } from '../../support/image-fixtures.ts';
import { insertStick } from '../../support/sticks.ts';

let work: string;
let photo: Buffer;
const mounted: MountedVolume[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'airlock-import-service-'));
  photo = await readFile(await revealingJpeg(work, 'p.jpg'));
});
afterAll(async () => {
  await Promise.all(mounted.map((m) => m.unmount()));
});

const loosePolicy = (limits: Record<string, unknown> = {}) => testPolicy({ packages: { signatures: 'optional', trustedKeys: [] }, media: { limits } });

async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('import through the API', () => {
  it('lists a stick, scans and imports it by id, reports progress, and ejects it', async () => {
    const root = path.join(work, 'media-a');
    await mkdir(root);
    const core = await openTestCore({ policy: loosePolicy(), extraMediaRoots: [root] });
    await signInFirstAdmin(core);
    const events: AirlockEvent[] = [];
    core.events.subscribe((e) => events.push(e));
    const stick = await insertStick({ 'photo.jpg': photo, 'caption.txt': 'Hello' }, { under: root });
    mounted.push(stick);

    const inserted = await waitFor(() => events.find((e) => e.name === 'media.inserted'));
    const volumeId = (inserted.payload as { volumeId: string }).volumeId;
    expect(await core.call('media.volumes', {})).toMatchObject({ ok: true, value: { volumes: [{ volumeId, path: stick.dir, readOnly: true }] } });

    const scan = await core.call('import.scan', { volumeId });
    expect(scan).toMatchObject({ ok: true, value: { package: { kind: 'loose' }, totals: { accepted: 2 } } });

    const started = await core.call('import.start', { volumeId });
    expect(started.ok).toBe(true);
    const finished = await waitFor(() => events.find((e) => e.name === 'import.finished'), 20_000);
    expect(finished.payload).toMatchObject({ ok: true, imported: 1, posts: 1 });
    expect(events.some((e) => e.name === 'import.progress' && e.payload.phase === 'done')).toBe(true);
    expect(await core.call('library.list', { offset: 0, limit: 10 })).toMatchObject({ ok: true, value: { total: 1 } });

    expect(await core.call('media.eject', { volumeId })).toEqual({ ok: true, value: { ejected: true } });
    await waitFor(() => events.find((e) => e.name === 'media.removed'));
    expect(await core.call('media.volumes', {})).toMatchObject({ ok: true, value: { volumes: [] } });
  });

  it('refuses to scan or import for someone who is not signed in', async () => {
    const core = await openTestCore({ policy: loosePolicy() });
    expect(await core.call('import.scan', { volumeId: 'x' })).toMatchObject({ ok: false, error: { code: 'staff.signed-out' } });
  });

  it('refuses a volume id it does not know, without touching anything', async () => {
    const core = await openTestCore({ policy: loosePolicy() });
    await signInFirstAdmin(core);
    expect(await core.call('import.scan', { volumeId: 'not-a-stick' })).toMatchObject({ ok: false, error: { code: 'ingest.no-volume' } });
    expect(await core.call('import.start', { volumeId: '../../etc' })).toMatchObject({ ok: false, error: { code: 'ingest.no-volume' } });
    expect(await core.call('import.scan', { path: '/etc' })).toMatchObject({ ok: false, error: { code: 'api.bad-arguments' } });
  });

  it('applies the policy’s limits to what a stick may hold', async () => {
    const root = path.join(work, 'media-b');
    await mkdir(root);
    const core = await openTestCore({ policy: loosePolicy({ maxBytes: { image: 1000 } }), extraMediaRoots: [root] });
    await signInFirstAdmin(core);
    const stick = await insertStick({ 'photo.jpg': photo }, { under: root });
    mounted.push(stick);
    const volumeId = await waitFor(() => core.volumes.current()[0]?.volumeId);
    const scan = await core.call('import.scan', { volumeId });
    const view = scan as { ok: true; value: ScanView };
    expect(view.value.rejected[0]?.code).toMatch(/too-large|too-big|size/);
  });

  it('removes blobs left by an import that died before committing, at start-up', async () => {
    const dataDir = path.join(work, 'data-sweep');
    const first = await openTestCore({ dataDir });
    await first.close();
    const orphan = path.join(dataDir, 'library', 'blobs', 'ab', 'c'.repeat(62));
    await mkdir(path.dirname(orphan), { recursive: true });
    await writeFile(orphan, 'half an import');
    await openTestCore({ dataDir });
    expect(existsSync(orphan)).toBe(false);
  });
});
