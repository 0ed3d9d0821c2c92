// Connecting a platform account: one button per enabled platform that signs in on the platform's
// own page (Mastodon first asks for the organisation's server), a form for Bluesky's app
// password, and a clear "waiting for the sign-in window" state with Cancel while it is open.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { AccountHealth, ConnectablePlatform, MethodResult } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { call } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useTranslation } from '../../i18n/index.ts';
import { asErrorValue } from '../audit/use-audit-log.ts';

type Started = MethodResult<'accounts.beginConnect'>;

export type ConnectState =
  | { phase: 'idle' }
  | { phase: 'starting'; platform: string }
  | { phase: 'waiting'; platform: string; label: string; started: Started }
  | { phase: 'connected'; account: AccountHealth }
  | { phase: 'failed'; error: AirlockErrorValue };

/** Opens the sign-in page (browser shell) and waits for the core to finish the connect. */
export function useConnect(onConnected: () => void) {
  const [state, setState] = useState<ConnectState>({ phase: 'idle' });
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const wait = (label: string, platform: string, start: Promise<Started>) => {
    setState({ phase: 'starting', platform });
    start
      .then((started) => {
        // The Electron shell opened its own isolated window; the browser shell leaves it to us.
        if (started.opensIn === 'renderer') window.open(started.authorizeUrl, '_blank', 'popup,noopener,noreferrer,width=520,height=720');
        if (live.current) setState({ phase: 'waiting', platform, label, started });
        return call('accounts.finishConnect', { flowId: started.flowId });
      })
      .then(
        (account) => {
          if (!live.current) return;
          setState({ phase: 'connected', account });
          onConnected();
        },
        (err: unknown) => {
          if (!live.current) return;
          const error = asErrorValue(err);
          setState(error.code === 'accounts.connect-cancelled' ? { phase: 'idle' } : { phase: 'failed', error });
        },
      );
  };

  return {
    state,
    connect: (p: { platform: string; label: string }, instance?: string) =>
      wait(p.label, p.platform, call('accounts.beginConnect', { platform: p.platform as never, ...(instance ? { instance } : {}) })),
    reconnect: (a: AccountHealth, label: string) => wait(label, a.platform, call('accounts.reconnect', { platform: a.platform as never, accountId: a.accountId })),
    cancel: () => {
      if (state.phase === 'waiting') void call('accounts.cancelConnect', { flowId: state.started.flowId }).catch(() => undefined);
    },
    connectedWithPassword: (account: AccountHealth) => {
      setState({ phase: 'connected', account });
      onConnected();
    },
    clear: () => setState({ phase: 'idle' }),
  };
}

export function WaitingPanel({ state, onCancel }: { state: Extract<ConnectState, { phase: 'waiting' }>; onCancel: () => void }) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="notice notice--warning stack" aria-labelledby="connect-waiting-title" data-testid="connect-waiting">
      <h2 id="connect-waiting-title" ref={heading} tabIndex={-1}>
        {t('accounts.waiting.title', { platform: state.label })}
      </h2>
      <p role="status">{t(state.started.opensIn === 'shell' ? 'accounts.waiting.shell' : 'accounts.waiting.browser', { platform: state.label })}</p>
      {state.started.opensIn === 'renderer' ? (
        <p>
          <a href={state.started.authorizeUrl} target="_blank" rel="noopener noreferrer">
            {t('accounts.waiting.openAgain', { platform: state.label })}
          </a>
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t('accounts.waiting.cancel')}
        </button>
      </div>
    </section>
  );
}

export function ConnectOAuth({ platform, busy, onConnect }: { platform: ConnectablePlatform; busy: boolean; onConnect: (instance?: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [instance, setInstance] = useState('');
  const noApp = platform.appCredentials === false;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onConnect(platform.needsInstance ? instance.trim() : undefined);
  };
  return (
    <form className="form stack accounts-connect" aria-labelledby={`${id}-title`} onSubmit={submit}>
      <h3 id={`${id}-title`}>{platform.label}</h3>
      {platform.needsInstance ? (
        <label className="field">
          <span>{t('accounts.connect.server', { platform: platform.label })}</span>
          <input value={instance} onChange={(e) => setInstance(e.target.value)} placeholder="social.example.org" autoComplete="off" spellCheck={false} required maxLength={300} aria-describedby={`${id}-hint`} />
          <small id={`${id}-hint`} className="muted">
            {t('accounts.connect.serverHint')}
          </small>
        </label>
      ) : null}
      {noApp ? (
        <p className="muted" id={`${id}-noapp`}>
          {t('accounts.connect.noApp', { platform: platform.label })} <code>airlock credentials set-app {platform.platform}</code>
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button" disabled={busy || noApp} aria-describedby={noApp ? `${id}-noapp` : undefined}>
          {t('accounts.connect.button', { platform: platform.label })}
        </button>
      </div>
    </form>
  );
}

export function ConnectAppPassword({ platform, onConnected }: { platform: ConnectablePlatform; onConnected: (account: AccountHealth) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [service, setService] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AirlockErrorValue | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    call('accounts.connectAppPassword', { platform: platform.platform as never, identifier: identifier.trim(), appPassword: password, ...(service.trim() ? { service: service.trim() } : {}) }).then(
      (account) => {
        setBusy(false);
        setIdentifier('');
        setPassword('');
        setService('');
        onConnected(account);
      },
      (err: unknown) => {
        setBusy(false);
        // The password is cleared either way: it never stays on screen longer than needed.
        setPassword('');
        setError(asErrorValue(err));
      },
    );
  };
  return (
    <form className="form stack accounts-connect" aria-labelledby={`${id}-title`} onSubmit={submit}>
      <h3 id={`${id}-title`}>{platform.label}</h3>
      <p className="muted">{t('accounts.appPassword.intro', { platform: platform.label })}</p>
      <label className="field">
        <span>{t('accounts.appPassword.identifier')}</span>
        <input value={identifier} onChange={(e) => setIdentifier(e.target.value)} autoComplete="off" spellCheck={false} required maxLength={300} placeholder="name.bsky.social" />
      </label>
      <label className="field">
        <span>{t('accounts.appPassword.password')}</span>
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" required maxLength={256} />
      </label>
      <label className="field">
        <span>{t('accounts.appPassword.server')}</span>
        <input value={service} onChange={(e) => setService(e.target.value)} autoComplete="off" spellCheck={false} maxLength={300} placeholder={platform.defaultService ?? ''} aria-describedby={`${id}-server-hint`} />
        <small id={`${id}-server-hint`} className="muted">
          {t('accounts.appPassword.serverHint', { server: platform.defaultService ?? '' })}
        </small>
      </label>
      {error ? <ErrorNotice error={error} /> : null}
      <div className="actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('accounts.appPassword.checking') : t('accounts.connect.button', { platform: platform.label })}
        </button>
      </div>
    </form>
  );
}
