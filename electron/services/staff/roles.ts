// Who may do what on the kiosk: the one table every service consults before acting for a
// signed-in person. Roles are deliberately few; the two-person rule (an approver must not be the
// post's author) belongs to the approval workflow, because it depends on the post, not the role.

export const ROLES = ['author', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const EVERYONE = ['author', 'approver', 'admin'] as const satisfies readonly Role[];
const REVIEWERS = ['approver', 'admin'] as const satisfies readonly Role[];
const ADMINS = ['admin'] as const satisfies readonly Role[];

/**
 * Every action that needs a signed-in person, the roles allowed to do it, and how to say it in
 * a refusal ("Only approvers and admins can approve posts.").
 *
 * | action                 | author | approver | admin | why                                                        |
 * |------------------------|:------:|:--------:|:-----:|------------------------------------------------------------|
 * | post.create            |   ✓    |    ✓     |   ✓   | anyone on the comms team drafts                            |
 * | post.edit              |   ✓    |    ✓     |   ✓   | (an edit after approval voids it, so this is safe)          |
 * | post.submit            |   ✓    |    ✓     |   ✓   | asking for review commits nothing                          |
 * | post.cancel            |   ✓    |    ✓     |   ✓   | stopping a post is always the safe direction               |
 * | import.run             |   ✓    |    ✓     |   ✓   | imports only add sanitised drafts                          |
 * | policy.view            |   ✓    |    ✓     |   ✓   | everyone should see the rules they work under              |
 * | post.approve           |        |    ✓     |   ✓   | the second pair of eyes                                    |
 * | post.reject            |        |    ✓     |   ✓   | the other half of reviewing                                |
 * | post.schedule          |        |    ✓     |   ✓   | sets when a public body speaks                             |
 * | post.publish           |        |    ✓     |   ✓   | the deliberate act itself                                  |
 * | audit.view             |        |    ✓     |   ✓   | the log names colleagues; reviewers and admins read it     |
 * | staff.manage           |        |          |   ✓   | accounts, roles, credential resets, unlocking              |
 * | import.replay-override |        |          |   ✓   | importing a package again bypasses replay protection       |
 * | audit.export           |        |          |   ✓   | the signed export leaves the kiosk on a stick              |
 * | account.connect        |        |          |   ✓   | platform tokens are IT's to connect                        |
 * | kiosk.exit             |        |          |   ✓   | leaving the kiosk opens the desktop                        |
 */
export const PERMISSIONS = {
  'post.create': { roles: EVERYONE, does: 'create posts' },
  'post.edit': { roles: EVERYONE, does: 'edit posts' },
  'post.submit': { roles: EVERYONE, does: 'submit posts for approval' },
  'post.cancel': { roles: EVERYONE, does: 'cancel posts' },
  'import.run': { roles: EVERYONE, does: 'import from a USB stick' },
  'policy.view': { roles: EVERYONE, does: 'see the kiosk policy' },
  'post.approve': { roles: REVIEWERS, does: 'approve posts' },
  'post.reject': { roles: REVIEWERS, does: 'reject posts' },
  'post.schedule': { roles: REVIEWERS, does: 'schedule posts' },
  'post.publish': { roles: REVIEWERS, does: 'publish posts' },
  'audit.view': { roles: REVIEWERS, does: 'read the audit log' },
  'staff.manage': { roles: ADMINS, does: 'manage staff accounts' },
  'import.replay-override': { roles: ADMINS, does: 'import a package a second time' },
  'audit.export': { roles: ADMINS, does: 'export the audit log' },
  'account.connect': { roles: ADMINS, does: 'connect platform accounts' },
  'kiosk.exit': { roles: ADMINS, does: 'leave the kiosk' },
} as const satisfies Record<string, { roles: readonly Role[]; does: string }>;

export type StaffAction = keyof typeof PERMISSIONS;

export const STAFF_ACTIONS = Object.keys(PERMISSIONS) as StaffAction[];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** False for anything not in the table, so a misspelt action is refused rather than allowed. */
export function can(role: Role, action: StaffAction): boolean {
  const entry = (PERMISSIONS as Record<string, { roles: readonly Role[] } | undefined>)[action];
  return entry !== undefined && Object.hasOwn(PERMISSIONS, action) && entry.roles.includes(role);
}

/** The sentence a refused person reads, e.g. "Only approvers and admins can approve posts." */
export function refusal(action: StaffAction): string {
  const entry = (PERMISSIONS as Record<string, { roles: readonly Role[]; does: string } | undefined>)[action];
  if (!entry || !Object.hasOwn(PERMISSIONS, action)) return 'Airlock does not know that action, so it was not done.';
  const who = entry.roles.map((r) => `${r}s`);
  const list = who.length > 1 ? `${who.slice(0, -1).join(', ')} and ${who[who.length - 1]}` : who[0];
  return `Only ${list} can ${entry.does}.`;
}
