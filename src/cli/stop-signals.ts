/**
 * @module cli/stop-signals
 * Waiting for the signal that stops a long-running command (relay, serve-example): SIGTERM or
 * SIGINT, and optionally the death of the launching process. The latter exists for `npm start`:
 * npm passes SIGTERM to the shell it started (`sh -c …`), which exits without passing it on,
 * leaving the relay behind; the relay then sees its parent change and shuts down as on SIGTERM.
 */

/** How often the parent process is checked (only with `stopWithParent`). */
const PARENT_POLL_MS = 250;

/** Resolves on SIGTERM/SIGINT, or when the parent process is gone (`stopWithParent`). */
export function untilStopped(o: { stopWithParent?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const parent = process.ppid;
    let poll: ReturnType<typeof setInterval> | undefined;
    const stop = (why: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      if (poll !== undefined) clearInterval(poll);
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
  });
}
