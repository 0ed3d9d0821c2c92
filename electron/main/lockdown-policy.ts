// The Electron shell's part of the managed policy: kiosk mode and the proxy Chromium uses.
// They are read defensively, as a second line behind the policy schema: absent means the safest
// value, and a value that is present but unreadable stops start-up.
import { AirlockError } from '../../common/errors.ts';
import type { LoadedPolicy } from '../services/policy/policy.ts';

/** `direct`, or one fixed proxy for everything. There is deliberately no PAC or auto-detect choice. */
export type ProxyChoice = { mode: 'direct' } | { mode: 'fixed'; server: string };

export interface LockdownSettings {
  kiosk: boolean;
  proxy: ProxyChoice;
}

/**
 * `host:port` of an HTTP proxy, optionally with `http://`; no credentials, no path. Only HTTP
 * CONNECT proxies: Airlock's services tunnel through the same proxy as its windows.
 */
export const PROXY_SERVER_PATTERN = /^(?:http:\/\/)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?:(\d{1,5})$/i;

function invalid(path: string, why: string): AirlockError {
  return new AirlockError(
    'policy.invalid',
    'The kiosk policy file has settings Airlock does not accept, so Airlock will not start. Ask IT to check it.',
    `$.${path}: ${why}`,
  );
}

function readProxy(value: unknown): ProxyChoice {
  if (value === undefined) return { mode: 'direct' };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('proxy', 'must be {"mode":"direct"} or {"mode":"fixed","server":"host:port"}');
  const { mode, server, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw invalid('proxy', `unknown setting ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  if (mode === 'direct' && server === undefined) return { mode: 'direct' };
  if (mode === 'fixed' && typeof server === 'string' && server.length <= 300) {
    const port = PROXY_SERVER_PATTERN.exec(server)?.[1];
    if (port !== undefined && Number(port) >= 1 && Number(port) <= 65535) return { mode: 'fixed', server };
    throw invalid('proxy.server', 'must be host:port of an HTTP proxy, optionally starting with http://');
  }
  throw invalid('proxy', 'mode must be "direct" or "fixed" (with a server); PAC scripts and auto-detection are not supported');
}

/**
 * Kiosk mode is on unless the policy switches it off, with one exception: an unpackaged
 * developer build with no policy file opens as a normal window, so a developer is not locked
 * out of their own desktop. A packaged app without a policy file is a kiosk.
 */
export function lockdownSettings(loaded: Pick<LoadedPolicy, 'policy' | 'source'>, packaged: boolean): LockdownSettings {
  const raw = loaded.policy as unknown as Record<string, unknown>;
  const kioskMode = raw.kioskMode;
  if (kioskMode !== undefined && typeof kioskMode !== 'boolean') throw invalid('kioskMode', 'must be true or false');
  // Decided by the source, not by kioskMode's value: once the schema gives kioskMode a
  // default, built-in defaults will carry `true` without anyone having chosen it.
  const kiosk = !packaged && loaded.source === 'built-in defaults' ? false : (kioskMode ?? true);
  return { kiosk, proxy: readProxy(raw.proxy) };
}
