import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrefChange } from '../../../../common/contract.ts';
import { PrefsService, PREFS_FILE_NAME } from '../../../../electron/services/prefs/prefs-service.ts';

describe('UI preferences', () => {
  let dir: string;
  let warnings: string[];
  const open = (fixedLanguage: 'en' | 'et' | null = null) =>
    new PrefsService({ dataDir: dir, defaultLanguage: 'en', fixedLanguage, warn: (line) => warnings.push(line) });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-prefs-'));
    warnings = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts from the policy language and remembers each person’s choices in the data directory', () => {
    const prefs = open();
    expect(prefs.path).toBe(path.join(dir, PREFS_FILE_NAME));
    expect(prefs.get(null)).toEqual({ language: 'en', languageFixed: false, queueView: null, lastImportFolder: null });
    prefs.set('ada', { key: 'language', value: 'et' });
    prefs.set('ada', { key: 'queueView', value: 'month' });
    prefs.set('bob', { key: 'lastImportFolder', value: 'spring/photos' });
    const again = open();
    expect(again.get('ada')).toEqual({ language: 'et', languageFixed: false, queueView: 'month', lastImportFolder: null });
    expect(again.get('bob')).toEqual({ language: 'en', languageFixed: false, queueView: null, lastImportFolder: 'spring/photos' });
    expect(fs.statSync(prefs.path).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([]);
  });

  it('uses the sign-in screen’s language for people who have not chosen one', () => {
    const prefs = open();
    prefs.set(null, { key: 'language', value: 'et' });
    expect(prefs.get(null).language).toBe('et');
    expect(prefs.get('carol').language).toBe('et');
    prefs.set('carol', { key: 'language', value: 'en' });
    expect(prefs.get('carol').language).toBe('en');
    expect(prefs.get(null).language).toBe('et');
  });

  it('refuses to change a language the policy fixes, and other preferences when nobody is signed in', () => {
    const prefs = open('et');
    expect(prefs.get('ada')).toMatchObject({ language: 'et', languageFixed: true });
    expect(() => prefs.set('ada', { key: 'language', value: 'en' })).toThrow(expect.objectContaining({ code: 'prefs.language-fixed' }));
    expect(() => open().set(null, { key: 'queueView', value: 'week' })).toThrow(expect.objectContaining({ code: 'staff.signed-out' }));
    expect(fs.existsSync(path.join(dir, PREFS_FILE_NAME))).toBe(false);
  });

  it('accepts only the allow-listed keys and values', () => {
    expect(PrefChange.safeParse({ key: 'language', value: 'et' }).success).toBe(true);
    expect(PrefChange.safeParse({ key: 'language', value: 'fr' }).success).toBe(false);
    expect(PrefChange.safeParse({ key: 'queueView', value: 'year' }).success).toBe(false);
    expect(PrefChange.safeParse({ key: 'theme', value: 'dark' }).success).toBe(false);
    expect(PrefChange.safeParse({ key: 'lastImportFolder', value: 'x'.repeat(1025) }).success).toBe(false);
    expect(PrefChange.safeParse({ key: 'queueView', value: 'week', extra: 1 }).success).toBe(false);
  });

  it.each([
    ['not JSON', '{"staff": {"ada": '],
    ['the wrong shape', JSON.stringify({ staff: { ada: { language: 'klingon' } } })],
    ['an unknown key', JSON.stringify({ theme: 'dark' })],
  ])('resets a file that is %s, says so in one line for IT, and keeps working', (_what, content) => {
    fs.writeFileSync(path.join(dir, PREFS_FILE_NAME), content);
    const prefs = open();
    expect(prefs.get('ada')).toEqual({ language: 'en', languageFixed: false, queueView: null, lastImportFolder: null });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('[prefs]');
    expect(warnings[0]).toContain(path.join(dir, PREFS_FILE_NAME));
    prefs.set('ada', { key: 'language', value: 'et' });
    expect(open().get('ada').language).toBe('et');
    expect(warnings).toHaveLength(1);
  });
});
