// The application frame: the training banner when it applies, navigation, and the current screen.
import { useEffect, useState } from 'react';
import { ErrorNotice } from './components/ErrorNotice.tsx';
import { HomeScreen } from './screens/HomeScreen.tsx';
import { ImportScreen } from './screens/ImportScreen.tsx';
import { AccountsScreen } from './screens/AccountsScreen.tsx';
import { AdminScreen } from './screens/AdminScreen.tsx';
import { AuditScreen } from './screens/AuditScreen.tsx';
import { DiagnosticsScreen } from './screens/DiagnosticsScreen.tsx';
import { FeedScreen } from './screens/FeedScreen.tsx';
import { LibraryScreen } from './screens/LibraryScreen.tsx';
import { PostsScreen } from './screens/PostsScreen.tsx';
import { StaffScreen } from './screens/StaffScreen.tsx';
import { FirstRunScreen, SignInScreen } from './screens/SignInScreen.tsx';
import { useAppStore } from './state/app-store.ts';
import { useStaffStore } from './state/staff-store.ts';
import { usePrefsStore } from './state/prefs-store.ts';
import { GuidedTour } from './training/GuidedTour.tsx';
import { TrainingPanel } from './training/TrainingPanel.tsx';
import { useTranslation } from './i18n/index.ts';
import { LanguageSwitch } from './i18n/LanguageSwitch.tsx';

const SCREENS = [
  { id: 'home', label: 'nav.home' },
  { id: 'import', label: 'nav.import' },
  { id: 'library', label: 'nav.library' },
  { id: 'posts', label: 'nav.posts' },
  { id: 'audit', label: 'nav.audit' },
  { id: 'staff', label: 'nav.staff' },
  { id: 'accounts', label: 'nav.accounts' },
  { id: 'policy', label: 'nav.policy' },
  { id: 'diagnostics', label: 'nav.diagnostics' },
  // Training mode only: what the platform simulator published.
  { id: 'feed', label: 'nav.feed' },
] as const;

type ScreenId = (typeof SCREENS)[number]['id'];

export function App() {
  const { t } = useTranslation();
  const training = useAppStore((s) => s.info?.trainingMode ?? false);
  const loadApp = useAppStore((s) => s.load);
  const { status, load, listen, touch, signOut, error } = useStaffStore();
  const [screen, setScreen] = useState<ScreenId>('home');

  useEffect(() => {
    void loadApp();
    void load();
    return listen();
  }, [loadApp, load, listen]);

  const loadPrefs = usePrefsStore((s) => s.load);
  const listenPrefs = usePrefsStore((s) => s.listen);
  useEffect(() => {
    void loadPrefs();
    return listenPrefs();
  }, [loadPrefs, listenPrefs]);

  // Any use of the screen keeps the session alive; the core locks it after the policy's idle time.
  useEffect(() => {
    const onActivity = () => touch();
    window.addEventListener('pointerdown', onActivity);
    window.addEventListener('keydown', onActivity);
    return () => {
      window.removeEventListener('pointerdown', onActivity);
      window.removeEventListener('keydown', onActivity);
    };
  }, [touch]);

  const me = status?.current ?? null;
  return (
    <>
      {training ? (
        <div className="training-banner" role="note">
          {t('app.trainingBanner')}
        </div>
      ) : null}
      {training ? <TrainingPanel /> : null}
      <div className="app-bar">
        <span className="app-bar__name">{t('app.name')}</span>
        {me ? (
          <nav aria-label={t('app.mainNav')}>
            <ul className="nav">
              {SCREENS.filter((s) => s.id !== 'feed' || training).map((s) => (
                <li key={s.id}>
                  <button type="button" className="nav__item" aria-current={screen === s.id ? 'page' : undefined} onClick={() => setScreen(s.id)}>
                    {t(s.label)}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {me ? (
          <div className="app-bar__who">
            <span data-testid="signed-in-as">
              {t('app.signedInAs', { name: me.name, role: t(`roles.${me.role}`) })}
            </span>
            <LanguageSwitch />
            <button type="button" className="nav__item" onClick={() => void signOut()}>
              {t('app.signOut')}
            </button>
          </div>
        ) : null}
      </div>
      <main className="main">
        {status === null && error ? <ErrorNotice error={error} /> : null}
        {status === null && !error ? <p className="muted" role="status">{t('app.loading')}</p> : null}
        {status?.needsFirstAdmin ? <FirstRunScreen /> : null}
        {status && !status.needsFirstAdmin && !me ? <SignInScreen /> : null}
        {me && screen === 'home' ? <HomeScreen /> : null}
        {me && screen === 'import' ? <ImportScreen onOpenLibrary={() => setScreen('library')} /> : null}
        {me && screen === 'library' ? <LibraryScreen /> : null}
        {me && screen === 'posts' ? <PostsScreen /> : null}
        {me && screen === 'audit' ? <AuditScreen /> : null}
        {me && screen === 'staff' ? <StaffScreen /> : null}
        {me && screen === 'accounts' ? <AccountsScreen /> : null}
        {me && screen === 'policy' ? <AdminScreen /> : null}
        {me && screen === 'diagnostics' ? <DiagnosticsScreen /> : null}
        {me && training && screen === 'feed' ? <FeedScreen /> : null}
      </main>
      {training ? <GuidedTour /> : null}
    </>
  );
}
