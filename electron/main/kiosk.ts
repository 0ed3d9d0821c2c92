// Kiosk lockdown of Airlock's windows: full screen with no menu, no keyboard way to reload,
// inspect, print, save, zoom, navigate, open or close windows, and only the admin exit out.
// Each rule is a function over the Electron objects it touches, so tests can pass stand-ins.
import type { App, BrowserWindow, BrowserWindowConstructorOptions, Menu, WebContents } from 'electron';

/** The window options that make a kiosk; webPreferences stay a literal at the BrowserWindow call. */
export function kioskWindowOptions(kiosk: boolean): Pick<BrowserWindowConstructorOptions, 'kiosk' | 'fullscreen' | 'minimizable' | 'autoHideMenuBar'> {
  return kiosk ? { kiosk: true, fullscreen: true, minimizable: false, autoHideMenuBar: true } : { kiosk: false, autoHideMenuBar: true };
}

/** No application menu: its default accelerators (reload, devtools, zoom, quit) go with it. */
export function removeApplicationMenu(menu: Pick<typeof Menu, 'setApplicationMenu'>): void {
  menu.setApplicationMenu(null);
}

export interface KeyInput {
  type: string;
  key: string;
  code: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}

export interface ShortcutRules {
  /** Closing, quitting, hiding and leaving full screen are blocked only in kiosk mode. */
  kiosk: boolean;
  /** Unpackaged builds keep the devtools shortcuts (webPreferences.devTools is on there too). */
  devTools: boolean;
}

export type ShortcutKind = 'reload' | 'devtools' | 'view-source' | 'print' | 'save' | 'zoom' | 'navigate' | 'new-window' | 'close' | 'fullscreen';

const SAFEST: ShortcutRules = { kiosk: true, devTools: false };

/**
 * The letter a shortcut means. Latin layouts: the key typed (so Dvorak's Ctrl+Y is redo, not
 * Ctrl+T). Other layouts (Cyrillic, Greek): the physical key, as Chromium's own shortcuts do.
 */
function letterOf(input: KeyInput): string | null {
  if (/^[a-z]$/i.test(input.key)) return input.key.toLowerCase();
  const physical = /^Key([A-Z])$/.exec(input.code);
  return physical ? physical[1]!.toLowerCase() : null;
}

const ZOOM_KEYS = new Set(['+', '=', '-', '_', '0']);
const ZOOM_CODES = new Set(['Equal', 'Minus', 'Digit0', 'NumpadAdd', 'NumpadSubtract', 'Numpad0']);

/**
 * Which blocked shortcut `input` is, or null when it may reach the page. Typing and editing
 * (Ctrl/Cmd+A/C/V/X/Z/Y, arrows, Backspace, Tab, Enter, Escape) always pass. Backspace is not
 * "back" in Chromium since version 52, so it needs no rule. Ctrl combinations with Alt held are
 * AltGr on Windows (Estonian AltGr+0 types "}"), and are never treated as Ctrl shortcuts.
 */
export function blockedShortcut(input: KeyInput, platform: NodeJS.Platform, rules: ShortcutRules = SAFEST): ShortcutKind | null {
  const mac = platform === 'darwin';
  const { key, code, alt, shift } = input;
  const primary = mac ? input.meta && !input.control : input.control && !input.meta;
  const letter = letterOf(input);
  const fn = /^F\d{1,2}$/.test(key) ? key : /^F\d{1,2}$/.test(code) ? code : null;

  if (key === 'BrowserRefresh' || fn === 'F5') return 'reload';
  if (key === 'BrowserBack' || key === 'BrowserForward' || key === 'BrowserHome') return 'navigate';
  if (fn === 'F12') return rules.devTools ? null : 'devtools';
  if (fn === 'F11' && rules.kiosk) return 'fullscreen';
  if (!mac && alt && !input.control && !input.meta) {
    if (key === 'ArrowLeft' || key === 'ArrowRight') return 'navigate';
    if (fn === 'F4') return rules.kiosk ? 'close' : null;
    return null;
  }
  if (mac && input.meta && input.control && letter === 'f') return rules.kiosk ? 'fullscreen' : null;
  if (!primary) return null;

  if (mac && alt) {
    // Cmd+Option+I/J/C open the inspector and Cmd+Option+U shows the source on macOS.
    if (letter === 'u') return 'view-source';
    if (letter === 'i' || letter === 'j' || letter === 'c') return rules.devTools ? null : 'devtools';
    if (letter === 'h' && rules.kiosk) return 'close';
    return null;
  }
  if (alt) return null;

  if (shift && (letter === 'i' || letter === 'j' || letter === 'c')) return rules.devTools ? null : 'devtools';
  if (letter === 'r') return 'reload';
  if (letter === 'u') return 'view-source';
  if (letter === 'p') return 'print';
  if (letter === 's') return 'save';
  if (letter === 'n' || letter === 't') return 'new-window';
  if (letter === 'w') return rules.kiosk ? 'close' : null;
  if (mac && (letter === 'q' || letter === 'h' || letter === 'm')) return rules.kiosk ? 'close' : null;
  if (!mac && fn === 'F4') return rules.kiosk ? 'close' : null;
  if (ZOOM_KEYS.has(key) || ZOOM_CODES.has(code)) return 'zoom';
  if (mac && (key === '[' || key === ']' || code === 'BracketLeft' || code === 'BracketRight')) return 'navigate';
  return null;
}

