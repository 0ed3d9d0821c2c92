// How the policy's settings read on the Policy screen: which section each belongs to, what it
// means in plain words, and its value as staff read it (Yes/No, lists, shortened keys).
import { PLATFORM_LABELS, type PlatformId } from '../../../../common/platforms.ts';
import { formatBytes, formatNumber } from '../../format.ts';
import { t } from '../../i18n/index.ts';

export type SettingOrigin = 'policy file' | 'default' | 'training mode';

export interface PolicySetting {
  path: string;
  value: unknown;
  from: SettingOrigin;
}

/** A value to show: one line of text, or a list (empty lists say what "none" means). */
export type ShownValue = { kind: 'text'; text: string; mono?: boolean } | { kind: 'list'; items: string[]; mono?: boolean; empty: string };

interface SettingWords {
  section: SectionId;
  /** Catalogue key of the setting's label. */
  label: string;
  show?: (value: unknown) => ShownValue;
}

/** Section ids, in the screen's order; their names are policy.sections.<id> in the catalogues. */
export const SECTIONS = ['platforms', 'approval', 'packages', 'sticks', 'lock', 'kiosk', 'network', 'language', 'training', 'other'] as const;
export type SectionId = (typeof SECTIONS)[number];

const text = (line: string, mono = false): ShownValue => ({ kind: 'text', text: line, mono });
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : []);
const bytes = (v: unknown) => text(typeof v === 'number' ? formatBytes(v) : plain(v));
const count = (key: string) => (v: unknown) => text(typeof v === 'number' ? t(key, { count: v }) : plain(v));

/** A signing key as "airlock-ed25519 AbCdEfGh…WxYz": enough to tell keys apart, short enough to read. */
export function shortKey(key: string): string {
  const [kind, body] = key.trim().split(/\s+/, 2);
  if (!body) return key.length > 24 ? `${key.slice(0, 12)}…${key.slice(-8)}` : key;
  return body.length > 20 ? `${kind} ${body.slice(0, 8)}…${body.slice(-6)}` : `${kind} ${body}`;
}

const MEDIA_TYPES: readonly string[] = ['jpeg', 'png', 'webp', 'mp4', 'mov', 'text'];

const WORDS: Record<string, SettingWords> = {
  '$.platforms': {
    section: 'platforms',
    label: 'policy.labels.platforms',
    show: (v) => ({ kind: 'list', items: strings(v).map((id) => PLATFORM_LABELS[id as PlatformId] ?? id), empty: t('policy.values.none') }),
  },
  '$.tiktok.postMode': {
    section: 'platforms',
    label: 'policy.labels.tiktokPostMode',
    show: (v) => text(v === 'inbox' ? t('policy.values.tiktokInbox') : v === 'direct' ? t('policy.values.tiktokDirect') : plain(v)),
  },
  '$.approval.twoPerson': { section: 'approval', label: 'policy.labels.twoPerson' },
  '$.packages.signatures': {
    section: 'packages',
    label: 'policy.labels.signatures',
    show: (v) => text(v === 'required' ? t('policy.values.required') : v === 'optional' ? t('policy.values.optional') : plain(v)),
  },
  '$.packages.trustedKeys': {
    section: 'packages',
    label: 'policy.labels.trustedKeys',
    show: (v) => ({ kind: 'list', items: strings(v).map(shortKey), mono: true, empty: t('policy.values.none') }),
  },
  '$.media.roots': {
    section: 'sticks',
    label: 'policy.labels.roots',
    show: (v) => ({ kind: 'list', items: strings(v), mono: true, empty: t('policy.values.rootsNone') }),
  },
  '$.media.allowedTypes': {
    section: 'sticks',
    label: 'policy.labels.allowedTypes',
    show: (v) => ({ kind: 'list', items: strings(v).map((type) => (MEDIA_TYPES.includes(type) ? t(`policy.values.types.${type}`) : type)), empty: t('policy.values.none') }),
  },
  '$.media.transcodeVideo': { section: 'sticks', label: 'policy.labels.transcodeVideo' },
  '$.media.consume': { section: 'sticks', label: 'policy.labels.consume' },
  '$.media.limits.maxDepth': { section: 'sticks', label: 'policy.labels.maxDepth', show: count('policy.values.levels') },
  '$.media.limits.maxFiles': { section: 'sticks', label: 'policy.labels.maxFiles', show: count('policy.values.files') },
  '$.media.limits.maxTotalBytes': { section: 'sticks', label: 'policy.labels.maxTotalBytes', show: bytes },
  '$.media.limits.maxBytes.image': { section: 'sticks', label: 'policy.labels.maxImage', show: bytes },
  '$.media.limits.maxBytes.video': { section: 'sticks', label: 'policy.labels.maxVideo', show: bytes },
  '$.media.limits.maxBytes.text': { section: 'sticks', label: 'policy.labels.maxText', show: bytes },
  '$.idleLockMinutes': {
    section: 'lock',
    label: 'policy.labels.idleLock',
    show: (v) => text(typeof v === 'number' ? t('policy.values.minutes', { count: v }) : plain(v)),
  },
  '$.organisation': { section: 'kiosk', label: 'policy.labels.organisation' },
  '$.kioskName': { section: 'kiosk', label: 'policy.labels.kioskName' },
  '$.kioskMode': { section: 'kiosk', label: 'policy.labels.kioskMode' },
  '$.policyVersion': { section: 'kiosk', label: 'policy.labels.policyVersion' },
  '$.$schema': { section: 'kiosk', label: 'policy.labels.schema', show: (v) => text(plain(v), true) },
  '$.proxy.mode': {
    section: 'network',
    label: 'policy.labels.proxyMode',
    show: (v) => text(v === 'direct' ? t('policy.values.direct') : v === 'fixed' ? t('policy.values.fixed') : plain(v)),
  },
  '$.proxy.server': { section: 'network', label: 'policy.labels.proxyServer', show: (v) => text(plain(v), true) },
  '$.network.extraHosts': {
    section: 'network',
    label: 'policy.labels.extraHosts',
    show: (v) => ({ kind: 'list', items: strings(v), empty: t('policy.values.hostsNone'), mono: true }),
  },
  '$.network.allowedPrivateRanges': {
    section: 'network',
    label: 'policy.labels.privateRanges',
    show: (v) => ({ kind: 'list', items: strings(v), empty: t('policy.values.none'), mono: true }),
  },
  '$.language': { section: 'language', label: 'policy.labels.language', show: (v) => text(typeof v === 'string' && (v === 'en' || v === 'et') ? t(`policy.values.languages.${v}`) : plain(v)) },
  '$.trainingMode': { section: 'training', label: 'policy.labels.trainingMode' },
};

