// The training bar under the banner, on every screen in training mode: the virtual USB sticks
// to insert and remove, the demo account the simulator stands in for, the guided tour, and a
// reset that throws away everything done in the session.
import { useEffect, useId, useState } from 'react';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Dialog } from '../screens/posts/Dialog.tsx';
import { platformName } from '../screens/posts/post-words.ts';
import { useTourStore } from './tour-store.ts';
import { useTrainingStore } from './training-store.ts';
import { useTranslation } from '../i18n/index.ts';

function ResetDialog({ onClose }: { onClose: () => void }) {
  const { reset, resetting, error } = useTrainingStore();
  const { t } = useTranslation();
  return (
    <Dialog
      title={t('training.resetTitle')}
      onClose={() => (resetting ? undefined : onClose())}
      actions={
        <>
          <button type="button" className="button button--danger" disabled={resetting} onClick={() => void reset()}>
            {resetting ? t('training.resetting') : t('training.reset')}
          </button>
          <button type="button" className="button button--secondary" disabled={resetting} data-autofocus onClick={onClose}>
            {t('training.keepWorking')}
          </button>
        </>
      }
    >
      <p>
        <strong>{t('training.resetWarning')}</strong> {t('training.resetExplain')}
      </p>
      {resetting ? (
        <p role="status" className="training-reset__status">
          {t('training.starting')}
        </p>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}

export function TrainingPanel() {
  const { status, error, expanded, busyStick, load, listen, setExpanded, toggleStick } = useTrainingStore();
  const startTour = useTourStore((s) => s.start);
  const [confirmReset, setConfirmReset] = useState(false);
  const bodyId = useId();
  const { t } = useTranslation();

  useEffect(() => {
    void load();
    return listen();
  }, [load, listen]);

  const accounts = status?.accounts ?? [];
  return (
    <section className="training-panel" aria-label={t('training.tools')} data-testid="training-panel">
      <div className="training-panel__bar">
        <button type="button" className="training-panel__toggle" aria-expanded={expanded} aria-controls={bodyId} onClick={() => setExpanded(!expanded)}>
          <span aria-hidden="true" className="training-panel__chevron">
            ▸
          </span>{' '}
          {t('training.tools')}
        </button>
        <p className="training-panel__account">
          {accounts.length === 0 ? (
            <span className="muted">{t('training.noAccount')}</span>
          ) : (
            accounts.map((a) => (
              <span key={`${a.platform}:${a.name}`} className="training-panel__account-item">
                <span aria-hidden="true">●</span> {t('training.demoAccount', { platform: platformName(a.platform) })} <strong>{a.name}</strong>
              </span>
            ))
          )}
        </p>
        <div className="training-panel__actions">
          <button type="button" className="button button--secondary" data-tour-start onClick={startTour}>
            {t('training.startTour')}
          </button>
          <button type="button" className="button button--danger" onClick={() => setConfirmReset(true)}>
            {t('training.resetOpen')}
          </button>
        </div>
      </div>
      <div id={bodyId} className="training-panel__body" hidden={!expanded}>
        <ul className="training-sticks" aria-label={t('training.sticks')}>
          {status?.sticks.map((s) => (
            <li key={s.stickId} className={`training-stick${s.inserted ? ' is-inserted' : ''}`}>
              <div className="training-stick__head">
                <p className="training-stick__label">
                  {s.label}
                  <span className="training-stick__state">{s.inserted ? t('training.inserted') : t('training.notInserted')}</span>
                </p>
                {/* The stick's name is in the button's accessible name, and shown right beside it. */}
                <button
                  type="button"
                  className={`button button--small${s.inserted ? ' button--secondary' : ''}`}
                  data-testid={`training-stick-${s.stickId}`}
                  aria-describedby={`${bodyId}-${s.stickId}`}
                  disabled={busyStick !== null}
                  onClick={() => void toggleStick(s.stickId)}
                >
                  {busyStick === s.stickId ? t('training.working') : s.inserted ? t('training.remove') : t('training.insert')}
                  <span className="visually-hidden"> {s.label}</span>
                </button>
              </div>
              <p id={`${bodyId}-${s.stickId}`} className="training-stick__description">
                {t(`training.stick.${s.stickId}.description`, { defaultValue: s.description })}
              </p>
            </li>
          ))}
        </ul>
        {!status && !error ? <p className="muted">{t('training.loadingSticks')}</p> : null}
      </div>
      {error && !confirmReset ? <ErrorNotice error={error} /> : null}
      {confirmReset ? <ResetDialog onClose={() => setConfirmReset(false)} /> : null}
    </section>
  );
}
