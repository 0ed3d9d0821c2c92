// The home screen: which shell Airlock runs in, its version, and the policy IT has set.
import { useState } from 'react';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { PLATFORM_LABELS, type PlatformId } from '../../../common/platforms.ts';
import { ApiError, call, subscribe } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useAppStore } from '../state/app-store.ts';

const SHELL_LABEL = {
  electron: 'Airlock desktop app',
  browser: 'Browser shell (development, tests and training)',
} as const;


type ConnectionCheck =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'ok'; millis: number }
  | { state: 'failed'; error: AirlockErrorValue };

function useConnectionCheck(): [ConnectionCheck, () => void] {
  const [check, setCheck] = useState<ConnectionCheck>({ state: 'idle' });
  const run = () => {
    const nonce = crypto.randomUUID();
    const started = performance.now();
    setCheck({ state: 'checking' });
    // The check passes only when the answer arrives on the event stream too.
    let stop = () => {};
    const heard = new Promise<void>((resolve) => {
      stop = subscribe((event) => {
        if (event.name === 'app.pinged' && event.payload.nonce === nonce) resolve();
      });
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new ApiError({ code: 'renderer.event-timeout', message: 'Airlock answered, but its live updates are not arriving.' })),
        5000,
      ),
    );
    // The live-update stream may still be connecting when the button is pressed, so the ping
    // repeats until its echo arrives or the timeout ends the check.
    const ping = () => call('app.ping', { nonce });
    const repeat = setInterval(() => void ping().catch(() => {}), 400);
    Promise.race([Promise.all([ping(), heard]), timeout])
      .then(() => setCheck({ state: 'ok', millis: Math.round(performance.now() - started) }))
      .catch((err: unknown) =>
        setCheck({
          state: 'failed',
          error: err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: 'The check failed.', detail: String(err) },
        }),
      )
      .finally(() => {
        clearInterval(repeat);
        stop();
      });
  };
  return [check, run];
}

export function HomeScreen() {
  const { status, info, policy, error } = useAppStore();
  const [check, runCheck] = useConnectionCheck();

  if (status === 'loading') return <p className="muted" role="status">Loading…</p>;
  if (status === 'error' && error) return <ErrorNotice error={error} />;
  if (!info || !policy) return null;

  return (
    <section aria-labelledby="home-title" className="stack">
      <header className="page-header">
        <h1 id="home-title">{policy.kioskName}</h1>
        <p className="muted">{policy.organisation}</p>
      </header>

      <div className="card-grid">
        <article className="card" aria-labelledby="about-title">
          <h2 id="about-title">This kiosk</h2>
          <dl className="facts">
            <dt>Running as</dt>
            <dd data-testid="shell">{SHELL_LABEL[info.shell]}</dd>
            <dt>Version</dt>
            <dd data-testid="version">{info.version}</dd>
            <dt>Mode</dt>
            <dd>{info.trainingMode ? 'Training — nothing leaves this machine' : 'Live'}</dd>
          </dl>
          <button type="button" className="button" onClick={runCheck} disabled={check.state === 'checking'}>
            Check connection to Airlock
          </button>
          <p role="status" data-testid="connection" className="muted">
            {check.state === 'ok' ? `✓ Connected: answered and live updates arrived in ${check.millis} ms.` : null}
            {check.state === 'checking' ? 'Checking…' : null}
          </p>
          {check.state === 'failed' ? <ErrorNotice error={check.error} /> : null}
        </article>

        <article className="card" aria-labelledby="policy-title">
          <h2 id="policy-title">Policy set by IT</h2>
          <dl className="facts" data-testid="policy">
            <dt>Policy</dt>
            <dd>{policy.source === 'file' ? `From ${policy.path}` : 'No policy file: built-in defaults'}</dd>
            <dt>Platforms</dt>
            <dd>{policy.enabledPlatforms.map((p) => PLATFORM_LABELS[p as PlatformId] ?? p).join(', ') || 'None'}</dd>
            <dt>Approval</dt>
            <dd>{policy.twoPersonApproval ? 'A second person must approve every post' : 'Authors may publish their own posts'}</dd>
            <dt>USB packages</dt>
            <dd>
              {policy.signedPackages === 'required' ? 'Must be signed' : 'Unsigned packages become unapproved drafts'} ·{' '}
              {policy.trustedKeyCount} trusted {policy.trustedKeyCount === 1 ? 'key' : 'keys'}
            </dd>
            <dt>Screen lock</dt>
            <dd>After {policy.idleLockMinutes} minutes without use</dd>
          </dl>
        </article>
      </div>
    </section>
  );
}
