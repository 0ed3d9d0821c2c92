// The network rules of each Electron session: which URLs its pages may load, which proxy
// Chromium uses, and that nothing is downloaded, captured or granted. The host decision is the
// Node egress guard's own (checkUrl), so both halves of the app share one allow-list.
import type { ProxyConfig, Session } from 'electron';
import { checkUrl } from '../services/egress/egress-guard.ts';
import { EgressPolicy } from '../services/egress/egress-policy.ts';
import { denyPermissions } from './hardening.ts';
import type { ProxyChoice } from './lockdown-policy.ts';
import { APP_HOST, APP_SCHEME } from './protocol.ts';

/** Sign-in pages get a session of their own; no `persist:` prefix, so nothing of it reaches disk. */
export const OAUTH_PARTITION = 'airlock-oauth';

export interface RequestRefusal {
  allowed: false;
  code: string;
  reason: string;
  detail: string;
  scheme: string;
  host: string;
  port: number | null;
}

export type RequestDecision = { allowed: true } | RequestRefusal;

export interface RequestRules {
  /**
   * null: this session has no network at all. The main window's renderer talks only to
   * window.airlock and every byte it shows comes over app://, so a page that asks for http(s)
   * or a websocket is a bug or an attack, and the answer for both is no. (Signal Desktop switches
   * the renderer's http/https/ws off for the same reason.) Refusing all of it also means an
   * injected script cannot make the kiosk a browser, nor reach the corporate network.
   */
  egress: EgressPolicy | null;
  /** devtools: pages, only in unpackaged builds, where webPreferences.devTools is on too. */
  allowDevTools: boolean;
  /** Exact URLs the main process itself loads as a top-level page (the crash page). */
  ownPages: readonly string[];
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

function refused(url: URL | null, code: string, reason: string, detail: string): RequestRefusal {
  const scheme = url?.protocol ?? '(unreadable)';
  const host = url === null ? '(unreadable)' : url.hostname || `(${scheme.replace(/:$/, '')})`;
  const port = url === null ? null : url.port !== '' ? Number(url.port) : (DEFAULT_PORTS[scheme] ?? null);
  return { allowed: false, code, reason, detail, scheme, host, port };
}

function sameUrl(page: string, url: URL): boolean {
  try {
    return new URL(page).href === url.href;
  } catch {
    return false;
  }
}

/**
 * May a page in this session load `rawUrl`? Everything not named here is refused: file:
 * (reads the disk), data: and blob: (the renderer uses neither: library media comes from
 * app:// paths, and the CSP's blob: allowance is unused today), ws/wss, ftp, chrome:, about:.
 */
export function decideRequest(rawUrl: string, resourceType: string, rules: RequestRules): RequestDecision {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return refused(null, 'egress.invalid-url', 'Airlock refused a web address it could not read.', 'unparseable URL (not logged)');
  }
  if (url.protocol === `${APP_SCHEME}:`) {
    return url.host === APP_HOST
      ? { allowed: true }
      : refused(url, 'egress.host-not-allowed', 'Airlock refused to load a page that is not its own.', `${APP_SCHEME}: URL for host ${url.host || '(none)'}`);
  }
  if (url.protocol === 'devtools:') {
    return rules.allowDevTools ? { allowed: true } : refused(url, 'egress.scheme-not-allowed', 'Developer tools are switched off on this kiosk.', 'devtools: in a packaged build');
  }
  if (resourceType === 'mainFrame' && rules.ownPages.some((page) => sameUrl(page, url))) return { allowed: true };
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (rules.egress === null) {
      return refused(url, 'egress.renderer-offline', "Airlock's screen tried to reach the internet directly; it never needs to, so this was blocked.", `${resourceType} request from a session without network access`);
    }
    const checked = checkUrl(url, rules.egress, rawUrl);
    if (!checked.allowed) return refused(url, checked.code, checked.reason, checked.detail);
    // Chromium resolves names itself, after this check, so the address rule the Node client
    // applies after DNS cannot run here. What is left is made as narrow as possible: named
    // hosts only over https on 443, and plain http or other ports only to a loopback literal
    // (the simulators in training mode; checkHost admits loopback literals only then).
    if (checked.literal === null && (url.protocol !== 'https:' || checked.port !== 443)) {
      return refused(url, 'egress.port-not-allowed', `Airlock blocked a connection to ${checked.host} that was not plain https.`, `${url.protocol} port ${checked.port}: named hosts are reached only by https on 443`);
    }
    return { allowed: true };
  }
  return refused(url, 'egress.scheme-not-allowed', 'Airlock refused to load something that is not part of it.', `scheme ${url.protocol} is not allowed in Airlock's windows`);
}

