// How roles and sign-in kinds are named on the Staff screen, with the one line that tells an
// administrator what each role may do (mirrors the core's permission table).
// The words themselves are in the catalogues (staff.*); these read them in the active language.
import type { StaffSummary } from '../../../../common/contract.ts';
import { t } from '../../i18n/index.ts';

export type Role = StaffSummary['role'];
export type CredentialKind = StaffSummary['credentialKind'];

export const ROLES: readonly Role[] = ['author', 'approver', 'admin'];

export const roleLabel = (role: Role): string => t(`staff.roleOption.${role}`);
/** What the role may do, in one line. */
export const roleExplains = (role: Role): string => t(`staff.explains.${role}`);
/** "an approver", for sentences. */
export const rolePhrase = (role: Role): string => t(`staff.phrase.${role}`);

export const kindLabel = (kind: CredentialKind): string => t(`staff.kindLabel.${kind}`);
export const kindWord = (kind: CredentialKind): string => t(`staff.kindWord.${kind}`);
