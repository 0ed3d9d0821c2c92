// The application frame: the training banner when it applies, and the current screen.
import { HomeScreen } from './screens/HomeScreen.tsx';
import { useAppStore } from './state/app-store.ts';

export function App() {
  const training = useAppStore((s) => s.info?.trainingMode ?? false);
  return (
    <>
      {training ? (
        <div className="training-banner" role="note">
          Training mode — nothing leaves this machine
        </div>
      ) : null}
      <div className="app-bar">
        <span className="app-bar__name">Airlock</span>
      </div>
      <main className="main">
        <HomeScreen />
      </main>
    </>
  );
}