/** The proxy Chromium uses. Never PAC or WPAD: a script fetched from the network could route traffic anywhere. */
export function proxyConfigFor(choice: ProxyChoice): ProxyConfig {
  return choice.mode === 'fixed' ? { mode: 'fixed_servers', proxyRules: choice.server } : { mode: 'direct' };
}

export interface SessionRefusal {
  at: number;
  scheme: string;
  host: string;
  port: number | null;
  /** Which part of Airlock's UI asked: `renderer` for the main window, `auth` for sign-in pages. */
  requester: string;
  resourceType: string;
  code: string;
  reason: string;
  detail: string;
}

export type SessionNetwork = { network: 'none' } | { network: 'allow-list'; allowedHosts: readonly string[]; allowLoopback: boolean };

export type SessionGuardOptions = SessionNetwork & {
  requester: string;
  allowDevTools: boolean;
  proxy: ProxyChoice;
  log: (refusal: SessionRefusal) => void;
  ownPages?: readonly string[];
  clock?: () => number;
  /** The same refusal (requester, scheme, host, port) is logged once per this many ms; a looping page must not flood the audit log. */
  repeatQuietMs?: number;
};

export const NO_NETWORK: SessionNetwork = { network: 'none' };

/**
 * Applies every rule to `session`: request filter, proxy, no downloads, no spell-check
 * dictionary downloads, TLS 1.2 or later, all permissions denied. The filter is in place
 * before this returns; the returned promise settles once Chromium has taken the proxy setting,
 * and windows must not load anything before then.
 */
export async function guardSession(session: Session, options: SessionGuardOptions): Promise<void> {
  const rules: RequestRules = {
    egress: options.network === 'none' ? null : new EgressPolicy({ allowedHosts: options.allowedHosts, allowLoopback: options.allowLoopback }),
    allowDevTools: options.allowDevTools,
    ownPages: options.ownPages ?? [],
  };
  const clock = options.clock ?? Date.now;
  const quietMs = options.repeatQuietMs ?? 10_000;
  const lastLogged = new Map<string, number>();
  const log = (refusal: Omit<SessionRefusal, 'at' | 'requester'>): void => {
    const at = clock();
    const key = `${refusal.scheme}|${refusal.host}|${refusal.port}|${refusal.code}`;
    const previous = lastLogged.get(key);
    if (previous !== undefined && at - previous < quietMs) return;
    if (lastLogged.size > 1000) lastLogged.clear();
    lastLogged.set(key, at);
    options.log({ ...refusal, at, requester: options.requester });
  };

  // The single-argument form sees every request; a URL filter would not match custom schemes.
  session.webRequest.onBeforeRequest((details, callback) => {
    const decision = decideRequest(details.url, details.resourceType, rules);
    if (decision.allowed) {
      callback({});
      return;
    }
    const { allowed: _allowed, ...refusal } = decision;
    log({ ...refusal, resourceType: details.resourceType });
    callback({ cancel: true });
  });
  session.on('will-download', (event, item) => {
    event.preventDefault();
    let url: URL | null = null;
    try {
      url = new URL(item.getURL());
    } catch {
      // Logged as unreadable below.
    }
    const { allowed: _allowed, ...refusal } = refused(url, 'egress.download-refused', 'Airlock does not download files from its windows.', 'download cancelled');
    log({ ...refusal, resourceType: 'download' });
  });
  // Chromium fetches Hunspell dictionaries from Google's servers when spell-checking is on.
  session.setSpellCheckerEnabled(false);
  session.setSSLConfig({ minVersion: 'tls1.2' });
  denyPermissions(session);
  await session.setProxy(proxyConfigFor(options.proxy));
}
