import { describe, expect, it } from 'vitest';
import {
  blockedShortcut,
  createAdminExit,
  guardWindowClose,
  isBlockedShortcut,
  kioskWindowOptions,
  lockKeyboardAndZoom,
  removeApplicationMenu,
  type KeyInput,
  type KioskEvent,
  type ShortcutKind,
} from '../../../electron/main/kiosk.ts';
import { AppStandIn, BrowserWindowStandIn, MenuStandIn, WebContentsStandIn } from '../../support/electron-stand-in.ts';

type Mods = Partial<Pick<KeyInput, 'control' | 'meta' | 'alt' | 'shift' | 'code' | 'type'>>;

function key(k: string, mods: Mods = {}): KeyInput {
  const letter = /^[a-z]$/i.test(k) ? `Key${k.toUpperCase()}` : '';
  return { type: 'keyDown', key: k, code: mods.code ?? letter, control: false, meta: false, alt: false, shift: false, ...mods };
}
const ctrl = (k: string, mods: Mods = {}) => key(k, { control: true, ...mods });
const cmd = (k: string, mods: Mods = {}) => key(k, { meta: true, ...mods });

// [what a person presses, platform, expected: the kind blocked, or null when the page gets it]
const TABLE: Array<[string, KeyInput, NodeJS.Platform, ShortcutKind | null]> = [
  // Reload
  ['Ctrl+R', ctrl('r'), 'win32', 'reload'],
  ['Ctrl+Shift+R', ctrl('R', { shift: true }), 'linux', 'reload'],
  ['F5', key('F5', { code: 'F5' }), 'linux', 'reload'],
  ['Ctrl+F5', ctrl('F5', { code: 'F5' }), 'win32', 'reload'],
  ['Shift+F5', key('F5', { code: 'F5', shift: true }), 'win32', 'reload'],
  ['Cmd+R', cmd('r'), 'darwin', 'reload'],
  ['Cmd+Shift+R', cmd('R', { shift: true }), 'darwin', 'reload'],
  ['keyboard Refresh key', key('BrowserRefresh', { code: 'BrowserRefresh' }), 'linux', 'reload'],
  ['Ctrl+R on a Cyrillic layout (physical R key)', ctrl('к', { code: 'KeyR' }), 'linux', 'reload'],
  ['Ctrl+R released (keyUp is filtered too)', ctrl('r', { type: 'keyUp' }), 'win32', 'reload'],
  // Devtools
  ['F12', key('F12', { code: 'F12' }), 'win32', 'devtools'],
  ['Ctrl+Shift+I', ctrl('I', { shift: true }), 'linux', 'devtools'],
  ['Ctrl+Shift+J', ctrl('J', { shift: true }), 'win32', 'devtools'],
  ['Ctrl+Shift+C', ctrl('C', { shift: true }), 'win32', 'devtools'],
  ['Cmd+Option+I', cmd('ˆ', { alt: true, code: 'KeyI' }), 'darwin', 'devtools'],
  ['Cmd+Option+J', cmd('∆', { alt: true, code: 'KeyJ' }), 'darwin', 'devtools'],
  ['Cmd+Shift+C', cmd('c', { shift: true }), 'darwin', 'devtools'],
  // Print, save, view source
  ['Ctrl+P', ctrl('p'), 'win32', 'print'],
  ['Cmd+P', cmd('p'), 'darwin', 'print'],
  ['Ctrl+S', ctrl('s'), 'linux', 'save'],
  ['Ctrl+Shift+S', ctrl('S', { shift: true }), 'linux', 'save'],
  ['Cmd+S', cmd('s'), 'darwin', 'save'],
  ['Ctrl+U', ctrl('u'), 'win32', 'view-source'],
  ['Cmd+Option+U', cmd('¨', { alt: true, code: 'KeyU' }), 'darwin', 'view-source'],
  // Zoom
  ['Ctrl+=', ctrl('=', { code: 'Equal' }), 'win32', 'zoom'],
  ['Ctrl+Shift+= (Ctrl++)', ctrl('+', { code: 'Equal', shift: true }), 'linux', 'zoom'],
  ['Ctrl+-', ctrl('-', { code: 'Minus' }), 'linux', 'zoom'],
  ['Ctrl+0', ctrl('0', { code: 'Digit0' }), 'win32', 'zoom'],
  ['Ctrl+numpad +', ctrl('+', { code: 'NumpadAdd' }), 'win32', 'zoom'],
  ['Ctrl+numpad -', ctrl('-', { code: 'NumpadSubtract' }), 'linux', 'zoom'],
  ['Cmd+=', cmd('=', { code: 'Equal' }), 'darwin', 'zoom'],
  ['Cmd+0', cmd('0', { code: 'Digit0' }), 'darwin', 'zoom'],
  // Navigation
  ['Alt+Left', key('ArrowLeft', { alt: true, code: 'ArrowLeft' }), 'win32', 'navigate'],
  ['Alt+Right', key('ArrowRight', { alt: true, code: 'ArrowRight' }), 'linux', 'navigate'],
  ['keyboard Back key', key('BrowserBack', { code: 'BrowserBack' }), 'win32', 'navigate'],
  ['keyboard Forward key', key('BrowserForward', { code: 'BrowserForward' }), 'linux', 'navigate'],
  ['Cmd+[', cmd('[', { code: 'BracketLeft' }), 'darwin', 'navigate'],
  ['Cmd+]', cmd(']', { code: 'BracketRight' }), 'darwin', 'navigate'],
  // New windows and tabs
  ['Ctrl+N', ctrl('n'), 'win32', 'new-window'],
  ['Ctrl+Shift+N', ctrl('N', { shift: true }), 'linux', 'new-window'],
  ['Ctrl+T', ctrl('t'), 'linux', 'new-window'],
  ['Ctrl+Shift+T', ctrl('T', { shift: true }), 'win32', 'new-window'],
  ['Cmd+N', cmd('n'), 'darwin', 'new-window'],
  // Closing and leaving full screen (kiosk mode)
  ['Ctrl+W', ctrl('w'), 'win32', 'close'],
  ['Ctrl+F4', ctrl('F4', { code: 'F4' }), 'win32', 'close'],
  ['Alt+F4', key('F4', { alt: true, code: 'F4' }), 'win32', 'close'],
  ['Alt+F4 on Linux', key('F4', { alt: true, code: 'F4' }), 'linux', 'close'],
  ['Cmd+W', cmd('w'), 'darwin', 'close'],
  ['Cmd+Q', cmd('q'), 'darwin', 'close'],
  ['Cmd+H', cmd('h'), 'darwin', 'close'],
  ['Cmd+M', cmd('m'), 'darwin', 'close'],
  ['F11', key('F11', { code: 'F11' }), 'linux', 'fullscreen'],
  ['Ctrl+Cmd+F', cmd('f', { control: true }), 'darwin', 'fullscreen'],

  // Typing and editing reach the page
  ['a letter', key('a'), 'win32', null],
  ['Shift+letter', key('R', { shift: true }), 'linux', null],
  ['Ctrl+A', ctrl('a'), 'win32', null],
  ['Ctrl+C', ctrl('c'), 'win32', null],
  ['Ctrl+V', ctrl('v'), 'linux', null],
  ['Ctrl+X', ctrl('x'), 'linux', null],
  ['Ctrl+Z', ctrl('z'), 'win32', null],
  ['Ctrl+Y', ctrl('y'), 'win32', null],
  ['Ctrl+Shift+Z', ctrl('Z', { shift: true }), 'linux', null],
  ['Cmd+A', cmd('a'), 'darwin', null],
  ['Cmd+C', cmd('c'), 'darwin', null],
  ['Cmd+V', cmd('v'), 'darwin', null],
  ['Cmd+X', cmd('x'), 'darwin', null],
  ['Cmd+Z', cmd('z'), 'darwin', null],
  ['Cmd+Shift+Z', cmd('z', { shift: true }), 'darwin', null],
  ['Backspace (not "back" in Chromium since v52)', key('Backspace', { code: 'Backspace' }), 'win32', null],
  ['Ctrl+Backspace (delete word)', ctrl('Backspace', { code: 'Backspace' }), 'linux', null],
  ['Delete', key('Delete', { code: 'Delete' }), 'linux', null],
  ['Tab', key('Tab', { code: 'Tab' }), 'win32', null],
  ['Enter', key('Enter', { code: 'Enter' }), 'linux', null],
  ['Escape (closes dialogs)', key('Escape', { code: 'Escape' }), 'win32', null],
  ['Ctrl+Left (word jump)', ctrl('ArrowLeft', { code: 'ArrowLeft' }), 'win32', null],
  ['Option+Left (word jump on macOS)', key('ArrowLeft', { alt: true, code: 'ArrowLeft' }), 'darwin', null],
  ['Cmd+Left (line start on macOS)', cmd('ArrowLeft', { code: 'ArrowLeft' }), 'darwin', null],
  ['Ctrl+P on macOS (previous line, Emacs binding)', ctrl('p'), 'darwin', null],
  ['Ctrl+N on macOS (next line, Emacs binding)', ctrl('n'), 'darwin', null],
  ['AltGr+0 types "}" on an Estonian layout', key('}', { control: true, alt: true, code: 'Digit0' }), 'win32', null],
  ['AltGr+E types "€"', key('€', { control: true, alt: true, code: 'KeyE' }), 'win32', null],
  ['AltGr+2 types "@" (Estonian)', key('@', { control: true, alt: true, code: 'Digit2' }), 'win32', null],
  ['Ctrl+Y on Dvorak (redo, physically the T key)', ctrl('y', { code: 'KeyT' }), 'linux', null],
  ['plain 0', key('0', { code: 'Digit0' }), 'win32', null],
  ['plain -', key('-', { code: 'Minus' }), 'linux', null],
  ['the Windows key with R (the OS handles it)', key('r', { meta: true }), 'win32', null],
];