/** Any value, as a line of text; booleans are Yes/No. */
function plain(v: unknown): string {
  if (typeof v === 'boolean') return v ? t('policy.values.yes') : t('policy.values.no');
  if (v === null || v === undefined) return t('policy.values.notSet');
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  return JSON.stringify(v);
}

export interface SettingView extends PolicySetting {
  section: SectionId;
  /** The label in the active language (the JSON path for a setting without one). */
  label: string;
  shown: ShownValue;
}

/** `$.accounts.<platform>`: the accounts IT allows on one platform. */
function accountWords(path: string): SettingWords | undefined {
  const platform = /^\$\.accounts\.([a-z]+)$/.exec(path)?.[1];
  if (platform === undefined) return undefined;
  return { section: 'platforms', label: 'policy.labels.accountsFor', show: (v) => ({ kind: 'list', items: strings(v), mono: true, empty: t('policy.values.none') }) };
}

export function describeSetting(s: PolicySetting): SettingView {
  const accountFor = /^\$\.accounts\.([a-z]+)$/.exec(s.path)?.[1];
  const words = WORDS[s.path] ?? accountWords(s.path);
  const shown = words?.show ? words.show(s.value) : Array.isArray(s.value) ? { kind: 'list' as const, items: strings(s.value), empty: t('policy.values.none') } : text(plain(s.value));
  // A setting this screen has no words for yet is still shown, under its JSON path, never hidden.
  const platformName = accountFor === undefined ? '' : (PLATFORM_LABELS[accountFor as PlatformId] ?? accountFor);
  return { ...s, section: words?.section ?? 'other', label: words ? t(words.label, { platform: platformName }) : s.path, shown };
}

/** Settings grouped in the screen's section order, each section in the order of `WORDS`. */
export function groupSettings(settings: readonly PolicySetting[]): { section: SectionId; settings: SettingView[] }[] {
  const order = Object.keys(WORDS);
  const rank = (path: string) => (order.includes(path) ? order.indexOf(path) : order.length);
  const views = settings.map(describeSetting).sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  return SECTIONS.map((section) => ({ section, settings: views.filter((v) => v.section === section) })).filter((g) => g.settings.length > 0);
}

/** Where IT installs the policy file on each operating system (as the core reads it). */
export function policyLocationFor(platform: string | undefined): string | null {
  if (platform === 'linux') return '/etc/airlock/policy.json';
  if (platform === 'win32') return '%ProgramData%\\Airlock\\policy.json';
  if (platform === 'darwin') return '/Library/Application Support/Airlock/policy.json';
  return null;
}
