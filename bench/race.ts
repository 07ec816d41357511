/**
 * Timing for the benchmarks: competitors run interleaved round by round (so a machine that is
 * busy at some moment slows them alike) and each reports its median, on wall time or on the
 * process's CPU time (process.cpuUsage: steadier while other jobs share the cores, but it counts
 * every thread of the process, so a second thread's work is added, not overlapped).
 */

/** Which clock {@link race} uses. */
export type Clock = 'wall' | 'cpu';

/** Seconds on the given clock. */
export function now(clock: Clock): number {
  if (clock === 'wall') return Number(process.hrtime.bigint()) / 1e9;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Median seconds per call of each competitor: `warm` warm-up calls each, then `reps` interleaved rounds. */
export function race(fns: Record<string, () => unknown>, reps: number, clock: Clock, warm = 2): Record<string, number> {
  const names = Object.keys(fns);
  for (let i = 0; i < warm; i++) for (const n of names) fns[n]();
  const t: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (const n of names) {
      const s = now(clock);
      fns[n]();
      t[n].push(now(clock) - s);
    }
  }
  return Object.fromEntries(names.map((n) => [n, t[n].sort((a, b) => a - b)[Math.floor(reps / 2)]]));
}