describe('isBlockedShortcut', () => {
  it.each(TABLE)('%s on %s', (_name, input, platform, expected) => {
    expect(blockedShortcut(input, platform)).toBe(expected);
    expect(isBlockedShortcut(input, platform)).toBe(expected !== null);
  });

  it('covers at least 30 shortcuts, and at least 15 keys that must reach the page', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(30);
    expect(TABLE.filter(([, , , kind]) => kind === null).length).toBeGreaterThanOrEqual(15);
  });

  it('lets closing and full screen through when kiosk mode is off, and nothing else', () => {
    const windowed = { kiosk: false, devTools: false };
    expect(blockedShortcut(ctrl('w'), 'win32', windowed)).toBeNull();
    expect(blockedShortcut(key('F4', { alt: true, code: 'F4' }), 'win32', windowed)).toBeNull();
    expect(blockedShortcut(cmd('q'), 'darwin', windowed)).toBeNull();
    expect(blockedShortcut(key('F11', { code: 'F11' }), 'linux', windowed)).toBeNull();
    expect(blockedShortcut(ctrl('r'), 'win32', windowed)).toBe('reload');
    expect(blockedShortcut(ctrl('p'), 'linux', windowed)).toBe('print');
  });

  it('lets the devtools shortcuts through only in an unpackaged build', () => {
    const dev = { kiosk: true, devTools: true };
    expect(blockedShortcut(key('F12', { code: 'F12' }), 'linux', dev)).toBeNull();
    expect(blockedShortcut(ctrl('I', { shift: true }), 'win32', dev)).toBeNull();
    expect(blockedShortcut(cmd('ˆ', { alt: true, code: 'KeyI' }), 'darwin', dev)).toBeNull();
    expect(blockedShortcut(ctrl('u'), 'win32', dev)).toBe('view-source');
    expect(blockedShortcut(ctrl('r'), 'win32', dev)).toBe('reload');
  });
});

