// Refused connections as staff read them: which part of Airlock asked, in words, and where it
// tried to go. The core's reason is already a plain sentence; the code stays for IT.
import { PLATFORM_LABELS, type PlatformId } from '../../../../common/platforms.ts';
import { t } from '../../i18n/index.ts';

const platformName = (id: string) => PLATFORM_LABELS[id as PlatformId] ?? id;

/** 'publish:tiktok' → "Publishing to TikTok", 'renderer' → "The screen itself". */
export function requesterLabel(requester: string): string {
  const [part, rest] = requester.split(/:(.*)/s, 2) as [string, string | undefined];
  if (part === 'publish' && rest) return t('diagnostics.requesters.publish', { platform: platformName(rest) });
  if (part === 'auth') return rest ? t('diagnostics.requesters.auth', { platform: platformName(rest) }) : t('diagnostics.requesters.authWindow');
  if (requester === 'renderer') return t('diagnostics.requesters.renderer');
  if (requester === 'unknown-session') return t('diagnostics.requesters.unknownSession');
  if (requester === 'unknown') return t('diagnostics.requesters.unknown');
  return t('diagnostics.requesters.other', { requester });
}

/** "host:port", with IPv6 addresses in brackets as in a web address. */
export function hostAndPort(host: string, port: number | null): string {
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return port === null ? shown : `${shown}:${port}`;
}
