// How the policy's settings read on the Policy screen: which section each belongs to, what it
// means in plain words, and its value as staff read it (Yes/No, lists, shortened keys).
import { PLATFORM_LABELS, type PlatformId } from '../../../../common/platforms.ts';
import { formatBytes } from '../../format.ts';

export type SettingOrigin = 'policy file' | 'default' | 'training mode';

export interface PolicySetting {
  path: string;
  value: unknown;
  from: SettingOrigin;
}

/** A value to show: one line of text, or a list (empty lists say what "none" means). */
export type ShownValue = { kind: 'text'; text: string; mono?: boolean } | { kind: 'list'; items: string[]; mono?: boolean; empty: string };

interface SettingWords {
  section: string;
  label: string;
  show?: (value: unknown) => ShownValue;
}

export const SECTIONS = ['Platforms', 'Approval', 'Packages and keys', 'USB sticks', 'Screen lock', 'Kiosk', 'Network and proxy', 'Language', 'Training', 'Other settings'] as const;

const text = (t: string, mono = false): ShownValue => ({ kind: 'text', text: t, mono });
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : []);
const bytes = (v: unknown) => text(typeof v === 'number' ? formatBytes(v) : plain(v));
const count = (unit: string) => (v: unknown) => text(typeof v === 'number' ? `${v.toLocaleString()} ${unit}` : plain(v));

/** A signing key as "airlock-ed25519 AbCdEfGh…WxYz": enough to tell keys apart, short enough to read. */
export function shortKey(key: string): string {
  const [kind, body] = key.trim().split(/\s+/, 2);
  if (!body) return key.length > 24 ? `${key.slice(0, 12)}…${key.slice(-8)}` : key;
  return body.length > 20 ? `${kind} ${body.slice(0, 8)}…${body.slice(-6)}` : `${kind} ${body}`;
}

const LANGUAGES: Record<string, string> = { en: 'English', et: 'Estonian (eesti)' };

const WORDS: Record<string, SettingWords> = {
  '$.platforms': {
    section: 'Platforms',
    label: 'Platforms staff can publish to',
    show: (v) => ({ kind: 'list', items: strings(v).map((id) => PLATFORM_LABELS[id as PlatformId] ?? id), empty: 'None' }),
  },
  '$.approval.twoPerson': { section: 'Approval', label: 'A second person must approve each post' },
  '$.packages.signatures': {
    section: 'Packages and keys',
    label: 'Signed content packages',
    show: (v) => text(v === 'required' ? 'Required: unsigned packages are refused' : v === 'optional' ? 'Optional: unsigned packages are accepted' : plain(v)),
  },
  '$.packages.trustedKeys': {
    section: 'Packages and keys',
    label: 'Trusted signing keys',
    show: (v) => ({ kind: 'list', items: strings(v).map(shortKey), mono: true, empty: 'None' }),
  },
  '$.media.roots': {
    section: 'USB sticks',
    label: 'Extra folders where sticks appear',
    show: (v) => ({ kind: 'list', items: strings(v), mono: true, empty: 'None (only the system’s usual places)' }),
  },
  '$.media.consume': { section: 'USB sticks', label: 'Clear a stick after importing from it' },
  '$.media.limits.maxDepth': { section: 'USB sticks', label: 'Deepest folder level read on a stick', show: count('levels') },
  '$.media.limits.maxFiles': { section: 'USB sticks', label: 'Most files read from one stick', show: count('files') },
  '$.media.limits.maxTotalBytes': { section: 'USB sticks', label: 'Most data read from one stick', show: bytes },
  '$.media.limits.maxBytes.image': { section: 'USB sticks', label: 'Largest photo accepted', show: bytes },
  '$.media.limits.maxBytes.video': { section: 'USB sticks', label: 'Largest video accepted', show: bytes },
  '$.media.limits.maxBytes.text': { section: 'USB sticks', label: 'Largest text file accepted', show: bytes },
  '$.idleLockMinutes': {
    section: 'Screen lock',
    label: 'Lock the screen after this long without use',
    show: (v) => text(v === 1 ? '1 minute' : typeof v === 'number' ? `${v} minutes` : plain(v)),
  },
  '$.organisation': { section: 'Kiosk', label: 'Organisation' },
  '$.kioskName': { section: 'Kiosk', label: 'Kiosk name' },
  '$.kioskMode': { section: 'Kiosk', label: 'Full-screen kiosk mode (shortcuts blocked)' },
  '$.policyVersion': { section: 'Kiosk', label: 'Policy format version' },
  '$.$schema': { section: 'Kiosk', label: 'Schema the file names', show: (v) => text(plain(v), true) },
  '$.proxy.mode': {
    section: 'Network and proxy',
    label: 'How the kiosk reaches the internet',
    show: (v) => text(v === 'direct' ? 'Directly, without a proxy' : v === 'fixed' ? 'Through one fixed proxy' : plain(v)),
  },
  '$.proxy.server': { section: 'Network and proxy', label: 'Proxy server', show: (v) => text(plain(v), true) },
  '$.network.extraHosts': {
    section: 'Network and proxy',
    label: 'Other servers the kiosk may reach',
    show: (v) => ({ kind: 'list', items: strings(v), empty: 'None: only the enabled platforms', mono: true }),
  },
  '$.network.allowedPrivateRanges': {
    section: 'Network and proxy',
    label: 'Private networks opened for those servers',
    show: (v) => ({ kind: 'list', items: strings(v), empty: 'None', mono: true }),
  },
  '$.language': { section: 'Language', label: 'Language of the screens', show: (v) => text(typeof v === 'string' ? (LANGUAGES[v] ?? v) : plain(v)) },
  '$.trainingMode': { section: 'Training', label: 'Training mode (nothing is really published)' },
};

/** Any value, as a line of text; booleans are Yes/No. */
function plain(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (v === null || v === undefined) return 'Not set';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return v.toLocaleString();
  return JSON.stringify(v);
}

export interface SettingView extends PolicySetting {
  section: string;
  label: string;
  shown: ShownValue;
}

export function describeSetting(s: PolicySetting): SettingView {
  const words = WORDS[s.path];
  const shown = words?.show ? words.show(s.value) : Array.isArray(s.value) ? { kind: 'list' as const, items: strings(s.value), empty: 'None' } : text(plain(s.value));
  // A setting this screen has no words for yet is still shown, under its JSON path, never hidden.
  return { ...s, section: words?.section ?? 'Other settings', label: words?.label ?? s.path, shown };
}

/** Settings grouped in the screen's section order, each section in the order of `WORDS`. */
export function groupSettings(settings: readonly PolicySetting[]): { section: string; settings: SettingView[] }[] {
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
