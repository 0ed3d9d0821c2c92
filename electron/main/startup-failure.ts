// When Airlock cannot start — above all when the kiosk policy is broken — the kiosk stays locked
// on a plain page that says so, instead of quitting to the desktop or falling back to defaults.
// The pages are fixed text with no script (so nothing from a broken file is ever rendered); IT
// gets the exact problems from `Airlock policy check`, which the page names.
import type { App, BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { AirlockError } from '../../common/errors.ts';
import { guardWindowClose, kioskWindowOptions } from './kiosk.ts';

function page(title: string, paragraphs: string[]): string {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; background: #f6f7f9; color: #1d2330; margin: 0; display: grid; place-items: center; height: 100vh">
<main style="max-width: 38rem; padding: 2rem">
<h1 style="font-size: 1.6rem">${title}</h1>
${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}
</main></body></html>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** For a broken, unreadable or invalid policy file. `policyPath` is where Airlock looked. */
export function policyFailurePage(policyPath: string): string {
  return page('This kiosk is locked: its policy file has a problem', [
    'Airlock will not start with a policy it cannot fully apply, so nothing can be imported or published from this kiosk until IT fixes it.',
    `For IT: run <code>Airlock policy check ${escape(policyPath)}</code> on this kiosk. It lists every problem with the JSON path of the setting.`,
  ]);
}

export const STARTUP_FAILURE_PAGE_URL = page('Airlock could not start', [
  'Nothing was changed. Work that was saved and posts already queued are kept.',
  'For IT: the reason is written to the system log, in the line starting "Airlock could not start".',
]);

/** The page to lock the kiosk on for this start-up error. */
export function startupFailurePage(err: unknown, policyPath: string): string {
  return err instanceof AirlockError && err.code.startsWith('policy.') ? policyFailurePage(policyPath) : STARTUP_FAILURE_PAGE_URL;
}

/**
 * The window the kiosk stays locked on. No preload and no script at all; in kiosk mode it
 * cannot be closed, like the main window (IT restarts the kiosk once the policy is fixed).
 */
export function startupFailureWindowOptions(kiosk: boolean): BrowserWindowConstructorOptions {
  return {
    ...kioskWindowOptions(kiosk),
    width: 1280,
    height: 860,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      javascript: false,
      webSecurity: true,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: false,
    },
  };
}

export interface StartupFailureDeps {
  app: Pick<App, 'whenReady'>;
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
}

export async function lockOnStartupFailure(deps: StartupFailureDeps, pageUrl: string, kiosk: boolean): Promise<BrowserWindow> {
  await deps.app.whenReady();
  const window = new deps.BrowserWindow(startupFailureWindowOptions(kiosk));
  guardWindowClose(window, kiosk, () => false);
  await window.loadURL(pageUrl);
  return window;
}
