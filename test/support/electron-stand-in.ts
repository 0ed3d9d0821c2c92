// The one stand-in for Electron in Airlock's tests. The Electron runtime cannot start on the
// machines the tests run on (its binary is downloaded at install time and that host is not
// reachable), so code in electron/main is tested against these minimal objects, which model
// only what that code touches: ipcMain, the sender frame of an event, and the events and
// setters of app, sessions, web contents, windows and the menu that the lockdown uses.
// They record what was set and let a test fire the events Chromium would.
import type { App, BrowserWindow, BrowserWindowConstructorOptions, IpcMainInvokeEvent, Menu, ProxyConfig, Session, WebContents } from 'electron';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

export class IpcMainStandIn {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** Calls a channel the way ipcRenderer.invoke from a frame with this URL would. */
  async invoke(channel: string, frame: { url: string; isMain: boolean }, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(invokeEvent(frame), ...args);
  }
}

export function invokeEvent(frame: { url: string; isMain: boolean }): IpcMainInvokeEvent {
  const senderFrame = { url: frame.url };
  const mainFrame = frame.isMain ? senderFrame : { url: 'app://airlock/index.html' };
  return { senderFrame, sender: { mainFrame } } as unknown as IpcMainInvokeEvent;
}

/** The first argument of most Electron listeners. */
export class ElectronEventStandIn {
  defaultPrevented = false;

  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

type Listener = (...args: never[]) => unknown;

/** on/once/emit as Electron's EventEmitter-based objects offer them. */
class EmitterStandIn {
  readonly #listeners = new Map<string, Array<{ listener: Listener; once: boolean }>>();

  on(event: string, listener: Listener): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), { listener, once: false }]);
    return this;
  }

  once(event: string, listener: Listener): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), { listener, once: true }]);
    return this;
  }

  listenerCount(event: string): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  emit(event: string, ...args: unknown[]): void {
    const entries = this.#listeners.get(event) ?? [];
    this.#listeners.set(event, entries.filter((entry) => !entry.once));
    for (const { listener } of entries) (listener as (...a: unknown[]) => unknown)(...args);
  }
}

type BeforeRequest = (details: { url: string; resourceType: string }, callback: (response: { cancel?: boolean }) => void) => void;
type PermissionRequest = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;

export class SessionStandIn extends EmitterStandIn {
  beforeRequest: BeforeRequest | null = null;
  beforeRequestFilter: unknown = undefined;
  readonly proxyCalls: ProxyConfig[] = [];
  permissionRequestHandler: PermissionRequest | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  displayMediaRequestHandler: ((request: unknown, callback: (streams: unknown) => void) => void) | null = null;
  spellCheckerEnabled: boolean | null = null;
  sslConfig: unknown = null;

  readonly webRequest = {
    onBeforeRequest: (filterOrListener: unknown, listener?: BeforeRequest): void => {
      if (listener === undefined) {
        this.beforeRequestFilter = undefined;
        this.beforeRequest = filterOrListener as BeforeRequest;
      } else {
        this.beforeRequestFilter = filterOrListener;
        this.beforeRequest = listener;
      }
    },
  };

  setProxy(config: ProxyConfig): Promise<void> {
    this.proxyCalls.push(config);
    return Promise.resolve();
  }

  setPermissionRequestHandler(handler: PermissionRequest | null): void {
    this.permissionRequestHandler = handler;
  }

  setPermissionCheckHandler(handler: ((...args: unknown[]) => boolean) | null): void {
    this.permissionCheckHandler = handler;
  }

  setDevicePermissionHandler(handler: ((details: unknown) => boolean) | null): void {
    this.devicePermissionHandler = handler;
  }

  setDisplayMediaRequestHandler(handler: ((request: unknown, callback: (streams: unknown) => void) => void) | null): void {
    this.displayMediaRequestHandler = handler;
  }

  setSpellCheckerEnabled(enabled: boolean): void {
    this.spellCheckerEnabled = enabled;
  }

  setSSLConfig(config: unknown): void {
    this.sslConfig = config;
  }

