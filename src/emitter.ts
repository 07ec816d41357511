/**
 * @module emitter
 * A tiny typed event emitter that runs in Node and browsers (no node:events in the client
 * path). A listener that throws is isolated: the error is re-raised asynchronously, never into
 * the protocol code that emitted.
 */

/** Map of event name → payload type. */
export type EventMap = Record<string, unknown>;

export class Emitter<E extends EventMap> {
  #listeners = new Map<keyof E, Set<(payload: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set!.delete(listener as (payload: never) => void);
  }

  /** Calls every listener of `event` with `payload`. */
  protected emit<K extends keyof E>(event: K, payload: E[K]): void {
    for (const l of this.#listeners.get(event) ?? []) {
      try {
        (l as (p: E[K]) => void)(payload);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