export function isBlockedShortcut(input: KeyInput, platform: NodeJS.Platform, rules: ShortcutRules = SAFEST): boolean {
  return blockedShortcut(input, platform, rules) !== null;
}

/**
 * Filters the keyboard of one web contents and pins its zoom. Ctrl+wheel only raises
 * 'zoom-changed' in Electron (nothing zooms unless the app does it); pinch zoom is the
 * visual zoom, held at 1.
 */
export function lockKeyboardAndZoom(
  contents: Pick<WebContents, 'on' | 'setVisualZoomLevelLimits' | 'setZoomLevel'>,
  platform: NodeJS.Platform,
  rules: ShortcutRules,
): void {
  contents.on('before-input-event', (event, input) => {
    if (isBlockedShortcut(input, platform, rules)) event.preventDefault();
  });
  contents.on('did-finish-load', () => {
    void contents.setVisualZoomLevelLimits(1, 1).catch(() => {
      // Only fails when the contents is already gone; there is nothing left to zoom.
    });
  });
  contents.on('zoom-changed', () => contents.setZoomLevel(0));
}

export interface KioskEvent {
  kind: string;
  details: Record<string, string | number | boolean | null>;
}

export interface AdminExit {
  /**
   * Leaves the kiosk if `verify` proves an administrator is present. The API method
   * `app.exitKiosk` does the proving (the signed-in admin enters their own secret again, under
   * the sign-in lockout) before the shell calls this, so no IPC channel exists just for exiting
   * and no secret passes through this module. Resolves false when refused; `verify` throwing
   * counts as refused.
   */
  requestAdminExit(verify: () => Promise<boolean>): Promise<boolean>;
  /** True once an admin exit was granted or the system is shutting the app down. */
  isExitAllowed(): boolean;
}

export function createAdminExit(options: { app: Pick<App, 'on'>; quit: () => void; log: (event: KioskEvent) => void }): AdminExit {
  let allowed = false;
  let pending = false;
  // The OS logging out or shutting down is not someone at the kiosk; refusing it would only
  // stall the shutdown. (Nothing at the kiosk can start a quit: there is no menu, Cmd+Q is
  // filtered, and the window's own close goes through guardWindowClose.)
  options.app.on('before-quit', () => {
    allowed = true;
  });
  return {
    async requestAdminExit(verify) {
      if (pending) return false;
      pending = true;
      try {
        let verified = false;
        try {
          verified = (await verify()) === true;
        } catch (err) {
          options.log({ kind: 'kiosk.admin-exit-refused', details: { why: err instanceof Error ? err.message : String(err) } });
          return false;
        }
        if (!verified) {
          options.log({ kind: 'kiosk.admin-exit-refused', details: { why: 'not verified as an administrator' } });
          return false;
        }
        allowed = true;
        options.log({ kind: 'kiosk.admin-exit', details: {} });
        options.quit();
        return true;
      } finally {
        pending = false;
      }
    },
    isExitAllowed: () => allowed,
  };
}

/**
 * In kiosk mode the window closes only through the admin exit or a system shutdown: Alt+F4
 * and the window manager's close button end here too, not only the filtered shortcuts.
 */
export function guardWindowClose(window: Pick<BrowserWindow, 'on'>, kiosk: boolean, isExitAllowed: () => boolean): void {
  if (!kiosk) return;
  let sessionEnding = false;
  // Windows log-off and shutdown arrive as session-end, not always as before-quit.
  window.on('session-end', () => {
    sessionEnding = true;
  });
  window.on('close', (event) => {
    if (!isExitAllowed() && !sessionEnding) event.preventDefault();
  });
}
