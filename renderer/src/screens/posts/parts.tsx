// Small pieces the Posts screens share: the state badge, a media thumbnail with its text
// alternative, and staff names for the ids the workflow records.
import type { PostState } from '../../../../common/contract.ts';
import { useStaffStore } from '../../state/staff-store.ts';
import { mediaUrl, STATE_WORDS } from './post-words.ts';
import { t } from '../../i18n/index.ts';

export function StateBadge({ state, id }: { state: PostState; id?: string }) {
  const words = STATE_WORDS[state];
  return (
    <span id={id} className={`state-badge state-badge--${state}`} data-testid="post-state">
      <span aria-hidden="true">{words.icon}</span> {words.label}
    </span>
  );
}

/** A still of a photo or video; an empty label marks it decorative (its button or row names it). */
export function Thumb({ kind, cleanSha256, thumbnailSha256, label, size = 'small' }: { kind: 'image' | 'video'; cleanSha256: string; thumbnailSha256: string | null; label: string; size?: 'small' | 'medium' }) {
  const className = `thumb thumb--${size}`;
  if (thumbnailSha256) return <img className={className} src={mediaUrl(thumbnailSha256)} alt={label} loading="lazy" />;
  if (kind === 'image') return <img className={className} src={mediaUrl(cleanSha256)} alt={label} loading="lazy" />;
  // No still was made for this video: its first frame stands in, without controls.
  return <video className={className} src={mediaUrl(cleanSha256)} preload="metadata" muted playsInline tabIndex={-1} {...(label ? { 'aria-label': label } : { 'aria-hidden': true })} />;
}

/** Names for the staff ids on a post; someone removed from the kiosk is still accounted for. */
export function useStaffNames(): (id: string | null) => string | null {
  const status = useStaffStore((s) => s.status);
  return (id) => {
    if (!id) return null;
    if (status?.current?.staffId === id) return status.current.name;
    return status?.choices.find((c) => c.id === id)?.name ?? t('posts.formerStaff');
  };
}
