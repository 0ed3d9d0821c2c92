// What IT sees: every effective policy setting with where it came from, and the network
// refusals with the allow-list they were checked against. Nothing here sends traffic.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../electron/services/policy/policy.ts';
import { openTestCore, signInFirstAdmin } from '../../support/core.ts';

describe('admin and diagnostics', () => {
  it('shows each setting and whether the policy file or the default set it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-admin-'));
    await writeFile(path.join(dir, 'policy.json'), JSON.stringify({ policyVersion: 1, kioskName: 'Front desk', approval: { twoPerson: false } }));
    const core = await openTestCore({ policy: await loadPolicy(path.join(dir, 'policy.json')) });
    await signInFirstAdmin(core);
    const result = await core.call('admin.policy', {});
    expect(result.ok).toBe(true);
    const settings = (result as { ok: true; value: { settings: { path: string; value: unknown; from: string }[] } }).value.settings;
    expect(settings).toContainEqual({ path: '$.kioskName', value: 'Front desk', from: 'policy file' });
    expect(settings).toContainEqual({ path: '$.approval.twoPerson', value: false, from: 'policy file' });
    expect(settings).toContainEqual({ path: '$.idleLockMinutes', value: 5, from: 'default' });
  });

  it('lists refused connections with the allow-list, and refuses both to someone not allowed', async () => {
    const core = await openTestCore();
    await signInFirstAdmin(core);
    await expect(core.egress.client.request('https://intranet.corp.example/payroll', { requester: 'publish:tiktok' })).rejects.toMatchObject({ code: 'egress.host-not-allowed' });
    const result = (await core.call('diagnostics.network', {})) as { ok: true; value: { allowedHosts: string[]; loopbackAllowed: boolean; refusals: { host: string; requester: string }[] } };
    expect(result.value.allowedHosts).toContain('open.tiktokapis.com');
    expect(result.value.loopbackAllowed).toBe(false);
    expect(result.value.refusals).toEqual([expect.objectContaining({ host: 'intranet.corp.example', requester: 'publish:tiktok' })]);
    // The refusal is written to the audit log in the background, right after it happens.
    await expect.poll(async () => (await core.audit.list({ kind: 'egress.blocked', limit: 5 })).entries[0], { timeout: 10_000 }).toMatchObject({ subject: expect.stringContaining('intranet.corp.example') });
    await core.call('staff.signOut', {});
    expect(await core.call('diagnostics.network', {})).toMatchObject({ ok: false, error: { code: 'staff.signed-out' } });
  });
});
