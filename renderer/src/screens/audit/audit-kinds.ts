// What each kind of audit entry means in words a comms officer uses, grouped the way the filter
// offers them. Kinds Airlock adds later still show, under their raw name, until they are listed.

export interface AuditKindGroup {
  label: string;
  kinds: readonly (readonly [kind: string, label: string])[];
}

export const AUDIT_KIND_GROUPS: readonly AuditKindGroup[] = [
  {
    label: 'Sign-in and staff',
    kinds: [
      ['staff.sign-in', 'Signed in'],
      ['staff.sign-in-failed', 'Failed sign-in'],
      ['staff.sign-out', 'Signed out'],
      ['staff.changed', 'Changed a staff account'],
    ],
  },
  {
    label: 'USB sticks and files',
    kinds: [
      ['import.completed', 'Imported a USB stick'],
      ['import.failed', 'A USB stick import failed'],
      ['sanitize.report', 'Cleaned a file'],
    ],
  },
  {
    label: 'Posts',
    kinds: [
      ['post.created', 'Created a post'],
      ['post.edited', 'Edited a post'],
      ['post.submitted', 'Sent a post for approval'],
      ['post.approved', 'Approved a post'],
      ['post.rejected', 'Rejected a post'],
      ['post.scheduled', 'Scheduled a post'],
      ['post.cancelled', 'Cancelled a post'],
      ['publish.attempt', 'Started publishing a post'],
      ['publish.result', 'Finished publishing a post'],
    ],
  },
  {
    label: 'The kiosk',
    kinds: [
      ['policy.loaded', 'Kiosk started with policy'],
      ['egress.blocked', 'Blocked a network connection'],
      ['audit.exported', 'Exported the audit log'],
    ],
  },
];

const LABELS: ReadonlyMap<string, string> = new Map(AUDIT_KIND_GROUPS.flatMap((g) => g.kinds));

/** "Approved a post" for 'post.approved'; the raw kind for one this screen does not know yet. */
export function auditKindLabel(kind: string): string {
  return LABELS.get(kind) ?? kind;
}
