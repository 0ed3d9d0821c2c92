// A kiosk that cannot start stays locked on a fixed page that says why, in a window with no
// script and no preload that cannot be closed in kiosk mode; a broken policy names the command
// IT runs to see every problem. (Run against the Electron stand-in: Electron cannot start here.)
import { describe, expect, it } from 'vitest';
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { AirlockError } from '../../../common/errors.ts';
import { lockOnStartupFailure, policyFailurePage, STARTUP_FAILURE_PAGE_URL, startupFailurePage, startupFailureWindowOptions } from '../../../electron/main/startup-failure.ts';
import { BrowserWindowStandIn } from '../../support/electron-stand-in.ts';

const html = (url: string) => decodeURIComponent(url.slice(url.indexOf(',') + 1));

describe('startup failure', () => {
  it('names the policy check command and the file for a policy error, escaped', () => {
    const url = startupFailurePage(new AirlockError('policy.invalid', 'The kiosk policy file has settings Airlock does not accept'), '/etc/airlock/<policy>.json');
    expect(url).toBe(policyFailurePage('/etc/airlock/<policy>.json'));
    expect(html(url)).toContain('Airlock policy check /etc/airlock/&#60;policy&#62;.json');
    expect(html(url)).toContain('This kiosk is locked');
    expect(html(url)).not.toContain('<policy>');
    expect(html(url)).toContain("default-src 'none'");
  });

  it('shows the general page for anything else, never the error text itself', () => {
    expect(startupFailurePage(new Error('EACCES /var/lib/airlock <script>'), '/etc/airlock/policy.json')).toBe(STARTUP_FAILURE_PAGE_URL);
    expect(html(STARTUP_FAILURE_PAGE_URL)).not.toContain('<script');
  });

  it('locks the kiosk on a script-free window that cannot be closed', async () => {
    const opened: BrowserWindowStandIn[] = [];
    const Window = class extends BrowserWindowStandIn {
      constructor(options: BrowserWindowConstructorOptions) {
        super(options);
        opened.push(this);
      }
    };
    await lockOnStartupFailure({ app: { whenReady: async () => {} }, BrowserWindow: Window as unknown as new (o: BrowserWindowConstructorOptions) => BrowserWindow }, STARTUP_FAILURE_PAGE_URL, true);
    const [window] = opened;
    expect(window?.options).toEqual(startupFailureWindowOptions(true));
    expect(window?.options?.kiosk).toBe(true);
    expect(window?.options?.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, devTools: false });
    expect(window?.options?.webPreferences?.preload).toBeUndefined();
    expect(window?.loadedUrls).toEqual([STARTUP_FAILURE_PAGE_URL]);
    expect(window?.tryClose()).toBe(false);
  });

  it('lets a developer build close it', async () => {
    const window = new BrowserWindowStandIn();
    const Window = function () {
      return window;
    };
    await lockOnStartupFailure({ app: { whenReady: async () => {} }, BrowserWindow: Window as unknown as new (o: BrowserWindowConstructorOptions) => BrowserWindow }, STARTUP_FAILURE_PAGE_URL, false);
    expect(window.tryClose()).toBe(true);
  });
});
