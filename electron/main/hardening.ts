// App-wide Electron hardening applied before any window exists: no new windows, no navigation,
// no webviews, no permissions, no devices, no screen capture, for every web contents and every
// session the app ever creates.
import type { App, Session } from 'electron';

const denied = new WeakSet<Session>();

/**
 * Refuses every permission, device and capture request. Airlock's screens need none of them;
 * a page that asks is either a bug or hostile, and the answer is the same. Safe to call again
 * for the same session (a chooser callback must be answered only once).
 */
export function denyPermissions(session: Session): void {
  if (denied.has(session)) return;
  denied.add(session);
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // Without this handler, grants remembered from an earlier device chooser would still apply.
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  // Chooser events: answering with no device cancels the request instead of picking one.
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
}

export function lockDownWebContents(app: App): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
    // will-navigate covers only the main frame; sub-frames (there should be none) too.
    contents.on('will-frame-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
