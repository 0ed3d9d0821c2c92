// What the connected TikTok account allows, for the post editor's TikTok settings: TikTok's own
// list of audiences (creator_info), the account's name and longest video, and a plain notice when
// the account cannot post now or TikTok has not audited the organisation's app yet.
import { useCallback, useEffect, useState } from 'react';
import type { TikTokCreatorInfo } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { call } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatDuration } from '../../format.ts';
import { i18n, t, useTranslation } from '../../i18n/index.ts';
import { asErrorValue } from '../audit/use-audit-log.ts';

export type TikTokCreatorState = { phase: 'idle' } | { phase: 'loading' } | { phase: 'ready'; info: TikTokCreatorInfo } | { phase: 'failed'; error: AirlockErrorValue };

/** Asks the core (which asks TikTok, or its minute-old answer) once TikTok is a target. */
export function useTikTokCreatorInfo(active: boolean): { state: TikTokCreatorState; reload: () => void } {
  const [round, setRound] = useState(0);
  const [answer, setAnswer] = useState<{ round: number; state: TikTokCreatorState } | null>(null);
  useEffect(() => {
    if (!active) return;
    let live = true;
    call('accounts.tiktokCreatorInfo', {}).then(
      (info) => live && setAnswer({ round, state: { phase: 'ready', info } }),
      (err: unknown) => live && setAnswer({ round, state: { phase: 'failed', error: asErrorValue(err) } }),
    );
    return () => {
      live = false;
    };
  }, [active, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  const state: TikTokCreatorState = !active ? { phase: 'idle' } : answer?.round === round ? answer.state : { phase: 'loading' };
  return { state, reload };
}

/**
 * The audiences to offer: the account's own when known (with the one already chosen kept, so it
 * can be seen and changed), every audience while the account could not be asked.
 */
export function offeredPrivacy<T extends { value: string }>(all: T[], state: TikTokCreatorState, chosen: string | null): { options: T[]; notOffered: string | null } {
  if (state.phase !== 'ready' || !state.info.canPost) return { options: all, notOffered: null };
  const allowed = new Set(state.info.privacyLevels);
  const notOffered = chosen && !allowed.has(chosen) ? chosen : null;
  return { options: all.filter((p) => allowed.has(p.value) || p.value === notOffered), notOffered };
}

/** A blocking problem for the editor: the audience chosen is not one this account offers. */
export function tiktokAudienceProblem(state: TikTokCreatorState, chosen: unknown, labelOf: (level: string) => string): string | null {
  // An account that cannot post right now gave no list to hold the choice against.
  if (state.phase !== 'ready' || !state.info.canPost || typeof chosen !== 'string' || chosen === '') return null;
  return state.info.privacyLevels.includes(chosen) ? null : t('posts.editor.tiktokAccount.notOfferedProblem', { label: labelOf(chosen) });
}

export function TikTokAccountSummary({ state, onRetry }: { state: TikTokCreatorState; onRetry: () => void }) {
  const { t } = useTranslation();
  if (state.phase === 'idle') return null;
  if (state.phase === 'loading') {
    return (
      <p className="muted" role="status" data-testid="tiktok-account">
        {t('posts.editor.tiktokAccount.checking')}
      </p>
    );
  }
  if (state.phase === 'failed') {
    return (
      <div className="stack" data-testid="tiktok-account">
        <ErrorNotice error={state.error} />
        <p className="muted">{t('posts.editor.tiktokAccount.allShown')}</p>
        <div className="actions">
          <button type="button" className="button button--secondary" onClick={onRetry}>
            {t('posts.editor.tiktokAccount.retry')}
          </button>
        </div>
      </div>
    );
  }
  const { info } = state;
  const name = info.nickname && info.username ? `${info.nickname} (@${info.username})` : (info.nickname ?? (info.username ? `@${info.username}` : info.accountName));
  // TikTok's reason in the active language where the catalogue has it, else the core's sentence.
  const reasonKey = info.cannotPost ? `posts.editor.tiktokAccount.reason.${info.cannotPost.code}` : null;
  const reason = info.cannotPost ? (reasonKey && i18n.exists(reasonKey) ? t(reasonKey) : info.cannotPost.message) : null;
  return (
    <div className="stack" data-testid="tiktok-account">
      <p>
        {t('posts.editor.tiktokAccount.postingAs', { name })}
        {info.maxVideoSeconds !== null ? ` ${t('posts.editor.tiktokAccount.maxVideo', { duration: formatDuration(info.maxVideoSeconds) })}` : ''}
      </p>
      {info.cannotPost ? (
        <div className="notice notice--warning" role="alert">
          <p className="notice__message">
            {t('posts.editor.tiktokAccount.cannotPost')} {reason}
          </p>
        </div>
      ) : null}
      {info.appAudited === false || (info.canPost && info.privacyLevels.length === 1 && info.privacyLevels[0] === 'SELF_ONLY') ? (
        <p className="notice notice--warning notice__message" role="note">
          {t(info.appAudited === false ? 'posts.editor.tiktokAccount.unaudited' : 'posts.editor.tiktokAccount.ownerOnly')}
        </p>
      ) : null}
    </div>
  );
}
