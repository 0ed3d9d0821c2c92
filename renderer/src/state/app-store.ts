// Application-wide state: what Airlock is, where it runs and which policy governs it.
import { create } from 'zustand';
import type { AppInfo, PolicySummary } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { ApiError, call } from '../api/client.ts';
import { t } from '../i18n/index.ts';

interface AppState {
  status: 'loading' | 'ready' | 'error';
  info: AppInfo | null;
  policy: PolicySummary | null;
  error: AirlockErrorValue | null;
  load(): Promise<void>;
}

export const useAppStore = create<AppState>((set) => ({
  status: 'loading',
  info: null,
  policy: null,
  error: null,
  load: async () => {
    try {
      const [info, policy] = await Promise.all([call('app.info', {}), call('policy.summary', {})]);
      set({ status: 'ready', info, policy, error: null });
    } catch (err) {
      const value =
        err instanceof ApiError
          ? err.value
          : { code: 'renderer.unexpected', message: t('errors.renderer.load-failed'), detail: String(err) };
      set({ status: 'error', error: value });
    }
  },
}));