describe('kiosk window and input wiring', () => {
  it('asks for a full-screen kiosk window only when kiosk mode is on', () => {
    expect(kioskWindowOptions(true)).toMatchObject({ kiosk: true, fullscreen: true, minimizable: false });
    expect(kioskWindowOptions(false)).toEqual({ kiosk: false, autoHideMenuBar: true });
    expect(Object.keys(kioskWindowOptions(true))).not.toContain('webPreferences');
  });

  it('removes the application menu and with it the default accelerators', () => {
    const menu = new MenuStandIn();
    removeApplicationMenu(menu.asMenu());
    expect(menu.applicationMenu).toBeNull();
  });

  it('swallows blocked shortcuts before the page or a menu sees them, and passes typing', () => {
    const contents = new WebContentsStandIn();
    lockKeyboardAndZoom(contents.asWebContents(), 'win32', { kiosk: true, devTools: false });
    expect(contents.press({ key: 'r', code: 'KeyR', control: true })).toBe(false);
    expect(contents.press({ key: 'F12', code: 'F12' })).toBe(false);
    expect(contents.press({ key: 'F4', code: 'F4', alt: true })).toBe(false);
    expect(contents.press({ key: 'v', code: 'KeyV', control: true })).toBe(true);
    expect(contents.press({ key: 'x', code: 'KeyX' })).toBe(true);
  });

  it('holds pinch zoom at 1 after each load and undoes a Ctrl+wheel zoom request', () => {
    const contents = new WebContentsStandIn();
    lockKeyboardAndZoom(contents.asWebContents(), 'linux', { kiosk: true, devTools: false });
    contents.emit('did-finish-load');
    expect(contents.visualZoomLimits).toEqual([1, 1]);
    contents.zoomLevel = 2;
    contents.emit('zoom-changed', {}, 'in');
    expect(contents.zoomLevel).toBe(0);
  });
});

