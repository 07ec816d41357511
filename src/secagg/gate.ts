/**
 * @module secagg/gate
 * A phase of a round waits on a gate: a promise that message handlers open (enough messages
 * arrived) or fail (the round must stop), raced against the phase's timeout.
 */
import type { ShardwireError } from '../errors.ts';

/** A promise with its settlement exposed. Never rejects unobserved. */
export class Gate {
  readonly promise: Promise<void>;
  #open!: () => void;
  #fail!: (e: ShardwireError) => void;
  #settled = false;

  constructor() {
    this.promise = new Promise<void>((a, b) => ((this.#open = a), (this.#fail = b)));
    this.promise.catch(() => undefined);
  }

  get settled(): boolean {
    return this.#settled;
  }

  open(): void {
    this.#settled = true;
    this.#open();
  }

  fail(e: ShardwireError): void {
    this.#settled = true;
    this.#fail(e);
  }

  /** Resolves true when the gate opened, false when `ms` passed first; rejects when it failed. */
  async wait(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
    try {
      return await Promise.race([this.promise.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
