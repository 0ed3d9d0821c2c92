// Everyone the audit screen can name: the full staff list for an administrator, otherwise the
// people on the sign-in screen, plus anyone named in entries already shown.
import { useEffect, useMemo, useState } from 'react';
import type { AuditEntryView, StaffSummary } from '../../../../common/contract.ts';
import { call } from '../../api/client.ts';
import { useStaffStore } from '../../state/staff-store.ts';
import type { PeopleById } from './audit-format.ts';

export function usePeople(entries: readonly AuditEntryView[]): PeopleById {
  const isAdmin = useStaffStore((s) => s.status?.current?.role === 'admin');
  const choices = useStaffStore((s) => s.status?.choices);
  const [staff, setStaff] = useState<StaffSummary[] | null>(null);

  useEffect(() => {
    if (!isAdmin) return;
    let current = true;
    // Without the full list (disabled people) the sign-in choices still name most people, so a
    // refusal here only narrows the person filter; the log itself reports its own errors.
    call('staff.list', {}).then(
      (list) => current && setStaff(list),
      () => current && setStaff(null),
    );
    return () => {
      current = false;
    };
  }, [isAdmin]);

  return useMemo(() => {
    const people = new Map<string, string>();
    for (const e of entries) if (e.actor !== 'system' && e.actorName && e.actorName !== e.actor) people.set(e.actor, e.actorName);
    for (const c of choices ?? []) people.set(c.id, c.name);
    for (const s of (isAdmin ? staff : null) ?? []) people.set(s.id, s.name);
    return people;
  }, [entries, choices, staff, isAdmin]);
}
