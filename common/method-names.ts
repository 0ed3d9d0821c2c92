// The names of every API method, kept free of any dependency so the Electron preload can
// allow-list them without bundling the schemas. common/contract.ts is checked against it.

export const METHOD_NAMES = [
  'app.info', 'app.ping', 'policy.summary', 'media.volumes', 'import.scan', 'import.start',
  'media.eject',
  'app.exitKiosk',
  'library.list',
  'audit.list',
  'audit.verify',
  'admin.policy',
  'diagnostics.network',
  'training.status',
  'training.insertStick',
  'training.removeStick',
  'training.feed',
  'training.reset',
  'staff.status',
  'staff.createFirstAdmin',
  'staff.signIn',
  'staff.signOut',
  'staff.touch',
  'staff.list',
  'staff.create',
  'staff.setDisabled',
  'staff.resetCredential',
  'posts.list',
  'posts.get',
  'posts.check',
  'posts.create',
  'posts.edit',
  'posts.submit',
  'posts.approve',
  'posts.reject',
  'posts.schedule',
  'posts.cancel',
  'accounts.list',
  'accounts.beginConnect',
  'accounts.finishConnect',
  'accounts.cancelConnect',
  'accounts.connectAppPassword',
  'accounts.reconnect',
  'accounts.disconnect',
  'prefs.get',
  'prefs.set',
  'posts.summaries',
  'posts.calendar',
  'posts.reschedule',
  'posts.swapSlots',
  'accounts.tiktokCreatorInfo',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && (METHOD_NAMES as readonly string[]).includes(value);
}

/** The IPC channel a method travels on in the Electron shell. */
export const methodChannel = (method: MethodName): string => `airlock:${method}`;

/** The single channel the main process pushes events on. */
export const EVENT_CHANNEL = 'airlock:event';
