// The sample content trainers "insert" on a virtual stick: photos that carry GPS, camera and
// author details, a video tagged with a location, captions with a hidden text-direction
// character, a package signed with a key made for this session, and a tampered copy of it.
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { buildPackage } from '../package/builder.ts';
import { generateSigningKeyPair, type SigningKeyPair } from '../package/keys.ts';

/** The training sticks, by id; the renderer says each one's description in the staff's language. */
export const TRAINING_STICK_IDS = ['harbour-day', 'tampered', 'loose'] as const;
export type TrainingStickId = (typeof TRAINING_STICK_IDS)[number];

export interface TrainingStick {
  stickId: TrainingStickId;
  /** The stick's volume label, as the Import screen shows it in every language. */
  label: string;
  /** In English, for logs and IT; the renderer translates it by `stickId`. */
  description: string;
  dir: string;
}

export interface TrainingContent {
  key: SigningKeyPair;
  sticks: TrainingStick[];
  root: string;
}

/** Where the sample video is in a checkout; the Electron shell passes the packaged copy's folder. */
const DEFAULT_ASSETS = fileURLToPath(new URL('../../../assets/demo/', import.meta.url));

async function revealingPhoto(file: string, colour: string, gps: { lat: string; lon: string }): Promise<void> {
  // A calm two-tone picture; what matters is what it hides: where, with what, and by whom.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1350"><rect width="1080" height="1350" fill="${colour}"/><rect y="900" width="1080" height="450" fill="#1b2430" opacity="0.35"/><circle cx="780" cy="360" r="150" fill="#f6f7f9" opacity="0.8"/></svg>`;
  await sharp(Buffer.from(svg))
    .jpeg({ quality: 80 })
    .withExif({
      IFD0: { Make: 'Apple', Model: 'iPhone 15 Pro', Artist: 'Jane Fieldofficer', Software: 'Photos 9.0', Copyright: 'Harbour City Council' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: gps.lat, GPSLongitudeRef: 'E', GPSLongitude: gps.lon },
    })
    .toFile(file);
}

/** Builds the training sticks in a fresh temporary folder; call remove() to delete them. */
export async function makeTrainingContent(assetsDir: string = DEFAULT_ASSETS): Promise<TrainingContent & { remove(): Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'airlock-training-'));
  const media = path.join(root, 'media');
  await mkdir(media);
  await revealingPhoto(path.join(media, 'harbour.jpg'), '#2f6f9f', { lat: '59/1 26/1 39/1', lon: '24/1 46/1 16/1' });
  await revealingPhoto(path.join(media, 'market.jpg'), '#8a5a2b', { lat: '59/1 26/1 14/1', lon: '24/1 44/1 43/1' });
  await copyFile(path.join(assetsDir, 'ferry.mp4'), path.join(media, 'ferry.mp4'));

  const key = generateSigningKeyPair();
  const signed = path.join(root, 'sticks', 'harbour-day');
  await mkdir(path.dirname(signed), { recursive: true });
  await buildPackage({
    outDir: signed,
    keys: key,
    plan: {
      author: 'Comms team (training)',
      posts: [
        {
          // A hidden right-to-left override: the sanitiser removes it and says so.
          caption: 'New ferry timetable from Monday \u202E#harbour\u202C — plan your trip!',
          targets: ['tiktok'],
          media: [{ source: path.join(media, 'ferry.mp4'), path: 'video/ferry.mp4', alt: 'The ferry leaving the harbour' }],
        },
        {
          caption: 'Market day at the old harbour this Saturday 🎉',
          targets: ['tiktok'],
          media: [{ source: path.join(media, 'harbour.jpg'), path: 'photos/harbour.jpg', alt: 'Boats in the old harbour' }],
        },
      ],
    },
  });

  // The same package, with a photo swapped after it was signed.
  const tampered = path.join(root, 'sticks', 'tampered');
  await mkdir(tampered, { recursive: true });
  for (const entry of await readdir(signed, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = path.relative(signed, path.join(entry.parentPath, entry.name));
    await mkdir(path.dirname(path.join(tampered, rel)), { recursive: true });
    await copyFile(path.join(signed, rel), path.join(tampered, rel));
  }
  await copyFile(path.join(media, 'market.jpg'), path.join(tampered, 'photos', 'harbour.jpg'));

  const loose = path.join(root, 'sticks', 'loose');
  await mkdir(loose, { recursive: true });
  await copyFile(path.join(media, 'market.jpg'), path.join(loose, 'market.jpg'));
  await writeFile(path.join(loose, 'caption.txt'), 'Market day this Saturday\u200B!');

  return {
    root,
    key,
    sticks: [
      { stickId: 'harbour-day', label: 'HARBOUR DAY', description: 'A signed package from the comms team: a video and a photo post for TikTok.', dir: signed },
      { stickId: 'tampered', label: 'TAMPERED', description: 'The same package with a photo swapped after signing. Airlock refuses it.', dir: tampered },
      { stickId: 'loose', label: 'LOOSE FILES', description: 'A photo and a caption without a signed package. Refused while the policy requires signed packages.', dir: loose },
    ],
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
