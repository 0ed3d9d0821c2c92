// A publish job's context for adapter tests: credentials that rotate in memory (with the moment
// each save happened), a checkpoint that round-trips through structured clone, progress and a
// sleep that records waits instead of taking them. Traffic goes through the real egress client,
// with loopback the only place it may go.
import { afterEach, expect } from 'vitest';
import type { PublishContext } from '../../electron/platforms/adapter.ts';
import type { PlatformId } from '../../common/platforms.ts';
import { EgressLog } from '../../electron/services/egress/egress-log.ts';
import { EgressPolicy } from '../../electron/services/egress/egress-policy.ts';
import { createEgressClient, type EgressClient } from '../../electron/services/egress/http-client.ts';
import type { AccountCredentials } from '../../electron/services/vault/vault.ts';

export interface PublishHarness {
  context: PublishContext;
  controller: AbortController;
  creds: () => AccountCredentials;
  saved: AccountCredentials[];
  /** `requestCount()` when each save happened. */
  savedAtRequest: number[];
  state: () => Record<string, unknown>;
  states: Record<string, unknown>[];
  progress: Parameters<PublishContext['onProgress']>[0][];
  onSave?: (state: Record<string, unknown>) => void;
}

/** An egress client that may reach 127.0.0.0/8 only, and the log of anything it refused. */
export function loopbackEgress(): { client: EgressClient; log: EgressLog } {
  const log = new EgressLog();
  return { client: createEgressClient({ policy: new EgressPolicy({ allowedHosts: [], allowLoopback: true }), log }), log };
}

/**
 * One simulator per test on 127.0.0.1 and a loopback-only egress client, both gone after each
 * test, which also fails if anything tried to leave the machine.
 */
export function simulatorPerTest<S extends { origin: string; stop(): Promise<void> }>() {
  let sim: S | undefined;
  let egress: { client: EgressClient; log: EgressLog } | undefined;
  afterEach(async () => {
    egress?.client.close();
    // Nothing ever tried to leave the machine: the policy allows loopback only, and logs refusals.
    expect(egress?.log.entries() ?? []).toEqual([]);
    egress = undefined;
    await sim?.stop();
    sim = undefined;
  });
  return {
    async start(make: () => Promise<S>): Promise<S> {
      sim = await make();
      expect(new URL(sim.origin).hostname).toBe('127.0.0.1');
      egress = loopbackEgress();
      return sim;
    },
    client: (): EgressClient => egress!.client,
  };
}

export function publishHarness(o: { platform: PlatformId; accountId: string; apiBase: string; http: EgressClient; credentials: AccountCredentials; requestCount: () => number }): PublishHarness {
  let creds = o.credentials;
  let state: Record<string, unknown> = {};
  const controller = new AbortController();
  const h: PublishHarness = {
    controller,
    creds: () => creds,
    saved: [],
    savedAtRequest: [],
    state: () => state,
    states: [],
    progress: [],
    context: {
      account: { platform: o.platform, accountId: o.accountId, apiBase: o.apiBase },
      http: o.http,
      credentials: async () => creds,
      saveCredentials: async (c) => {
        h.saved.push(c);
        h.savedAtRequest.push(o.requestCount());
        creds = c;
      },
      onProgress: (p) => h.progress.push(p),
      signal: controller.signal,
      checkpoint: {
        load: async () => structuredClone(state),
        save: async (next) => {
          state = structuredClone(next);
          h.states.push(state);
          h.onSave?.(state);
        },
      },
    },
  };
  return h;
}

/** A sleep that records the wait and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
}

/** Progress never moves backwards and always speaks of the same total. */
export function progressIsMonotonic(progress: PublishHarness['progress'], total: number): boolean {
  const done = progress.map((p) => p.bytesDone);
  return done.every((d, i) => i === 0 || d >= done[i - 1]!) && progress.every((p) => p.bytesTotal === total);
}
