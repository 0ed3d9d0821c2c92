// Uploads in flight, from the core's publish.progress and publish.result events, so the Feed
// and the tour can show a post going out while the audience watches.
import { useEffect, useState } from 'react';
import { subscribe } from '../api/client.ts';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { formatBytes, formatDuration } from '../format.ts';
import { platformName } from '../screens/posts/post-words.ts';
import { useTranslation } from '../i18n/index.ts';

export interface PublishActivity {
  key: string;
  platform: string;
  phase: string;
  bytesDone: number;
  bytesTotal: number;
  outcome: 'sending' | 'published' | 'failed' | 'waiting';
  /** Seconds left at the upload's pace so far, once there is a pace to go by. */
  secondsLeft: number | null;
}

/** When and at how many bytes an upload was first seen, to tell its pace. */
interface Pace {
  at: number;
  bytes: number;
}

/** Seconds left at the pace since `start`; null until a second of uploading gives a pace. */
export function secondsLeft(start: Pace, now: number, bytesDone: number, bytesTotal: number): number | null {
  const elapsed = (now - start.at) / 1000;
  const sent = bytesDone - start.bytes;
  if (elapsed < 1 || sent <= 0 || bytesDone >= bytesTotal) return null;
  return Math.ceil((bytesTotal - bytesDone) / (sent / elapsed));
}

/** How long a finished upload stays listed, so the audience sees it complete. */
const KEEP_DONE_MS = 8_000;

export function usePublishActivity(): PublishActivity[] {
  const [items, setItems] = useState<ReadonlyMap<string, PublishActivity>>(new Map());
  useEffect(() => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const paces = new Map<string, Pace>();
    const update = (key: string, change: (was: PublishActivity | undefined) => PublishActivity | null) =>
      setItems((was) => {
        const next = new Map(was);
        const value = change(was.get(key));
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      });
    const stop = subscribe((event) => {
      if (event.name === 'publish.progress') {
        const p = event.payload;
        const key = `${p.postId}:${p.platform}`;
        const now = Date.now();
        // The pace counts from the upload's first progress report of its uploading phase.
        if (p.phase !== 'uploading' || !paces.has(key)) paces.set(key, { at: now, bytes: p.bytesDone });
        const left = p.phase === 'uploading' ? secondsLeft(paces.get(key)!, now, p.bytesDone, p.bytesTotal) : null;
        update(key, () => ({ key, platform: p.platform, phase: p.phase, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, outcome: 'sending', secondsLeft: left }));
      } else if (event.name === 'publish.result') {
        const p = event.payload;
        const key = `${p.postId}:${p.platform}`;
        const outcome = p.ok ? 'published' : p.waiting ? 'waiting' : 'failed';
        paces.delete(key);
        update(key, (was) => ({ key, platform: p.platform, phase: 'done', bytesDone: was?.bytesTotal ?? 0, bytesTotal: was?.bytesTotal ?? 0, outcome, secondsLeft: null }));
        const timer = setTimeout(() => {
          timers.delete(timer);
          update(key, (was) => (was?.outcome === outcome ? null : (was ?? null)));
        }, KEEP_DONE_MS);
        timers.add(timer);
      }
    });
    return () => {
      stop();
      for (const t of timers) clearTimeout(t);
    };
  }, []);
  return [...items.values()];
}

const PHASES = ['creating', 'uploading', 'processing'];

/** One progress bar per upload in flight, or nothing when nothing is going out. */
export function PublishActivityList({ items, idle }: { items: PublishActivity[]; idle?: string }) {
  const { t } = useTranslation();
  if (items.length === 0) return idle ? <p className="muted">{idle}</p> : null;
  return (
    <ul className="publish-activity" aria-label={t('training.activity.list')}>
      {items.map((a) => (
        <li key={a.key}>
          {a.outcome === 'sending' ? (
            <ProgressBar
              label={t('training.activity.label', { platform: platformName(a.platform), phase: PHASES.includes(a.phase) ? t(`training.activity.${a.phase}`) : t('training.activity.sending') })}
              value={a.bytesTotal > 0 ? a.bytesDone : 0}
              max={a.bytesTotal}
              detail={
                a.bytesTotal > 0
                  ? [t('training.activity.progress', { done: formatBytes(a.bytesDone), total: formatBytes(a.bytesTotal) }), a.secondsLeft ? t('import.left', { duration: formatDuration(a.secondsLeft) }) : null]
                      .filter(Boolean)
                      .join(' · ')
                  : undefined
              }
            />
          ) : (
            <p className={`publish-activity__done publish-activity__done--${a.outcome}`} role="status">
              {platformName(a.platform)}: {t(`training.activity.${a.outcome}`)}
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}