describe('admin exit and the kiosk window close', () => {
  function setUp(kiosk = true) {
    const app = new AppStandIn();
    const window = new BrowserWindowStandIn();
    const events: KioskEvent[] = [];
    let quits = 0;
    const exit = createAdminExit({ app: app.asApp(), quit: () => quits++, log: (e) => events.push(e) });
    guardWindowClose(window.asBrowserWindow(), kiosk, exit.isExitAllowed);
    return { app, window, exit, events, quits: () => quits };
  }

  it('keeps the kiosk window open against Alt+F4 or the close button', () => {
    const { window } = setUp();
    expect(window.tryClose()).toBe(false);
  });

  it('does not hold a normal window open when kiosk mode is off', () => {
    const { window } = setUp(false);
    expect(window.tryClose()).toBe(true);
  });

  it('refuses to exit when the admin is not verified, or verification fails', async () => {
    const { exit, window, events, quits } = setUp();
    expect(await exit.requestAdminExit(async () => false)).toBe(false);
    expect(await exit.requestAdminExit(async () => {
      throw new Error('keychain locked');
    })).toBe(false);
    expect(quits()).toBe(0);
    expect(window.tryClose()).toBe(false);
    expect(events.map((e) => e.kind)).toEqual(['kiosk.admin-exit-refused', 'kiosk.admin-exit-refused']);
  });

  it('exits once a verified admin asks, and lets the window close', async () => {
    const { exit, window, events, quits } = setUp();
    expect(await exit.requestAdminExit(async () => true)).toBe(true);
    expect(quits()).toBe(1);
    expect(exit.isExitAllowed()).toBe(true);
    expect(window.tryClose()).toBe(true);
    expect(events.at(-1)?.kind).toBe('kiosk.admin-exit');
  });

  it('handles one exit request at a time', async () => {
    const { exit } = setUp();
    let release: (ok: boolean) => void = () => {};
    const first = exit.requestAdminExit(() => new Promise<boolean>((resolve) => (release = resolve)));
    expect(await exit.requestAdminExit(async () => true)).toBe(false);
    release(true);
    expect(await first).toBe(true);
  });

  it('does not stand in the way of a system shutdown or log-off', () => {
    const quitting = setUp();
    quitting.app.emit('before-quit', {});
    expect(quitting.window.tryClose()).toBe(true);
    const loggingOff = setUp();
    loggingOff.window.emit('session-end', {});
    expect(loggingOff.window.tryClose()).toBe(true);
  });
});
