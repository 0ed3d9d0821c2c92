import { describe, expect, it, vi } from 'vitest';
import { EgressLog, redactSecrets } from '../../../../electron/services/egress/egress-log.ts';
import type { EgressLogInput } from '../../../../electron/services/egress/egress-log.ts';

const T0 = Date.UTC(2026, 10, 5, 9, 30, 0);

function refusalInput(overrides: Partial<EgressLogInput> = {}): EgressLogInput {
  return {
    host: 'internal.corp',
    port: 443,
    requester: 'publish:tiktok',
    code: 'egress.host-not-allowed',
    reason: 'Airlock blocked a connection to internal.corp.',
    ...overrides,
  };
}

describe('egress refusal log', () => {
  it('records host, port, address, requester, time and reason', () => {
    const log = new EgressLog({ clock: () => T0 });
    const entry = log.record(refusalInput({ address: '10.0.0.5', code: 'egress.address-blocked', detail: 'internal.corp resolved to 10.0.0.5' }));
    expect(entry).toEqual({
      seq: 1,
      at: '2026-11-05T09:30:00.000Z',
      host: 'internal.corp',
      port: 443,
      address: '10.0.0.5',
      requester: 'publish:tiktok',
      code: 'egress.address-blocked',
      reason: 'Airlock blocked a connection to internal.corp.',
      detail: 'internal.corp resolved to 10.0.0.5',
    });
    expect(Object.isFrozen(entry)).toBe(true);
    expect(log.entries()).toEqual([entry]);
  });

  it('keeps only the most recent refusals', () => {
    const log = new EgressLog({ capacity: 3, clock: () => T0 });
    for (let i = 1; i <= 5; i++) log.record(refusalInput({ host: `h${i}.example` }));
    expect(log.entries().map((e) => e.host)).toEqual(['h3.example', 'h4.example', 'h5.example']);
    expect(log.entries().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(log.total).toBe(5);
  });

  it('holds 500 refusals by default', () => {
    const log = new EgressLog();
    for (let i = 0; i < 600; i++) log.record(refusalInput());
    expect(log.entries()).toHaveLength(500);
    expect(log.capacity).toBe(500);
  });

  it('hands out copies, so a screen cannot change the log', () => {
    const log = new EgressLog();
    log.record(refusalInput());
    log.entries().length = 0;
    expect(log.entries()).toHaveLength(1);
  });

  it('tells subscribers about each refusal until they unsubscribe', () => {
    const log = new EgressLog();
    const seen: string[] = [];
    const stop = log.onDidRecord((e) => seen.push(e.host));
    log.record(refusalInput({ host: 'a.example' }));
    stop();
    log.record(refusalInput({ host: 'b.example' }));
    expect(seen).toEqual(['a.example']);
  });

  it('keeps recording when a subscriber throws, and reports the subscriber error', () => {
    const onListenerError = vi.fn();
    const log = new EgressLog({ onListenerError });
    const later = vi.fn();
    log.onDidRecord(() => {
      throw new Error('screen crashed');
    });
    log.onDidRecord(later);
    log.record(refusalInput());
    expect(onListenerError).toHaveBeenCalledWith(expect.objectContaining({ message: 'screen crashed' }));
    expect(later).toHaveBeenCalledTimes(1);
    expect(log.entries()).toHaveLength(1);
  });

  it('never stores a query string, token or credential, even if a caller passes one', () => {
    const log = new EgressLog();
    const entry = log.record(
      refusalInput({
        host: 'https://open-upload.tiktokapis.com/video/?upload_id=1&upload_token=SECRET1',
        reason: 'failed PUT https://user:SECRET2@open-upload.tiktokapis.com/video/?upload_token=SECRET3#frag',
        detail: 'Authorization: Bearer SECRET4; access_token=SECRET5&x=1 client_secret=SECRET6 path?SECRET7',
        requester: 'publish:tiktok?token=SECRET8',
      }),
    );
    const stored = JSON.stringify(entry);
    for (let i = 1; i <= 8; i++) expect(stored).not.toContain(`SECRET${i}`);
    expect(entry.host).toBe('(unreadable host)');
    expect(entry.reason).toBe('failed PUT https://open-upload.tiktokapis.com/video/');
    expect(entry.requester).toBe('unknown');
  });

  it('bounds the size of reason and detail text', () => {
    const log = new EgressLog();
    const entry = log.record(refusalInput({ detail: 'x'.repeat(10_000) }));
    expect(entry.detail?.length).toBeLessThanOrEqual(501);
  });

  it('refuses an unusable capacity', () => {
    expect(() => new EgressLog({ capacity: 0 })).toThrow(RangeError);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['https://a.example/p?q=1', 'https://a.example/p'],
    ['see https://u:p@a.example:8443/p#f now', 'see https://a.example:8443/p now'],
    ['Bearer abc.def', 'Bearer [redacted]'],
    ['refresh_token=abc&scope=x', 'refresh_token=[redacted]&scope=x'],
    ['nothing secret here', 'nothing secret here'],
  ])('%j → %j', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});
