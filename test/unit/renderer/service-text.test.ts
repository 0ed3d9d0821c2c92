// The sanitisation report in the active language: the renderer says each finding by its code
// with its values formatted for the language, English says what the services wrote, and a code
// the catalogue does not know shows the service's own sentence.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANITIZE_FINDING_CODES, type SanitizeFinding } from '../../../common/sanitize-report.ts';
import { cleanCaption } from '../../../electron/services/sanitize/caption.ts';
import { sanitizeImage } from '../../../electron/services/sanitize/image.ts';
import { stripMp4MetadataBytes } from '../../../electron/services/sanitize/mp4/index.ts';
import { setLanguage, staffMessage } from '../../../renderer/src/i18n/index.ts';
import { findingText, findingTranslated, serviceParams } from '../../../renderer/src/i18n/service-text.ts';
import { revealingJpeg } from '../../support/image-fixtures.ts';
import { ascii, box, fullBox, minimalMp4, u16, u32, u8 } from '../../support/video-fixtures.ts';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
/** Sentences whose English the renderer writes its own way: a size in kB, a date in words. */
const FORMATTED_IN_RENDERER = new Set(['image.trailing-data', 'image.date-taken', 'video.creation-date']);

let dir: string;
let produced: SanitizeFinding[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-service-text-'));
  const image = await sanitizeImage(await revealingJpeg(dir), path.join(dir, 'clean.jpg'));
  const loci = fullBox('loci', 0, 0, u16(0x15c7), ascii('Harbour\0'), u8(0), u32(Math.round(24.7536 * 65536)), u32(Math.round(59.437 * 65536)), u32(0), ascii('earth\0\0'));
  const qtText = (type: string, text: string): Buffer => box(type, u16(Buffer.byteLength(text)), u16(0x55c4), Buffer.from(text));
  const udta = box('udta', loci, qtText('\u00a9mod', 'HERO12 Black'), qtText('\u00a9nam', 'Ferry'), qtText('\u00a9zzz', 'unknown'), u32(0));
  const video = await stripMp4MetadataBytes(minimalMp4('faststart', { moovExtras: [udta] }));
  const caption = cleanCaption('Ferry \u202E#harbour\u202C\u200B from Monday in Тallinn\r\u{E0041}\u0007');
  produced = [...image.report.findings, ...video.report.findings, ...caption.findings, ...caption.warnings];
});

afterAll(async () => {
  await setLanguage('en');
  await rm(dir, { recursive: true, force: true });
});

describe('sanitisation findings in the active language', () => {
  it('gives every finding a code from the list, and says in English what the service wrote', async () => {
    await setLanguage('en');
    expect(produced.length).toBeGreaterThan(10);
    for (const f of produced) {
      expect(SANITIZE_FINDING_CODES).toContain(f.code);
      expect(findingTranslated(f)).toBe(true);
      if (!FORMATTED_IN_RENDERER.has(f.code!)) expect(nbsp(findingText(f))).toBe(f.text);
    }
  });

  it('says each finding in Estonian, with numbers written the Estonian way', async () => {
    await setLanguage('et');
    for (const f of produced) expect(findingText(f)).not.toBe(f.text);
    const texts = produced.map((f) => nbsp(findingText(f)));
    expect(texts).toContain('Eemaldati GPS-asukoht 51,50° p.l., 0,12° l.p.');
    expect(texts).toContain('Eemaldati 2 teksti suuna juhtmärki');
    expect(texts).toContain('Sõnas „Тallinn“ on segamini ladina ja kirillitsa tähed, nii et see võib ainult näida tavalise sõnana. Kontrolli seda enne avaldamist.');
    expect(nbsp(findingText({ kind: 'location', code: 'video.location', text: 'Location 59.4370 N, 24.7536 E removed', params: { lat: 59.437, lon: 24.7536 } }))).toBe(
      'Eemaldati asukoht 59,4370° p.l., 24,7536° i.p.',
    );
    expect(nbsp(findingText({ kind: 'hidden-data', code: 'image.trailing-data', text: '1,536 bytes of hidden data after the end of the picture removed', params: { bytes: 1536 } }))).toBe(
      'Eemaldati pildi lõpu järel olnud 1,5 kB peidetud andmeid',
    );
    expect(findingText({ kind: 'serial', code: 'image.camera-serials', text: '3 camera and lens serial numbers removed', params: { count: 3 } })).toBe('Eemaldati 3 kaamera ja objektiivi seerianumbrit');
    expect(findingText({ kind: 'title', code: 'video.tag', text: 'Title tag removed', params: { tag: 'title' } })).toBe('Eemaldati metaandmesilt: pealkiri');
  });

  it('shows the service sentence for a code the catalogue does not know, or a report stored without codes', async () => {
    await setLanguage('et');
    const unknown = { kind: 'hidden-data', code: 'image.future-thing', text: 'A future kind of hidden data removed' };
    expect(findingTranslated(unknown)).toBe(false);
    expect(findingText(unknown)).toBe('A future kind of hidden data removed');
    const stored: SanitizeFinding = { kind: 'location', text: 'GPS position 51.50 N, 0.12 W removed' };
    expect(findingTranslated(stored)).toBe(false);
    expect(findingText(stored)).toBe('GPS position 51.50 N, 0.12 W removed');
  });
});

describe('refused files in the active language', () => {
  it('says a refusal with its sizes in Estonian, and keeps the service sentence in English', async () => {
    const reason = 'This photo is 5 MB; the limit is 4 MB.';
    const params = { bytes: 5 * 1024 * 1024, limit: 4 * 1024 * 1024 };
    await setLanguage('et');
    expect(nbsp(staffMessage('ingest.too-large', reason, serviceParams(params)))).toBe('See fail on 5,0 MB; lubatud on kuni 4,0 MB.');
    expect(staffMessage('ingest.too-deep', 'This folder is more than 8 folders deep, so Airlock did not look inside it.', serviceParams({ depth: 8 }))).toBe(
      'See kaust on sügavamal kui 8 kausta, seega Airlock ei vaadanud selle sisse.',
    );
    await setLanguage('en');
    expect(staffMessage('ingest.too-large', reason, serviceParams(params))).toBe(reason);
  });
});
