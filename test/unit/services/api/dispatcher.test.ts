import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { createDispatcher, type ApiHandlers } from '../../../../electron/services/api/dispatcher.ts';
import { METHOD_NAMES } from '../../../../common/method-names.ts';
import { openTestCore } from '../../../support/core.ts';

const fixedClock = { now: () => new Date('2026-11-21T10:00:00.000Z') };
const core = () => openTestCore({ version: '9.9.9', clock: fixedClock });

describe('API dispatcher', () => {
  it('answers a known method with the {ok, value} envelope', async () => {
    const result = await (await core()).call('app.info', {});
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ name: 'Airlock', version: '9.9.9', shell: 'browser', startedAt: '2026-11-21T10:00:00.000Z' }),
    });
  });

  it('refuses an unknown method with a clear error and no handler runs', async () => {
    const result = await (await core()).call('files.delete', {});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('api.unknown-method');
      expect(result.error.message).toMatch(/Nothing was changed/);
    }
  });

  it('refuses arguments of the wrong type and names the field for IT', async () => {
    const c = await core();
    let emitted = 0;
    c.events.subscribe(() => emitted++);
    const result = await c.call('app.ping', { nonce: 42 });
    expect(result).toMatchObject({ ok: false, error: { code: 'api.bad-arguments', detail: expect.stringContaining('nonce') } });
    expect(emitted).toBe(0);
  });

  it('refuses non-object arguments', async () => {
    for (const bad of ['x', 7, [], true]) {
      const result = await (await core()).call('app.info', bad);
      expect(result).toMatchObject({ ok: false, error: { code: 'api.bad-arguments' } });
    }
  });

  it('emits the ping on the event stream only after a valid call', async () => {
    const c = await core();
    const seen: unknown[] = [];
    c.events.subscribe((e) => seen.push(e));
    await c.call('app.ping', { nonce: 'abc' });
    expect(seen).toEqual([{ name: 'app.pinged', payload: { nonce: 'abc', at: '2026-11-21T10:00:00.000Z' } }]);
  });

  const unused = () => {
    throw new Error('not used');
  };
  const handlersWith = (info: ApiHandlers['app.info']): ApiHandlers =>
    Object.fromEntries(
      METHOD_NAMES.map((m) => [m, m === 'app.info' ? info : m === 'app.ping' ? ({ nonce }: { nonce: string }) => ({ nonce, at: 'now' }) : unused]),
    ) as unknown as ApiHandlers;

  it('passes a staff-facing AirlockError through unchanged', async () => {
    const dispatch = createDispatcher(
      handlersWith(() => {
        throw new AirlockError('demo.refused', 'You cannot do that.', 'because');
      }),
    );
    expect(await dispatch('app.info', {})).toEqual({ ok: false, error: { code: 'demo.refused', message: 'You cannot do that.', detail: 'because' } });
  });

  it('hides an unexpected exception behind a plain message, keeping the detail for IT', async () => {
    const dispatch = createDispatcher(
      handlersWith(() => {
        throw new TypeError('cannot read x of undefined');
      }),
    );
    const result = await dispatch('app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal', detail: 'TypeError: cannot read x of undefined' } });
    if (!result.ok) expect(result.error.message).not.toMatch(/TypeError/);
  });

  it('refuses a handler result that breaks the contract', async () => {
    const dispatch = createDispatcher(handlersWith(() => ({ name: 'Other' }) as never));
    expect(await dispatch('app.info', {})).toMatchObject({ ok: false, error: { code: 'api.bad-result' } });
  });
});
