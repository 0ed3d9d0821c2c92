// Typed publish/subscribe for the events the renderer sees. Payloads are checked against the
// contract when emitted, so a service cannot push malformed data to either shell.
import { eventContract, type AirlockEvent, type EventName, type EventPayload } from '../../../common/contract.ts';

export type EventListener = (event: AirlockEvent) => void;

export class EventBus {
  #listeners = new Set<EventListener>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const checked = eventContract[name].parse(payload) as EventPayload<E>;
    const event = { name, payload: checked } as AirlockEvent;
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed window, a dropped browser tab) must not stop the others.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
