// On the sign-in screen in training mode: the made-up staff with their roles and PINs, so the
// audience can follow who signs in and why. Never shown outside training mode.
import { useEffect } from 'react';
import { useAppStore } from '../state/app-store.ts';
import { useTrainingStore } from './training-store.ts';

const ROLE_WORDS: Record<string, string> = { admin: 'Administrator', author: 'Author', approver: 'Approver' };

export function TrainingPeople() {
  const training = useAppStore((s) => s.info?.trainingMode ?? false);
  const { status, load } = useTrainingStore();
  useEffect(() => {
    if (training) void load();
  }, [training, load]);
  if (!training || !status || status.staff.length === 0) return null;
  return (
    <section className="training-people" aria-labelledby="training-people-title" data-testid="training-people">
      <h2 id="training-people-title">Training staff</h2>
      <p className="training-people__note">
        <span aria-hidden="true">⚠</span> Training only: PINs are shown so the audience can follow.
      </p>
      <table className="training-people__table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">PIN</th>
          </tr>
        </thead>
        <tbody>
          {status.staff.map((p) => (
            <tr key={p.name}>
              <th scope="row">{p.name}</th>
              <td>{ROLE_WORDS[p.role] ?? p.role}</td>
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
