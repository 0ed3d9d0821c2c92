import { describe, expect, it } from 'vitest';
import { can, isRole, PERMISSIONS, refusal, ROLES, STAFF_ACTIONS, type StaffAction } from '../../../../electron/services/staff/roles.ts';

describe('roles and permissions', () => {
  it('follows the documented table', () => {
    const table = Object.fromEntries(STAFF_ACTIONS.map((a) => [a, ROLES.filter((r) => can(r, a))]));
    expect(table).toEqual({
      'post.create': ['author', 'approver', 'admin'],
      'post.edit': ['author', 'approver', 'admin'],
      'post.submit': ['author', 'approver', 'admin'],
      'post.cancel': ['author', 'approver', 'admin'],
      'import.run': ['author', 'approver', 'admin'],
      'policy.view': ['author', 'approver', 'admin'],
      'post.approve': ['approver', 'admin'],
      'post.reject': ['approver', 'admin'],
      'post.schedule': ['approver', 'admin'],
      'post.publish': ['approver', 'admin'],
      'audit.view': ['approver', 'admin'],
      'staff.manage': ['admin'],
      'import.replay-override': ['admin'],
      'audit.export': ['admin'],
      'account.connect': ['admin'],
      'kiosk.exit': ['admin'],
    });
  });

  it('gives an admin every action, and an author nothing an approver lacks', () => {
    for (const action of STAFF_ACTIONS) {
      expect(can('admin', action)).toBe(true);
      if (can('author', action)) expect(can('approver', action)).toBe(true);
    }
  });

  it('refuses actions that are not in the table, including inherited property names', () => {
    for (const action of ['post.delete', 'toString', '__proto__', 'constructor', '']) {
      expect(can('admin', action as StaffAction)).toBe(false);
    }
    expect(refusal('constructor' as StaffAction)).toBe('Airlock does not know that action, so it was not done.');
  });

  it('words a refusal by naming who may', () => {
    expect(refusal('post.approve')).toBe('Only approvers and admins can approve posts.');
    expect(refusal('account.connect')).toBe('Only admins can connect platform accounts.');
    expect(refusal('post.create')).toBe('Only authors, approvers and admins can create posts.');
    for (const action of Object.keys(PERMISSIONS) as StaffAction[]) expect(refusal(action)).toMatch(/^Only [a-z, ]+ can [\w ]+\.$/);
  });

  it('recognises roles', () => {
    expect(ROLES.every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
