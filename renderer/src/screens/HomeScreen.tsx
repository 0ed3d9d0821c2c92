// The home screen: which shell Airlock runs in, its version, and the policy IT has set.
import { useState } from 'react';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { PLATFORM_LABELS, type PlatformId } from '../../../common/platforms.ts';
import { ApiError, call, subscribe } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useAppStore } from '../state/app-store.ts';
import { t, useTranslation } from '../i18n/index.ts';

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
        () => reject(new ApiError({ code: 'renderer.event-timeout', message: t('errors.renderer.event-timeout') })),
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
          error: err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: t('home.checkFailed'), detail: String(err) },
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
  const { t } = useTranslation();

  if (status === 'loading') return <p className="muted" role="status">{t('app.loading')}</p>;
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
          <h2 id="about-title">{t('home.kiosk')}</h2>
          <dl className="facts">
            <dt>{t('home.runningAs')}</dt>
            <dd data-testid="shell">{t(`home.shell.${info.shell}`)}</dd>
            <dt>{t('home.version')}</dt>
            <dd data-testid="version">{info.version}</dd>
            <dt>{t('home.mode')}</dt>
            <dd>{info.trainingMode ? t('home.modeTraining') : t('home.modeLive')}</dd>
          </dl>
          <button type="button" className="button" onClick={runCheck} disabled={check.state === 'checking'}>
            {t('home.check')}
          </button>
          <p role="status" data-testid="connection" className="muted">
            {check.state === 'ok' ? t('home.checkOk', { millis: check.millis }) : null}
            {check.state === 'checking' ? t('home.checking') : null}
          </p>
          {check.state === 'failed' ? <ErrorNotice error={check.error} /> : null}
        </article>

        <article className="card" aria-labelledby="policy-title">
          <h2 id="policy-title">{t('home.policyTitle')}</h2>
          <dl className="facts" data-testid="policy">
            <dt>{t('home.policy')}</dt>
            <dd>{policy.source === 'file' ? t('home.policyFrom', { path: policy.path }) : t('home.policyDefaults')}</dd>
            <dt>{t('home.platforms')}</dt>
            <dd>{policy.enabledPlatforms.map((p) => PLATFORM_LABELS[p as PlatformId] ?? p).join(', ') || t('home.none')}</dd>
            <dt>{t('home.approval')}</dt>
            <dd>{policy.twoPersonApproval ? t('home.twoPerson') : t('home.onePerson')}</dd>
            <dt>{t('home.packages')}</dt>
            <dd>
              {policy.signedPackages === 'required' ? t('home.signedRequired') : t('home.signedOptional')} ·{' '}
              {t('home.trustedKeys', { count: policy.trustedKeyCount })}
            </dd>
            <dt>{t('home.screenLock')}</dt>
            <dd>{t('home.lockAfter', { count: policy.idleLockMinutes })}</dd>
          </dl>
        </article>
      </div>
    </section>
  );
}
