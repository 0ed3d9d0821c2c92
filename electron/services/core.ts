// Airlock's core: every service, wired together once. Both shells (Electron and the browser
// shell) build exactly this and only differ in how they carry calls and events to the renderer.
import type { AppInfo, ShellKind } from '../../common/contract.ts';
import { EventBus } from './api/event-bus.ts';
import { createDispatcher, type ApiDispatch } from './api/dispatcher.ts';
import { summarisePolicy, type LoadedPolicy } from './policy/policy.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface CoreOptions {
  shell: ShellKind;
  version: string;
  policy: LoadedPolicy;
  /** Demo/training mode from the command line; the policy can also switch it on. */
  trainingMode?: boolean;
  clock?: Clock;
}

export interface AirlockCore {
  call: ApiDispatch;
  events: EventBus;
  info: AppInfo;
  close(): Promise<void>;
}

export function createCore(options: CoreOptions): AirlockCore {
  const clock = options.clock ?? systemClock;
  const events = new EventBus();
  const trainingMode = options.trainingMode === true || options.policy.policy.trainingMode;
  const loadedPolicy: LoadedPolicy = trainingMode
    ? { ...options.policy, policy: { ...options.policy.policy, trainingMode: true } }
    : options.policy;
  const info: AppInfo = {
    name: 'Airlock',
    version: options.version,
    shell: options.shell,
    trainingMode,
    platform: process.platform,
    startedAt: clock.now().toISOString(),
  };

  const call = createDispatcher({
    'app.info': () => info,
    'app.ping': ({ nonce }) => {
      const at = clock.now().toISOString();
      events.emit('app.pinged', { nonce, at });
      return { nonce, at };
    },
    'policy.summary': () => summarisePolicy(loadedPolicy),
  });

  return {
    call,
    events,
    info,
    close: async () => {},
  };
}
