// The refusals of staff sign-in and account management, worded for the person at the kiosk.
// Shared by the service and by the repositories, which re-check the same rules at commit time.
import { AirlockError } from '../../../common/errors.ts';
import { refusal, type StaffAction } from './roles.ts';

export function minutesPhrase(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export const staffErrors = {
  locked: (lockedUntil: string, now: string) =>
    new AirlockError('staff.locked', `Too many wrong attempts. Try again in ${minutesPhrase(Date.parse(lockedUntil) - Date.parse(now))}.`, `locked until ${lockedUntil}`),
  wrongCredential: () => new AirlockError('staff.wrong-credential', 'That PIN or passphrase is not right. Check it and try again.'),
  notFound: (staffId: string) => new AirlockError('staff.not-found', 'That staff account does not exist. Refresh the list and try again.', `staff ${staffId}`),
  firstAdminExists: () => new AirlockError('staff.first-admin-exists', 'Airlock already has an admin. Sign in, or ask an admin to add your account.'),
  lastAdmin: () => new AirlockError('staff.last-admin', 'This is the last active admin. Make someone else an admin first.'),
  forbidden: (action: StaffAction) => new AirlockError('staff.forbidden', refusal(action), `action ${action}`),
  signedOut: () => new AirlockError('staff.signed-out', 'Nobody is signed in. Sign in first.'),
  nameTaken: () => new AirlockError('staff.name-taken', 'Someone already has that name. Add an initial or a team name to tell you apart.'),
  invalidName: (why: string) => new AirlockError('staff.invalid-name', why),
  invalidRole: () => new AirlockError('staff.invalid-role', 'Choose a role: author, approver or admin.'),
};
