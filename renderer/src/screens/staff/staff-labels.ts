// How roles and sign-in kinds are named on the Staff screen, with the one line that tells an
// administrator what each role may do (mirrors the core's permission table).
import type { StaffSummary } from '../../../../common/contract.ts';

export type Role = StaffSummary['role'];
export type CredentialKind = StaffSummary['credentialKind'];

export const ROLE_OPTIONS: readonly { role: Role; label: string; explains: string }[] = [
  { role: 'author', label: 'Author', explains: 'Writes posts, imports from USB sticks and sends posts for approval.' },
  { role: 'approver', label: 'Approver', explains: 'Also approves, schedules and publishes posts, and reads the audit log.' },
  { role: 'admin', label: 'Administrator', explains: 'Also adds and disables staff, resets PINs and exports the audit log.' },
];

export const ROLE_LABEL: Record<Role, string> = { author: 'Author', approver: 'Approver', admin: 'Administrator' };
/** "an approver", for sentences. */
export const ROLE_PHRASE: Record<Role, string> = { author: 'an author', approver: 'an approver', admin: 'an administrator' };

export const KIND_LABEL: Record<CredentialKind, string> = { pin: 'PIN', passphrase: 'Passphrase' };
export const KIND_WORD: Record<CredentialKind, string> = { pin: 'PIN', passphrase: 'passphrase' };
