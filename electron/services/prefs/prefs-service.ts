// UI preferences: small choices that make the kiosk comfortable (the language each person reads,
// the queue's week or month view, the last folder imported from). They are not workflow data,
// so they live outside the database, in one JSON file in the data directory written atomically
// by `conf`. Only an allow-list of keys is accepted, each with its own schema; a file that cannot
// be read or does not match is reset with one line for IT, because a preference must never stop
// the kiosk.
import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { z } from 'zod';
import { AirlockError } from '../../../common/errors.ts';
import { UiLanguage, type PrefChange, type UiPrefs } from '../../../common/contract.ts';

const PersonPrefs = z
  .object({
    language: UiLanguage.optional(),
    queueView: z.enum(['list', 'week', 'month']).optional(),
    lastImportFolder: z.string().max(1024).optional(),
  })
  .strict();
type PersonPrefs = z.infer<typeof PersonPrefs>;

const PrefsFile = z
  .object({
    /** The language chosen on the sign-in screen, before anyone is signed in. */
    kiosk: z.object({ language: UiLanguage.optional() }).strict().default({}),
    /** Each person's own choices, by staff id. */
    staff: z.record(z.string().min(1).max(64), PersonPrefs).default({}),
  })
  .strict();
type PrefsFile = z.infer<typeof PrefsFile>;

export interface PrefsOptions {
  dataDir: string;
  /** The language the policy fixes, or null when staff may choose. */
  fixedLanguage: UiLanguage | null;
  /** The policy's language, used until someone chooses another. */
  defaultLanguage: UiLanguage;
  /** Where the line for IT goes when the file had to be reset. */
  warn?: (line: string) => void;
}

export const PREFS_FILE_NAME = 'ui-prefs.json';

export class PrefsService {
  readonly #conf: Conf<Record<string, unknown>>;
  readonly #options: PrefsOptions;
  readonly #warn: (line: string) => void;

  constructor(options: PrefsOptions) {
    this.#options = options;
    this.#warn = options.warn ?? ((line) => console.warn(line));
    const open = () =>
      new Conf<Record<string, unknown>>({
        cwd: options.dataDir,
        configName: 'ui-prefs',
        projectName: 'airlock',
        projectSuffix: '',
        // Airlock resets a broken file itself, so it can say so in the log.
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        configFileMode: 0o600,
      });
    let conf: Conf<Record<string, unknown>>;
    try {
      conf = open();
    } catch (err) {
      // conf reads the file as it opens it; a file it cannot parse is reset here.
      const file = path.join(options.dataDir, PREFS_FILE_NAME);
      this.#warnReset(file, `cannot be read (${err instanceof Error ? err.message : String(err)})`);
      fs.rmSync(file, { force: true });
      conf = open();
    }
    this.#conf = conf;
  }

  get path(): string {
    return this.#conf.path;
  }

  /** The preferences of `staffId` (or of the sign-in screen when nobody is signed in). */
  get(staffId: string | null): UiPrefs {
    const file = this.#read();
    const mine: PersonPrefs = staffId ? (file.staff[staffId] ?? {}) : {};
    const fixed = this.#options.fixedLanguage;
    return {
      language: fixed ?? mine.language ?? file.kiosk.language ?? this.#options.defaultLanguage,
      languageFixed: fixed !== null,
      queueView: mine.queueView ?? null,
      lastImportFolder: mine.lastImportFolder ?? null,
    };
  }

  /** Saves one preference; nobody signed in may only choose the sign-in screen's language. */
  set(staffId: string | null, change: PrefChange): UiPrefs {
    if (change.key === 'language' && this.#options.fixedLanguage !== null) {
      throw new AirlockError('prefs.language-fixed', "The kiosk's policy sets the language.", `policy language: ${this.#options.fixedLanguage}`);
    }
    if (staffId === null && change.key !== 'language') {
      throw new AirlockError('staff.signed-out', 'You are signed out. Sign in again to continue.');
    }
    const file = this.#read();
    const next: PrefsFile =
      staffId === null
        ? { ...file, kiosk: { ...file.kiosk, language: change.value as UiLanguage } }
        : { ...file, staff: { ...file.staff, [staffId]: { ...(file.staff[staffId] ?? {}), [change.key]: change.value } } };
    // Checked again as a whole, so nothing that does not match is ever written.
    this.#conf.store = PrefsFile.parse(next);
    return this.get(staffId);
  }

  #read(): PrefsFile {
    let raw: unknown;
    try {
      raw = this.#conf.store;
    } catch (err) {
      return this.#reset(`cannot be read (${err instanceof Error ? err.message : String(err)})`);
    }
    const parsed = PrefsFile.safeParse(raw);
    if (parsed.success) return parsed.data;
    return this.#reset(`does not match (${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')})`);
  }

  #warnReset(file: string, why: string): void {
    this.#warn(`[prefs] the UI preferences file ${file} ${why}; it was reset to defaults. Nothing else is affected.`);
  }

  #reset(why: string): PrefsFile {
    this.#warnReset(this.#conf.path, why);
    fs.rmSync(this.#conf.path, { force: true });
    const empty = PrefsFile.parse({});
    this.#conf.store = empty;
    return empty;
  }
}
