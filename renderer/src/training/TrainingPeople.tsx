// On the sign-in screen in training mode: the made-up staff with their roles and PINs, so the
// audience can follow who signs in and why. Never shown outside training mode.
import { useEffect } from 'react';
import { useAppStore } from '../state/app-store.ts';
import { useTrainingStore } from './training-store.ts';
import { useTranslation } from '../i18n/index.ts';

const ROLES = ['admin', 'author', 'approver'];

export function TrainingPeople() {
  const training = useAppStore((s) => s.info?.trainingMode ?? false);
  const { status, load } = useTrainingStore();
  const { t } = useTranslation();
  useEffect(() => {
    if (training) void load();
  }, [training, load]);
  if (!training || !status || status.staff.length === 0) return null;
  return (
    <section className="training-people" aria-labelledby="training-people-title" data-testid="training-people">
      <h2 id="training-people-title">{t('training.people.title')}</h2>
      <p className="training-people__note">
        <span aria-hidden="true">⚠</span> {t('training.people.note')}
      </p>
      <table className="training-people__table">
        <thead>
          <tr>
            <th scope="col">{t('training.people.name')}</th>
            <th scope="col">{t('training.people.role')}</th>
            <th scope="col">{t('training.people.pin')}</th>
          </tr>
        </thead>
        <tbody>
          {status.staff.map((p) => (
            <tr key={p.name}>
              <th scope="row">{p.name}</th>
              <td>{ROLES.includes(p.role) ? t(`staff.roleOption.${p.role}`) : p.role}</td>
              <td>
                <code className="training-people__pin">{p.pin}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
