/**
 * @module cli/stop-signals
 * Waiting for the signal that stops a long-running command (relay, serve-example): SIGTERM or
 * SIGINT, and optionally the death of the launching process. The latter exists for `npm start`:
 * npm passes SIGTERM to the shell it started (`sh -c …`), which exits without passing it on,
 * leaving the relay behind; the relay then sees its parent change and shuts down as on SIGTERM.
 *
 * Commands listen before they start their server, so a signal that arrives while it starts is
 * not lost to Node's default action (exit without a graceful shutdown).
 */

/** How often the parent process is checked (only with `stopWithParent`). */
const PARENT_POLL_MS = 250;

/** A pending stop: `stopped` resolves with its reason; `dispose()` stops listening. */
export interface StopSignal {
  readonly stopped: Promise<string>;
  dispose(): void;
}

/** Starts listening for SIGTERM/SIGINT, and for the parent process to go (`stopWithParent`). */
export function listenForStop(o: { stopWithParent?: boolean } = {}): StopSignal {
  let resolve!: (why: string) => void;
  const stopped = new Promise<string>((r) => (resolve = r));
  const parent = process.ppid;
  let poll: ReturnType<typeof setInterval> | undefined;
  const dispose = () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    if (poll !== undefined) clearInterval(poll);
  };
  const stop = (why: string) => {
    dispose();
    resolve(why);
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  if (o.stopWithParent === true) {
    poll = setInterval(() => {
      if (process.ppid !== parent) stop('parent exited');
    }, PARENT_POLL_MS);
  }
  return { stopped, dispose };
}
