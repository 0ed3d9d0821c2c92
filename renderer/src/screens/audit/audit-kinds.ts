// What each kind of audit entry means in words a comms officer uses, grouped the way the filter
// offers them. Kinds Airlock adds later still show, under their raw name, until they are listed.
// Labels are catalogue keys (auditKinds.<kind>, audit.groups.<group>).
import { i18n, t } from '../../i18n/index.ts';

export interface AuditKindGroup {
  /** The group's catalogue key. */
  label: string;
  kinds: readonly (readonly [kind: string, label: string])[];
}

export const AUDIT_KIND_GROUPS: readonly AuditKindGroup[] = [
  {
    label: 'audit.groups.staff',
    kinds: [
      ['staff.sign-in', 'auditKinds.staff.sign-in'],
      ['staff.sign-in-failed', 'auditKinds.staff.sign-in-failed'],
      ['staff.sign-out', 'auditKinds.staff.sign-out'],
      ['staff.changed', 'auditKinds.staff.changed'],
    ],
  },
  {
    label: 'audit.groups.import',
    kinds: [
      ['import.completed', 'auditKinds.import.completed'],
      ['import.failed', 'auditKinds.import.failed'],
      ['sanitize.report', 'auditKinds.sanitize.report'],
    ],
  },
  {
    label: 'audit.groups.posts',
    kinds: [
      ['post.created', 'auditKinds.post.created'],
      ['post.edited', 'auditKinds.post.edited'],
      ['post.submitted', 'auditKinds.post.submitted'],
      ['post.approved', 'auditKinds.post.approved'],
      ['post.rejected', 'auditKinds.post.rejected'],
      ['post.scheduled', 'auditKinds.post.scheduled'],
      ['post.cancelled', 'auditKinds.post.cancelled'],
      ['publish.attempt', 'auditKinds.publish.attempt'],
      ['publish.result', 'auditKinds.publish.result'],
    ],
  },
  {
    label: 'audit.groups.kiosk',
    kinds: [
      ['policy.loaded', 'auditKinds.policy.loaded'],
      ['egress.blocked', 'auditKinds.egress.blocked'],
      ['audit.exported', 'auditKinds.audit.exported'],
    ],
  },
];

const LABELS: ReadonlyMap<string, string> = new Map(AUDIT_KIND_GROUPS.flatMap((g) => g.kinds));

/** "Approved a post" for 'post.approved'; the raw kind for one this screen does not know yet. */
export function auditKindLabel(kind: string): string {
  const key = LABELS.get(kind);
  return key && i18n.exists(key) ? t(key) : kind;
}
