// Where a policy setting's value came from, as an icon and words (never colour alone).
import type { SettingOrigin } from './policy-words.ts';
import { useTranslation } from '../../i18n/index.ts';

const ORIGIN: Record<SettingOrigin, { icon: string; text: string; modifier: string }> = {
  'policy file': { icon: '■', text: 'policy.originFile', modifier: 'file' },
  default: { icon: '○', text: 'policy.originDefault', modifier: 'default' },
  'training mode': { icon: '◆', text: 'policy.originTraining', modifier: 'training' },
};

export function OriginBadge({ from }: { from: SettingOrigin }) {
  const o = ORIGIN[from];
  const { t } = useTranslation();
  return (
    <span className={`origin-badge origin-badge--${o.modifier}`} data-origin={from}>
      <span aria-hidden="true">{o.icon}</span> {t(o.text)}
    </span>
  );
}
