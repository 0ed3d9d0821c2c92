// "Use once" sticks: with media.consume on, a successful import clears what it imported from
// a real writable stick and leaves a receipt signed with the kiosk key from the real keychain;
// a write-protected stick is imported but reported as not cleared.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AirlockEvent } from '../../../common/contract.ts';
import { RECEIPT_FILE, RECEIPT_SIGNATURE_FILE } from '../../../electron/services/imports/consume-stick.ts';
import { parsePublicKey } from '../../../electron/services/package/keys.ts';
import { verifyManifestSignature } from '../../../electron/services/package/signature.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { insertWritableStick, type WritableStick } from '../../support/ext4-stick.ts';
import type { MountedVolume } from '../../support/fat-image.ts';
import { plainPhoto } from '../../support/image-fixtures.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { insertStick } from '../../support/sticks.ts';

let keyring: KeyringSession;
let work: string;
let photo: Buffer;
const sticks: (WritableStick | MountedVolume)[] = [];
const images: WritableStick[] = [];

beforeAll(async () => {
  keyring = await startKeyringSession();
  work = await mkdtemp(path.join(os.tmpdir(), 'airlock-consume-'));
  await plainPhoto(path.join(work, 'p.jpg'), 'jpeg', 64, 48);
  photo = await readFile(path.join(work, 'p.jpg'));
});
afterAll(async () => {
  await Promise.all(sticks.map((s) => s.unmount()));
  await Promise.all(images.map((s) => s.remove()));
  await keyring?.stop();
});

async function importFrom(root: string) {
  const core = await openTestCore({ policy: testPolicy({ packages: { signatures: 'optional', trustedKeys: [] }, media: { consume: true } }), extraMediaRoots: [root], secretStore: new KeychainSecretStore({ service: 'Airlock-consume-test' }) });
  await signInFirstAdmin(core);
  const events: AirlockEvent[] = [];
  core.events.subscribe((e) => events.push(e));
  let volumeId: string | undefined;
  for (let i = 0; i < 60 && !volumeId; i++) {
    volumeId = core.volumes.current()[0]?.volumeId;
    if (!volumeId) await new Promise((r) => setTimeout(r, 100));
  }
  expect(volumeId).toBeDefined();
  expect(await core.call('import.start', { volumeId: volumeId! })).toMatchObject({ ok: true });
  for (let i = 0; i < 200 && !events.some((e) => e.name === 'import.finished'); i++) await new Promise((r) => setTimeout(r, 50));
  return { core, finished: events.find((e) => e.name === 'import.finished')! };
}

describe('use-once sticks', () => {
  it('overwrites and deletes what was imported and leaves a receipt signed by the kiosk key', async () => {
    const root = path.join(work, 'media-rw');
    const stick = await insertWritableStick({ 'photo.jpg': photo, 'caption.txt': 'Hello', 'notes.exe': 'MZ' }, root);
    sticks.push(stick);
    images.push(stick);
    expect((await readFile(stick.image)).includes(photo.subarray(0, 64))).toBe(true);
    const { core, finished } = await importFrom(root);
    expect(finished.payload).toMatchObject({ ok: true, imported: 1, posts: 1, stickCleared: true, warnings: [], warningErrors: [] });

    const left = (await readdir(stick.dir)).filter((n) => n !== 'lost+found').sort();
    expect(left).toEqual([RECEIPT_FILE, RECEIPT_SIGNATURE_FILE, 'notes.exe'].sort());
    const receiptBytes = await readFile(path.join(stick.dir, RECEIPT_FILE));
    const receipt = JSON.parse(receiptBytes.toString('utf8'));
    expect(receipt.files.map((f: { path: string }) => f.path).sort()).toEqual(['caption.txt', 'photo.jpg']);
    const kioskKey = parsePublicKey((await core.vault.kioskSigningKey()).publicKeyPem);
    const signer = verifyManifestSignature(receiptBytes, await readFile(path.join(stick.dir, RECEIPT_SIGNATURE_FILE)), [kioskKey]);
    expect(signer.fingerprint).toBe(kioskKey.fingerprint);

    const log = await core.audit.list({ kind: 'import.stick-cleared', limit: 5 });
    expect(log.entries[0]?.details).toMatchObject({ cleared: expect.arrayContaining(['photo.jpg', 'caption.txt']) });

    // The bytes were overwritten before deletion: the photo's first 64 bytes are nowhere in the
    // stick's file system image any more (they were there before the import).
    await core.close();
    await stick.unmount();
    expect((await readFile(stick.image)).includes(photo.subarray(0, 64))).toBe(false);
  });

  it('imports from a write-protected stick but says it could not clear it', async () => {
    const root = path.join(work, 'media-ro');
    const stick = await insertStick({ 'photo.jpg': photo }, { under: root });
    sticks.push(stick);
    const { finished } = await importFrom(root);
    expect(finished.payload).toMatchObject({ ok: true, imported: 1, stickCleared: false });
    expect((finished.payload as { warnings: string[] }).warnings[0]).toMatch(/write-protected/);
    // The same warning with its code, which the Import screen says in the staff's language.
    expect((finished.payload as { warningErrors: { code: string }[] }).warningErrors).toEqual([expect.objectContaining({ code: 'ingest.stick-read-only' })]);
    expect(existsSync(path.join(stick.dir, 'photo.jpg'))).toBe(true);
  });
});
