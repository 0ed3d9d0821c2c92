// The application frame: the training banner when it applies, navigation, and the current screen.
import { useState } from 'react';
import { HomeScreen } from './screens/HomeScreen.tsx';
import { ImportScreen } from './screens/ImportScreen.tsx';
import { LibraryScreen } from './screens/LibraryScreen.tsx';
import { useAppStore } from './state/app-store.ts';

const SCREENS = [
  { id: 'home', label: 'Home' },
  { id: 'import', label: 'Import' },
  { id: 'library', label: 'Library' },
] as const;

type ScreenId = (typeof SCREENS)[number]['id'];

export function App() {
  const training = useAppStore((s) => s.info?.trainingMode ?? false);
  const [screen, setScreen] = useState<ScreenId>('home');
  return (
    <>
      {training ? (
        <div className="training-banner" role="note">
          Training mode — nothing leaves this machine
        </div>
      ) : null}
      <div className="app-bar">
        <span className="app-bar__name">Airlock</span>
        <nav aria-label="Main">
          <ul className="nav">
            {SCREENS.map((s) => (
              <li key={s.id}>
                <button type="button" className="nav__item" aria-current={screen === s.id ? 'page' : undefined} onClick={() => setScreen(s.id)}>
                  {s.label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      <main className="main">
        {screen === 'home' ? <HomeScreen /> : null}
        {screen === 'import' ? <ImportScreen onOpenLibrary={() => setScreen('library')} /> : null}
        {screen === 'library' ? <LibraryScreen /> : null}
      </main>
    </>
  );
}
