// Where a policy setting's value came from, as an icon and words (never colour alone).
import type { SettingOrigin } from './policy-words.ts';

const ORIGIN: Record<SettingOrigin, { icon: string; text: string; modifier: string }> = {
  'policy file': { icon: '■', text: 'Set by the policy file', modifier: 'file' },
  default: { icon: '○', text: 'Airlock default', modifier: 'default' },
  'training mode': { icon: '◆', text: 'Set by training mode', modifier: 'training' },
};

export function OriginBadge({ from }: { from: SettingOrigin }) {
  const o = ORIGIN[from];
  return (
    <span className={`origin-badge origin-badge--${o.modifier}`} data-origin={from}>
      <span aria-hidden="true">{o.icon}</span> {o.text}
    </span>
  );
}