  /** Sends one request through the installed filter as Chromium would; true when it may proceed. */
  request(url: string, resourceType = 'xhr'): boolean {
    if (!this.beforeRequest) return true;
    let answer: { cancel?: boolean } | null = null;
    this.beforeRequest({ url, resourceType }, (response) => {
      answer = response;
    });
    if (answer === null) throw new Error(`the request filter never answered for ${url}`);
    return (answer as { cancel?: boolean }).cancel !== true;
  }

  /** Starts a download of `url` the way a page could; the returned event says whether it was cancelled. */
  download(url: string): ElectronEventStandIn {
    const event = new ElectronEventStandIn();
    this.emit('will-download', event, { getURL: () => url }, null, null);
    return event;
  }

  asSession(): Session {
    return this as unknown as Session;
  }
}

export class WebContentsStandIn extends EmitterStandIn {
  destroyed = false;
  visualZoomLimits: [number, number] | null = null;
  zoomLevel = 0;
  windowOpenHandler: ((details: unknown) => unknown) | null = null;

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setVisualZoomLevelLimits(minimum: number, maximum: number): Promise<void> {
    this.visualZoomLimits = [minimum, maximum];
    return Promise.resolve();
  }

  setZoomLevel(level: number): void {
    this.zoomLevel = level;
  }

  setWindowOpenHandler(handler: (details: unknown) => unknown): void {
    this.windowOpenHandler = handler;
  }

  readonly loadedUrls: string[] = [];

  async loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
  }

  /** A navigation event ('will-navigate', 'will-redirect'…) as Chromium raises it; true when the code under test stopped it. */
  navigate(event: string, url: string): boolean {
    const e = new ElectronEventStandIn();
    this.emit(event, e, url);
    return e.defaultPrevented;
  }

  /** A key event as before-input-event delivers it; true when the page would receive it. */
  press(input: { key: string; code?: string; control?: boolean; meta?: boolean; alt?: boolean; shift?: boolean; type?: string }): boolean {
    const event = new ElectronEventStandIn();
    this.emit('before-input-event', event, { type: 'keyDown', code: '', control: false, meta: false, alt: false, shift: false, isAutoRepeat: false, isComposing: false, location: 0, modifiers: [], ...input });
    return !event.defaultPrevented;
  }

  asWebContents(): WebContents {
    return this as unknown as WebContents;
  }
}

export class BrowserWindowStandIn extends EmitterStandIn {
  readonly webContents = new WebContentsStandIn();
  /** What the code under test passed to `new BrowserWindow(...)`. */
  readonly options: BrowserWindowConstructorOptions | undefined;

  /** Every window constructed, newest last, for code that creates its own windows. */
  static readonly created: BrowserWindowStandIn[] = [];
  #destroyed = false;

  constructor(options?: BrowserWindowConstructorOptions) {
    super();
    this.options = options;
    BrowserWindowStandIn.created.push(this);
  }

  get loadedUrls(): string[] {
    return this.webContents.loadedUrls;
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  close(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }

  /** The class as code under test receives it: `new deps.BrowserWindow(options)`. */
  static asConstructor(): new (options: BrowserWindowConstructorOptions) => BrowserWindow {
    return BrowserWindowStandIn as unknown as new (options: BrowserWindowConstructorOptions) => BrowserWindow;
  }

  /** Asks the window to close (Alt+F4, the close button, window.close()); true when it would. */
  tryClose(): boolean {
    const event = new ElectronEventStandIn();
    this.emit('close', event);
    return !event.defaultPrevented;
  }

  asBrowserWindow(): BrowserWindow {
    return this as unknown as BrowserWindow;
  }
}

export class AppStandIn extends EmitterStandIn {
  asApp(): App {
    return this as unknown as App;
  }
}

export class MenuStandIn {
  /** 'default' until the code under test replaces Electron's default menu. */
  applicationMenu: unknown = 'default';

  setApplicationMenu(menu: unknown): void {
    this.applicationMenu = menu;
  }

  asMenu(): typeof Menu {
    return this as unknown as typeof Menu;
  }
}
