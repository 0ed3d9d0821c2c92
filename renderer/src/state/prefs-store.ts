// UI preferences of whoever is at the kiosk: the language the screens speak (fixed by the
// policy, or chosen on the sign-in screen and by each person), and small remembered choices.
// Reloaded whenever someone signs in or out, so each person gets their own language back.
import { create } from 'zustand';
import type { PrefChange, UiPrefs } from '../../../common/contract.ts';
import { call, subscribe } from '../api/client.ts';
import { setLanguage, type Language } from '../i18n/index.ts';

interface PrefsState {
  prefs: UiPrefs | null;
  languageFixed: boolean;
  load(): Promise<void>;
  chooseLanguage(language: Language): Promise<void>;
  save(change: Exclude<PrefChange, { key: 'language' }>): Promise<void>;
  listen(): () => void;
}

export const usePrefsStore = create<PrefsState>((set, get) => ({
  prefs: null,
  languageFixed: false,
  load: async () => {
    try {
      const prefs = await call('prefs.get', {});
      set({ prefs, languageFixed: prefs.languageFixed });
      await setLanguage(prefs.language);
    } catch {
      // Preferences only make the kiosk comfortable; without them it keeps its current language.
    }
  },
  chooseLanguage: async (language) => {
    // The screen changes at once; saving is best effort.
    await setLanguage(language);
    try {
      const prefs = await call('prefs.set', { key: 'language', value: language });
      set({ prefs, languageFixed: prefs.languageFixed });
    } catch {
      await get().load();
    }
  },
  save: async (change) => {
    try {
      set({ prefs: await call('prefs.set', change) });
    } catch {
      // Not worth interrupting anyone for: the choice is simply not remembered.
    }
  },
  listen: () =>
    subscribe((event) => {
      if (event.name === 'staff.changed' && event.payload.kind !== 'accounts.changed') void get().load();
    }),
}));
