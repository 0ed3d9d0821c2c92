// The fingerprint an approval is bound to: caption, targets, per-platform options and the exact
// clean media with their alt text. Any edit changes it, which voids the approval; the publisher
// recomputes it before sending.
//
// The time a post goes out is deliberately not part of it: an approver approves what is said,
// and whoever may schedule (approvers and admins, see staff/roles.ts) may move it to another
// time or swap it with a neighbour in the queue without a new approval. Moving a post never
// publishes anything that is not approved: rescheduling needs a post that is scheduled and still
// matches its approval, refuses times in the past, and the publisher checks the hash again.
import { createHash } from 'node:crypto';

export interface PostContent {
  caption: string;
  targets: readonly string[];
  options: Record<string, unknown>;
  media: readonly { cleanSha256: string; altText: string | null }[];
}

/** JSON with object keys sorted at every level, so equal content always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function postContentHash(content: PostContent): string {
  const body = canonical({ v: 1, caption: content.caption, targets: [...content.targets].sort(), options: content.options, media: content.media.map((m) => [m.cleanSha256, m.altText]) });
  return createHash('sha256').update(body).digest('hex');
}
